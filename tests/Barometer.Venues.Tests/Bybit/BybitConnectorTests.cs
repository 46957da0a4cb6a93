using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Books;
using Barometer.Venues.Bybit;
using Barometer.Venues.Common;
using Barometer.Venues.Tests.EndToEnd;

namespace Barometer.Venues.Tests.Bybit;

/// <summary>Shared checks of the Bybit end-to-end tests.</summary>
internal static class BybitAssert
{
    public static StreamCounters Stream(BybitConnector connector, string name) => connector.Streams.First(s => s.Name == name);

    /// <summary>
    /// Stops the market, then compares each published 50-level book with the venue's REST book
    /// (top 50 per side) until they agree — the last deltas may still be in flight.
    /// </summary>
    public static async Task BooksMatchTheVenueAsync(BybitWorld world)
    {
        await world.StopSimulationAsync();
        foreach (var instrument in world.Connector.Instruments)
        {
            string mismatch = "not compared";
            await world.Until(() =>
            {
                var body = world.RestAsync($"/v5/market/orderbook?category={world.Connector.Category}&symbol={instrument.VenueSymbol}&limit=50").GetAwaiter().GetResult();
                Assert.True(BybitRest.TryParseOrderbookSnapshot(Encoding.UTF8.GetBytes(body), instrument, 0, out var venue, out _));
                var mine = world.Events.Rebuild(instrument);
                mismatch = Compare(venue, mine);
                return mismatch.Length == 0;
            }, instrument.VenueSymbol + " book to equal the venue's", TimeSpan.FromSeconds(10)).ContinueWith(t =>
            {
                if (t.IsFaulted)
                {
                    Assert.Fail(instrument.VenueSymbol + ": " + mismatch);
                }
            });
        }
    }

    private static string Compare(BookUpdate venue, LocalOrderBook mine)
    {
        if (!mine.IsSynced)
        {
            return "book not synced";
        }

        int depth = Math.Min(50, venue.Bids.Length);
        if (depth < 5 || mine.Bids.Count < depth || mine.Asks.Count < Math.Min(50, venue.Asks.Length))
        {
            return $"depth: venue {venue.Bids.Length}/{venue.Asks.Length}, mine {mine.Bids.Count}/{mine.Asks.Count}";
        }

        for (int i = 0; i < depth; i++)
        {
            if (venue.Bids[i].Price != mine.Bids.Level(i).Price || venue.Bids[i].Quantity != mine.Bids.Level(i).Quantity)
            {
                return $"bid {i}: venue {venue.Bids[i].Price}×{venue.Bids[i].Quantity}, mine {mine.Bids.Level(i).Price}×{mine.Bids.Level(i).Quantity}";
            }
        }

        for (int i = 0; i < Math.Min(50, venue.Asks.Length); i++)
        {
            if (venue.Asks[i].Price != mine.Asks.Level(i).Price || venue.Asks[i].Quantity != mine.Asks.Level(i).Quantity)
            {
                return $"ask {i}: venue {venue.Asks[i].Price}×{venue.Asks[i].Quantity}, mine {mine.Asks.Level(i).Price}×{mine.Asks.Level(i).Quantity}";
            }
        }

        return string.Empty;
    }
}

public sealed class BybitLinearConnectorTests
{
    [Fact]
    public async Task Linear_connector_delivers_trades_tops_books_funding_open_interest_and_liquidations()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear);
        var events = world.Events;
        await world.Until(() => world.Connector.Instruments.Count == 2, "instruments-info");
        var btc = world.Connector.Instruments.Single(i => i.VenueSymbol == "BTCUSDT");
        Assert.Equal(0.1, btc.TickSize);

        await world.Until(() => events.Count(EventKind.Trade, "ETHUSDT") > 0, "first ETH trade");
        var eth = world.Simulator.InstrumentsOf(VenueId.BybitLinear).Single(i => i.VenueSymbol == "ETHUSDT");
        long now = world.Simulator.Now;
        world.Host.Publish(MarketEvent.From(new Liquidation(eth, now, now, 3000, 1.5, PositionSide.Short, Side.Buy, FeedCompleteness.Complete)));

        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            await world.Until(() => events.Count(EventKind.Trade, symbol) > 5, symbol + " trades");
            await world.Until(() => events.Count(EventKind.BookTop, symbol) > 5, symbol + " tops from orderbook.1");
            await world.Until(() => events.Count(EventKind.BookUpdate, symbol) > 5, symbol + " book updates");
            await world.Until(() => events.Count(EventKind.Funding, symbol) > 0, symbol + " funding from tickers");
            await world.Until(() => events.All.Any(e => e.Kind == EventKind.OpenInterest && e.Instrument!.VenueSymbol == symbol && !double.IsNaN(e.AsOpenInterest().NotionalUsd)),
                symbol + " open interest from tickers");
        }

        // The injected short liquidation: position side Short, published as complete.
        await world.Until(() => events.All.Any(e => e.Kind == EventKind.Liquidation && e.AsLiquidation().Quantity == 1.5), "the injected liquidation");
        var liquidation = events.All.First(e => e.Kind == EventKind.Liquidation && e.AsLiquidation().Quantity == 1.5).AsLiquidation();
        Assert.Equal(PositionSide.Short, liquidation.LiquidatedSide);
        Assert.Equal(3000, liquidation.Price);
        Assert.Equal("ETHUSDT", liquidation.Instrument.VenueSymbol);
        Assert.All(events.All.Where(e => e.Kind == EventKind.Liquidation), e => Assert.Equal(FeedCompleteness.Complete, e.AsLiquidation().Completeness));
        Assert.Equal(BybitConnector.LiquidationNote, BybitAssert.Stream(world.Connector, "allLiquidation.BTCUSDT").Note);

        var funding = events.All.Last(e => e.Kind == EventKind.Funding && e.Instrument!.VenueSymbol == "BTCUSDT").AsFunding();
        Assert.True(funding.MarkPrice > 0 && funding.IndexPrice > 0 && funding.NextFundingTime > 0 && double.IsFinite(funding.Rate));
        Assert.Equal(8, funding.IntervalHours);

        Assert.All(world.Connector.Streams.Where(s => s.Name.Contains('.', StringComparison.Ordinal)), s => Assert.Equal(ConnectionState.Subscribed, s.State));
        Assert.Equal(5 * 2, world.Connector.Streams.Count(s => s.Name.Contains('.', StringComparison.Ordinal)));
        Assert.All(world.Connector.Streams, s => Assert.Equal(0, s.ParseErrors));
        Assert.All(world.Connector.Streams, s => Assert.Equal(0, s.UnknownMessages)); // pongs (ping every second here) are control
        Assert.Empty(events.Gaps());

        await BybitAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task Open_interest_from_tickers_is_the_single_side_not_the_documented_both_sides()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear);
        await world.Until(() => world.Events.Count(EventKind.OpenInterest, "BTCUSDT") > 0, "open interest");
        // The simulation stops first: on a loaded machine its next open-interest update could replace ours before the ticker goes out.
        await world.StopSimulationAsync();
        var btc = world.Simulator.InstrumentsOf(VenueId.BybitLinear).Single(i => i.VenueSymbol == "BTCUSDT");
        long now = world.Simulator.Now;

        // The venue sends openInterest = 2 × 12345.678 and singleOpenInterest = 12345.678.
        world.Host.Publish(MarketEvent.From(new OpenInterest(btc, now, now, 12345.678, 1.2e9)));

        await world.Until(() => world.Events.All.Any(e => e.Kind == EventKind.OpenInterest && e.AsOpenInterest().Quantity == 12345.678), "the single-sided value");
        Assert.DoesNotContain(world.Events.All, e => e.Kind == EventKind.OpenInterest && e.AsOpenInterest().Quantity == 2 * 12345.678);
        var oi = world.Events.All.First(e => e.Kind == EventKind.OpenInterest && e.AsOpenInterest().Quantity == 12345.678).AsOpenInterest();
        Assert.Equal(1.2e9, oi.NotionalUsd, 2);
    }

    [Fact]
    public async Task Funding_and_open_interest_history_are_backfilled_on_start()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear, startConnector: false, simulate: false);
        var btc = world.Simulator.InstrumentsOf(VenueId.BybitLinear).Single(i => i.VenueSymbol == "BTCUSDT");
        const long Hour = 3_600_000_000;
        const long Minute = 60_000_000;
        long t1 = 1_796_112_000_000_000; // 2026-12-01 08:00 UTC
        double[] rates = [0.0001, -0.0002, 0.00005, 0.0003];
        for (int i = 0; i < rates.Length; i++)
        {
            long next = t1 + (i * 8 * Hour);
            world.Emulator.Publish(MarketEvent.From(new Funding(btc, next - Hour, next - Hour, rates[i], 8, next, 100_000, 100_010)));
        }

        // Three 5-minute buckets; in the second, two samples: the later one is the bucket's value.
        world.Emulator.Publish(MarketEvent.From(new OpenInterest(btc, t1 + Minute, t1 + Minute, 1000, 1e8)));
        world.Emulator.Publish(MarketEvent.From(new OpenInterest(btc, t1 + (6 * Minute), t1 + (6 * Minute), 1100, 1.1e8)));
        world.Emulator.Publish(MarketEvent.From(new OpenInterest(btc, t1 + (8 * Minute), t1 + (8 * Minute), 1150, 1.15e8)));
        world.Emulator.Publish(MarketEvent.From(new OpenInterest(btc, t1 + (11 * Minute), t1 + (11 * Minute), 1200, 1.2e8)));

        world.StartConnector(["BTC"]);
        await world.Until(() => world.Connector.Connections.Count > 0, "start-up after the backfill");

        var settled = world.Events.All.Where(e => e.Kind == EventKind.Funding && e.AsFunding().NextFundingTime == 0).Select(e => e.AsFunding()).ToList();
        Assert.Equal([t1, t1 + (8 * Hour), t1 + (16 * Hour)], settled.Select(f => f.ExchangeTime));
        Assert.Equal([0.0001, -0.0002, 0.00005], settled.Select(f => f.Rate));
        // The backfill comes before any connection; later OI events are the live ticker's.
        var history = world.Events.All.Where(e => e.Kind == EventKind.OpenInterest).Select(e => e.AsOpenInterest()).Take(3).ToList();
        Assert.Equal([t1, t1 + (5 * Minute), t1 + (10 * Minute)], history.Select(o => o.ExchangeTime));
        Assert.Equal([1000.0, 1150.0, 1200.0], history.Select(o => o.Quantity)); // single-sided (the venue sends 2× as openInterest)
    }
}

public sealed class BybitSpotConnectorTests
{
    [Fact]
    public async Task Spot_connector_delivers_trades_tops_and_books_equal_to_the_venue()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitSpot);
        var events = world.Events;
        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            await world.Until(() => events.Count(EventKind.Trade, symbol) > 5, symbol + " trades");
            await world.Until(() => events.Count(EventKind.BookTop, symbol) > 5, symbol + " tops");
            await world.Until(() => events.Count(EventKind.BookUpdate, symbol) > 5, symbol + " book updates");
        }

        Assert.Equal(0, events.Count(EventKind.Funding));
        Assert.Equal(3 * 2, world.Connector.Streams.Count(s => s.Name.Contains('.', StringComparison.Ordinal)));
        Assert.All(world.Connector.Streams.Where(s => s.Name.Contains('.', StringComparison.Ordinal)), s => Assert.Equal(ConnectionState.Subscribed, s.State));
        Assert.Empty(events.Gaps());

        await BybitAssert.BooksMatchTheVenueAsync(world);
    }
}

public sealed class BybitConnectorFaultTests
{
    private static Task Flowing(BybitWorld world, string symbol = "BTCUSDT") =>
        world.Until(() => world.Events.Count(EventKind.Trade, symbol) > 0 && world.Events.Books(symbol).Any(b => b.IsSnapshot), symbol + " trades and a synced book");

    [Fact]
    public async Task Dropped_connection_reconnects_resubscribes_and_reports_the_gap()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear);
        await Flowing(world);
        int snapshots = world.Events.Books("BTCUSDT").Count(b => b.IsSnapshot);

        world.Emulator.Faults.DropConnections();

        await world.Until(() => BybitAssert.Stream(world.Connector, "bybit-linear").Reconnects >= 1, "a reconnect");
        await world.Until(() => world.Events.Books("BTCUSDT").Count(b => b.IsSnapshot) > snapshots, "a new snapshot");
        int trades = world.Events.Count(EventKind.Trade, "BTCUSDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > trades, "trades again");
        Assert.Contains(world.Events.Gaps(), g => g.Cause == GapCause.Disconnect && g.Stream == "bybit-linear");
        await BybitAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task A_stalled_venue_is_cut_by_the_idle_timeout_and_the_connector_resumes()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitSpot);
        await Flowing(world);

        world.Emulator.Faults.Stalled = true;
        await world.Until(() => world.Events.Statuses().Any(s => s.Stream == "bybit-spot" && s.State == ConnectionState.Disconnected), "the stall noticed");
        world.Emulator.Faults.Stalled = false;

        await world.Until(() => BybitAssert.Stream(world.Connector, "bybit-spot").Reconnects >= 1, "a reconnect");
        int trades = world.Events.Count(EventKind.Trade, "BTCUSDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > trades, "trades after the stall");
    }

    [Fact]
    public async Task Malformed_frames_are_counted_and_the_data_keeps_flowing()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear);
        await Flowing(world);
        var trades = BybitAssert.Stream(world.Connector, "publicTrade.BTCUSDT");

        world.Emulator.Faults.InjectFrame("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"-1","p":"NaN","i":"x"}]}""");
        world.Emulator.Faults.InjectFrame("""{"topic":"publicTrade.BTCUSDT","type":"snap""");
        world.Emulator.Faults.InjectFrame("""{"topic":"somethingNew.BTCUSDT","data":{}}""");

        await world.Until(() => trades.ParseErrors >= 1, "the bad trade frame counted");
        await world.Until(() => world.Connector.Streams.Sum(s => s.UnknownMessages + s.ParseErrors) >= 3, "all three bad frames counted");
        int count = world.Events.Count(EventKind.Trade, "BTCUSDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > count, "trades after the bad frames");
        Assert.Equal(0, BybitAssert.Stream(world.Connector, "bybit-linear").Reconnects);
    }

    [Fact]
    public async Task An_update_id_gap_resubscribes_the_book_and_the_new_snapshot_closes_a_sequence_gap()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear);
        await Flowing(world);
        await Flowing(world, "ETHUSDT");

        world.Emulator.Faults.GapNextSequence();

        await world.Until(() => world.Connector.Streams.Sum(s => s.SequenceGaps) >= 1, "the gap detected");
        await world.Until(() => world.Events.Gaps().Any(g => g.Cause == GapCause.SequenceGap), "the book rebuilt");
        var gap = world.Events.Gaps().First(g => g.Cause == GapCause.SequenceGap);
        Assert.StartsWith("orderbook.50.", gap.Stream, StringComparison.Ordinal);
        Assert.Contains(world.Events.Statuses(), s => s.Stream == gap.Stream && s.State == ConnectionState.Resyncing && s.Reason.StartsWith("sequence gap: u=", StringComparison.Ordinal));
        Assert.Contains(world.Events.Statuses(), s => s.Stream == gap.Stream && s.Reason == "book resynced");
        Assert.Equal(0, BybitAssert.Stream(world.Connector, "bybit-linear").Reconnects);

        await BybitAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task A_silent_topic_is_reported_stale_and_its_connection_recycled()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitSpot, configure: e => e.Faults.SilentTopics["orderbook.1.ETHUSDT"] = true);
        await Flowing(world);

        await world.Until(() => world.Events.Statuses().Any(s => s.Stream == "orderbook.1.ETHUSDT" && s.State == ConnectionState.Stale), "the silence reported");
        await world.Until(() => BybitAssert.Stream(world.Connector, "bybit-spot").Reconnects >= 1, "the connection recycled");
        Assert.Contains(world.Events.Statuses(), s => s.Stream == "bybit-spot" && s.Reason.Contains("orderbook.1.ETHUSDT stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rejected_topic_is_reported_with_the_venue_reason_and_the_others_subscribe()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear, configure: e => e.Faults.RejectedTopics["allLiquidation.ETHUSDT"] = true);
        await Flowing(world);

        var rejected = BybitAssert.Stream(world.Connector, "allLiquidation.ETHUSDT");
        await world.Until(() => rejected.State == ConnectionState.Disconnected, "the rejection");
        await world.Until(() => world.Connector.Streams.Where(s => s.Name.Contains('.', StringComparison.Ordinal) && s.Name != "allLiquidation.ETHUSDT")
            .All(s => s.State == ConnectionState.Subscribed), "the other topics subscribed");
        var status = world.Events.Statuses().Single(s => s.Stream == "allLiquidation.ETHUSDT" && s.State == ConnectionState.Disconnected);
        Assert.Equal("subscription rejected: error:handler not found,topic:allLiquidation.ETHUSDT", status.Reason);
    }

    [Fact]
    public async Task An_unknown_symbol_is_one_startup_error_naming_it()
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear, assets: ["BTC", "DOGE", "PEPE"]);

        var error = await Assert.ThrowsAsync<VenueConfigurationException>(() => world.Run.WaitAsync(BybitWorld.Patience));

        Assert.Contains("DOGEUSDT, PEPEUSDT", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BTCUSDT", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)] // the IP limit public endpoints hit: HTTP 403 "access too frequent"
    [InlineData(true)]  // the API limit: HTTP 200 with retCode 10006
    public async Task Rate_limited_REST_at_start_is_retried_and_the_connector_starts(bool apiLimitReplies)
    {
        await using var world = await BybitWorld.StartAsync(VenueId.BybitLinear, configure: e =>
        {
            e.ApiRateLimitReplies = apiLimitReplies;
            e.Faults.FailNextRest(429, 2);
        });

        await Flowing(world);
        Assert.True(world.Connector.RestRateLimited >= 2, $"rate-limited answers seen: {world.Connector.RestRateLimited}");
    }
}
