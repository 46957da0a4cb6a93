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

    [Theory]
    [InlineData("""{"error":{"code":2,"msg":"Invalid request"},"id":1}""")]
    [InlineData("""{"code":1,"msg":"Invalid value type: expected Boolean"}""")]
    [InlineData("""{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}""")]
    [InlineData("""{"code":0,"msg":"Unknown property","id":5}""")]
    public void Error_replies_wrapped_or_plain_with_or_without_id_are_venue_errors(string frame)
    {
        var result = Normalize(VenueId.BinanceFutures, frame);

        Assert.Equal(NormalizeOutcome.VenueError, result.Outcome);
        Assert.Equal(0, result.EventCount);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("""{"result":null,"id":312}""")] // UNSUBSCRIBE ack
    [InlineData("""{"result":["btcusdt@aggTrade"],"id":3}""")] // LIST_SUBSCRIPTIONS
    [InlineData("""{"result":true,"id":2}""")] // GET_PROPERTY
    [InlineData("""{"result":null,"id":"sub-7"}""")] // string id
    public void Every_documented_request_reply_is_control(string frame)
    {
        Assert.Equal(NormalizeResult.Control, Normalize(VenueId.BinanceSpot, frame));
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("""{"e":"serverShutdown","E":1770123456789}""")]
    [InlineData("""{ "e": "serverShutdown", "E": 1770123456789 }""")]
    [InlineData("""{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}""")]
    [InlineData("""{"event":{"e":"serverShutdown","E":1770123456789}}""")] // WebSocket API form
    public void Spot_serverShutdown_notice_is_control_not_unknown(string frame)
    {
        Assert.Equal(NormalizeResult.Control, Normalize(VenueId.BinanceSpot, frame));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Official_spot_aggTrade_example_is_a_sell_aggressor_trade_in_the_quote_asset()
    {
        var result = Normalize(VenueId.BinanceSpot,
            """{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var trade = Assert.Single(_sink.Events).AsTrade();
        Assert.Equal(VenueId.BinanceSpot, trade.Instrument.Venue);
        Assert.Equal("BNBBTC", trade.Instrument.VenueSymbol);
        Assert.Equal("BNB", trade.Instrument.Base);
        Assert.Equal("BTC", trade.Instrument.Quote);
        Assert.Equal(0.001, trade.Price);
        Assert.Equal(100, trade.Quantity);
        Assert.Equal(Side.Sell, trade.AggressorSide); // m:true: the buyer was the maker
        Assert.Equal(1_672_515_782_136_000, trade.ExchangeTime);
        Assert.Equal(TradeId.FromNumber(12345), trade.Id);
        Assert.True(double.IsNaN(trade.NotionalUsd)); // quoted in BTC, not a USD stablecoin
    }

    [Fact]
    public void Official_spot_bookTicker_example_has_update_id_and_receive_time()
    {
        var result = Normalize(VenueId.BinanceSpot,
            """{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var top = Assert.Single(_sink.Events).AsBookTop();
        Assert.Equal(VenueId.BinanceSpot, top.Instrument.Venue);
        Assert.Equal("BNBUSDT", top.Instrument.VenueSymbol);
        Assert.Equal(25.3519, top.BidPrice);
        Assert.Equal(31.21, top.BidSize);
        Assert.Equal(25.3652, top.AskPrice);
        Assert.Equal(40.66, top.AskSize);
        Assert.Equal(400900217, top.UpdateId);
        Assert.Equal(ReceiveTime, top.ExchangeTime); // spot bookTicker carries no time
        Assert.Equal(ReceiveTime, top.ReceiveTime);
    }

    [Fact]
    public void Official_futures_bookTicker_example_takes_transaction_time_T()
    {
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var top = Assert.Single(_sink.Events).AsBookTop();
        Assert.Equal(VenueId.BinanceFutures, top.Instrument.Venue);
        Assert.Equal(25.3519, top.BidPrice);
        Assert.Equal(31.21, top.BidSize);
        Assert.Equal(25.3652, top.AskPrice);
        Assert.Equal(40.66, top.AskSize);
        Assert.Equal(400900217, top.UpdateId);
        Assert.Equal(1_568_014_460_891_000, top.ExchangeTime); // T (not E = …893)
    }

    [Fact]
    public void Official_spot_depthUpdate_example_has_no_previous_id_and_uses_event_time()
    {
        _registry.GetOrAdd(VenueId.BinanceSpot, "BNB", "BTC", "BNBBTC", 1, 0.0000001);
        var result = Normalize(VenueId.BinanceSpot,
            """{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var update = Assert.Single(_sink.Events).AsBookUpdate();
        Assert.False(update.IsSnapshot);
        Assert.Equal(157, update.FirstUpdateId);
        Assert.Equal(160, update.LastUpdateId);
        Assert.Equal(-1, update.PreviousUpdateId); // spot has no "pu"
        Assert.Equal(1_672_515_782_136_000, update.ExchangeTime);
        var bid = Assert.Single(update.Bids);
        Assert.Equal(24_000, bid.PriceTicks); // 0.0024 / 0.0000001
        Assert.Equal(0.0024, bid.Price);
        Assert.Equal(10, bid.Quantity);
        var ask = Assert.Single(update.Asks);
        Assert.Equal(26_000, ask.PriceTicks);
        Assert.Equal(100, ask.Quantity);
    }

    [Fact]
    public void Official_futures_depthUpdate_example_keeps_pu_and_transaction_time()
    {
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"depthUpdate","E":123456789,"T":123456788,"s":"BTCUSDT","U":157,"u":160,"pu":149,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var update = Assert.Single(_sink.Events).AsBookUpdate();
        Assert.Equal(157, update.FirstUpdateId);
        Assert.Equal(160, update.LastUpdateId);
        Assert.Equal(149, update.PreviousUpdateId);
        Assert.Equal(123_456_788_000, update.ExchangeTime);
        Assert.Equal(0.0024, Assert.Single(update.Bids).Price);
        Assert.Equal(10, update.Bids[0].Quantity);
        Assert.Equal(240_000, update.Bids[0].PriceTicks); // default tick 1e-8
        Assert.Equal(0.0026, Assert.Single(update.Asks).Price);
        Assert.Equal(100, update.Asks[0].Quantity);
    }

    [Fact]
    public void Official_all_market_mark_price_example_becomes_funding()
    {
        // USD-M "Mark Price Stream for All market" (!markPrice@arr) example.
        var result = Normalize(VenueId.BinanceFutures,
            """[{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11185.87786614","i":"11784.62659091","P":"11784.25641265","r":"0.00030000","T":1562306400000}]""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var funding = Assert.Single(_sink.Events).AsFunding();
        Assert.Equal("BTCUSDT", funding.Instrument.VenueSymbol);
        Assert.Equal(0.0003, funding.Rate);
        Assert.Equal(8, funding.IntervalHours);
        Assert.Equal(11185.87786614, funding.MarkPrice);
        Assert.Equal(11784.62659091, funding.IndexPrice);
        Assert.Equal(1_562_305_380_000_000, funding.ExchangeTime);
        Assert.Equal(1_562_306_400_000_000, funding.NextFundingTime);
    }

    [Fact]
    public void Combined_stream_mark_price_array_with_new_fields_yields_every_element()
    {
        // 2026 fields: "ap" (mark price moving average) and "st" (1 = USD-M) are ignored.
        var result = Normalize(VenueId.BinanceFutures,
            """{"stream":"!markPrice@arr@1s","data":[{"e":"markPriceUpdate","E":1700000000000,"s":"BTCUSDT","p":"95000.5","ap":"94990.1","i":"94980.2","P":"0","r":"0.00010000","T":1700006400000,"st":1},{"e":"markPriceUpdate","E":1700000000000,"s":"SOLUSDT","p":"150.25","ap":"150.2","i":"150.1","P":"0","r":"-0.00002500","T":1700003600000,"st":1}]}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        var btc = _sink.Events[0].AsFunding();
        Assert.Equal(95000.5, btc.MarkPrice); // "p", not "ap"
        Assert.Equal(94980.2, btc.IndexPrice);
        Assert.Equal(0.0001, btc.Rate);
        var sol = _sink.Events[1].AsFunding();
        Assert.Equal("SOLUSDT", sol.Instrument.VenueSymbol);
        Assert.Equal(-0.000025, sol.Rate);
        Assert.Equal(1_700_003_600_000_000, sol.NextFundingTime);
    }

    [Fact]
    public void Coin_margined_entries_of_merged_all_market_streams_are_skipped_and_not_registered()
    {
        var result = Normalize(VenueId.BinanceFutures,
            """[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"0.0001","T":2,"st":1},{"e":"markPriceUpdate","E":1,"s":"BTCUSD_PERP","ps":"BTCUSD","p":"100","i":"99","P":"0","r":"0.0001","T":2,"st":2}]""");
        var liquidation = Normalize(VenueId.BinanceFutures,
            """{"e":"forceOrder","E":1,"o":{"s":"ETHUSD_PERP","ps":"ETHUSD","S":"SELL","o":"LIMIT","f":"IOC","q":"3","p":"2000","ap":"2000","X":"FILLED","l":"3","z":"3","T":1,"st":2}}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        Assert.Equal(NormalizeOutcome.Unknown, liquidation.Outcome);
        Assert.Equal("BTCUSDT", Assert.Single(_sink.Events).AsFunding().Instrument.VenueSymbol);
        Assert.False(_registry.TryGet(VenueId.BinanceFutures, "BTCUSD_PERP", out _));
        Assert.False(_registry.TryGet(VenueId.BinanceFutures, "ETHUSD_PERP", out _));
    }

    [Fact]
    public void Delivery_mark_price_without_funding_rate_is_unknown_not_malformed()
    {
        // COIN-M "Mark Price Stream" example: "r":"" and "T":0 for a delivery symbol.
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"markPriceUpdate","E":1596095725000,"s":"BTCUSD_201225","p":"10934.62615417","P":"10962.17178236","i":"10933.62615417","r":"","T":0}""");

        Assert.Equal(NormalizeOutcome.Unknown, result.Outcome);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void ForceOrder_buy_order_means_a_short_was_liquidated_at_average_price_and_filled_quantity()
    {
        // The official example with S:BUY, a partial fill (z < q) and ap ≠ p, in the combined envelope.
        var result = Normalize(VenueId.BinanceFutures,
            """{"stream":"!forceOrder@arr","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"BUY","o":"LIMIT","f":"IOC","q":"0.020","p":"9920","ap":"9915.5","X":"PARTIALLY_FILLED","l":"0.014","z":"0.014","T":1568014460890}}}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var liquidation = Assert.Single(_sink.Events).AsLiquidation();
        Assert.Equal("BTCUSDT", liquidation.Instrument.VenueSymbol);
        Assert.Equal(PositionSide.Short, liquidation.LiquidatedSide);
        Assert.Equal(Side.Buy, liquidation.OrderSide);
        Assert.Equal(9915.5, liquidation.Price); // ap, not the order price p
        Assert.Equal(0.014, liquidation.Quantity); // z (filled), not q (original)
        Assert.Equal(1_568_014_460_890_000, liquidation.ExchangeTime); // order T, not E
        Assert.Equal(FeedCompleteness.Sampled, liquidation.Completeness);
        Assert.Equal(138.817, liquidation.NotionalUsd, 9);
    }

    [Fact]
    public void Unknown_fields_of_any_shape_are_ignored()
    {
        var result = Normalize(VenueId.BinanceFutures,
            """{"e":"aggTrade","E":1,"s":"BTCUSDT","a":9,"p":"100.5","q":"2","nq":"1.5","st":"UM","x":{"deep":[[1,{"y":null}],"z"]},"f":1,"l":2,"T":3,"m":false,"M":true,"zz":[]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var trade = Assert.Single(_sink.Events).AsTrade();
        Assert.Equal(100.5, trade.Price);
        Assert.Equal(2, trade.Quantity); // q (all trades), not nq
        Assert.Equal(Side.Buy, trade.AggressorSide);
        Assert.Equal(3_000, trade.ExchangeTime);
    }

    [Theory]
    // truncated JSON
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["100","1"],["99""")]
    [InlineData("""[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"0.0001","T":2},{"e":"markPr""")]
    [InlineData("""{"stream":"!markPrice@arr","data":[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"0.0001","T":2}""")]
    [InlineData("""{"e":"bookTicker","u":1,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":""")]
    // NaN, infinite or non-numeric strings
    [InlineData("""{"e":"bookTicker","u":1,"E":1,"T":1,"s":"BTCUSDT","b":"NaN","B":"1","a":"2","A":"1"}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"NaN","i":"99","P":"0","r":"0.0001","T":2}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"NaN","T":2}""")]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["NaN","1"]],"a":[]}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"Infinity","q":"1","T":1,"m":true}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"1e400","q":"1","T":1,"m":true}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"100","q":"1.0abc","T":1,"m":true}""")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","q":"1","p":"NaN","ap":"NaN","z":"1","T":1}}""")]
    // negative or zero sizes and prices
    [InlineData("""{"e":"bookTicker","u":1,"E":1,"T":1,"s":"BTCUSDT","b":"1","B":"-1","a":"2","A":"1"}""")]
    [InlineData("""{"u":1,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"-0.5"}""")]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[["-100","1"]]}""")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","q":"1","p":"100","ap":"100","z":"-1","T":1}}""")]
    [InlineData("""{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SELL","q":"1","p":"-100","ap":"100","z":"1","T":1}}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"0","q":"1","T":1,"m":true}""")]
    [InlineData("""{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"-100","i":"99","P":"0","r":"0.0001","T":2}""")]
    // times that are negative or overflow µs, huge tick counts
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"100","q":"1","T":-5,"m":true}""")]
    [InlineData("""{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"100","q":"1","T":9223372036854776,"m":true}""")]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["1e300","1"]],"a":[]}""")]
    // one bad element poisons the whole array: nothing is published
    [InlineData("""[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"0.0001","T":2},{"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"-1","i":"9","P":"0","r":"0.0001","T":2}]""")]
    // empty or not an object
    [InlineData("   ")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("{}{}")]
    public void More_malformed_frames_are_reported_and_publish_nothing(string frame)
    {
        var result = Normalize(VenueId.BinanceFutures, frame);

        Assert.Equal(NormalizeOutcome.Malformed, result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.Reason));
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("""{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}""")]
    [InlineData("""{"e":"24hrMiniTicker","E":1,"s":"BTCUSDT","c":"1","o":"1","h":"1","l":"1","v":"1","q":"1"}""")]
    [InlineData("""{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}""")]
    [InlineData("""{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1,"s":"BTCUSDT","k":{"t":1}}}""")]
    [InlineData("""{"hello":"world"}""")]
    public void Well_formed_frames_of_unhandled_kinds_are_unknown(string frame)
    {
        Assert.Equal(NormalizeOutcome.Unknown, Normalize(VenueId.BinanceSpot, frame).Outcome);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("binance-futures", """{"stream":"yfiusdt@aggTrade","data":{"e":"aggTrade","E":1618677448238,"a":52599685,"s":"YFIUSDT","p":"49966.7","q":"0.001","f":64902163,"l":64902163,"T":1618677448084,"m":false}}""")]
    [InlineData("binance-spot", """{"stream":"swrvbusd@aggTrade","data":{"e":"aggTrade","E":1618677373913,"s":"SWRVBUSD","a":749094,"p":"2.27600000","q":"21.96300000","f":1135632,"l":1135632,"T":1618677373912,"m":false,"M":true}}""")]
    [InlineData("binance-futures", """{"stream":"yfiusdt@bookTicker","data":{"e":"bookTicker","u":335340584945,"s":"YFIUSDT","b":"49951.9","B":"0.005","a":"49966.7","A":"0.001","T":1618677448047,"E":1618677448051}}""")]
    [InlineData("binance-spot", """{"stream":"swrvbusd@bookTicker","data":{"u":64830107,"s":"SWRVBUSD","b":"2.27200000","B":"218.40800000","a":"2.27700000","A":"1.19200000"}}""")]
    [InlineData("binance-futures", """{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}""")]
    [InlineData("binance-futures", """{"stream":"!markPrice@arr@1s","data":[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"0.0001","T":2,"st":1},{"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"10","i":"9","P":"0","r":"-0.0002","T":2,"st":1}]}""")]
    [InlineData("binance-futures", """[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"100","i":"99","P":"0","r":"0.0001","T":2}]""")]
    [InlineData("binance-futures", """{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}}""")]
    public void Normalizing_trades_tops_funding_and_liquidations_of_registered_symbols_allocates_nothing(string venueName, string json)
    {
        Assert.True(VenueIds.TryParse(venueName, out var venue));
        var normalizer = new BinanceNormalizer(venue, _registry);
        var frame = Encoding.UTF8.GetBytes(json);
        var sink = new CountingSink();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(NormalizeOutcome.Data, normalizer.Normalize(frame, ReceiveTime, sink).Outcome); // registers, warms up
        }

        int perFrame = sink.Count / 100;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            normalizer.Normalize(frame, ReceiveTime, sink);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(1100 * perFrame, sink.Count);
    }

    [Theory]
    [InlineData("binance-futures", """{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":123456789,"T":123456788,"s":"BTCUSDT","U":157,"u":160,"pu":149,"b":[["0.0024","10"],["0.0023","0"]],"a":[["0.0026","100"]]}}""", 2, 1)]
    [InlineData("binance-spot", """{"stream":"bnbbtc@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[]}}""", 1, 0)]
    public void Normalizing_a_depth_update_allocates_only_its_level_arrays(string venueName, string json, int bids, int asks)
    {
        // BookUpdate carries its levels in arrays: one BookLevel[] per non-empty side is the only
        // allocation (an empty side is the shared empty array).
        Assert.True(VenueIds.TryParse(venueName, out var venue));
        var normalizer = new BinanceNormalizer(venue, _registry);
        var frame = Encoding.UTF8.GetBytes(json);
        var sink = new CountingSink();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(NormalizeResult.Data(1), normalizer.Normalize(frame, ReceiveTime, sink));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            normalizer.Normalize(frame, ReceiveTime, sink);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        int levelSize = System.Runtime.CompilerServices.Unsafe.SizeOf<BookLevel>();
        const int arrayHeader = 24; // x64: object header, method table, length
        long perFrame = (bids > 0 ? arrayHeader + (bids * levelSize) : 0) + (asks > 0 ? arrayHeader + (asks * levelSize) : 0);
        Assert.Equal(1000 * perFrame, allocated);
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
