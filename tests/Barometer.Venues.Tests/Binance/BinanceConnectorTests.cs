using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Binance;
using Barometer.Core.Books;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Binance;

/// <summary>Shared checks of the end-to-end tests.</summary>
internal static class BinanceAssert
{
    /// <summary>
    /// Stops the market, then waits until the connector's published book of each instrument has
    /// caught up with the emulator's REST snapshot and compares the top levels exactly.
    /// </summary>
    public static async Task BooksMatchTheVenueAsync(BinanceWorld world)
    {
        await world.StopSimulationAsync();
        string path = world.Venue == VenueId.BinanceFutures ? "/fapi/v1/depth" : "/api/v3/depth";
        foreach (var instrument in world.Connector.Instruments)
        {
            var body = await world.RestAsync(path + "?symbol=" + instrument.VenueSymbol + "&limit=1000");
            Assert.True(BinanceRest.TryParseDepthSnapshot(System.Text.Encoding.UTF8.GetBytes(body), instrument, 0, out var venue));
            LocalOrderBook? mine = null;
            await world.Until(() =>
            {
                mine = world.Events.Rebuild(instrument);
                return mine.LastUpdateId == venue.LastUpdateId;
            }, instrument.VenueSymbol + " book to reach lastUpdateId " + venue.LastUpdateId);

            Assert.True(mine!.IsSynced);
            int depth = Math.Min(100, venue.Bids.Length);
            Assert.True(depth > 5, "the emulator's book is deep enough to compare");
            for (int i = 0; i < depth; i++)
            {
                Assert.Equal(venue.Bids[i].Price, mine.Bids.Level(i).Price);
                Assert.Equal(venue.Bids[i].Quantity, mine.Bids.Level(i).Quantity);
                Assert.Equal(venue.Asks[i].Price, mine.Asks.Level(i).Price);
                Assert.Equal(venue.Asks[i].Quantity, mine.Asks.Level(i).Quantity);
            }
        }
    }

    public static StreamCounters Stream(BinanceConnector connector, string name) =>
        connector.Streams.First(s => s.Name == name);
}

public sealed class BinanceFuturesConnectorTests
{
    [Fact]
    public async Task Futures_connector_delivers_every_channel_from_the_2026_paths_and_keeps_books_equal_to_the_venue()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures);
        var events = world.Events;
        await world.Until(() => world.Connector.Instruments.Count == 4, "exchangeInfo: BTC and ETH, USDT- and USDC-margined");
        var btc = world.Connector.Instruments.Single(i => i.VenueSymbol == "BTCUSDT");
        Assert.Equal(0.1, btc.TickSize); // from exchangeInfo PRICE_FILTER

        // A liquidation on the venue reaches us through forceOrder, marked as sampled.
        await world.Until(() => events.Count(EventKind.Trade, "ETHUSDT") > 0, "first ETH trade");
        var eth = world.Simulator.InstrumentsOf(VenueId.BinanceFutures).Single(i => i.VenueSymbol == "ETHUSDT");
        long now = world.Simulator.Now;
        world.Host.Publish(MarketEvent.From(new Liquidation(eth, now, now, 3000, 1.5, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));

        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT", "BTCUSDC", "ETHUSDC" })
        {
            await world.Until(() => events.Count(EventKind.Trade, symbol) > 5, symbol + " trades");
            await world.Until(() => events.Count(EventKind.BookTop, symbol) > 5, symbol + " book tops");
            await world.Until(() => events.Count(EventKind.BookUpdate, symbol) > 5, symbol + " book updates");
            await world.Until(() => events.All.Any(e => e.Kind == EventKind.Funding && e.Instrument!.VenueSymbol == symbol && e.AsFunding().NextFundingTime > 0),
                symbol + " live funding from markPrice@1s");
            await world.Until(() => events.Count(EventKind.OpenInterest, symbol) >= 2, symbol + " open interest polls");
        }

        await world.Until(() => events.Count(EventKind.Liquidation) > 0, "a liquidation");
        Assert.All(events.All.Where(e => e.Kind == EventKind.Liquidation), e => Assert.Equal(FeedCompleteness.Sampled, e.AsLiquidation().Completeness));

        var all = events.All;
        var trade = all.First(e => e.Kind == EventKind.Trade).AsTrade();
        Assert.True(trade.Price > 0 && trade.Quantity > 0 && trade.AggressorSide != Side.Unknown);
        var top = all.First(e => e.Kind == EventKind.BookTop).AsBookTop();
        Assert.True(top.BidPrice < top.AskPrice);

        // Live funding carries mark, index and next funding time; the backfill is settled history.
        var live = all.First(e => e.Kind == EventKind.Funding && e.AsFunding().NextFundingTime > 0).AsFunding();
        Assert.True(live.MarkPrice > 0 && live.IndexPrice > 0);
        Assert.True(live.NextFundingTime > live.ExchangeTime);
        var oi = all.Last(e => e.Kind == EventKind.OpenInterest).AsOpenInterest(); // the first poll may precede the first simulated OI
        Assert.True(oi.Quantity > 0);

        // REST gives open interest in base units; its USD value is quantity × the latest live mark.
        await world.Until(() => events.All.Any(e => e.Kind == EventKind.OpenInterest && !double.IsNaN(e.AsOpenInterest().NotionalUsd)), "an open interest valued at the mark");
        all = events.All;
        int at = all.FindIndex(e => e.Kind == EventKind.OpenInterest && !double.IsNaN(e.AsOpenInterest().NotionalUsd));
        var valued = all[at].AsOpenInterest();
        var marks = all.Where(e => e.Kind == EventKind.Funding && e.Instrument == valued.Instrument && e.AsFunding().NextFundingTime > 0)
            .Select(e => e.AsFunding().MarkPrice).ToList();
        Assert.Contains(marks, m => Math.Abs((valued.Quantity * m) - valued.NotionalUsd) < 1e-6);

        // Every stream subscribed and healthy; forceOrder says in health that it is sampled.
        var force = BinanceAssert.Stream(world.Connector, "btcusdt@forceOrder");
        Assert.Equal(BinanceConnector.ForceOrderNote, force.Note);
        Assert.All(world.Connector.Streams.Where(s => s.Name.Contains('@', StringComparison.Ordinal)),
            s => Assert.Equal(ConnectionState.Subscribed, s.State));
        Assert.Equal(0, world.Emulator.SilentSubscriptionCount);
        Assert.Empty(events.Gaps());
        Assert.All(world.Connector.Streams, s => Assert.Equal(0, s.ParseErrors));

        await BinanceAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task Funding_history_is_backfilled_on_start_as_settled_rates()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures, startConnector: false, simulate: false);
        var btc = world.Simulator.InstrumentsOf(VenueId.BinanceFutures).Single(i => i.VenueSymbol == "BTCUSDT");
        const long Hour = 3_600_000_000;
        long t1 = 1_796_112_000_000_000; // 2026-12-01 08:00 UTC
        double[] rates = [0.0001, 0.0002, -0.00005, 0.0003];
        for (int i = 0; i < rates.Length; i++)
        {
            // Each new next-funding time settles the previous one at the rate then current.
            long next = t1 + (i * 8 * Hour);
            world.Emulator.Publish(MarketEvent.From(new Funding(btc, next - Hour, next - Hour, rates[i], 8, next, 100_000, 100_010)));
        }

        world.StartConnector();
        await world.Until(() => world.Connector.Connections.Count > 0, "start-up after the backfill");

        var settled = world.Events.All.Where(e => e.Kind == EventKind.Funding).Select(e => e.AsFunding()).ToList();
        Assert.Equal([t1, t1 + (8 * Hour), t1 + (16 * Hour)], settled.Select(f => f.ExchangeTime));
        Assert.Equal([0.0001, 0.0002, -0.00005], settled.Select(f => f.Rate));
        Assert.All(settled, f =>
        {
            Assert.Equal("BTCUSDT", f.Instrument.VenueSymbol);
            Assert.Equal(8, f.IntervalHours);
            Assert.Equal(0, f.NextFundingTime); // settled, not a live prediction
            Assert.Equal(100_000, f.MarkPrice);
        });
    }
}

public sealed class BinanceSpotConnectorTests
{
    [Fact]
    public async Task Spot_connector_delivers_trades_tops_and_books_equal_to_the_venue()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceSpot);
        var events = world.Events;
        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            await world.Until(() => events.Count(EventKind.Trade, symbol) > 5, symbol + " trades");
            await world.Until(() => events.Count(EventKind.BookTop, symbol) > 5, symbol + " book tops");
            await world.Until(() => events.Count(EventKind.BookUpdate, symbol) > 5, symbol + " book updates");
        }

        Assert.Equal(0, events.Count(EventKind.Funding));
        Assert.Equal(0, events.Count(EventKind.OpenInterest));
        Assert.All(world.Connector.Streams.Where(s => s.Name.Contains('@', StringComparison.Ordinal)),
            s => Assert.Equal(ConnectionState.Subscribed, s.State));
        Assert.Equal(3 * 2, world.Connector.Streams.Count(s => s.Name.Contains('@', StringComparison.Ordinal)));
        Assert.Empty(events.Gaps());

        await BinanceAssert.BooksMatchTheVenueAsync(world);
    }
}
