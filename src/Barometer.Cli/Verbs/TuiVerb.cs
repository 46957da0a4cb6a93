using System.CommandLine;
using Barometer.Analytics.Snapshots;
using Barometer.Cli.Serve;
using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Server.Broadcast;
using Barometer.Server.Pipeline;
using Barometer.Tui;
using Microsoft.Extensions.Logging;

namespace Barometer.Cli.Verbs;

/// <summary>
/// `barometer tui microstructure|flow|risk|liquidations`: the terminal dashboards (docs/tui.md),
/// fed by a running server's broadcast WebSocket (--server, default ws://127.0.0.1:9001) or by the
/// whole pipeline in-process (--embedded, with --simulate or --replay FILE). Nothing but the
/// dashboard is written to the terminal while it runs: logs go to DATA_DIR/logs/tui.log.
/// </summary>
internal static class TuiVerb
{
    public static Command Create(GlobalOptions global)
    {
        var dashboard = new Argument<string>("dashboard") { Description = "microstructure, flow, risk or liquidations", DefaultValueFactory = _ => "microstructure" };
        var server = new Option<string?>("--server") { Description = "Broadcast WebSocket of a running `serve` (default ws://127.0.0.1:9001)" };
        var embedded = new Option<bool>("--embedded") { Description = "Run the whole pipeline in this process instead of connecting to a server" };
        var simulate = new Option<bool>("--simulate") { Description = "With --embedded: the in-process venue emulators fed by the market simulator" };
        var replay = new Option<string?>("--replay") { Description = "With --embedded: play a recording instead of the venues" };
        var speed = new Option<string>("--speed") { Description = "With --simulate / --replay: seconds per second (1, 60, max for replay)", DefaultValueFactory = _ => "1" };
        var seed = new Option<string>("--seed") { Description = "Seed of the simulation", DefaultValueFactory = _ => "1" };
        var command = new Command("tui", "Terminal dashboards: microstructure, flow, risk, liquidations (keys: q quit, p pause, 1-4 switch, ? help)")
        {
            dashboard, server, embedded, simulate, replay, speed, seed,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var options = global.Load(parse, Console.Error);
            if (options is null)
            {
                return ExitCodes.BadConfiguration;
            }

            if (!Dashboards.TryParse(parse.GetValue(dashboard), out var kind))
            {
                await Console.Error.WriteLineAsync($"barometer: tui: unknown dashboard '{parse.GetValue(dashboard)}' (microstructure, flow, risk, liquidations)").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            bool inProcess = parse.GetValue(embedded);
            string? serverText = parse.GetValue(server);
            if (!inProcess && (parse.GetValue(simulate) || parse.GetValue(replay) is not null))
            {
                await Console.Error.WriteLineAsync("barometer: tui: --simulate and --replay need --embedded (a server has its own source)").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            if (inProcess && serverText is not null)
            {
                await Console.Error.WriteLineAsync("barometer: tui: --server and --embedded exclude each other").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            if (inProcess)
            {
                var request = ServeVerb.ParseRequest(parse.GetValue(simulate), parse.GetValue(replay), parse.GetValue(speed), parse.GetValue(seed), out string? problem);
                if (request is null)
                {
                    await Console.Error.WriteLineAsync("barometer: " + problem).ConfigureAwait(false);
                    return ExitCodes.BadConfiguration;
                }

                return await RunEmbeddedAsync(options, request, kind, new ConsoleTerminal(), cancel).ConfigureAwait(false);
            }

            string address = serverText ?? $"ws://127.0.0.1:{options.Server.WebSocketPort}";
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
            {
                await Console.Error.WriteLineAsync($"barometer: tui: --server: '{address}' is not a ws:// or wss:// address").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            if (!string.IsNullOrEmpty(options.Server.ApiKey) && string.IsNullOrEmpty(uri.Query))
            {
                uri = new Uri(uri, "?api_key=" + Uri.EscapeDataString(options.Server.ApiKey)); // the server's key (--api-key / Server:ApiKey)
            }

            return await RunServerAsync(uri, kind, new ConsoleTerminal(), cancel).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Dashboards over a server's WebSocket until q or cancellation.</summary>
    internal static async Task<int> RunServerAsync(Uri server, DashboardKind kind, ITerminal terminal, CancellationToken cancel)
    {
        var feed = new SnapshotFeed(server.GetLeftPart(UriPartial.Path)); // never show the key
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var client = WebSocketFeed.RunAsync(server, feed, stop.Token);
        await TuiRunner.RunAsync(feed, kind, terminal, WallMicros, cancel).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await client.ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>Dashboards over the in-process pipeline (ServeHost without servers) until q or cancellation.</summary>
    internal static async Task<int> RunEmbeddedAsync(BarometerOptions options, ServeRequest request, DashboardKind kind, ITerminal terminal, CancellationToken cancel)
    {
        string logDirectory = Path.Combine(options.DataDirectory, "logs");
        Directory.CreateDirectory(logDirectory);
        string logPath = Path.Combine(logDirectory, "tui.log");
        await using var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var logWriter = TextWriter.Synchronized(log);
        using var loggers = LoggerFactory.Create(b => b
            .AddProvider(new FileLoggerProvider(logWriter))
            .AddFilter("Microsoft", LogLevel.Warning)
            .SetMinimumLevel(LogLevel.Information));
        var feed = new SnapshotFeed("embedded");
        var output = new FeedOutput(feed);
        ServeHost host;
        try
        {
            host = await ServeHost.StartAsync(options, request, loggers, logWriter, cancel, servers: false, extraOutputs: [output]).ConfigureAwait(false);
        }
        catch (ServeStartException ex)
        {
            await Console.Error.WriteLineAsync("barometer: tui: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        await using (host.ConfigureAwait(false))
        {
            feed.OnDataSource(host.DataSource.ToWireName());
            feed.OnFeedState(FeedState.Connected);
            await TuiRunner.RunAsync(feed, kind, terminal, WallMicros, cancel).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static long WallMicros() => UnixMicros.Now(TimeProvider.System);

    /// <summary>Snapshots, liquidations, venue-wide connection states and alerts into the feed; every other event returns at once.</summary>
    internal sealed class FeedOutput(SnapshotFeed feed) : IPipelineOutput
    {
        public void OnEvent(in MarketEvent e)
        {
            switch (e.Kind)
            {
                case EventKind.Liquidation:
                    var l = e.AsLiquidation();
                    feed.OnLiquidation(new LiquidationPrint(l.ExchangeTime, l.Instrument.Venue.ToWireName(), l.Instrument.Base, l.LiquidatedSide == PositionSide.Long, l.Price, e.NotionalUsd));
                    break;
                case EventKind.ConnectionStatus:
                    var c = e.AsConnectionStatus();
                    feed.OnConnectionStatus(c.Venue.ToWireName(), c.Stream + "|" + c.Instrument?.Key, c.State, c.Time);
                    break;
                case EventKind.Alert:
                    var a = e.AsAlert();
                    feed.OnAlert(new AlertLine(a.Time, a.Asset, a.Type, a.Phase.ToString().ToLowerInvariant(), a.Severity, a.Message));
                    break;
            }
        }

        public void OnSnapshot(MetricsSnapshot snapshot) => feed.OnSnapshot(snapshot);
    }

    /// <summary>Log lines to a file: "HH:mm:ss level category: message".</summary>
    private sealed class FileLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new FileLogger(writer, categoryName);

        public void Dispose()
        {
        }

        private sealed class FileLogger(TextWriter writer, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
        }
    }
}
