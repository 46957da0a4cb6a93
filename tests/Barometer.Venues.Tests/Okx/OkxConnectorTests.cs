using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Books;
using Barometer.Venues.Common;
using Barometer.Venues.Okx;

namespace Barometer.Venues.Tests.Okx;

/// <summary>Shared checks of the OKX end-to-end tests.</summary>
internal static class OkxAssert
{
    public static StreamCounters Stream(OkxConnector connector, string name) => connector.Streams.First(s => s.Name == name);

    /// <summary>Stops the market; each published book must reach the REST book's seqId and equal it level by level.</summary>
    public static async Task BooksMatchTheVenueAsync(OkxWorld world)
    {
        await world.StopSimulationAsync();
        foreach (var instrument in world.Connector.Instruments)
        {
            var body = await world.RestAsync("/api/v5/market/books?instId=" + instrument.VenueSymbol + "&sz=400");
            Assert.True(OkxRest.TryParseBooks(Encoding.UTF8.GetBytes(body), instrument, 0, keepText: false, out var venue));
            LocalOrderBook? mine = null;
            await world.Until(() =>
            {
                mine = world.Events.Rebuild(instrument);
                return mine.LastUpdateId == venue.SeqId;
            }, instrument.VenueSymbol + " book to reach seqId " + venue.SeqId);

            int depth = Math.Min(100, venue.Update.Bids.Length);
            Assert.True(depth > 5, "the emulator's book is deep enough to compare");
            for (int i = 0; i < depth; i++)
            {
                Assert.Equal(venue.Update.Bids[i].Price, mine!.Bids.Level(i).Price);
                Assert.Equal(venue.Update.Bids[i].Quantity, mine.Bids.Level(i).Quantity);
                Assert.Equal(venue.Update.Asks[i].Price, mine.Asks.Level(i).Price);
                Assert.Equal(venue.Update.Asks[i].Quantity, mine.Asks.Level(i).Quantity);
            }
        }
    }

    public static Task Flowing(OkxWorld world, string symbol = "BTC-USDT-SWAP") =>
        world.Until(() => world.Events.Count(EventKind.Trade, symbol) > 0 && world.Events.Books(symbol).Any(b => b.IsSnapshot), symbol + " trades and a seeded book");
}

public sealed class OkxSwapConnectorTests
{
    [Fact]
    public async Task Swap_connector_delivers_every_channel_in_base_units_with_books_equal_to_the_venue()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap);
        var events = world.Events;
        await world.Until(() => world.Connector.Instruments.Count == 4, "instruments: BTC and ETH, USDT- and USDC-margined");
        var btc = world.Connector.Instruments.Single(i => i.VenueSymbol == "BTC-USDT-SWAP");
        Assert.Equal(0.01, btc.ContractMultiplier); // ctVal × ctMult from /api/v5/public/instruments
        Assert.Equal(0.1, btc.TickSize);

        await world.Until(() => events.Count(EventKind.Trade, "ETH-USDT-SWAP") > 0, "first ETH trade");
        var truthEth = world.Simulator.InstrumentsOf(VenueId.OkxSwap).Single(i => i.VenueSymbol == "ETH-USDT-SWAP");
        long now = world.Simulator.Now;
        // 2.5 ETH = 25 contracts of 0.1 ETH on the wire.
        world.Host.Publish(MarketEvent.From(new Liquidation(truthEth, now, now, 3000, 2.5, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));

        foreach (var symbol in new[] { "BTC-USDT-SWAP", "ETH-USDT-SWAP", "BTC-USDC-SWAP", "ETH-USDC-SWAP" })
        {
            await world.Until(() => events.Count(EventKind.Trade, symbol) > 3, symbol + " trades");
            await world.Until(() => events.Count(EventKind.BookTop, symbol) > 3, symbol + " tops from bbo-tbt");
            await world.Until(() => events.Count(EventKind.BookUpdate, symbol) > 3, symbol + " book updates");
            await world.Until(() => events.All.Any(e => e.Kind == EventKind.Funding && e.Instrument!.VenueSymbol == symbol && e.AsFunding().NextFundingTime > 0
                && e.AsFunding().MarkPrice > 0), symbol + " live funding with the latest mark");
            await world.Until(() => events.Count(EventKind.OpenInterest, symbol) >= 2, symbol + " open interest (start-up and live)");
        }

        await world.Until(() => events.All.Any(e => e.Kind == EventKind.Liquidation && e.Instrument!.VenueSymbol == "ETH-USDT-SWAP"), "the liquidation");
        var liquidation = events.All.First(e => e.Kind == EventKind.Liquidation && e.Instrument!.VenueSymbol == "ETH-USDT-SWAP").AsLiquidation();
        Assert.Equal(2.5, liquidation.Quantity, 9);
        Assert.Equal(PositionSide.Long, liquidation.LiquidatedSide);
        Assert.Equal(FeedCompleteness.Sampled, liquidation.Completeness);
        Assert.Equal(OkxConnector.LiquidationNote, OkxAssert.Stream(world.Connector, "liquidation-orders:SWAP").Note);

        var oi = events.All.Last(e => e.Kind == EventKind.OpenInterest && e.Instrument!.VenueSymbol == "BTC-USDT-SWAP").AsOpenInterest();
        Assert.True(oi.Quantity > 0 && oi.NotionalUsd > 0);

        Assert.All(world.Connector.Streams.Where(s => s.Name.Contains(':', StringComparison.Ordinal)), s => Assert.Equal(ConnectionState.Subscribed, s.State));
        Assert.Equal((6 * 4) + 1, world.Connector.Streams.Count(s => s.Name.Contains(':', StringComparison.Ordinal)));
        Assert.All(world.Connector.Streams, s => Assert.Equal(0, s.ParseErrors));
        Assert.All(world.Connector.Streams, s => Assert.Equal(0, s.UnknownMessages)); // "pong" (ping after 1 s idle here) is control
        Assert.Empty(events.Gaps());

        await OkxAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task Trade_sizes_in_contracts_become_base_quantities()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"]);
        await OkxAssert.Flowing(world);
        var truth = world.Simulator.InstrumentsOf(VenueId.OkxSwap).Single(i => i.VenueSymbol == "BTC-USDC-SWAP");
        long now = world.Simulator.Now;

        // 0.0123 BTC on a 0.0001 BTC contract = 123 contracts on the wire.
        world.Host.Publish(MarketEvent.From(new Trade(truth, now, now, 95_000.5, 0.0123, Side.Buy, TradeId.FromNumber(990_001))));

        await world.Until(() => world.Events.All.Any(e => e.Kind == EventKind.Trade && e.AsTrade().Price == 95_000.5), "the trade");
        var trade = world.Events.All.First(e => e.Kind == EventKind.Trade && e.AsTrade().Price == 95_000.5).AsTrade();
        Assert.Equal("BTC-USDC-SWAP", trade.Instrument.VenueSymbol);
        Assert.Equal(0.0123, trade.Quantity, 12);
        Assert.Equal(Side.Buy, trade.AggressorSide);
        Assert.Equal(95_000.5 * 0.0123, trade.NotionalUsd, 6);
    }

    [Fact]
    public async Task Funding_history_and_open_interest_are_backfilled_on_start()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"], startConnector: false, simulate: false);
        var btc = world.Simulator.InstrumentsOf(VenueId.OkxSwap).Single(i => i.VenueSymbol == "BTC-USDT-SWAP");
        const long Hour = 3_600_000_000;
        long t1 = 1_796_112_000_000_000; // 2026-12-01 08:00 UTC
        double[] rates = [0.0001, -0.0002, 0.00005, 0.0003];
        for (int i = 0; i < rates.Length; i++)
        {
            long next = t1 + (i * 8 * Hour);
            world.Emulator.Publish(MarketEvent.From(new Funding(btc, next - Hour, next - Hour, rates[i], 8, next, 100_000, 100_010)));
        }

        world.Emulator.Publish(MarketEvent.From(new OpenInterest(btc, t1, t1, 1234.5, 1.2345e8)));
        world.StartConnector(["BTC"]);
        await world.Until(() => world.Connector.Connections.Count > 0, "start-up after the backfill");

        var settled = world.Events.All.Where(e => e.Kind == EventKind.Funding && e.Instrument!.VenueSymbol == "BTC-USDT-SWAP" && e.AsFunding().NextFundingTime == 0)
            .Select(e => e.AsFunding()).ToList();
        Assert.Equal([t1, t1 + (8 * Hour), t1 + (16 * Hour)], settled.Select(f => f.ExchangeTime));
        Assert.Equal([0.0001, -0.0002, 0.00005], settled.Select(f => f.Rate));
        var oi = world.Events.All.First(e => e.Kind == EventKind.OpenInterest && e.Instrument!.VenueSymbol == "BTC-USDT-SWAP").AsOpenInterest();
        Assert.Equal(1234.5, oi.Quantity, 6);
    }

    [Fact]
    public async Task Books_seeded_from_the_websocket_snapshot_also_equal_the_venue()
    {
        var options = OkxWorld.Fast() with { BookSeeding = OkxBookSeeding.WebSocketSnapshot };
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSpot, options, configure: e => e.SendInitialBookSnapshot = true);
        await OkxAssert.Flowing(world, "BTC-USDT");
        await OkxAssert.Flowing(world, "ETH-USDT");

        await OkxAssert.BooksMatchTheVenueAsync(world);
    }
}

public sealed class OkxSpotConnectorTests
{
    [Fact]
    public async Task Spot_connector_delivers_trades_tops_and_books_equal_to_the_venue()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSpot);
        var events = world.Events;
        foreach (var symbol in new[] { "BTC-USDT", "ETH-USDT" })
        {
            await world.Until(() => events.Count(EventKind.Trade, symbol) > 3, symbol + " trades");
            await world.Until(() => events.Count(EventKind.BookTop, symbol) > 3, symbol + " tops");
            await world.Until(() => events.Count(EventKind.BookUpdate, symbol) > 3, symbol + " book updates");
        }

        Assert.Equal(3 * 2, world.Connector.Streams.Count(s => s.Name.Contains(':', StringComparison.Ordinal)));
        Assert.Equal(0, events.Count(EventKind.Funding));
        Assert.Empty(events.Gaps());
        await OkxAssert.BooksMatchTheVenueAsync(world);
    }
}

public sealed class OkxConnectorFaultTests
{
    [Fact]
    public async Task Dropped_connection_reconnects_reseeds_the_books_and_reports_the_gap()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"]);
        await OkxAssert.Flowing(world);
        int snapshots = world.Events.Books("BTC-USDT-SWAP").Count(b => b.IsSnapshot);

        world.Emulator.Faults.DropConnections();

        await world.Until(() => OkxAssert.Stream(world.Connector, "okx-swap").Reconnects >= 1, "a reconnect");
        await world.Until(() => world.Events.Books("BTC-USDT-SWAP").Count(b => b.IsSnapshot) > snapshots, "a new seed");
        Assert.Contains(world.Events.Gaps(), g => g.Cause == GapCause.Disconnect && g.Stream == "okx-swap");
        await OkxAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task A_stalled_venue_gets_pings_then_is_cut_and_the_connector_resumes()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSpot, assets: ["BTC"]);
        await OkxAssert.Flowing(world, "BTC-USDT");

        world.Emulator.Faults.Stalled = true;
        await world.Until(() => world.Events.Statuses().Any(s => s.Stream == "okx-spot" && s.State == ConnectionState.Disconnected), "the stall noticed");
        world.Emulator.Faults.Stalled = false;

        await world.Until(() => OkxAssert.Stream(world.Connector, "okx-spot").Reconnects >= 1, "a reconnect");
        int trades = world.Events.Count(EventKind.Trade, "BTC-USDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTC-USDT") > trades, "trades after the stall");
    }

    [Fact]
    public async Task Malformed_frames_are_counted_and_the_data_keeps_flowing()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"]);
        await OkxAssert.Flowing(world);
        var trades = OkxAssert.Stream(world.Connector, "trades:BTC-USDT-SWAP");

        world.Emulator.Faults.InjectFrame("""{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"1","px":"NaN","sz":"-3","side":"buy","ts":"1"}]}""");
        world.Emulator.Faults.InjectFrame("""{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"px":""");

        await world.Until(() => trades.ParseErrors >= 1, "the bad trade counted");
        int count = world.Events.Count(EventKind.Trade, "BTC-USDT-SWAP");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTC-USDT-SWAP") > count, "trades after the bad frames");
        Assert.Equal(0, OkxAssert.Stream(world.Connector, "okx-swap").Reconnects);
    }

    [Fact]
    public async Task A_seqId_break_reseeds_the_book_from_REST_with_a_sequence_gap()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"]);
        await OkxAssert.Flowing(world);
        await OkxAssert.Flowing(world, "BTC-USDC-SWAP");

        world.Emulator.Faults.GapNextSequence();

        await world.Until(() => world.Events.Gaps().Any(g => g.Cause == GapCause.SequenceGap), "the book reseeded");
        var gap = world.Events.Gaps().First(g => g.Cause == GapCause.SequenceGap);
        Assert.StartsWith("books:", gap.Stream, StringComparison.Ordinal);
        Assert.True(world.Connector.Streams.Sum(s => s.SequenceGaps) >= 1);
        Assert.Contains(world.Events.Statuses(), s => s.Stream == gap.Stream && s.State == ConnectionState.Resyncing);
        Assert.Equal(0, OkxAssert.Stream(world.Connector, "okx-swap").Reconnects);
        await OkxAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task A_bad_checksum_resyncs_the_book_with_a_checksum_gap()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"], configure: e => e.EmitRealChecksum = true);
        await OkxAssert.Flowing(world);

        world.Emulator.Faults.CorruptNextChecksum();

        await world.Until(() => world.Events.Gaps().Any(g => g.Cause == GapCause.ChecksumMismatch), "the checksum resync");
        Assert.Contains(world.Events.Statuses(), s => s.State == ConnectionState.Resyncing && s.Reason.Contains("checksum", StringComparison.OrdinalIgnoreCase));
        await OkxAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task A_silent_channel_is_reported_stale_and_its_connection_recycled()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"], configure: e => e.Faults.SilentTopics["mark-price:BTC-USDT-SWAP"] = true);
        await OkxAssert.Flowing(world);

        await world.Until(() => world.Events.Statuses().Any(s => s.Stream == "mark-price:BTC-USDT-SWAP" && s.State == ConnectionState.Stale), "the silence reported");
        await world.Until(() => OkxAssert.Stream(world.Connector, "okx-swap").Reconnects >= 1, "the connection recycled");
        Assert.Contains(world.Events.Statuses(), s => s.Stream == "okx-swap" && s.Reason.Contains("mark-price:BTC-USDT-SWAP stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rejected_channel_is_reported_with_the_venue_code_and_message()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC"], configure: e => e.Faults.RejectedTopics["open-interest:BTC-USDC-SWAP"] = true);
        await OkxAssert.Flowing(world);

        var rejected = OkxAssert.Stream(world.Connector, "open-interest:BTC-USDC-SWAP");
        await world.Until(() => rejected.State == ConnectionState.Disconnected, "the rejection");
        await world.Until(() => world.Connector.Streams.Where(s => s.Name.Contains(':', StringComparison.Ordinal) && s != rejected)
            .All(s => s.State == ConnectionState.Subscribed), "the other channels subscribed");
        var status = world.Events.Statuses().Single(s => s.Stream == "open-interest:BTC-USDC-SWAP" && s.State == ConnectionState.Disconnected);
        Assert.StartsWith("subscription rejected: code 60018: ", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_upgrade_notice_recycles_the_connection_before_OKX_closes_it()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSpot, assets: ["BTC"]);
        await OkxAssert.Flowing(world, "BTC-USDT");

        world.Emulator.Faults.InjectFrame("""{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}""");

        await world.Until(() => OkxAssert.Stream(world.Connector, "okx-spot").Reconnects >= 1, "the proactive reconnect");
        Assert.Contains(world.Events.Statuses(), s => s.Stream == "okx-spot" && s.Reason.Contains("64008", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_instrument_is_one_startup_error_naming_it()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSwap, assets: ["BTC", "DOGE"]);

        var error = await Assert.ThrowsAsync<VenueConfigurationException>(() => world.Run.WaitAsync(OkxWorld.Patience));

        Assert.Contains("DOGE-USDT-SWAP, DOGE-USDC-SWAP", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BTC-USDT-SWAP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limited_REST_at_start_is_retried_and_the_connector_starts()
    {
        await using var world = await OkxWorld.StartAsync(VenueId.OkxSpot, assets: ["BTC"], configure: e => e.Faults.FailNextRest(429, 2));

        await OkxAssert.Flowing(world, "BTC-USDT");
        Assert.True(world.Connector.RestRateLimited >= 2, $"rate-limited answers seen: {world.Connector.RestRateLimited}");
    }
}
