using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Common;
using Barometer.Venues.Okx;

namespace Barometer.Venues.Tests.Okx;

public sealed class OkxNormalizerTests
{
    private const long ReceiveTime = 1_700_000_000_000_000;

    private readonly InstrumentRegistry _registry = new();
    private readonly OkxListSink _sink = new();
    private static readonly OkxInstruments TestInstruments = OkxInstruments.FromFile(OkxTestData.Path("test-instruments.json"));

    private OkxNormalizer Swap(OkxInstruments? instruments = null) => new(VenueId.OkxSwap, _registry, instruments);

    private OkxNormalizer Spot() => new(VenueId.OkxSpot, _registry);

    private NormalizeResult Run(OkxNormalizer normalizer, string frame) =>
        normalizer.Normalize(Encoding.UTF8.GetBytes(frame), ReceiveTime, _sink);

    [Fact]
    public void Official_trades_example_on_spot_is_a_buy_aggressor_trade_in_base_units()
    {
        var result = Run(Spot(), """
            { "arg":{ "channel":"trades", "instId":"BTC-USDT" },
              "data":[ { "instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306",
                         "side":"buy","ts":"1630048897897","count":"3","source":"0","seqId":1234 } ] }
            """);

        Assert.Equal(NormalizeResult.Data(1), result);
        var trade = Assert.Single(_sink.Events).AsTrade();
        Assert.Equal(VenueId.OkxSpot, trade.Instrument.Venue);
        Assert.Equal("BTC-USDT", trade.Instrument.VenueSymbol);
        Assert.Equal("BTC", trade.Instrument.Base);
        Assert.Equal("USDT", trade.Instrument.Quote);
        Assert.Equal(42219.9, trade.Price);
        Assert.Equal(0.12060306, trade.Quantity);
        Assert.Equal(Side.Buy, trade.AggressorSide);
        Assert.Equal(1_630_048_897_897_000, trade.ExchangeTime);
        Assert.Equal(ReceiveTime, trade.ReceiveTime);
        Assert.Equal(TradeId.FromNumber(130639474), trade.Id);
    }

    [Fact]
    public void Swap_trade_size_in_contracts_becomes_base_with_ctVal_of_the_bundled_snapshot()
    {
        var result = Run(Swap(), """{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"7","px":"95000.5","sz":"3","side":"sell","ts":"1630048897897","count":"1"}]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var trade = _sink.Events[0].AsTrade();
        Assert.Equal(0.01, trade.Instrument.ContractMultiplier);
        Assert.Equal(0.03, trade.Quantity, 15); // 3 contracts × 0.01 BTC
        Assert.Equal(Side.Sell, trade.AggressorSide);
        Assert.Equal(95000.5 * 0.03, trade.NotionalUsd, 9);
    }

    [Fact]
    public void Swap_with_ctMult_uses_ctVal_times_ctMult()
    {
        var result = Run(Swap(TestInstruments), """{"arg":{"channel":"trades","instId":"SOL-USDC-SWAP"},"data":[{"instId":"SOL-USDC-SWAP","tradeId":"1","px":"150","sz":"4","side":"buy","ts":"1"}]}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        Assert.Equal(4.0, _sink.Events[0].AsTrade().Quantity, 15); // 4 × 0.5 × 2
    }

    [Fact]
    public void Swap_with_unknown_contract_value_is_skipped_with_a_reason_not_guessed()
    {
        var result = Run(Swap(), """{"arg":{"channel":"trades","instId":"SOL-USDC-SWAP"},"data":[{"instId":"SOL-USDC-SWAP","tradeId":"1","px":"150","sz":"4","side":"buy","ts":"1"}]}""");

        Assert.Equal(NormalizeOutcome.Unknown, result.Outcome);
        Assert.Equal(OkxNormalizer.ContractValueUnknown, result.Reason);
        Assert.Empty(_sink.Events);
        Assert.False(_registry.TryGet(VenueId.OkxSwap, "SOL-USDC-SWAP", out _));
    }

    [Fact]
    public void Inverse_swap_is_refused()
    {
        var result = Run(Swap(TestInstruments), """{"arg":{"channel":"trades","instId":"BTC-USD-SWAP"},"data":[{"instId":"BTC-USD-SWAP","tradeId":"1","px":"95000","sz":"4","side":"buy","ts":"1"}]}""");

        Assert.Equal(NormalizeOutcome.Unknown, result.Outcome);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Official_books_snapshot_and_update_examples_carry_seqId_and_prevSeqId()
    {
        var n = Spot();
        var snapshot = Run(n, """
            { "arg":{"channel":"books","instId":"BTC-USDT"}, "action":"snapshot",
              "data":[ { "asks":[["8476.98","415","0","13"],["8477","7","0","2"]],
                         "bids":[["8476.97","256","0","12"],["8475.55","101","0","1"]],
                         "ts":"1597026383085","checksum":0,"prevSeqId":-1,"seqId":123456 } ] }
            """);
        var update = Run(n, """
            { "arg":{"channel":"books","instId":"BTC-USDT"}, "action":"update",
              "data":[ { "asks":[["8476.98","415","0","13"]], "bids":[["8476.97","256","0","12"]],
                         "ts":"1597026383085","checksum":0,"prevSeqId":123456,"seqId":123457 } ] }
            """);

        Assert.Equal(NormalizeResult.Data(1), snapshot);
        Assert.Equal(NormalizeResult.Data(1), update);
        var s = _sink.Events[0].AsBookUpdate();
        Assert.True(s.IsSnapshot);
        Assert.Equal(123456, s.FirstUpdateId);
        Assert.Equal(123456, s.LastUpdateId);
        Assert.Equal(-1, s.PreviousUpdateId);
        Assert.Equal(1_597_026_383_085_000, s.ExchangeTime);
        Assert.Equal([8476.97, 8475.55], s.Bids.Select(b => b.Price));
        Assert.Equal([256.0, 101.0], s.Bids.Select(b => b.Quantity));
        Assert.Equal([8476.98, 8477.0], s.Asks.Select(a => a.Price));
        Assert.Equal([415.0, 7.0], s.Asks.Select(a => a.Quantity));
        var u = _sink.Events[1].AsBookUpdate();
        Assert.False(u.IsSnapshot);
        Assert.Equal(123457, u.FirstUpdateId);
        Assert.Equal(123457, u.LastUpdateId);
        Assert.Equal(123456, u.PreviousUpdateId);
    }

    [Fact]
    public void Official_bbo_tbt_example_gives_only_a_top_in_base_units()
    {
        var result = Run(Swap(TestInstruments), """
            { "arg":{ "channel":"bbo-tbt", "instId":"BCH-USDT-SWAP" },
              "data":[ { "asks":[["111.06","55154","0","2"]], "bids":[["111.05","57745","0","2"]],
                         "ts":"1670324386802", "seqId":363996337 } ] }
            """);

        // A top, never a BookUpdate snapshot: that would replace consumers' 400-level books with one level.
        Assert.Equal(NormalizeResult.Data(1), result);
        var top = Assert.Single(_sink.Events).AsBookTop();
        Assert.Equal(111.05, top.BidPrice);
        Assert.Equal(5774.5, top.BidSize, 9);
        Assert.Equal(111.06, top.AskPrice);
        Assert.Equal(5515.4, top.AskSize, 9); // 55154 contracts × 0.1 BCH
        Assert.Equal(1_670_324_386_802_000, top.ExchangeTime);
        Assert.Equal(363996337, top.UpdateId);
    }

    [Fact]
    public void Official_liquidation_example_short_position_bought_back_is_a_sampled_short_liquidation()
    {
        const string frame = """
            { "arg":{ "channel":"liquidation-orders","instType":"SWAP" },
              "data":[ { "details":[ { "bkLoss":"0","bkPx":"0.007831","ccy":"","posSide":"short","side":"buy",
                                       "sz":"13","ts":"1692266434010" } ],
                         "instFamily":"IOST-USDT","instId":"IOST-USDT-SWAP","instType":"SWAP","uly":"IOST-USDT" } ] }
            """;
        var result = Run(Swap(TestInstruments), frame);

        Assert.Equal(NormalizeResult.Data(1), result);
        var liq = _sink.Events[0].AsLiquidation();
        Assert.Equal("IOST-USDT-SWAP", liq.Instrument.VenueSymbol);
        Assert.Equal(0.007831, liq.Price);
        Assert.Equal(1300, liq.Quantity, 9); // 13 contracts × 100 IOST (fixture ctVal)
        Assert.Equal(PositionSide.Short, liq.LiquidatedSide);
        Assert.Equal(Side.Buy, liq.OrderSide);
        Assert.Equal(FeedCompleteness.Sampled, liq.Completeness);
        Assert.Equal(1_692_266_434_010_000, liq.ExchangeTime);

        // Without IOST in the instruments the event says why it is missing.
        var skipped = new OkxNormalizer(VenueId.OkxSwap, new InstrumentRegistry()).Normalize(Encoding.UTF8.GetBytes(frame), ReceiveTime, _sink);
        Assert.Equal(NormalizeResult.Unknown(OkxNormalizer.ContractValueUnknown), skipped);
    }

    [Theory]
    [InlineData("net", "sell", PositionSide.Long, Side.Sell)]
    [InlineData("net", "buy", PositionSide.Short, Side.Buy)]
    [InlineData("long", "sell", PositionSide.Long, Side.Sell)]
    public void Liquidated_side_comes_from_posSide_or_else_the_order_side(string posSide, string side, PositionSide liquidated, Side order)
    {
        var result = Run(Swap(), $$"""{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkPx":"95000","posSide":"{{posSide}}","side":"{{side}}","sz":"2","ts":"1"},{"bkPx":"95001","posSide":"{{posSide}}","side":"{{side}}","sz":"1","ts":"2"}],"instId":"BTC-USDT-SWAP","instType":"SWAP"}]}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        var liq = _sink.Events[0].AsLiquidation();
        Assert.Equal(liquidated, liq.LiquidatedSide);
        Assert.Equal(order, liq.OrderSide);
        Assert.Equal(0.02, liq.Quantity, 15);
    }

    [Fact]
    public void Contradictory_liquidation_sides_are_malformed()
    {
        var result = Run(Swap(), """{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkPx":"95000","posSide":"long","side":"buy","sz":"2","ts":"1"}],"instId":"BTC-USDT-SWAP","instType":"SWAP"}]}""");

        Assert.Equal(NormalizeOutcome.Malformed, result.Outcome);
    }

    [Fact]
    public void Funding_rate_carries_next_settlement_interval_and_the_latest_mark()
    {
        var n = Swap();
        // Official mark-price and funding-rate payloads, on BTC-USDT-SWAP (the official ones are
        // LTC-USD-190628 futures and the inverse BTC-USD-SWAP, which okx-swap does not normalize).
        var mark = Run(n, """{ "arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"}, "data":[ { "instType":"SWAP","instId":"BTC-USDT-SWAP","markPx":"37000.5","ts":"1700724675000" } ] }""");
        var funding = Run(n, """
            { "arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},
              "data":[ { "formulaType":"noRate","fundingRate":"0.0001875391284828","fundingTime":"1700726400000",
                         "impactValue":"","instId":"BTC-USDT-SWAP","instType":"SWAP","interestRate":"",
                         "method":"current_period","maxFundingRate":"0.00375","minFundingRate":"-0.00375",
                         "nextFundingRate":"","nextFundingTime":"1700755200000","premium":"0.0001233824646391",
                         "settFundingRate":"0.0001699799259033","settState":"settled","ts":"1700724675402" } ] }
            """);

        Assert.Equal(NormalizeResult.Data(0), mark);
        Assert.Equal(NormalizeResult.Data(1), funding);
        var f = Assert.Single(_sink.Events).AsFunding();
        Assert.Equal(0.0001875391284828, f.Rate);
        Assert.Equal(8, f.IntervalHours); // (1700755200000 − 1700726400000) ms = 8 h
        Assert.Equal(1_700_726_400_000_000, f.NextFundingTime);
        Assert.Equal(1_700_724_675_402_000, f.ExchangeTime);
        Assert.Equal(37000.5, f.MarkPrice);
        Assert.True(double.IsNaN(f.IndexPrice));
    }

    [Fact]
    public void Funding_before_any_mark_has_NaN_mark_and_official_inverse_example_is_skipped()
    {
        var n = Swap();
        Assert.Equal(NormalizeResult.Data(1), Run(n, """{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":"-0.0001","fundingTime":"1700726400000","instId":"BTC-USDT-SWAP","nextFundingTime":"1700740800000","ts":"1"}]}"""));
        var f = _sink.Events[0].AsFunding();
        Assert.True(double.IsNaN(f.MarkPrice));
        Assert.Equal(4, f.IntervalHours);

        var inverse = Run(n, """{"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"fundingRate":"0.0001875391284828","fundingTime":"1700726400000","instId":"BTC-USD-SWAP","nextFundingTime":"1700755200000","ts":"1700724675402"}]}""");
        Assert.Equal(NormalizeOutcome.Unknown, inverse.Outcome);
    }

    [Fact]
    public void Official_mark_price_example_is_a_future_not_a_swap()
    {
        var result = Run(Swap(), """{ "arg":{"channel":"mark-price","instId":"LTC-USD-190628"}, "data":[ { "instType":"FUTURES","instId":"LTC-USD-190628","markPx":"0.1","ts":"1597026383085" } ] }""");

        Assert.Equal(NormalizeOutcome.Unknown, result.Outcome);
    }

    [Fact]
    public void Official_open_interest_example_converts_contracts_to_base_and_keeps_oiUsd()
    {
        var result = Run(Swap(), """
            { "arg":{"channel":"open-interest","instId":"BTC-USDT-SWAP"},
              "data":[ { "instId":"BTC-USDT-SWAP","instType":"SWAP","oi":"2216113.01000000309",
                         "oiCcy":"22161.1301000000309","oiUsd":"1939251795.54769270396321","ts":"1743041250440" } ] }
            """);

        Assert.Equal(NormalizeResult.Data(1), result);
        var oi = _sink.Events[0].AsOpenInterest();
        Assert.Equal(22161.1301, oi.Quantity, 6); // oi × 0.01 = oiCcy
        Assert.Equal(1939251795.54769270396321, oi.NotionalUsd);
        Assert.Equal(1_743_041_250_440_000, oi.ExchangeTime);
    }

    [Fact]
    public void Control_messages_and_official_error_example()
    {
        var n = Swap();
        Assert.Equal(NormalizeResult.Control, Run(n, """{ "id":"1512", "event":"subscribe", "arg":{ "channel":"tickers", "instId":"BTC-USDT" }, "connId":"accb8e21" }"""));
        Assert.Equal(NormalizeResult.Control, Run(n, """{ "event":"unsubscribe", "arg":{ "channel":"tickers", "instId":"BTC-USDT" }, "connId":"d0b44253" }"""));
        Assert.Equal(NormalizeResult.Control, Run(n, """{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}"""));
        Assert.Equal(NormalizeResult.Control, Run(n, "pong"));

        var error = Run(n, """{ "id":"1512", "event":"error", "code":"60012", "msg":"Invalid request: {\"op\": \"subscribe\", \"argss\":[{ \"channel\" : \"books\", \"instId\" : \"BTC-USD-191227\"}]}", "connId":"a4d3ae55" }""");
        Assert.Equal(NormalizeOutcome.VenueError, error.Outcome);
        Assert.StartsWith("60012: Invalid request", error.Reason, StringComparison.Ordinal);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("""{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT"}]}""")]
    [InlineData("""{"foo":1}""")]
    [InlineData("""{"event":"whatever"}""")]
    public void Unhandled_messages_are_unknown(string frame) =>
        Assert.Equal(NormalizeOutcome.Unknown, Run(Spot(), frame).Outcome);

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1"}""")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1"}]} x""")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"-1","side":"buy","ts":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"NaN","sz":"1","side":"buy","ts":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"up","ts":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy"}]}""")]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":{"px":"1"}}""")]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["1","-2","0","1"]],"bids":[],"ts":"1","prevSeqId":1,"seqId":2}]}""")]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["1","2","0","1"]],"ts":"1","prevSeqId":1,"seqId":2}]}""")]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["x","2"]],"bids":[],"ts":"1","prevSeqId":1,"seqId":2}]}""")]
    [InlineData("""{"arg":{"channel":"mark-price","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","markPx":"-5","ts":"1"}]}""")]
    public void Malformed_frames_are_reported_never_thrown(string frame)
    {
        var result = Run(Spot(), frame);

        Assert.Equal(NormalizeOutcome.Malformed, result.Outcome);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void A_frame_with_one_bad_element_publishes_nothing()
    {
        var result = Run(Spot(), """{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1"},{"instId":"BTC-USDT","tradeId":"2","px":"1","sz":"-1","side":"buy","ts":"1"}]}""");

        Assert.Equal(NormalizeOutcome.Malformed, result.Outcome);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Recorded_swap_and_spot_trades_each_give_one_trade()
    {
        var swap = Swap(TestInstruments);
        foreach (var line in File.ReadLines(OkxTestData.Path("swap-trades.ndjson")))
        {
            Assert.Equal(NormalizeResult.Data(1), swap.Normalize(Encoding.UTF8.GetBytes(line), ReceiveTime, _sink));
        }

        var first = _sink.Events[0].AsTrade();
        Assert.Equal("XMR-USDT-SWAP", first.Instrument.VenueSymbol);
        Assert.Equal(196.11, first.Price);
        Assert.Equal(0.8, first.Quantity, 12); // 8 contracts × 0.1 XMR (2021 ctVal)
        Assert.Equal(Side.Buy, first.AggressorSide);
        Assert.Equal(1_626_995_753_200_000, first.ExchangeTime);
        Assert.Equal(TradeId.FromNumber(6845125), first.Id);

        _sink.Events.Clear();
        var spot = Spot();
        int lines = 0;
        foreach (var line in File.ReadLines(OkxTestData.Path("spot-trades.ndjson")))
        {
            lines++;
            Assert.Equal(NormalizeResult.Data(1), spot.Normalize(Encoding.UTF8.GetBytes(line), ReceiveTime, _sink));
        }

        Assert.Equal(lines, _sink.Events.Count);
        var fun = _sink.Events[0].AsTrade();
        Assert.Equal("FUN-BTC", fun.Instrument.VenueSymbol);
        Assert.Equal(0.000000454, fun.Price);
        Assert.Equal(11.83, fun.Quantity);
        Assert.Equal(Side.Sell, fun.AggressorSide);
        Assert.True(double.IsNaN(fun.NotionalUsd)); // BTC quote
    }

    [Fact]
    public void Recorded_subscribe_acks_are_control()
    {
        foreach (var line in File.ReadLines(OkxTestData.Path("swap-control.ndjson")))
        {
            Assert.Equal(NormalizeResult.Control, Swap().Normalize(Encoding.UTF8.GetBytes(line), ReceiveTime, _sink));
        }
    }

    [Fact]
    public void Recorded_books_l2_tbt_frames_normalize_to_book_updates()
    {
        var n = Swap(TestInstruments);
        var lines = File.ReadAllLines(OkxTestData.Path("swap-books-l2-tbt.ndjson"));
        foreach (var line in lines)
        {
            Assert.Equal(NormalizeResult.Data(1), n.Normalize(Encoding.UTF8.GetBytes(line), ReceiveTime, _sink));
        }

        Assert.Equal(lines.Length, _sink.Events.Count);
        Assert.True(_sink.Events[0].AsBookUpdate().IsSnapshot);
        Assert.Equal(-1, _sink.Events[0].AsBookUpdate().LastUpdateId); // 2021 frames have no seqId
        Assert.Equal(10.3, _sink.Events[0].AsBookUpdate().Asks[0].Quantity, 9); // "103" contracts × 0.1
        Assert.All(_sink.Events.Skip(1), e => Assert.False(e.AsBookUpdate().IsSnapshot));
    }

    [Fact]
    public void Trades_allocate_nothing_after_warm_up()
    {
        var normalizer = Swap();
        var frame = """{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"130639474","px":"42219.9","sz":"12","side":"buy","ts":"1630048897897","count":"3","source":"0","seqId":1234}]}"""u8.ToArray();
        var sink = new OkxCountingSink();
        normalizer.Normalize(frame, ReceiveTime, sink); // registers BTC-USDT-SWAP

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            normalizer.Normalize(frame, ReceiveTime, sink);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1001, sink.Count);
    }

    [Fact]
    public void Rest_books_snapshot_funding_history_open_interest_and_instruments()
    {
        var spot = Spot();
        var books = spot.NormalizeRest("/api/v5/market/books?instId=BTC-USDT&sz=400", """{ "code":"0","msg":"","data":[ { "asks":[["41006.8","0.60038921","0","1"]], "bids":[["41006.3","0.30178218","0","2"]], "ts":"1629966436396", "seqId":3235851742 } ] }"""u8, ReceiveTime, _sink);
        Assert.Equal(NormalizeResult.Data(1), books);
        var snap = _sink.Events[0].AsBookUpdate();
        Assert.True(snap.IsSnapshot);
        Assert.Equal(3235851742, snap.LastUpdateId);
        Assert.Equal(0.30178218, snap.Bids[0].Quantity);
        Assert.Equal(1_629_966_436_396_000, snap.ExchangeTime);

        _sink.Events.Clear();
        var swap = Swap();
        var history = swap.NormalizeRest("/api/v5/public/funding-rate-history?instId=BTC-USDT-SWAP", """
            {"code":"0","msg":"","data":[
             {"formulaType":"noRate","fundingRate":"0.0000746604960499","fundingTime":"1703059200000","instId":"BTC-USDT-SWAP","instType":"SWAP","method":"next_period","realizedRate":"0.0000746572360545"},
             {"formulaType":"noRate","fundingRate":"0.0001","fundingTime":"1703030400000","instId":"BTC-USDT-SWAP","instType":"SWAP","method":"next_period","realizedRate":"0.0002"}]}
            """u8, ReceiveTime, _sink);
        Assert.Equal(NormalizeResult.Data(2), history);
        // OKX lists the newest first; the events come oldest first.
        Assert.Equal(0.0002, _sink.Events[0].AsFunding().Rate);
        Assert.Equal(1_703_030_400_000_000, _sink.Events[0].AsFunding().ExchangeTime);
        var f = _sink.Events[1].AsFunding();
        Assert.Equal(0.0000746572360545, f.Rate); // realizedRate = actual
        Assert.Equal(1_703_059_200_000_000, f.ExchangeTime);
        Assert.Equal(0, f.NextFundingTime); // settled
        Assert.Equal(8, f.IntervalHours);

        _sink.Events.Clear();
        var oi = swap.NormalizeRest("/api/v5/public/open-interest?instType=SWAP&instId=BTC-USDT-SWAP", """{"code":"0","msg":"","data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","oi":"5000","oiCcy":"50","oiUsd":"4500000","ts":"1743041250440"}]}"""u8, ReceiveTime, _sink);
        Assert.Equal(NormalizeResult.Data(1), oi);
        Assert.Equal(50, _sink.Events[0].AsOpenInterest().Quantity, 12);
        Assert.Equal(4_500_000, _sink.Events[0].AsOpenInterest().NotionalUsd);

        Assert.Equal(NormalizeResult.Control, swap.NormalizeRest("/api/v5/public/instruments?instType=SWAP", File.ReadAllBytes(OkxTestData.Path("test-instruments.json")), ReceiveTime, _sink));
        Assert.Equal(NormalizeOutcome.Malformed, swap.NormalizeRest("/api/v5/public/open-interest", """{"code":"50011","msg":"Too Many Requests","data":[]}"""u8, ReceiveTime, _sink).Outcome);
    }

    [Fact]
    public void Instruments_response_parses_contract_fields()
    {
        Assert.True(OkxRest.TryParseInstruments(File.ReadAllBytes(OkxTestData.Path("test-instruments.json")), out var list));
        var sol = list.Single(i => i.InstId == "SOL-USDC-SWAP");
        Assert.Equal(0.5, sol.CtVal);
        Assert.Equal(2, sol.CtMult);
        Assert.Equal("SOL", sol.CtValCcy);
        Assert.Equal("USDC", sol.SettleCcy);
        Assert.Equal("SOL", sol.BaseCcy);
        Assert.Equal("USDC", sol.QuoteCcy);
        Assert.Equal(0.01, sol.TickSize);
        Assert.Equal(1, sol.LotSize);
        Assert.Equal("live", sol.State);
        Assert.Equal(1.0, sol.BasePerUnit);
        Assert.True(double.IsNaN(list.Single(i => i.InstId == "BTC-USD-SWAP").BasePerUnit)); // inverse
        Assert.Equal(1.0, list.Single(i => i.InstId == "BTC-USDT").BasePerUnit);
    }

    [Fact]
    public void Bundled_snapshot_holds_only_sourced_contracts_and_normalize_factory_reads_a_file()
    {
        Assert.True(OkxInstruments.Bundled.TryGet("BTC-USDT-SWAP", out var btc));
        Assert.Equal(0.01, btc.BasePerUnit);
        Assert.True(OkxInstruments.Bundled.TryGet("BTC-USDC-SWAP", out var btcUsdc));
        Assert.Equal(0.0001, btcUsdc.BasePerUnit);
        Assert.True(OkxInstruments.Bundled.TryGet("ETH-USDC-SWAP", out var ethUsdc));
        Assert.Equal(0.001, ethUsdc.BasePerUnit);

        var created = VenueNormalizers.TryCreate(VenueId.OkxSwap, _registry, new NormalizerOptions { InstrumentsFile = OkxTestData.Path("test-instruments.json") });
        Assert.IsType<OkxNormalizer>(created);
        Assert.IsType<OkxNormalizer>(VenueNormalizers.TryCreate(VenueId.OkxSpot, _registry));
        Assert.Throws<InvalidDataException>(() => VenueNormalizers.TryCreate(VenueId.OkxSwap, _registry, new NormalizerOptions { InstrumentsFile = "/nonexistent.json" }));
    }
    [Fact]
    public void Live_overload_hands_incremental_books_to_the_handler_and_publishes_the_rest()
    {
        var n = Spot();
        var handler = new Handler();
        var books = n.Normalize("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.970","256","0","12"]],"ts":"1","checksum":0,"prevSeqId":1,"seqId":2}]}"""u8, ReceiveTime, _sink, handler);
        var bbo = n.Normalize("""{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8477","1","0","1"]],"bids":[["8476","2","0","1"]],"ts":"1","seqId":3}]}"""u8, ReceiveTime, _sink, handler);
        var trade = n.Normalize("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1"}]}"""u8, ReceiveTime, _sink, handler);

        Assert.Equal(NormalizeResult.Data(0), books);
        var message = Assert.Single(handler.Messages);
        Assert.Equal(["8476.970:256"], message.BidText!); // original text, trailing zero kept
        Assert.Equal(["8476.98:415"], message.AskText!);
        Assert.Equal(2, message.SeqId);
        Assert.Equal(1, message.PrevSeqId);
        Assert.Equal(NormalizeResult.Data(1), bbo); // a top only, never a one-level book snapshot
        Assert.Equal(NormalizeResult.Data(1), trade);
        Assert.Equal([EventKind.BookTop, EventKind.Trade], _sink.Events.Select(e => e.Kind));

        Assert.False(n.TryParseBookMessage("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[]}"""u8, ReceiveTime, out _, out var notBook));
        Assert.Equal(NormalizeResult.Unknown(OkxNormalizer.NotIncrementalBook), notBook);
    }

    private sealed class Handler : IOkxBookMessageHandler
    {
        public List<OkxBookMessage> Messages { get; } = [];

        public void OnBookMessage(in OkxBookMessage message) => Messages.Add(message);
    }
}
