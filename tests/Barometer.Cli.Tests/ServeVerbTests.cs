using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Barometer.Cli.Serve;
using Barometer.Cli.Verbs;
using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;
using Barometer.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Barometer.Cli.Tests;

/// <summary>`serve` end to end: real connectors against the in-process emulators, or a replay; real Kestrel on loopback.</summary>
public sealed class ServeVerbTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-serve-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private BarometerOptions Options(IReadOnlyList<VenueId>? venues = null) => new()
    {
        Instruments = ["BTC", "ETH"],
        Venues = venues ?? [VenueId.BinanceFutures, VenueId.BinanceSpot, VenueId.BybitLinear],
        DataDirectory = _directory,
        Server = new ServerOptions { HttpPort = 0, WebSocketPort = 0 },
    };

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>The JSON of a 200 answer, or null while the server says 503 (no snapshot yet).</summary>
    private static async Task<JsonElement?> TryGetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("timed out waiting for " + what);
    }

    [Fact]
    public async Task Serve_simulate_serves_simulated_numbers_over_http_and_websocket_and_stops_cleanly()
    {
        using var cancel = new CancellationTokenSource();
        var output = new StringWriter();
        var request = new ServeRequest(ServeMode.Simulate, null, 1, 7);
        int code = await ServeVerb.RunAsync(Options(), request, NullLoggerFactory.Instance, output, TextWriter.Null, cancel.Token, async host =>
        {
            using var http = new HttpClient { BaseAddress = host.HttpAddress };

            // Trades from the emulators reach the snapshot through the real connectors.
            var snapshot = await EventuallyAsync(async () =>
            {
                if (await TryGetJsonAsync(http, "/api/market/snapshot?instrument=BTC") is not { } s)
                {
                    return null;
                }

                var flow = s.GetProperty("snapshot").GetProperty("flow").GetProperty("instruments");
                return flow.GetArrayLength() >= 3 ? (object)s : null;
            }, "BTC flow on three venue markets");
            var root = (JsonElement)snapshot;
            Assert.Equal("simulated", root.GetProperty("data_source").GetString());

            var guards = await GetJsonAsync(http, "/api/engine/guards");
            Assert.Equal("simulated", guards.GetProperty("data_source").GetString());

            var health = await EventuallyAsync(async () =>
            {
                var h = await GetJsonAsync(http, "/api/health");
                var venues = h.GetProperty("venues");
                return venues.GetArrayLength() == 3 && venues.EnumerateArray().All(v => v.GetProperty("state").GetString() == "subscribed") ? (object)h : null;
            }, "every venue subscribed in /api/health");
            Assert.Equal(3, ((JsonElement)health).GetProperty("venues").GetArrayLength());

            // The broadcast WebSocket: hello says simulated, then trades flow.
            using var ws = new ClientWebSocket();
            await ws.ConnectAsync(host.WebSocketAddress!, CancellationToken.None);
            var buffer = new byte[1 << 20];
            var hello = await ReceiveAsync(ws, buffer);
            Assert.Equal("hello", hello.GetProperty("type").GetString());
            Assert.Equal("simulated", hello.GetProperty("data_source").GetString());
            await EventuallyAsync(async () =>
            {
                var m = await ReceiveAsync(ws, buffer);
                return m.GetProperty("type").GetString() == "event" && m.ToString().Contains("\"trade\"", StringComparison.Ordinal) ? (object)m : null;
            }, "a trade on the WebSocket");
        });

        Assert.Equal(ExitCodes.Ok, code);
        string banner = output.ToString();
        Assert.Contains("data_source simulated", banner, StringComparison.Ordinal);
        Assert.Contains("stopping (flushing storage)", banner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_sixty_times_speed_the_binance_spot_book_top_without_an_exchange_time_stays_fresh_for_the_basis()
    {
        // Binance spot's bookTicker carries no exchange time, so its event time is the receive time. Under
        // --simulate --speed 60 the receive times are on the simulated time line (SimulatedClock): two simulated
        // minutes in — past the 60 s stale limit — the same-venue spot-perp basis of BTCUSDT must still be there.
        var request = new ServeRequest(ServeMode.Simulate, null, 60, 7);
        int code = await ServeVerb.RunAsync(Options([VenueId.BinanceFutures, VenueId.BinanceSpot]), request, NullLoggerFactory.Instance,
            TextWriter.Null, TextWriter.Null, CancellationToken.None, async host =>
        {
            using var http = new HttpClient { BaseAddress = host.HttpAddress };
            long first = 0;
            var basis = await EventuallyAsync(async () =>
            {
                if (await TryGetJsonAsync(http, "/api/market/snapshot?instrument=BTC") is not { } s)
                {
                    return null;
                }

                var snapshot = s.GetProperty("snapshot");
                long time = snapshot.GetProperty("time").GetInt64();
                first = first == 0 ? time : first;
                if (time - first < 120_000_000)
                {
                    return null;
                }

                foreach (var row in snapshot.GetProperty("derivatives").GetProperty("basis").EnumerateArray())
                {
                    // A start-up backlog of a second of wall time is a minute of simulated time: wait for the feed to be current.
                    if (row.GetProperty("instrument").GetString() == "binance-futures:BTCUSDT" && row.GetProperty("reference").GetString() == "same_venue_spot"
                        && row.GetProperty("basis_bps").ValueKind == JsonValueKind.Number)
                    {
                        return (object)row;
                    }
                }

                return null;
            }, "a same-venue BTC basis two simulated minutes in");
            var r = (JsonElement)basis;
            Assert.True(r.GetProperty("basis_bps").ValueKind == JsonValueKind.Number, r.ToString()); // the 5 min trend may still be missing
            Assert.DoesNotContain("fresh", r.GetProperty("unavailable_reason").ToString(), StringComparison.Ordinal);
            Assert.Equal("binance-spot:BTCUSDT", r.GetProperty("spot_instruments")[0].GetString());
        });
        Assert.Equal(ExitCodes.Ok, code);
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket ws, byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(Patience);
        int length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(buffer.AsMemory(length), timeout.Token) switch { var r => new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage) };
            length += result.Count;
        }
        while (!result.EndOfMessage);
        using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
        return doc.RootElement.Clone();
    }

    /// <summary>Three minutes of BTC on Bybit: a trade a second, a $600K whale and four liquidations.</summary>
    private string WriteRecording()
    {
        var registry = new InstrumentRegistry();
        var perp = registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
        const long T0 = 1_796_083_200_000_000, Second = 1_000_000;
        var lines = new StringBuilder();
        for (int s = 0; s < 180; s++)
        {
            long t = T0 + (s * Second);
            double qty = s == 30 ? 6 : 0.1;
            lines.Append(NormalizedEventJson.ToLine(MarketEvent.From(new Trade(perp, t, t, 100_000 + s, qty, s % 2 == 0 ? Side.Buy : Side.Sell, TradeId.FromNumber(s))))).Append('\n');
            if (s % 40 == 10)
            {
                lines.Append(NormalizedEventJson.ToLine(MarketEvent.From(new Liquidation(perp, t, t, 100_000 + s, 0.5, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)))).Append('\n');
            }
        }

        string path = Path.Combine(_directory, "tape.ndjson");
        File.WriteAllText(path, lines.ToString());
        return path;
    }

    private async Task<(long Liquidations, long Trades, long Bars)> ReplayOnceAsync(string path, Func<HttpClient, Task>? afterReplay = null)
    {
        var request = new ServeRequest(ServeMode.Replay, path, 0, 1);
        int code = await ServeVerb.RunAsync(Options([VenueId.BybitLinear]), request, NullLoggerFactory.Instance, TextWriter.Null, TextWriter.Null, CancellationToken.None, async host =>
        {
            await host.Sources.ReplayFinished.WaitAsync(Patience);
            if (afterReplay is not null)
            {
                using var http = new HttpClient { BaseAddress = host.HttpAddress };
                await afterReplay(http);
            }
        });
        Assert.Equal(ExitCodes.Ok, code);

        using var store = new SqliteStore(Path.Combine(_directory, "barometer.db"));
        return (store.Count("liquidations"), store.Count("large_trades"), store.Count("bars_1m"));
    }

    [Fact]
    public async Task Replaying_the_same_recording_twice_stores_no_duplicates_and_history_survives_the_restart()
    {
        string path = WriteRecording();

        var first = await ReplayOnceAsync(path);
        Assert.Equal(5, first.Liquidations); // seconds 10, 50, 90, 130, 170
        Assert.Equal(1, first.Trades);       // the $600K trade; $10K trades are not "large"
        Assert.Equal(2, first.Bars);         // minutes 0 and 1; minute 2 never completes (event time ends at 179 s)

        var second = await ReplayOnceAsync(path);
        Assert.Equal(first, second);

        // A restart on a recording with nothing of BTC in it: the history endpoints serve what was stored.
        string other = Path.Combine(_directory, "other.ndjson");
        var registry = new InstrumentRegistry();
        var eth = registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT", 1, 0.01);
        const long T1 = 1_796_090_000_000_000;
        File.WriteAllText(other, NormalizedEventJson.ToLine(MarketEvent.From(new Trade(eth, T1, T1, 3000, 0.1, Side.Buy, TradeId.FromNumber(1)))) + "\n");
        await ReplayOnceAsync(other, async http =>
        {
            var liquidations = await GetJsonAsync(http, "/api/liquidations?since=2026-11-30T00:00:00Z&instrument=BTC");
            Assert.Equal(5, liquidations.GetProperty("rows").GetArrayLength());
            Assert.Equal("replay", liquidations.GetProperty("data_source").GetString());
            var bars = await GetJsonAsync(http, "/api/market/bars?instrument=BTC&from=2026-12-01T00:00:00Z&to=2026-12-01T00:10:00Z");
            Assert.Equal(2, bars.GetProperty("rows").GetArrayLength());
        });
    }

    [Fact]
    public async Task Unreachable_venues_are_retried_and_reported_in_health_and_the_log_never_replaced_by_simulated_data()
    {
        var log = new ListLoggerProvider();
        using var loggers = new Microsoft.Extensions.Logging.LoggerFactory([log]);
        var closed = new EndpointOptions { WebSocketUrl = "ws://127.0.0.1:9/", RestUrl = "http://127.0.0.1:9/" }; // discard port: nothing listens
        var options = Options([VenueId.BybitLinear]) with { Endpoints = new VenueEndpointsOptions { BybitLinear = closed } };
        int code = await ServeVerb.RunAsync(options, new ServeRequest(ServeMode.Live, null, 1, 1), loggers, TextWriter.Null, TextWriter.Null, CancellationToken.None, async host =>
        {
            using var http = new HttpClient { BaseAddress = host.HttpAddress };
            var health = await EventuallyAsync(async () =>
            {
                var h = await GetJsonAsync(http, "/api/health");
                var venue = h.GetProperty("venues").EnumerateArray().FirstOrDefault();
                return venue.ValueKind == JsonValueKind.Object && venue.GetProperty("state").GetString() == "disconnected" ? (object)h : null;
            }, "bybit-linear reported disconnected");
            Assert.Equal("degraded", ((JsonElement)health).GetProperty("status").GetString());
            Assert.Equal("live", ((JsonElement)health).GetProperty("data_source").GetString());

            using var snapshot = await http.GetAsync(new Uri("/api/market/snapshot?instrument=BTC", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, snapshot.StatusCode); // no data, and nothing made up
            await EventuallyAsync(() => Task.FromResult(log.Lines.Any(l => l.Contains("bybit-linear", StringComparison.OrdinalIgnoreCase) || l.Contains("instruments-info", StringComparison.Ordinal)) ? (object)"" : null), "a log line for the venue");
        });

        Assert.Equal(ExitCodes.Ok, code);
        Assert.InRange(log.Lines.Count(l => l.Contains("retrying", StringComparison.OrdinalIgnoreCase)), 1, 3); // one line, not a flood
    }

    private sealed class ListLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => _lines.ToArray();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }

    [Theory]
    [InlineData(true, "x.ndjson", "1", "1", "--simulate and --replay exclude each other")]
    [InlineData(true, null, "0", "1", "--speed: '0' is not a positive number")]
    [InlineData(true, null, "fast", "1", "--speed: 'fast' is not a positive number")]
    [InlineData(false, null, "1", "-3", "--seed: '-3' is not a non-negative integer")]
    [InlineData(false, "/nonexistent/file.ndjson", "1", "1", "--replay: '/nonexistent/file.ndjson' does not exist or is not a file")]
    public void Bad_flags_are_one_clear_line(bool simulate, string? replay, string speed, string seed, string expected)
    {
        Assert.Null(ServeVerb.ParseRequest(simulate, replay, speed, seed, out string? problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
