using System.Net;
using System.Text.Json;
using Barometer.Analytics;
using Barometer.Core.Bus;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Server.Api;
using Barometer.Storage.Sqlite;
using Barometer.Venues.Common;

namespace Barometer.Server.Tests.Api;

public sealed class MarketEndpointsTests
{
    private const long Second = 1_000_000;

    // 2026-12-01T00:00:00Z.
    private const long T0 = 1_796_083_200_000_000;

    private static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch.AddTicks(T0 * 10);

    /// <summary>Trades, funding and open interest on two BTC perpetuals and one ETH perpetual, through the real engine.</summary>
    private static FakeMarketState StateWithSnapshot()
    {
        var state = new FakeMarketState();
        var binanceBtc = state.Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
        var okxBtc = state.Registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1);
        var binanceEth = state.Registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "USDT", "ETHUSDT", 1, 0.01);
        var engine = new AnalyticsEngine();
        long t = T0;
        foreach (var i in new[] { binanceBtc, okxBtc, binanceEth })
        {
            t += Second;
            engine.Publish(MarketEvent.From(new Trade(i, t, t, 100, 1, Side.Buy, TradeId.FromNumber(t))));
            engine.Publish(MarketEvent.From(new Funding(i, t, t, 0.0001, 8, t + (8 * 3600 * Second), 100, 100)));
            engine.Publish(MarketEvent.From(new OpenInterest(i, t, t, 10, 1_000)));
            engine.Publish(MarketEvent.From(new Liquidation(i, t, t, 100, 1, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));
        }

        state.LatestSnapshot = engine.Snapshot();
        return state;
    }

    private static List<string?> Strings(JsonElement array, string property) =>
        array.EnumerateArray().Select(e => e.GetProperty(property).GetString()).ToList();

    [Fact]
    public async Task The_whole_snapshot_is_served_without_an_instrument()
    {
        var state = StateWithSnapshot();
        await using var api = await TestApi.StartAsync(state, new ApiServerOptions { DataSource = "simulated" });
        var (status, body, response) = await api.GetJsonAsync("/api/market/snapshot");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("simulated", body.GetProperty("data_source").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("instrument").ValueKind);
        var snapshot = body.GetProperty("snapshot");
        Assert.Equal(T0 + (3 * Second), snapshot.GetProperty("time").GetInt64());
        Assert.Equal(12, snapshot.GetProperty("events").GetInt64());   // 3 instruments × (trade, funding, open interest, liquidation)
        Assert.Equal(["binance-futures:BTCUSDT", "binance-futures:ETHUSDT", "okx-swap:BTC-USDT-SWAP"],
            Strings(snapshot.GetProperty("flow").GetProperty("instruments"), "instrument"));
    }

    [Fact]
    public async Task An_asset_gets_every_row_of_that_asset_and_nothing_else()
    {
        await using var api = await TestApi.StartAsync(StateWithSnapshot());
        var (status, body, _) = await api.GetJsonAsync("/api/market/snapshot?instrument=btc");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("BTC", body.GetProperty("asset").GetString());
        var s = body.GetProperty("snapshot");
        Assert.Equal(["binance-futures:BTCUSDT", "okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("flow").GetProperty("instruments"), "instrument"));
        Assert.Equal(["BTC"], Strings(s.GetProperty("flow").GetProperty("assets"), "asset"));
        Assert.Equal(["binance-futures:BTCUSDT", "okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("derivatives").GetProperty("funding"), "instrument"));
        Assert.Equal(["binance-futures:BTCUSDT", "okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("derivatives").GetProperty("open_interest"), "instrument"));
        Assert.Equal(["BTC"], Strings(s.GetProperty("derivatives").GetProperty("open_interest_totals"), "asset"));
        Assert.All(s.GetProperty("books").GetProperty("markets").EnumerateArray(), m => Assert.Equal("BTC", m.GetProperty("asset").GetString()));
        Assert.Equal(["binance-futures:BTCUSDT", "okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("tape").GetProperty("instruments"), "instrument"));
        Assert.Equal(["binance-futures:BTCUSDT", "okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("liquidations").GetProperty("instruments"), "instrument"));
        Assert.Equal(["BTC"], Strings(s.GetProperty("liquidations").GetProperty("assets"), "asset"));
        Assert.Equal(["BTC"], Strings(s.GetProperty("guards").GetProperty("assets"), "asset"));
        Assert.All(s.GetProperty("regime").GetProperty("assets").EnumerateArray(), r => Assert.Equal("BTC", r.GetProperty("asset").GetString()));
        Assert.All(s.GetProperty("correlation").GetProperty("pairs").EnumerateArray(),
            p => Assert.Contains("BTC", new[] { p.GetProperty("first").GetString(), p.GetProperty("second").GetString() }));
    }

    [Fact]
    public async Task The_unsliced_snapshot_has_every_assets_rows_in_every_section()
    {
        // The control for the slice tests: without a filter, ETH rows are there.
        await using var api = await TestApi.StartAsync(StateWithSnapshot());
        var s = (await api.GetJsonAsync("/api/market/snapshot")).Body.GetProperty("snapshot");
        Assert.Equal(["BTC", "ETH"], Strings(s.GetProperty("liquidations").GetProperty("assets"), "asset"));
        Assert.Equal(["BTC", "ETH"], Strings(s.GetProperty("guards").GetProperty("assets"), "asset"));
        Assert.Equal(3, s.GetProperty("tape").GetProperty("instruments").GetArrayLength());
    }

    [Fact]
    public async Task An_instrument_key_gets_its_own_rows_and_its_assets_aggregates()
    {
        await using var api = await TestApi.StartAsync(StateWithSnapshot());
        var (status, body, _) = await api.GetJsonAsync("/api/market/snapshot?instrument=okx-swap:BTC-USDT-SWAP");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("okx-swap:BTC-USDT-SWAP", body.GetProperty("instrument").GetString());
        Assert.Equal("BTC", body.GetProperty("asset").GetString());
        var s = body.GetProperty("snapshot");
        Assert.Equal(["okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("flow").GetProperty("instruments"), "instrument"));
        Assert.Equal(["okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("derivatives").GetProperty("funding"), "instrument"));
        Assert.Equal(["BTC"], Strings(s.GetProperty("flow").GetProperty("assets"), "asset"));
        Assert.Equal(["BTC"], Strings(s.GetProperty("derivatives").GetProperty("open_interest_totals"), "asset"));
        Assert.Equal(["okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("liquidations").GetProperty("instruments"), "instrument"));
        Assert.Equal(["okx-swap:BTC-USDT-SWAP"], Strings(s.GetProperty("tape").GetProperty("instruments"), "instrument"));
        Assert.Equal(["BTC"], Strings(s.GetProperty("guards").GetProperty("assets"), "asset"));
    }

    [Fact]
    public async Task A_followed_asset_without_data_gets_empty_slices_not_a_404()
    {
        await using var api = await TestApi.StartAsync(StateWithSnapshot());
        var (status, body, _) = await api.GetJsonAsync("/api/market/snapshot?instrument=SOL");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("snapshot").GetProperty("flow").GetProperty("instruments").GetArrayLength());
    }

    [Theory]
    [InlineData("DOGE")]
    [InlineData("binance-futures:DOGEUSDT")]
    [InlineData("kraken:BTCUSD")]
    public async Task An_unknown_instrument_is_a_404_problem_naming_it(string instrument)
    {
        await using var api = await TestApi.StartAsync(StateWithSnapshot());
        var problem = await api.AssertProblemAsync("/api/market/snapshot?instrument=" + Uri.EscapeDataString(instrument), HttpStatusCode.NotFound, "instrument");
        Assert.Contains(instrument, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Before_the_first_snapshot_the_snapshot_endpoint_is_unavailable()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        await api.AssertProblemAsync("/api/market/snapshot", HttpStatusCode.ServiceUnavailable, null);
    }

    [Fact]
    public async Task Guards_are_evaluated_at_most_once_per_five_seconds_of_the_clock()
    {
        var clock = new ManualClock(Start);
        int value = 0;
        var state = new FakeMarketState { GuardValues = () => new { status = "ok", n = ++value } };
        await using var api = await TestApi.StartAsync(state, new ApiServerOptions { Clock = clock });

        var (_, first, _) = await api.GetJsonAsync("/api/engine/guards");
        Assert.Equal(1, state.GuardEvaluations);
        Assert.Equal(1, first.GetProperty("guards").GetProperty("n").GetInt32());
        Assert.Equal(T0, first.GetProperty("evaluated_at").GetInt64());
        Assert.Equal(0, first.GetProperty("age_ms").GetDouble());
        Assert.Equal(5000, first.GetProperty("max_age_ms").GetDouble());

        clock.Advance(TimeSpan.FromMilliseconds(4_999));
        var (_, cached, _) = await api.GetJsonAsync("/api/engine/guards");
        Assert.Equal(1, state.GuardEvaluations);
        Assert.Equal(1, cached.GetProperty("guards").GetProperty("n").GetInt32());
        Assert.Equal(4_999, cached.GetProperty("age_ms").GetDouble());

        clock.Advance(TimeSpan.FromMilliseconds(1));   // exactly 5 s old: too old to serve
        var (_, fresh, _) = await api.GetJsonAsync("/api/engine/guards");
        Assert.Equal(2, state.GuardEvaluations);
        Assert.Equal(2, fresh.GetProperty("guards").GetProperty("n").GetInt32());
        Assert.Equal(T0 + (5 * Second), fresh.GetProperty("evaluated_at").GetInt64());
        Assert.Equal(0, fresh.GetProperty("age_ms").GetDouble());
    }

    [Fact]
    public async Task A_clock_that_goes_back_makes_the_guards_be_evaluated_again()
    {
        var clock = new ManualClock(Start);
        var state = new FakeMarketState { GuardValues = () => new { status = "ok" } };
        await using var api = await TestApi.StartAsync(state, new ApiServerOptions { Clock = clock });
        await api.GetJsonAsync("/api/engine/guards");
        clock.Advance(TimeSpan.FromSeconds(-1));
        await api.GetJsonAsync("/api/engine/guards");
        Assert.Equal(2, state.GuardEvaluations);
    }

    [Fact]
    public async Task Guards_that_are_not_available_are_null_with_a_reason()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        var (status, body, _) = await api.GetJsonAsync("/api/engine/guards");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("guards").ValueKind);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("unavailable_reason").GetString()));
    }

    [Fact]
    public async Task Guard_values_use_the_snapshot_json_conventions()
    {
        var state = new FakeMarketState { GuardValues = () => new GuardSample(ConnectionState.Stale, double.NaN) };
        await using var api = await TestApi.StartAsync(state);
        var (_, body, _) = await api.GetJsonAsync("/api/engine/guards");
        var guards = body.GetProperty("guards");
        Assert.Equal("stale", guards.GetProperty("feed_state").GetString());                        // snake_case enum
        Assert.Equal(JsonValueKind.Null, guards.GetProperty("spread_bps").ValueKind);                // NaN → null
    }

    private sealed record GuardSample(ConnectionState FeedState, double SpreadBps);

    private static HealthReport Health(long now)
    {
        var connection = new StreamCounters("connection") { State = ConnectionState.Subscribed };
        connection.OnFrame(100, now - (2 * Second));
        connection.OnFrame(50, now - Second);
        connection.OnReconnect();
        var trades = new StreamCounters("trades:BTC-USDT-SWAP") { State = ConnectionState.Subscribed };
        trades.OnFrame(40, now - (Second / 2));
        trades.OnSequenceGap();
        var books = new StreamCounters("books:BTC-USDT-SWAP") { State = ConnectionState.Resyncing };
        books.OnBookResync();
        var venue = VenueHealth.From(VenueId.OkxSwap, [connection, trades, books], now);
        var consumer = new ConsumerHealth("ws-client-3", BusConsumerMode.Lossy, 100, 95, 0, 1_000, 12, 0, 2, now - Second);
        return new HealthReport(now, [venue], [consumer], [new ClientHealth("ws-client-3", 40, 960, 12, true)],
            new StorageHealth(5, 1_000, 0, 1, string.Empty, true));
    }

    [Fact]
    public async Task Health_reports_streams_ages_gaps_resyncs_reconnects_and_lag_drops()
    {
        var state = new FakeMarketState { HealthReport = Health(T0) };
        await using var api = await TestApi.StartAsync(state, new ApiServerOptions { DataSource = "replayed" });
        var (status, body, _) = await api.GetJsonAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("replayed", body.GetProperty("data_source").GetString());
        // books:… is resyncing and ws-client-3 is lagging (95 of 100 ≥ 90 %).
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        var venue = body.GetProperty("venues")[0];
        Assert.Equal("okx-swap", venue.GetProperty("venue").GetString());
        Assert.Equal("subscribed", venue.GetProperty("state").GetString());   // the "connection" stream's state
        var streams = venue.GetProperty("streams");
        Assert.Equal(1.0, streams[0].GetProperty("last_message_age_seconds").GetDouble());  // last frame 1 s before now
        Assert.Equal(2, streams[0].GetProperty("frames").GetInt64());
        Assert.Equal(150, streams[0].GetProperty("bytes").GetInt64());
        Assert.Equal(1, streams[0].GetProperty("reconnects").GetInt64());
        Assert.Equal(0.5, streams[1].GetProperty("last_message_age_seconds").GetDouble());
        Assert.Equal(1, streams[1].GetProperty("sequence_gaps").GetInt64());
        Assert.Equal("resyncing", streams[2].GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, streams[2].GetProperty("last_message_age_seconds").ValueKind);   // never received
        Assert.Equal(1, streams[2].GetProperty("book_resyncs").GetInt64());
        var consumer = body.GetProperty("consumers")[0];
        Assert.Equal((12, true), (consumer.GetProperty("dropped").GetInt64(), consumer.GetProperty("is_lagging").GetBoolean()));
        Assert.Equal(12, body.GetProperty("clients")[0].GetProperty("dropped").GetInt64());
        Assert.Equal(5, body.GetProperty("storage").GetProperty("pending").GetInt64());
    }

    [Fact]
    public void A_venue_takes_the_connection_streams_state_else_the_worst_streams()
    {
        var connection = new StreamCounters("connection") { State = ConnectionState.Disconnected };
        var stream = new StreamCounters("x") { State = ConnectionState.Subscribed };
        Assert.Equal(ConnectionState.Disconnected, VenueHealth.From(VenueId.BybitLinear, [stream, connection], T0).State);

        var stale = new StreamCounters("a") { State = ConnectionState.Stale };
        var resyncing = new StreamCounters("b") { State = ConnectionState.Resyncing };
        Assert.Equal(ConnectionState.Stale, VenueHealth.From(VenueId.BybitLinear, [resyncing, stale, stream], T0).State);
        Assert.Equal(ConnectionState.Connecting, VenueHealth.From(VenueId.BybitLinear, [], T0).State);
    }

    [Fact]
    public void Health_is_ok_only_when_everything_is_subscribed_and_nothing_lags()
    {
        var ok = new StreamCounters("connection") { State = ConnectionState.Subscribed };
        var venue = VenueHealth.From(VenueId.BinanceSpot, [ok], T0);
        var calm = new ConsumerHealth("analytics", BusConsumerMode.Lossless, 100, 89, 0, 0, 0, 0, 0, 0);
        Assert.Equal("ok", new HealthReport(T0, [venue], [calm], [], new StorageHealth(0, 0, 0, 0, "", true)).Status);
        Assert.Equal("degraded", new HealthReport(T0, [venue], [calm], [], new StorageHealth(0, 0, 0, 1, "disk full", false)).Status);
        Assert.Equal("degraded", new HealthReport(T0, [venue], [calm with { Depth = 90 }], [], null).Status);
        Assert.Equal("degraded", new HealthReport(T0, [venue], [], [new ClientHealth("c", 0, 0, 1, true)], null).Status);
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_help_type_and_labelled_samples()
    {
        var state = StateWithSnapshot();
        state.HealthReport = Health(T0);
        await using var api = await TestApi.StartAsync(state);
        await api.GetJsonAsync("/api/health");
        await api.Client.GetAsync(new Uri("/nope", UriKind.Relative));
        var response = await api.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var lines = text.Split('\n');
        Assert.Contains("# TYPE barometer_stream_frames_total counter", lines);
        Assert.Contains("barometer_stream_frames_total{venue=\"okx-swap\",stream=\"connection\"} 2", lines);
        Assert.Contains("barometer_stream_last_message_age_seconds{venue=\"okx-swap\",stream=\"trades:BTC-USDT-SWAP\"} 0.5", lines);
        Assert.Contains("barometer_stream_state{venue=\"okx-swap\",stream=\"books:BTC-USDT-SWAP\",state=\"resyncing\"} 1", lines);
        Assert.Contains("barometer_stream_state{venue=\"okx-swap\",stream=\"books:BTC-USDT-SWAP\",state=\"subscribed\"} 0", lines);
        Assert.Contains("barometer_bus_consumer_dropped_total{consumer=\"ws-client-3\",mode=\"lossy\"} 12", lines);
        Assert.Contains("barometer_ws_client_dropped_total{client=\"ws-client-3\"} 12", lines);
        Assert.Contains("barometer_storage_written_rows_total 1000", lines);
        Assert.Contains("barometer_snapshot_events_total 12", lines);
        Assert.Contains("barometer_healthy 0", lines);
        Assert.Contains("barometer_http_requests_total{code=\"200\"} 1", lines);   // /api/health (this request is counted after it is written)
        Assert.Contains("barometer_http_requests_total{code=\"404\"} 1", lines);
        // The age of a never-received stream is absent, not a made-up number.
        Assert.DoesNotContain(lines, l => l.StartsWith("barometer_stream_last_message_age_seconds{venue=\"okx-swap\",stream=\"books:", StringComparison.Ordinal));
        PrometheusFormat.AssertWellFormed(text);
    }

    [Fact]
    public void Prometheus_label_values_are_escaped_and_numbers_are_invariant()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", PrometheusText.Escape("a\\b\"c\nd"));
        Assert.Equal(("NaN", "+Inf", "-Inf", "0.25", "1796083200"),
            (PrometheusText.Number(double.NaN), PrometheusText.Number(double.PositiveInfinity), PrometheusText.Number(double.NegativeInfinity),
             PrometheusText.Number(0.25), PrometheusText.Number(1_796_083_200)));

        var venue = VenueHealth.From(VenueId.OkxSpot, [new StreamCounters("we\"ird\\name")], T0);
        string text = PrometheusText.Write(new HealthReport(T0, [venue], [], [], null), null, "live", [], "0.1.0");
        Assert.Contains("barometer_stream_frames_total{venue=\"okx-spot\",stream=\"we\\\"ird\\\\name\"} 0", text.Split('\n'));
        PrometheusFormat.AssertWellFormed(text);
    }
}

/// <summary>Checks the exposition format line by line: every sample belongs to a family announced by HELP and TYPE just before.</summary>
internal static class PrometheusFormat
{
    private static readonly System.Text.RegularExpressions.Regex Sample = new(
        """^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (NaN|[+-]Inf|-?[0-9.]+(E[+-]?[0-9]+)?)$""");

    public static void AssertWellFormed(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        string? family = null;
        bool typed = false;
        foreach (string line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                family = line.Split(' ')[2];
                typed = false;
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(family, parts[2]);
                Assert.Contains(parts[3], new[] { "counter", "gauge" });
                typed = true;
                continue;
            }

            var match = Sample.Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            Assert.True(typed, $"sample before its TYPE line: {line}");
            Assert.Equal(family, match.Groups[1].Value);
        }
    }
}
