using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Binance;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Binance;

/// <summary>Faults injected into the Binance emulator while the futures connector runs.</summary>
public sealed class BinanceConnectorFaultTests
{
    private const string MarketConnection = "binance-futures/market";
    private const string PublicConnection = "binance-futures/public";

    private static Task Flowing(BinanceWorld world, string symbol = "BTCUSDT") =>
        world.Until(() => world.Events.Count(EventKind.Trade, symbol) > 0 && world.Events.Books(symbol).Any(b => b.IsSnapshot), symbol + " trades and a synced book");

    [Fact]
    public async Task Dropped_connections_reconnect_report_a_disconnect_gap_and_rebuild_the_books_from_a_new_snapshot()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures);
        await Flowing(world);
        int snapshotsBefore = world.Events.Books("BTCUSDT").Count(b => b.IsSnapshot);

        world.Emulator.Faults.DropConnections();

        await world.Until(() => BinanceAssert.Stream(world.Connector, MarketConnection).Reconnects >= 1
            && BinanceAssert.Stream(world.Connector, PublicConnection).Reconnects >= 1, "both connections to reconnect");
        await world.Until(() => world.Events.Books("BTCUSDT").Count(b => b.IsSnapshot) > snapshotsBefore, "a new BTCUSDT snapshot after the reconnect");
        int tradesAfter = world.Events.Count(EventKind.Trade, "BTCUSDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > tradesAfter, "trades again");
        var gaps = world.Events.Gaps().Where(g => g.Cause == GapCause.Disconnect).ToList();
        Assert.Contains(gaps, g => g.Stream == MarketConnection && g.End >= g.Start);
        Assert.Contains(gaps, g => g.Stream == PublicConnection);

        await BinanceAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task A_stalled_venue_is_cut_by_the_idle_timeout_and_the_connector_resumes_when_it_answers()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures);
        await Flowing(world);

        world.Emulator.Faults.Stalled = true;
        await world.Until(() => world.Events.Statuses().Any(s => s.Stream == MarketConnection && s.State is ConnectionState.Disconnected or ConnectionState.Stale),
            "the stall to be noticed");
        world.Emulator.Faults.Stalled = false;

        await world.Until(() => BinanceAssert.Stream(world.Connector, MarketConnection).Reconnects >= 1, "a reconnect");
        int trades = world.Events.Count(EventKind.Trade, "BTCUSDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > trades, "trades after the stall");
    }

    [Fact]
    public async Task Malformed_and_unknown_frames_are_counted_and_the_data_keeps_flowing()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures);
        await Flowing(world);
        var aggTrade = BinanceAssert.Stream(world.Connector, "btcusdt@aggTrade");

        world.Emulator.Faults.InjectFrame("""{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"NaN","q":"-1","T":1,"m":true}}""");
        world.Emulator.Faults.InjectFrame("""{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","p":""");
        world.Emulator.Faults.InjectFrame("""{"stream":"btcusdt@somethingNew","data":{"e":"somethingNew"}}""");

        await world.Until(() => aggTrade.ParseErrors >= 2, "two parse errors on btcusdt@aggTrade");
        await world.Until(() => world.Connector.Streams.Sum(s => s.UnknownMessages) >= 1, "the unknown stream counted");
        Assert.DoesNotContain(world.Events.All, e => e.Kind == EventKind.Trade && !(e.AsTrade().Price > 0 && e.AsTrade().Quantity > 0));
        int trades = world.Events.Count(EventKind.Trade, "BTCUSDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > trades, "trades after the bad frames");
        Assert.Equal(0, BinanceAssert.Stream(world.Connector, MarketConnection).Reconnects);
    }

    [Fact]
    public async Task A_sequence_gap_resyncs_the_book_with_a_gap_event_and_the_rebuilt_book_equals_the_venue()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures);
        await Flowing(world);
        await Flowing(world, "ETHUSDT");

        world.Emulator.Faults.GapNextSequence();

        await world.Until(() => world.Connector.Streams.Sum(s => s.SequenceGaps) >= 1, "the gap to be detected");
        await world.Until(() => world.Events.Gaps().Any(g => g.Cause == GapCause.SequenceGap), "the resync to complete");
        var gap = world.Events.Gaps().First(g => g.Cause == GapCause.SequenceGap);
        Assert.EndsWith("@depth@100ms", gap.Stream, StringComparison.Ordinal);
        Assert.True(gap.End >= gap.Start);
        Assert.Contains(world.Events.Statuses(), s => s.Stream == gap.Stream && s.State == ConnectionState.Resyncing && s.Reason.Contains("sequence gap", StringComparison.Ordinal));
        Assert.Contains(world.Events.Statuses(), s => s.Stream == gap.Stream && s.Reason == "book resynced");
        Assert.Equal(0, BinanceAssert.Stream(world.Connector, PublicConnection).Reconnects); // a book resync, not a reconnect

        await BinanceAssert.BooksMatchTheVenueAsync(world);
    }

    [Fact]
    public async Task A_stream_acknowledged_but_never_delivered_is_reported_stale_and_its_connection_recycled()
    {
        // What the retired legacy futures paths do with market streams since 2026: ack, then silence.
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures,
            configure: e => e.Faults.SilentTopics["btcusdt@markPrice@1s"] = true);
        await Flowing(world);

        await world.Until(() => world.Events.Statuses().Any(s => s.Stream == "btcusdt@markPrice@1s" && s.State == ConnectionState.Stale), "markPrice stale");
        await world.Until(() => BinanceAssert.Stream(world.Connector, MarketConnection).Reconnects >= 1, "the market connection recycled");
        Assert.Contains(world.Events.Statuses(), s => s.Stream == MarketConnection && s.Reason.Contains("btcusdt@markPrice@1s stale", StringComparison.Ordinal));

        world.Emulator.Faults.SilentTopics.Clear();
        await world.Until(() => BinanceAssert.Stream(world.Connector, "btcusdt@markPrice@1s").State == ConnectionState.Subscribed
            && world.Events.Count(EventKind.Funding, "BTCUSDT") > 0, "markPrice delivering after the recycle", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_rejected_stream_is_reported_with_the_venue_reason_and_the_others_still_subscribe()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures,
            configure: e => e.Faults.RejectedTopics["ethusdt@forceOrder"] = true);
        await Flowing(world);

        await world.Until(() => world.Connector.Streams.Where(s => s.Name.Contains('@', StringComparison.Ordinal) && s.Name != "ethusdt@forceOrder")
            .All(s => s.State == ConnectionState.Subscribed), "the other streams, asked one by one, subscribed");
        var rejected = BinanceAssert.Stream(world.Connector, "ethusdt@forceOrder");
        await world.Until(() => rejected.State == ConnectionState.Disconnected, "the rejection");
        var status = world.Events.Statuses().Single(s => s.Stream == "ethusdt@forceOrder" && s.State == ConnectionState.Disconnected);
        Assert.Equal("subscription rejected: code 2: Invalid request: invalid stream", status.Reason);
        Assert.Equal(0, BinanceAssert.Stream(world.Connector, MarketConnection).Reconnects);
    }

    [Fact]
    public async Task Connections_are_renewed_before_the_venue_cuts_them()
    {
        var options = BinanceWorld.Fast() with { MaxConnectionLifetime = TimeSpan.FromSeconds(3) };
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures, options);
        await Flowing(world);

        await world.Until(() => BinanceAssert.Stream(world.Connector, MarketConnection).Reconnects >= 1, "a proactive reconnect");
        int trades = world.Events.Count(EventKind.Trade, "BTCUSDT");
        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > trades, "trades on the new connection");
        Assert.Contains(world.Events.Statuses(), s => s.Stream == MarketConnection && s.Reason.Contains("lifetime", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Start-up: configuration errors, REST trouble and an unreachable venue.</summary>
public sealed class BinanceConnectorStartupTests
{
    [Fact]
    public async Task An_unknown_symbol_is_one_startup_error_naming_it()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceFutures, assets: ["BTC", "DOGE"]);

        var error = await Assert.ThrowsAsync<VenueConfigurationException>(() => world.Run.WaitAsync(BinanceWorld.Patience));

        Assert.Contains("DOGEUSDT", error.Message, StringComparison.Ordinal);
        Assert.Contains("DOGEUSDC", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BTCUSDT", error.Message, StringComparison.Ordinal);
        Assert.Empty(world.Connector.Connections);
    }

    [Fact]
    public async Task Rate_limited_and_failing_REST_at_start_is_retried_and_the_connector_starts()
    {
        await using var world = await BinanceWorld.StartAsync(VenueId.BinanceSpot, configure: e =>
        {
            e.Faults.FailNextRest(429, 2);
            e.Faults.FailNextRest(503, 1);
        });

        await world.Until(() => world.Events.Count(EventKind.Trade, "BTCUSDT") > 0 && world.Events.Books("BTCUSDT").Any(b => b.IsSnapshot), "data despite the failures");
        Assert.True(world.Connector.RestRateLimited >= 2, $"rate-limited answers seen: {world.Connector.RestRateLimited}");
        Assert.True(world.Connector.RestRequests >= 4);
    }

    [Fact]
    public async Task An_unreachable_venue_is_retried_without_end_and_the_connector_stops_cleanly()
    {
        // A port nobody listens on.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var events = new EndToEnd.EventLog();
        var context = new VenueConnectorContext
        {
            Registry = new InstrumentRegistry(),
            Sink = events,
            Assets = ["BTC"],
            Endpoint = new Core.Configuration.EndpointOptions { WebSocketUrl = $"ws://127.0.0.1:{port}", RestUrl = $"http://127.0.0.1:{port}" },
        };
        await using var connector = new BinanceConnector(VenueId.BinanceFutures, context, BinanceWorld.Fast());
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => connector.RunAsync(stop.Token));

        await BinanceWorld.WaitFor(() => events.Statuses().Count(s => s.Stream == "rest" && s.State == ConnectionState.Disconnected) >= 2, "repeated attempts");
        Assert.False(run.IsCompleted);
        Assert.StartsWith("GET /fapi/v1/exchangeInfo failed", events.Statuses().First(s => s.Stream == "rest").Reason, StringComparison.Ordinal);

        await stop.CancelAsync();
        await run.WaitAsync(BinanceWorld.Patience);
        Assert.True(run.IsCompletedSuccessfully);
    }
}
