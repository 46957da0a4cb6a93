using System.Text;
using BenchmarkDotNet.Attributes;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Bybit;
using Barometer.Venues.Common;

namespace Barometer.Benchmarks;

/// <summary>
/// One Bybit V5 WebSocket frame → normalized events, per channel, symbol already registered (the
/// steady state). orderbook.1 frames are copied from tests/Barometer.Venues.Tests/TestData/bybit
/// (recorded 2025-06, see PROVENANCE.md); publicTrade, orderbook.50, allLiquidation and the linear
/// tickers snapshot are the official doc examples (no recorded frames of those); the 10-trade batch
/// and the ticker deltas are built from the same shapes. The ticker-delta benchmark alternates two
/// deltas so every frame changes the merged state and publishes Funding + OpenInterest. The sink
/// only counts. One operation = one frame.
/// </summary>
[MemoryDiagnoser]
public class BybitParserBenchmarks
{
    private const long ReceiveTime = 1_700_000_000_000_000;

    private const string LinearTradeFrame =
        """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}""";

    private const string SpotTradeFrame =
        """{"topic":"publicTrade.ETHUSDC","ts":1700000000002,"type":"snapshot","data":[{"i":"2290000000061666327","T":1700000000001,"p":"2000.5","v":"0.25","S":"Sell","s":"ETHUSDC","BT":false}]}""";

    private const string LinearOrderbook1Frame =
        """{"topic":"orderbook.1.BANDUSDT","type":"snapshot","ts":1749833474773,"data":{"s":"BANDUSDT","b":[["0.6131","17.9"]],"a":[["0.6134","35.4"]],"u":24042997,"seq":209972815373},"cts":1749833474768}""";

    private const string SpotOrderbook1Frame =
        """{"topic":"orderbook.1.OPUSDC","ts":1749833472906,"type":"snapshot","data":{"s":"OPUSDC","b":[["0.579","3886.45"]],"a":[["0.58","4043.62"]],"u":1399781,"seq":122620616678},"cts":1749833472901}""";

    private const string Orderbook50DeltaFrame =
        """{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1687940967466,"data":{"s":"BTCUSDT","b":[["30247.20","30.028"],["30240.00","0"]],"a":[["30248.70","0"],["30249.30","0.892"]],"u":177400507,"seq":66544703342},"cts":1687940967464}""";

    private const string LiquidationFrame =
        """{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":1739502302929,"s":"ROSEUSDT","S":"Sell","v":"20000","p":"0.04499"}]}""";

    private const string TickerSnapshotFrame =
        """{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","tickDirection":"MinusTick","price24hPcnt":"-0.158315","lastPrice":"66666.60","prevPrice24h":"79206.20","highPrice24h":"79266.30","lowPrice24h":"65076.90","prevPrice1h":"66666.60","markPrice":"66666.60","indexPrice":"115418.19","openInterest":"492373.72","openInterestValue":"32824881841.75","turnover24h":"4936790807.6521","volume24h":"73191.3870","fundingIntervalHour":"8","fundingCap":"0.005","nextFundingTime":"1760342400000","fundingRate":"-0.005","bid1Price":"66666.60","bid1Size":"23789.165","ask1Price":"66666.70","ask1Size":"23775.469","preOpenPrice":"","preQty":"","curPreListingPhase":""},"cs":9532239429,"ts":1760325052630}""";

    private const string TickerDeltaAFrame =
        """{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","lastPrice":"66667.10","markPrice":"66666.90","openInterest":"492374.72","openInterestValue":"32824961841.75","turnover24h":"4936790907.6521","volume24h":"73191.3880","bid1Price":"66667.00","bid1Size":"2.165","ask1Price":"66667.10","ask1Size":"3.469"},"cs":9532239430,"ts":1760325052730}""";

    private const string TickerDeltaBFrame =
        """{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","lastPrice":"66667.20","markPrice":"66667.00","openInterest":"492375.72","openInterestValue":"32825041841.75","turnover24h":"4936791007.6521","volume24h":"73191.3890","bid1Price":"66667.10","bid1Size":"1.165","ask1Price":"66667.20","ask1Size":"4.469"},"cs":9532239431,"ts":1760325052830}""";

    private byte[] _linearTrade = null!;
    private byte[] _linearTrade10 = null!;
    private byte[] _spotTrade = null!;
    private byte[] _linearTop = null!;
    private byte[] _spotTop = null!;
    private byte[] _orderbook50Delta = null!;
    private byte[] _liquidation = null!;
    private byte[] _tickerSnapshot = null!;
    private byte[] _tickerDeltaA = null!;
    private byte[] _tickerDeltaB = null!;
    private readonly CountingSink _sink = new();
    private BybitNormalizer _linear = null!;
    private BybitNormalizer _spot = null!;
    private int _flip;

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry();
        registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
        _linear = new BybitNormalizer(VenueId.BybitLinear, registry);
        _spot = new BybitNormalizer(VenueId.BybitSpot, registry);
        _linearTrade = Encoding.UTF8.GetBytes(LinearTradeFrame);
        _linearTrade10 = Encoding.UTF8.GetBytes(TenTrades());
        _spotTrade = Encoding.UTF8.GetBytes(SpotTradeFrame);
        _linearTop = Encoding.UTF8.GetBytes(LinearOrderbook1Frame);
        _spotTop = Encoding.UTF8.GetBytes(SpotOrderbook1Frame);
        _orderbook50Delta = Encoding.UTF8.GetBytes(Orderbook50DeltaFrame);
        _liquidation = Encoding.UTF8.GetBytes(LiquidationFrame);
        _tickerSnapshot = Encoding.UTF8.GetBytes(TickerSnapshotFrame);
        _tickerDeltaA = Encoding.UTF8.GetBytes(TickerDeltaAFrame);
        _tickerDeltaB = Encoding.UTF8.GetBytes(TickerDeltaBFrame);
        Warm(_linear, _linearTrade);
        Warm(_linear, _linearTrade10);
        Warm(_spot, _spotTrade);
        Warm(_linear, _linearTop);
        Warm(_spot, _spotTop);
        Warm(_linear, _orderbook50Delta);
        Warm(_linear, _liquidation);
        Warm(_linear, _tickerSnapshot);
        Warm(_linear, _tickerDeltaA);
        Warm(_linear, _tickerDeltaB);
    }

    [Benchmark(Description = "linear publicTrade (1 trade, UUID id)")]
    public NormalizeResult LinearTrade() => _linear.Normalize(_linearTrade, ReceiveTime, _sink);

    [Benchmark(Description = "linear publicTrade, 10 trades")]
    public NormalizeResult LinearTrade10() => _linear.Normalize(_linearTrade10, ReceiveTime, _sink);

    [Benchmark(Description = "spot publicTrade (1 trade, numeric id)")]
    public NormalizeResult SpotTrade() => _spot.Normalize(_spotTrade, ReceiveTime, _sink);

    [Benchmark(Description = "linear orderbook.1 → BookTop")]
    public NormalizeResult LinearTop() => _linear.Normalize(_linearTop, ReceiveTime, _sink);

    [Benchmark(Description = "spot orderbook.1 → BookTop")]
    public NormalizeResult SpotTop() => _spot.Normalize(_spotTop, ReceiveTime, _sink);

    [Benchmark(Description = "linear orderbook.50 delta 2+2 levels")]
    public NormalizeResult Orderbook50Delta() => _linear.Normalize(_orderbook50Delta, ReceiveTime, _sink);

    [Benchmark(Description = "linear allLiquidation (1)")]
    public NormalizeResult Liquidation() => _linear.Normalize(_liquidation, ReceiveTime, _sink);

    [Benchmark(Description = "linear tickers snapshot (official, 2 events)")]
    public NormalizeResult TickerSnapshot() => _linear.Normalize(_tickerSnapshot, ReceiveTime, _sink);

    [Benchmark(Description = "linear tickers delta (merged, 2 events)")]
    public NormalizeResult TickerDelta() => _linear.Normalize((_flip++ & 1) == 0 ? _tickerDeltaA : _tickerDeltaB, ReceiveTime, _sink);

    private static string TenTrades()
    {
        var sb = new StringBuilder("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[""");
        for (int i = 0; i < 10; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"T":{{1672304486865 + i}},"s":"BTCUSDT","S":"{{(i % 2 == 0 ? "Buy" : "Sell")}}","v":"0.0{{i + 1:00}}","p":"16578.{{50 + i}}","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023a{{i}}","BT":false,"seq":{{1783284617 + i}}}""");
        }

        return sb.Append("]}").ToString();
    }

    private void Warm(BybitNormalizer normalizer, byte[] frame)
    {
        // Registers the symbols, and proves the frame is data (a benchmark of an error path is useless).
        var result = normalizer.Normalize(frame, ReceiveTime, _sink);
        if (result.Outcome != NormalizeOutcome.Data || result.EventCount == 0)
        {
            throw new InvalidOperationException("benchmark frame does not normalize: " + result + " " + Encoding.UTF8.GetString(frame));
        }
    }

    private sealed class CountingSink : IEventSink
    {
        public long Count { get; private set; }

        public void Publish(in MarketEvent e) => Count++;
    }
}
