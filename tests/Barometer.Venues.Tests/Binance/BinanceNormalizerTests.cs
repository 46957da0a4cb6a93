using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Binance;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Binance;

public sealed class BinanceNormalizerTests
{
    private const long ReceiveTime = 1_700_000_000_000_000;

    private readonly InstrumentRegistry _registry = new();
    private readonly ListSink _sink = new();

    private static string DataPath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "binance", name);

    private NormalizeResult Normalize(VenueId venue, string frame) =>
        new BinanceNormalizer(venue, _registry).Normalize(Encoding.UTF8.GetBytes(frame), ReceiveTime, _sink);

    [Fact]
    public void Official_aggTrade_example_with_buyer_maker_becomes_a_sell_aggressor_trade()
    {
        // USD-M "Aggregate Trade Streams" payload example.
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"aggTrade","E":123456789,"s":"BTCUSDT","a":5933014,"p":"0.001","q":"100","f":100,"l":105,"T":123456785,"m":true}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var trade = Assert.Single(_sink.Events).AsTrade();
        Assert.Equal("BTCUSDT", trade.Instrument.VenueSymbol);
        Assert.Equal(VenueId.BinanceFutures, trade.Instrument.Venue);
        Assert.Equal(0.001, trade.Price);
        Assert.Equal(100, trade.Quantity);
        Assert.Equal(Side.Sell, trade.AggressorSide);
        Assert.Equal(123_456_785_000, trade.ExchangeTime); // T in ms → µs
        Assert.Equal(ReceiveTime, trade.ReceiveTime);
        Assert.Equal(TradeId.FromNumber(5933014), trade.Id);
        Assert.Equal(0.1, trade.NotionalUsd, 12);
    }

    [Fact]
    public void Recorded_combined_stream_aggTrade_with_buyer_taker_is_a_buy()
    {
        var line = File.ReadLines(DataPath("futures-aggTrade.ndjson")).First();
        var result = Normalize(VenueId.BinanceFutures, line);

        Assert.Equal(NormalizeResult.Data(1), result);
        var trade = _sink.Events[0].AsTrade();
        Assert.Equal("YFIUSDT", trade.Instrument.VenueSymbol);
        Assert.Equal("YFI", trade.Instrument.Base);
        Assert.Equal("USDT", trade.Instrument.Quote);
        Assert.Equal(49966.7, trade.Price);
        Assert.Equal(0.001, trade.Quantity);
        Assert.Equal(Side.Buy, trade.AggressorSide);
        Assert.Equal(1_618_677_448_084_000, trade.ExchangeTime);
        Assert.Equal(TradeId.FromNumber(52599685), trade.Id);
    }

    [Theory]
    [InlineData("futures-aggTrade.ndjson", "binance-futures", EventKind.Trade)]
    [InlineData("spot-aggTrade.ndjson", "binance-spot", EventKind.Trade)]
    [InlineData("futures-bookTicker.ndjson", "binance-futures", EventKind.BookTop)]
    [InlineData("spot-bookTicker.ndjson", "binance-spot", EventKind.BookTop)]
    [InlineData("futures-depth.ndjson", "binance-futures", EventKind.BookUpdate)]
    [InlineData("spot-depth.ndjson", "binance-spot", EventKind.BookUpdate)]
    public void Every_recorded_frame_normalizes_to_exactly_one_event_of_its_kind(string file, string venueName, EventKind kind)
    {
        Assert.True(VenueIds.TryParse(venueName, out var venue));
        var normalizer = new BinanceNormalizer(venue, _registry);
        int lines = 0;
        foreach (var line in File.ReadLines(DataPath(file)))
        {
            lines++;
            var result = normalizer.Normalize(Encoding.UTF8.GetBytes(line), ReceiveTime, _sink);
            Assert.True(result == NormalizeResult.Data(1), $"line {lines}: {result}");
        }

        Assert.Equal(lines, _sink.Events.Count);
        Assert.All(_sink.Events, e => Assert.Equal(kind, e.Kind));
        Assert.All(_sink.Events, e => Assert.Equal(venue, e.Venue));
    }

    [Fact]
    public void Spot_bookTicker_without_event_type_uses_receive_time_and_update_id()
    {
        var result = Normalize(VenueId.BinanceSpot,
            """{"stream":"swrvbusd@bookTicker","data":{"u":64830107,"s":"SWRVBUSD","b":"2.27200000","B":"218.40800000","a":"2.27700000","A":"1.19200000"}}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var top = _sink.Events[0].AsBookTop();
        Assert.Equal(2.272, top.BidPrice);
        Assert.Equal(218.408, top.BidSize);
        Assert.Equal(2.277, top.AskPrice);
        Assert.Equal(1.192, top.AskSize);
        Assert.Equal(ReceiveTime, top.ExchangeTime);
        Assert.Equal(64830107, top.UpdateId);
    }

    [Fact]
    public void Futures_depthUpdate_keeps_U_u_pu_and_keys_levels_by_integer_ticks()
    {
        _registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"depthUpdate","E":1700000000123,"T":1700000000120,"s":"BTCUSDT","U":157,"u":160,"pu":149,"b":[["95000.1","0.500"],["94999.9","0"]],"a":[["95000.3","1.25"]]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var update = _sink.Events[0].AsBookUpdate();
        Assert.False(update.IsSnapshot);
        Assert.Equal(157, update.FirstUpdateId);
        Assert.Equal(160, update.LastUpdateId);
        Assert.Equal(149, update.PreviousUpdateId);
        Assert.Equal(1_700_000_000_120_000, update.ExchangeTime);
        Assert.Equal(2, update.Bids.Length);
        Assert.Equal(950_001, update.Bids[0].PriceTicks);
        Assert.Equal(0.5, update.Bids[0].Quantity);
        Assert.Equal(949_999, update.Bids[1].PriceTicks);
        Assert.Equal(0, update.Bids[1].Quantity); // zero = remove the level
        Assert.Equal(950_003, Assert.Single(update.Asks).PriceTicks);
    }

    [Fact]
    public void Official_forceOrder_example_sell_order_means_a_long_was_liquidated()
    {
        // USD-M "Liquidation Order Streams" payload example.
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var liquidation = _sink.Events[0].AsLiquidation();
        Assert.Equal(PositionSide.Long, liquidation.LiquidatedSide);
        Assert.Equal(Side.Sell, liquidation.OrderSide);
        Assert.Equal(9910, liquidation.Price);
        Assert.Equal(0.014, liquidation.Quantity);
        Assert.Equal(1_568_014_460_893_000, liquidation.ExchangeTime);
        Assert.Equal(FeedCompleteness.Sampled, liquidation.Completeness);
        Assert.Equal(138.74, liquidation.NotionalUsd, 9);
    }

    [Fact]
    public void Official_markPriceUpdate_example_becomes_funding_with_mark_index_and_next_time()
    {
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var funding = _sink.Events[0].AsFunding();
        Assert.Equal(0.00038167, funding.Rate);
        Assert.Equal(8, funding.IntervalHours);
        Assert.Equal(1_562_306_400_000_000, funding.NextFundingTime);
        Assert.Equal(11794.15, funding.MarkPrice);
        Assert.Equal(11784.62659091, funding.IndexPrice);
        Assert.Equal(1_562_305_380_000_000, funding.ExchangeTime);
    }

    [Fact]
    public void Array_of_mark_prices_yields_one_funding_event_per_element()
    {
        var result = Normalize(VenueId.BinanceFutures,
            """[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"0.0001","T":2},{"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"10","i":"9","P":"0","r":"-0.0002","T":2}]""");

        Assert.Equal(NormalizeResult.Data(2), result);
        Assert.Equal(-0.0002, _sink.Events[1].AsFunding().Rate);
    }

    [Fact]
    public void Subscribe_ack_is_control_and_error_reply_is_a_venue_error()
    {
        Assert.Equal(NormalizeOutcome.Control, Normalize(VenueId.BinanceFutures, """{"result":null,"id":1}""").Outcome);
        Assert.Equal(NormalizeOutcome.VenueError, Normalize(VenueId.BinanceSpot, """{"code":2,"msg":"Invalid request: unknown variant `SUBSCRIBEX`","id":3}""").Outcome);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"100","q":"1","T":1,"m":tr""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"100","q":"-1","T":1,"m":true}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"NaN","q":"1","T":1,"m":true}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"100","q":"1","m":true}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"100","q":"1","T":1,"m":true}}""")]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":10,"u":9,"b":[],"a":[]}""")]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["100","-3"]],"a":[]}""")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SIDEWAYS","q":"1","p":"1","T":1}}""")]
    [InlineData("not json")]
    [InlineData("")]
    public void Malformed_frames_are_reported_and_publish_nothing(string frame)
    {
        var result = Normalize(VenueId.BinanceFutures, frame);

        Assert.Equal(NormalizeOutcome.Malformed, result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.Reason));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Unknown_event_type_is_unknown_not_malformed()
    {
        var result = Normalize(VenueId.BinanceFutures, """{"e":"kline","E":1,"s":"BTCUSDT","k":{}}""");

        Assert.Equal(NormalizeOutcome.Unknown, result.Outcome);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Normalizing_a_trade_of_a_registered_symbol_allocates_nothing()
    {
        var normalizer = new BinanceNormalizer(VenueId.BinanceFutures, _registry);
        var frame = """{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"a":7,"s":"BTCUSDT","p":"95000.1","q":"0.002","f":1,"l":1,"T":1,"m":false}}"""u8.ToArray();
        var sink = new CountingSink();
        normalizer.Normalize(frame, ReceiveTime, sink); // registers BTCUSDT

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            normalizer.Normalize(frame, ReceiveTime, sink);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1001, sink.Count);
    }

    [Fact]
    public void Depth_snapshot_body_parses_with_last_update_id()
    {
        var instrument = _registry.GetOrAdd(VenueId.BinanceFutures, "KSM", "USDT", "KSMUSDT", 1, 0.001);
        var body = File.ReadAllBytes(DataPath("futures-depth-snapshot-KSMUSDT.json"));

        Assert.True(BinanceRest.TryParseDepthSnapshot(body, instrument, ReceiveTime, out var snapshot));
        Assert.True(snapshot.IsSnapshot);
        Assert.True(snapshot.LastUpdateId > 0);
        Assert.NotEmpty(snapshot.Bids);
        Assert.NotEmpty(snapshot.Asks);
        Assert.True(snapshot.Bids[0].Price < snapshot.Asks[0].Price);
    }

    private sealed class ListSink : IEventSink
    {
        public List<MarketEvent> Events { get; } = [];

        public void Publish(in MarketEvent e) => Events.Add(e);
    }

    private sealed class CountingSink : IEventSink
    {
        public int Count { get; private set; }

        public void Publish(in MarketEvent e) => Count++;
    }
}
