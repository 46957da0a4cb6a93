using System.Text;
using BenchmarkDotNet.Attributes;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Binance;
using Barometer.Venues.Common;

namespace Barometer.Benchmarks;

/// <summary>
/// One Binance WebSocket frame → normalized events, per channel, symbol already registered (the
/// steady state). Frames are combined-stream envelopes: aggTrade, bookTicker and depth copied from
/// tests/Barometer.Venues.Tests/TestData/binance/*.ndjson (recorded 2021-04, see PROVENANCE.md);
/// markPrice and forceOrder from the official USD-M doc examples (no recorded frames of those), the
/// 10-symbol array built from the same shape. The sink only counts. One operation = one frame.
/// </summary>
[MemoryDiagnoser]
public class BinanceParserBenchmarks
{
    private const long ReceiveTime = 1_700_000_000_000_000;

    private const string FuturesAggTradeFrame =
        """{"stream":"ksmusdt@aggTrade","data":{"e":"aggTrade","E":1618677448825,"a":21396960,"s":"KSMUSDT","p":"459.204","q":"1.1","f":25426552,"l":25426552,"T":1618677448808,"m":true}}""";

    private const string SpotAggTradeFrame =
        """{"stream":"aaveupusdt@aggTrade","data":{"e":"aggTrade","E":1618677377270,"s":"AAVEUPUSDT","a":1779415,"p":"84.69900000","q":"0.39000000","f":1857326,"l":1857326,"T":1618677377265,"m":false,"M":true}}""";

    private const string FuturesBookTickerFrame =
        """{"stream":"yfiusdt@bookTicker","data":{"e":"bookTicker","u":335340585239,"s":"YFIUSDT","b":"49951.9","B":"0.006","a":"49965.8","A":"0.008","T":1618677448054,"E":1618677448057}}""";

    private const string SpotBookTickerFrame =
        """{"stream":"veteth@bookTicker","data":{"u":327912869,"s":"VETETH","b":"0.00009381","B":"95017.00000000","a":"0.00009401","A":"88406.00000000"}}""";

    private const string FuturesDepthFrame =
        """{"stream":"yfiusdt@depth@100ms","data":{"e":"depthUpdate","E":1618677448483,"T":1618677448474,"s":"YFIUSDT","U":335340595636,"u":335340598565,"pu":335340595057,"b":[["49900.1","0.100"],["49905.0","0.042"],["49922.2","0.075"],["49964.5","0.005"]],"a":[["49940.0","0.000"],["49983.6","0.000"],["50033.5","0.000"],["50054.9","0.011"],["50056.3","0.061"],["50070.0","0.057"],["50092.6","0.000"],["50121.5","0.100"]]}}""";

    private const string SpotDepthFrame =
        """{"stream":"swrvbusd@depth@100ms","data":{"e":"depthUpdate","E":1618677372222,"s":"SWRVBUSD","U":64830106,"u":64830110,"b":[["2.27000000","95.46200000"],["2.26800000","127.44300000"],["2.26500000","0.00000000"],["2.26400000","319.69100000"]],"a":[["2.27600000","42.41700000"]]}}""";

    private const string FuturesMarkPriceFrame =
        """{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}""";

    private const string FuturesForceOrderFrame =
        """{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}}""";

    private const string FuturesMarkPriceArray10Frame =
        """{"stream":"!markPrice@arr@1s","data":[{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"100.12345678","i":"100.11111111","P":"0.00000000","r":"0.00010000","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"ETHUSDT","p":"137.12345679","i":"137.11111112","P":"0.00000000","r":"0.00010007","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"BNBUSDT","p":"174.12345680","i":"174.11111113","P":"0.00000000","r":"0.00010014","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"SOLUSDT","p":"211.12345681","i":"211.11111114","P":"0.00000000","r":"0.00010021","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"XRPUSDT","p":"248.12345682","i":"248.11111115","P":"0.00000000","r":"0.00010028","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"DOGEUSDT","p":"285.12345683","i":"285.11111116","P":"0.00000000","r":"0.00010035","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"ADAUSDT","p":"322.12345684","i":"322.11111117","P":"0.00000000","r":"0.00010042","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"LINKUSDT","p":"359.12345685","i":"359.11111118","P":"0.00000000","r":"0.00010049","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"LTCUSDT","p":"396.12345686","i":"396.11111119","P":"0.00000000","r":"0.00010056","T":1562306400000},{"e":"markPriceUpdate","E":1562305380000,"s":"DOTUSDT","p":"433.12345687","i":"433.11111120","P":"0.00000000","r":"0.00010063","T":1562306400000}]}""";

    private byte[] _futuresAggTrade = null!;
    private byte[] _spotAggTrade = null!;
    private byte[] _futuresBookTicker = null!;
    private byte[] _spotBookTicker = null!;
    private byte[] _futuresDepth = null!;
    private byte[] _spotDepth = null!;
    private byte[] _futuresMarkPrice = null!;
    private byte[] _futuresMarkPriceArray10 = null!;
    private byte[] _futuresForceOrder = null!;
    private readonly CountingSink _sink = new();
    private BinanceNormalizer _futures = null!;
    private BinanceNormalizer _spot = null!;

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry();
        _futures = new BinanceNormalizer(VenueId.BinanceFutures, registry);
        _spot = new BinanceNormalizer(VenueId.BinanceSpot, registry);
        _futuresAggTrade = Encoding.UTF8.GetBytes(FuturesAggTradeFrame);
        _spotAggTrade = Encoding.UTF8.GetBytes(SpotAggTradeFrame);
        _futuresBookTicker = Encoding.UTF8.GetBytes(FuturesBookTickerFrame);
        _spotBookTicker = Encoding.UTF8.GetBytes(SpotBookTickerFrame);
        _futuresDepth = Encoding.UTF8.GetBytes(FuturesDepthFrame);
        _spotDepth = Encoding.UTF8.GetBytes(SpotDepthFrame);
        _futuresMarkPrice = Encoding.UTF8.GetBytes(FuturesMarkPriceFrame);
        _futuresMarkPriceArray10 = Encoding.UTF8.GetBytes(FuturesMarkPriceArray10Frame);
        _futuresForceOrder = Encoding.UTF8.GetBytes(FuturesForceOrderFrame);
        Warm(_futures, _futuresAggTrade);
        Warm(_spot, _spotAggTrade);
        Warm(_futures, _futuresBookTicker);
        Warm(_spot, _spotBookTicker);
        Warm(_futures, _futuresDepth);
        Warm(_spot, _spotDepth);
        Warm(_futures, _futuresMarkPrice);
        Warm(_futures, _futuresMarkPriceArray10);
        Warm(_futures, _futuresForceOrder);
    }

    /// <summary>The floor: the same frame only tokenized by Utf8JsonReader, nothing interpreted.</summary>
    [Benchmark(Description = "futures aggTrade: token walk only (floor)")]
    public int FuturesAggTradeTokensOnly()
    {
        var reader = new System.Text.Json.Utf8JsonReader(_futuresAggTrade);
        int tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark(Description = "futures aggTrade")]
    public NormalizeResult FuturesAggTrade() => _futures.Normalize(_futuresAggTrade, ReceiveTime, _sink);

    [Benchmark(Description = "spot aggTrade")]
    public NormalizeResult SpotAggTrade() => _spot.Normalize(_spotAggTrade, ReceiveTime, _sink);

    [Benchmark(Description = "futures bookTicker")]
    public NormalizeResult FuturesBookTicker() => _futures.Normalize(_futuresBookTicker, ReceiveTime, _sink);

    [Benchmark(Description = "spot bookTicker (no e/E/T)")]
    public NormalizeResult SpotBookTicker() => _spot.Normalize(_spotBookTicker, ReceiveTime, _sink);

    [Benchmark(Description = "futures depthUpdate 4+8 levels")]
    public NormalizeResult FuturesDepth() => _futures.Normalize(_futuresDepth, ReceiveTime, _sink);

    [Benchmark(Description = "spot depthUpdate 4+1 levels")]
    public NormalizeResult SpotDepth() => _spot.Normalize(_spotDepth, ReceiveTime, _sink);

    [Benchmark(Description = "futures markPriceUpdate")]
    public NormalizeResult FuturesMarkPrice() => _futures.Normalize(_futuresMarkPrice, ReceiveTime, _sink);

    [Benchmark(Description = "futures !markPrice@arr, 10 symbols")]
    public NormalizeResult FuturesMarkPriceArray10() => _futures.Normalize(_futuresMarkPriceArray10, ReceiveTime, _sink);

    [Benchmark(Description = "futures forceOrder")]
    public NormalizeResult FuturesForceOrder() => _futures.Normalize(_futuresForceOrder, ReceiveTime, _sink);

    private void Warm(BinanceNormalizer normalizer, byte[] frame)
    {
        // Registers the symbols, and proves the frame is data (a benchmark of an error path is useless).
        var result = normalizer.Normalize(frame, ReceiveTime, _sink);
        if (result.Outcome != NormalizeOutcome.Data || result.EventCount == 0)
        {
            throw new InvalidOperationException("benchmark frame does not normalize: " + result);
        }
    }

    private sealed class CountingSink : IEventSink
    {
        public long Count { get; private set; }

        public void Publish(in MarketEvent e) => Count++;
    }
}
