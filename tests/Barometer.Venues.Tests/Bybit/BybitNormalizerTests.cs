using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Bybit;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Bybit;

public sealed class BybitNormalizerTests
{
    private const long ReceiveTime = 1_700_000_000_000_000;

    private readonly InstrumentRegistry _registry = new();
    private readonly ListSink _sink = new();

    private static string DataPath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "bybit", name);

    private NormalizeResult Normalize(VenueId venue, string frame) =>
        new BybitNormalizer(venue, _registry).Normalize(Encoding.UTF8.GetBytes(frame), ReceiveTime, _sink);

    [Fact]
    public void Official_publicTrade_example_is_a_buy_aggressor_trade_with_a_uuid_id()
    {
        // bybit.md §3.1 (docs/v5/websocket/public/trade.mdx): S = "Side of taker".
        var result = Normalize(VenueId.BybitLinear,
            """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var trade = Assert.Single(_sink.Events).AsTrade();
        Assert.Equal("BTCUSDT", trade.Instrument.VenueSymbol);
        Assert.Equal(VenueId.BybitLinear, trade.Instrument.Venue);
        Assert.Equal("BTC", trade.Instrument.Base);
        Assert.Equal("USDT", trade.Instrument.Quote);
        Assert.Equal(16578.5, trade.Price);
        Assert.Equal(0.001, trade.Quantity);
        Assert.Equal(Side.Buy, trade.AggressorSide);
        Assert.Equal(1_672_304_486_865_000, trade.ExchangeTime); // T in ms → µs
        Assert.Equal(ReceiveTime, trade.ReceiveTime);
        Assert.Equal(TradeIdFormat.Uuid, trade.Id.Format);
        Assert.Equal("20f43950-d8dd-5b31-9112-a178eb6023af", trade.Id.ToString());
        Assert.Equal(16.5785, trade.NotionalUsd, 9);
    }

    [Fact]
    public void Trade_batch_emits_one_trade_per_element_in_order_with_numeric_spot_ids()
    {
        var result = Normalize(VenueId.BybitSpot,
            """{"topic":"publicTrade.ETHUSDC","ts":1700000000002,"type":"snapshot","data":[{"i":"2290000000061666327","T":1700000000001,"p":"2000.5","v":"0.25","S":"Sell","s":"ETHUSDC","BT":false},{"i":"2290000000061666328","T":1700000000002,"p":"2000.4","v":"1","S":"Buy","s":"ETHUSDC","BT":false}]}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        var first = _sink.Events[0].AsTrade();
        var second = _sink.Events[1].AsTrade();
        Assert.Equal(VenueId.BybitSpot, first.Instrument.Venue);
        Assert.Equal("USDC", first.Instrument.Quote);
        Assert.Equal(Side.Sell, first.AggressorSide);
        Assert.Equal(TradeId.FromNumber(2290000000061666327), first.Id);
        Assert.Equal(2000.4, second.Price);
        Assert.Equal(Side.Buy, second.AggressorSide);
        Assert.Equal(1_700_000_000_002_000, second.ExchangeTime);
    }

    [Fact]
    public void Official_orderbook_50_snapshot_example_replaces_the_book_with_u_as_first_and_last_id()
    {
        _registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
        const string frame = """{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"],["16493.00","0.100"]],"a":[["16611.00","0.029"],["16612.00","0.213"]],"u":18521288,"seq":7961638724},"cts":1672304484976}""";
        var result = Normalize(VenueId.BybitLinear, frame);

        Assert.Equal(NormalizeResult.Data(1), result);
        var book = Assert.Single(_sink.Events).AsBookUpdate();
        Assert.True(book.IsSnapshot);
        Assert.Equal(18521288, book.FirstUpdateId);
        Assert.Equal(18521288, book.LastUpdateId);
        Assert.Equal(-1, book.PreviousUpdateId);
        Assert.Equal(1_672_304_484_978_000, book.ExchangeTime); // ts
        Assert.Equal([164935L, 164930L], book.Bids.Select(l => l.PriceTicks));
        Assert.Equal([0.006, 0.1], book.Bids.Select(l => l.Quantity));
        Assert.Equal([166110L, 166120L], book.Asks.Select(l => l.PriceTicks));
        Assert.Equal([0.029, 0.213], book.Asks.Select(l => l.Quantity));

        // The connector's view keeps seq and cts.
        Assert.True(new BybitNormalizer(VenueId.BybitLinear, _registry).TryParseBook(Encoding.UTF8.GetBytes(frame), ReceiveTime, out var message));
        Assert.Equal(50, message.Depth);
        Assert.Equal(7961638724, message.Seq);
        Assert.Equal(1_672_304_484_976_000, message.MatchingEngineTime);
        Assert.Equal(18521288, message.Update.LastUpdateId);
    }

    [Fact]
    public void Official_orderbook_delta_example_keeps_zero_sizes_as_deletes()
    {
        _registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
        var result = Normalize(VenueId.BybitLinear,
            """{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1687940967466,"data":{"s":"BTCUSDT","b":[["30247.20","30.028"],["30240.00","0"]],"a":[["30248.70","0"],["30249.30","0.892"]],"u":177400507,"seq":66544703342},"cts":1687940967464}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var book = _sink.Events[0].AsBookUpdate();
        Assert.False(book.IsSnapshot);
        Assert.Equal(177400507, book.FirstUpdateId);
        Assert.Equal(177400507, book.LastUpdateId);
        Assert.Equal(-1, book.PreviousUpdateId);
        Assert.Equal(1_687_940_967_466_000, book.ExchangeTime);
        Assert.Equal(new BookLevel(302472, 30247.2, 30.028), book.Bids[0]);
        Assert.Equal(new BookLevel(302400, 30240, 0), book.Bids[1]);
        Assert.Equal(new BookLevel(302487, 30248.7, 0), book.Asks[0]);
        Assert.Equal(new BookLevel(302493, 30249.3, 0.892), book.Asks[1]);
    }

    [Fact]
    public void Recorded_linear_orderbook_1_frame_is_a_book_top_with_u_as_update_id()
    {
        var line = File.ReadLines(DataPath("linear-orderbook1.ndjson")).First();
        var result = Normalize(VenueId.BybitLinear, line);

        Assert.Equal(NormalizeResult.Data(1), result);
        var top = _sink.Events[0].AsBookTop();
        Assert.Equal("BANDUSDT", top.Instrument.VenueSymbol);
        Assert.Equal("BAND", top.Instrument.Base);
        Assert.Equal(0.6131, top.BidPrice);
        Assert.Equal(17.9, top.BidSize);
        Assert.Equal(0.6134, top.AskPrice);
        Assert.Equal(35.4, top.AskSize);
        Assert.Equal(24042997, top.UpdateId);
        Assert.Equal(1_749_833_474_773_000, top.ExchangeTime);
    }

    [Fact]
    public void Recorded_spot_orderbook_1_frame_with_ts_before_type_is_a_book_top()
    {
        var line = File.ReadLines(DataPath("spot-orderbook1.ndjson")).First();
        var result = Normalize(VenueId.BybitSpot, line);

        Assert.Equal(NormalizeResult.Data(1), result);
        var top = _sink.Events[0].AsBookTop();
        Assert.Equal(VenueId.BybitSpot, top.Instrument.Venue);
        Assert.Equal("OP", top.Instrument.Base);
        Assert.Equal("USDC", top.Instrument.Quote);
        Assert.Equal(0.579, top.BidPrice);
        Assert.Equal(3886.45, top.BidSize);
        Assert.Equal(0.58, top.AskPrice);
        Assert.Equal(4043.62, top.AskSize);
        Assert.Equal(1399781, top.UpdateId);
        Assert.Equal(1_749_833_472_906_000, top.ExchangeTime);
    }

    [Theory]
    [InlineData("linear-orderbook1.ndjson", "bybit-linear", EventKind.BookTop)]
    [InlineData("spot-orderbook1.ndjson", "bybit-spot", EventKind.BookTop)]
    [InlineData("linear-orderbook500-XRPUSDT.ndjson", "bybit-linear", EventKind.BookUpdate)]
    public void Every_recorded_frame_normalizes_to_exactly_one_event_of_its_kind(string file, string venueName, EventKind kind)
    {
        Assert.True(VenueIds.TryParse(venueName, out var venue));
        var normalizer = new BybitNormalizer(venue, _registry);
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
    public void Recorded_official_depth_dump_is_one_500_level_snapshot_then_deltas_with_u_plus_one()
    {
        _registry.GetOrAdd(VenueId.BybitLinear, "XRP", "USDT", "XRPUSDT", 1, 0.0001);
        var normalizer = new BybitNormalizer(VenueId.BybitLinear, _registry);
        var messages = File.ReadLines(DataPath("linear-orderbook500-XRPUSDT.ndjson"))
            .Select(line => Assert.IsType<BybitBookMessage>(normalizer.TryParseBook(Encoding.UTF8.GetBytes(line), ReceiveTime, out var m) ? m : null))
            .ToList();

        var snapshot = messages[0].Update;
        Assert.True(snapshot.IsSnapshot);
        Assert.Equal(500, snapshot.Bids.Length);
        Assert.Equal(500, snapshot.Asks.Length);
        Assert.Equal(new BookLevel(19531, 1.9531, 6203), snapshot.Bids[0]);
        Assert.Equal(new BookLevel(19532, 1.9532, 10480), snapshot.Asks[0]);
        Assert.Equal(20254869, snapshot.LastUpdateId);
        Assert.Equal(130020238981, messages[0].Seq);
        Assert.Equal(1_733_011_200_589_000, messages[0].MatchingEngineTime);
        Assert.Equal(1_733_011_200_691_000, snapshot.ExchangeTime);
        Assert.Equal(500, messages[0].Depth);

        var delta = messages[1].Update;
        Assert.False(delta.IsSnapshot);
        Assert.Equal(13, delta.Bids.Length);
        Assert.Equal(22, delta.Asks.Length);
        Assert.Equal(new BookLevel(19531, 1.9531, 6198), delta.Bids[0]);
        Assert.Equal(130020239261, messages[1].Seq);
        for (int i = 1; i < messages.Count; i++)
        {
            Assert.False(messages[i].Update.IsSnapshot);
            Assert.Equal(messages[i - 1].Update.LastUpdateId + 1, messages[i].Update.LastUpdateId);
            Assert.True(messages[i].Seq > messages[i - 1].Seq);
        }
    }

    [Fact]
    public void Official_allLiquidation_example_sell_position_side_means_a_short_was_liquidated()
    {
        // bybit.md §3.4 (all-liquidation.mdx): S is the position side; "Buy" ⇒ a long was liquidated.
        var result = Normalize(VenueId.BybitLinear,
            """{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":1739502302929,"s":"ROSEUSDT","S":"Sell","v":"20000","p":"0.04499"}]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var liquidation = Assert.Single(_sink.Events).AsLiquidation();
        Assert.Equal("ROSEUSDT", liquidation.Instrument.VenueSymbol);
        Assert.Equal(PositionSide.Short, liquidation.LiquidatedSide);
        Assert.Equal(Side.Buy, liquidation.OrderSide);
        Assert.Equal(0.04499, liquidation.Price); // bankruptcy price
        Assert.Equal(20000, liquidation.Quantity);
        Assert.Equal(1_739_502_302_929_000, liquidation.ExchangeTime);
        Assert.Equal(FeedCompleteness.Complete, liquidation.Completeness); // "push all liquidations", batched per 500 ms
        Assert.Equal(899.8, liquidation.NotionalUsd, 9);
    }

    [Fact]
    public void Liquidation_with_buy_position_side_is_a_long_closed_by_a_sell_order()
    {
        var result = Normalize(VenueId.BybitLinear,
            """{"topic":"allLiquidation.BTCUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":1739502302929,"s":"BTCUSDT","S":"Buy","v":"0.5","p":"95000"},{"T":1739502303001,"s":"BTCUSDT","S":"Sell","v":"0.1","p":"95100"}]}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        Assert.Equal(PositionSide.Long, _sink.Events[0].AsLiquidation().LiquidatedSide);
        Assert.Equal(Side.Sell, _sink.Events[0].AsLiquidation().OrderSide);
        Assert.Equal(PositionSide.Short, _sink.Events[1].AsLiquidation().LiquidatedSide);
    }

    [Fact]
    public void Official_linear_ticker_snapshot_emits_funding_and_half_the_two_sided_open_interest()
    {
        // bybit.md §3.3 official example (2025-10): no singleOpenInterest ⇒ openInterest (both sides) / 2.
        var result = Normalize(VenueId.BybitLinear,
            """{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","tickDirection":"MinusTick","price24hPcnt":"-0.158315","lastPrice":"66666.60","prevPrice24h":"79206.20","highPrice24h":"79266.30","lowPrice24h":"65076.90","prevPrice1h":"66666.60","markPrice":"66666.60","indexPrice":"115418.19","openInterest":"492373.72","openInterestValue":"32824881841.75","turnover24h":"4936790807.6521","volume24h":"73191.3870","fundingIntervalHour":"8","fundingCap":"0.005","nextFundingTime":"1760342400000","fundingRate":"-0.005","bid1Price":"66666.60","bid1Size":"23789.165","ask1Price":"66666.70","ask1Size":"23775.469","preOpenPrice":"","preQty":"","curPreListingPhase":""},"cs":9532239429,"ts":1760325052630}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        var funding = _sink.Events[0].AsFunding();
        Assert.Equal(-0.005, funding.Rate);
        Assert.Equal(8, funding.IntervalHours);
        Assert.Equal(1_760_342_400_000_000, funding.NextFundingTime);
        Assert.Equal(66666.6, funding.MarkPrice);
        Assert.Equal(115418.19, funding.IndexPrice);
        Assert.Equal(1_760_325_052_630_000, funding.ExchangeTime);
        var oi = _sink.Events[1].AsOpenInterest();
        Assert.Equal(246186.86, oi.Quantity, 9);
        Assert.Equal(16412440920.875, oi.NotionalUsd, 6);
        Assert.Equal(1_760_325_052_630_000, oi.ExchangeTime);
    }

    [Fact]
    public void Ticker_with_single_sided_open_interest_uses_it_instead_of_halving()
    {
        var result = Normalize(VenueId.BybitLinear,
            """{"topic":"tickers.ETHUSDT","type":"snapshot","data":{"symbol":"ETHUSDT","markPrice":"3000","indexPrice":"3001","openInterest":"1000","openInterestValue":"3000000","singleOpenInterest":"400","singleOpenInterestValue":"1200000","fundingRate":"0.0001","nextFundingTime":"1700006400000","fundingIntervalHour":"4"},"cs":1,"ts":1700000000000}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        Assert.Equal(4, _sink.Events[0].AsFunding().IntervalHours);
        var oi = _sink.Events[1].AsOpenInterest();
        Assert.Equal(400, oi.Quantity);
        Assert.Equal(1_200_000, oi.NotionalUsd);
    }

    [Fact]
    public void Recorded_stream_of_ticker_snapshot_and_deltas_emits_merged_funding_only_on_change()
    {
        var normalizer = new BybitNormalizer(VenueId.BybitLinear, _registry);
        string[] frames =
        [
            """{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"100","indexPrice":"99","fundingRate":"0.0001","nextFundingTime":"1700006400000","openInterest":"10","openInterestValue":"1000"},"cs":1,"ts":1700000000000}""",
            """{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","lastPrice":"100.5","volume24h":"5"},"cs":2,"ts":1700000000100}""",
            """{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"101","openInterestValue":"1010"},"cs":3,"ts":1700000000200}""",
        ];
        var results = frames.Select(f => normalizer.Normalize(Encoding.UTF8.GetBytes(f), ReceiveTime, _sink)).ToList();

        Assert.Equal([NormalizeResult.Data(2), NormalizeResult.Data(0), NormalizeResult.Data(1)], results);
        var merged = _sink.Events[2].AsFunding();
        Assert.Equal(101, merged.MarkPrice);     // from the delta
        Assert.Equal(99, merged.IndexPrice);     // kept from the snapshot
        Assert.Equal(0.0001, merged.Rate);       // kept from the snapshot
        Assert.Equal(1_700_000_000_200_000, merged.ExchangeTime);
    }

    [Fact]
    public void Spot_ticker_has_no_normalized_event_and_is_unknown()
    {
        // bybit.md §3.3 spot example shape: last price and 24 h statistics only.
        var result = Normalize(VenueId.BybitSpot,
            """{"topic":"tickers.BTCUSDT","ts":1673853746003,"type":"snapshot","cs":2588407389,"data":{"symbol":"BTCUSDT","lastPrice":"21109.77","highPrice24h":"21426.99","lowPrice24h":"20575","prevPrice24h":"20704.93","volume24h":"6780.866843","turnover24h":"141946527.22907118","price24hPcnt":"0.0196","usdIndexPrice":"21120.2400136"}}""");

        Assert.Equal(NormalizeOutcome.Unknown, result.Outcome);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("""{"success":true,"ret_msg":"pong","conn_id":"0970e817-426e-429a-a679-ff7f55e0b16a","op":"ping"}""")]
    [InlineData("""{"success":true,"ret_msg":"pong","conn_id":"465772b1-7630-4fdc-a492-e003e6f0f260","req_id":"","op":"ping"}""")]
    [InlineData("""{"success":true,"ret_msg":"subscribe","conn_id":"2324d924-aa4d-45b0-a858-7b8be29ab52b","req_id":"10001","op":"subscribe"}""")]
    [InlineData("""{"success":true,"ret_msg":"","conn_id":"3cd84cb1-4d06-4a05-930a-2efe5fc70f0f","req_id":"","op":"subscribe"}""")]
    [InlineData("""{"op":"pong","args":["1672916271846"],"conn_id":"2324d924-aa4d-45b0-a858-7b8be29ab52b"}""")]
    public void Official_acks_and_pongs_are_control_messages(string frame)
    {
        Assert.Equal(NormalizeResult.Control, Normalize(VenueId.BybitLinear, frame));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Subscribe_failure_is_a_venue_error()
    {
        // Observed shape (no official example; bybit.md §2, ISSUE-561).
        var result = Normalize(VenueId.BybitLinear,
            """{"success":false,"ret_msg":"error:handler not found,topic:dcp.future","conn_id":"cb4ro2ed1hd0bk5nvmh0","req_id":"1","op":"subscribe"}""");

        Assert.Equal(NormalizeResult.VenueError("subscribe rejected"), result);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("linear-control.ndjson")]
    [InlineData("spot-control.ndjson")]
    public void Recorded_subscribe_acks_are_control_messages(string file)
    {
        foreach (var line in File.ReadLines(DataPath(file)))
        {
            Assert.Equal(NormalizeResult.Control, Normalize(VenueId.BybitSpot, line));
        }
    }

    [Fact]
    public void Deprecated_liquidation_topic_and_unknown_topics_are_unknown_not_malformed()
    {
        Assert.Equal(NormalizeOutcome.Unknown, Normalize(VenueId.BybitLinear,
            """{"topic":"liquidation.BTCUSDT","type":"snapshot","ts":1673251091822,"data":{"price":"16800","side":"Buy","size":"1","symbol":"BTCUSDT","updatedTime":1673251091822}}""").Outcome);
        Assert.Equal(NormalizeOutcome.Unknown, Normalize(VenueId.BybitLinear,
            """{"topic":"kline.5.BTCUSDT","type":"snapshot","ts":1672324988882,"data":[{"start":1672324800000,"end":1672325099999,"interval":"5","open":"16649.5","close":"16677","confirm":false}]}""").Outcome);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","i":"x"}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"-0.001","p":"16578.50","i":"x"}]}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"NaN","i":"x"}]}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Sideways","v":"0.001","p":"1","i":"x"}]}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"s":"BTCUSDT","S":"Buy","v":"0.001","p":"1","i":"x"}]}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"1","i":"x"}]}}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"1","p":"1"},{"T":2,"s":"BTCUSDT","S":"Buy","v":"0","p":"1"}]}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":"nope"}""")]
    [InlineData("""{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"seq":1}}""")]
    [InlineData("""{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[["100","-3"]],"a":[],"u":5}}""")]
    [InlineData("""{"topic":"orderbook.50.BTCUSDT","type":"update","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"u":5}}""")]
    [InlineData("""{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1,"data":{"s":"BTCUSDT","b":[["0","1"]],"a":[["101","1"]],"u":5}}""")]
    [InlineData("""{"topic":"allLiquidation.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Long","v":"1","p":"1"}]}""")]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1,"data":{"symbol":"BTCUSDT","markPrice":"-1"}}""")]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"delta","ts":1,"data":{"symbol":"BTCUSDT","fundingRate":"abc"}}""")]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","fundingRate":"0.1"}}""")]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"delta","ts":1,"data":{"symbol":"BTCUSDT","openInterest":"-5"}}""")]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1}""")]
    [InlineData("""[1,2]""")]
    [InlineData("not json")]
    [InlineData("")]
    public void Malformed_frames_are_reported_and_publish_nothing(string frame)
    {
        var result = Normalize(VenueId.BybitLinear, frame);

        Assert.Equal(NormalizeOutcome.Malformed, result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.Reason));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Live_path_does_not_register_unknown_symbols()
    {
        var normalizer = new BybitNormalizer(VenueId.BybitLinear, _registry, registerUnknownSymbols: false);
        var result = normalizer.Normalize(
            """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"1","p":"1","i":"a"}]}"""u8, ReceiveTime, _sink);

        Assert.Equal(NormalizeOutcome.Unknown, result.Outcome);
        Assert.Equal(0, _registry.Count);
    }

    [Fact]
    public void Symbols_split_into_base_and_quote_for_perps_usdc_perps_and_futures()
    {
        Assert.True(BybitSymbols.TrySplit("BTCPERP", out var b1, out var q1));
        Assert.Equal(("BTC", "USDC"), (b1, q1));
        Assert.True(BybitSymbols.TrySplit("BTCUSDT-21FEB25", out var b2, out var q2));
        Assert.Equal(("BTC", "USDT"), (b2, q2));
        Assert.True(BybitSymbols.TrySplit("BTC-24MAR23", out var b3, out var q3));
        Assert.Equal(("BTC", "USDC"), (b3, q3));
        Assert.True(BybitSymbols.TrySplit("1000PEPEUSDT", out var b4, out var q4));
        Assert.Equal(("1000PEPE", "USDT"), (b4, q4));
        Assert.Equal("orderbook.50.BTCUSDT", BybitSymbols.Topic("orderbook.50", "BTCUSDT"));
    }

    [Fact]
    public void Normalizing_trades_tickers_and_liquidations_of_registered_symbols_allocates_nothing()
    {
        var normalizer = new BybitNormalizer(VenueId.BybitLinear, _registry);
        var trade = """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}"""u8.ToArray();
        var snapshot = """{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"100","indexPrice":"99","fundingRate":"0.0001","nextFundingTime":"1700006400000","openInterest":"10","openInterestValue":"1000"},"cs":1,"ts":1700000000000}"""u8.ToArray();
        // Two deltas that alternate the mark and open interest, so every frame publishes Funding and OpenInterest.
        var deltaA = """{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"101","openInterest":"12","openInterestValue":"1212"},"cs":2,"ts":1700000000100}"""u8.ToArray();
        var deltaB = """{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"102","openInterest":"14","openInterestValue":"1428"},"cs":3,"ts":1700000000200}"""u8.ToArray();
        var liquidation = """{"topic":"allLiquidation.BTCUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":1739502302929,"s":"BTCUSDT","S":"Sell","v":"0.5","p":"95000"}]}"""u8.ToArray();
        var top = """{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1749833474773,"data":{"s":"BTCUSDT","b":[["95000.1","17.9"]],"a":[["95000.2","35.4"]],"u":24042997,"seq":209972815373},"cts":1749833474768}"""u8.ToArray();
        var sink = new CountingSink();
        normalizer.Normalize(trade, ReceiveTime, sink); // registers BTCUSDT
        normalizer.Normalize(snapshot, ReceiveTime, sink); // creates the ticker state
        normalizer.Normalize(liquidation, ReceiveTime, sink);
        normalizer.Normalize(top, ReceiveTime, sink);
        int warm = sink.Count;

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            normalizer.Normalize(trade, ReceiveTime, sink);
            normalizer.Normalize(i % 2 == 0 ? deltaA : deltaB, ReceiveTime, sink);
            normalizer.Normalize(liquidation, ReceiveTime, sink);
            normalizer.Normalize(top, ReceiveTime, sink);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(warm + 1000 * (1 + 2 + 1 + 1), sink.Count);
    }
}
