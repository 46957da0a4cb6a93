using System.CommandLine;
using System.Globalization;
using System.Text;
using Barometer.Cli.Serve;
using Barometer.Core.Configuration;
using Barometer.Core.Instruments;
using Barometer.Server.Broadcast;
using Microsoft.Extensions.Logging;

namespace Barometer.Cli.Verbs;

/// <summary>
/// `barometer serve`: the main job. Venue connectors (live; --simulate against the in-process
/// emulators; --replay FILE from a recording), the analytics engine, SQLite storage, the broadcast
/// WebSocket and the HTTP API in one process, until Ctrl+C (which flushes storage).
/// </summary>
internal static class ServeVerb
{
    public static Command Create(GlobalOptions global)
    {
        var simulate = new Option<bool>("--simulate") { Description = "Run against the in-process venue emulators fed by the market simulator (simulated data, said on every payload)" };
        var replay = new Option<string?>("--replay") { Description = "Serve a recording (raw frames or normalized-event NDJSON) instead of the venues" };
        var speed = new Option<string>("--speed") { Description = "Simulated or replayed seconds per second: 1 (default) real time, 60, or max (replay only)", DefaultValueFactory = _ => "1" };
        var seed = new Option<string>("--seed") { Description = "Seed of the simulation (--simulate)", DefaultValueFactory = _ => "1" };
        var command = new Command("serve", "Collect, compute, store and serve: connectors, analytics, SQLite, broadcast WebSocket and HTTP API")
        {
            simulate, replay, speed, seed,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var options = global.Load(parse, Console.Error);
            if (options is null)
            {
                return ExitCodes.BadConfiguration;
            }

            var request = ParseRequest(parse.GetValue(simulate), parse.GetValue(replay), parse.GetValue(speed), parse.GetValue(seed), out string? problem);
            if (request is null)
            {
                await Console.Error.WriteLineAsync("barometer: " + problem).ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            using var loggers = LoggerFactory.Create(b => b
                .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; o.UseUtcTimestamp = true; })
                .AddFilter("Microsoft", LogLevel.Warning)
                .SetMinimumLevel(LogLevel.Information));
            return await RunAsync(options, request, loggers, Console.Out, Console.Error, cancel).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Checks the flags; null with <paramref name="problem"/> when they are wrong.</summary>
    internal static ServeRequest? ParseRequest(bool simulate, string? replay, string? speedText, string? seedText, out string? problem)
    {
        problem = null;
        if (simulate && replay is not null)
        {
            problem = "serve: --simulate and --replay exclude each other";
            return null;
        }

        if (!ReplayVerb.TryParseSpeed(speedText, out double speed) || (speed == 0 && replay is null))
        {
            problem = $"--speed: '{speedText}' is not a positive number{(replay is null ? "" : " or 'max'")}";
            return null;
        }

        if (!ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
        {
            problem = $"--seed: '{seedText}' is not a non-negative integer";
            return null;
        }

        if (replay is not null && !File.Exists(replay))
        {
            problem = $"--replay: '{replay}' does not exist or is not a file";
            return null;
        }

        var mode = simulate ? ServeMode.Simulate : replay is not null ? ServeMode.Replay : ServeMode.Live;
        return new ServeRequest(mode, replay, speed, seed);
    }

    /// <summary>Runs until <paramref name="cancel"/> (Ctrl+C) or a venue configuration error; <paramref name="started"/> sees the running host (tests).</summary>
    internal static async Task<int> RunAsync(BarometerOptions options, ServeRequest request, ILoggerFactory loggers, TextWriter output, TextWriter error,
        CancellationToken cancel, Func<ServeHost, Task>? started = null)
    {
        ServeHost host;
        try
        {
            host = await ServeHost.StartAsync(options, request, loggers, error, cancel).ConfigureAwait(false);
        }
        catch (ServeStartException ex)
        {
            await error.WriteLineAsync("barometer: serve: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        int code = ExitCodes.Ok;
        await using (host.ConfigureAwait(false))
        {
            await output.WriteAsync(Banner(options, request, host)).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            var stopped = new TaskCompletionSource();
            await using var registration = cancel.Register(() => stopped.TrySetResult()).ConfigureAwait(false);
            var test = started is null ? Task.Delay(Timeout.Infinite, cancel) : started(host);
            var ended = await Task.WhenAny(stopped.Task, host.Sources.Failed, test).ConfigureAwait(false);
            if (ended == host.Sources.Failed && host.Sources.ConfigurationError is { } configuration)
            {
                await error.WriteLineAsync("barometer: serve: " + configuration.Message).ConfigureAwait(false);
                code = ExitCodes.BadConfiguration;
            }
            else if (ended == test && test.IsFaulted)
            {
                await test.ConfigureAwait(false);
            }

            await output.WriteLineAsync("barometer serve: stopping (flushing storage)").ConfigureAwait(false);
        }

        return code;
    }

    private static string Banner(BarometerOptions options, ServeRequest request, ServeHost host)
    {
        var venues = new StringBuilder();
        foreach (var v in options.Venues)
        {
            venues.Append(venues.Length == 0 ? "" : ", ").Append(v.ToWireName());
        }

        string source = request.Mode switch
        {
            ServeMode.Simulate => $"SIMULATED — the real connectors against in-process venue emulators on loopback, seed {request.Seed}, speed {request.Speed.ToString(CultureInfo.InvariantCulture)}×",
            ServeMode.Replay => $"REPLAY of {request.ReplayPath} at {(request.Speed == 0 ? "max" : request.Speed.ToString(CultureInfo.InvariantCulture) + "×")} speed",
            _ => "live venues",
        };
        return string.Create(CultureInfo.InvariantCulture, $"""
            barometer serve: data_source {host.DataSource.ToWireName()} ({source})
              venues      {venues} · assets {string.Join(", ", options.Instruments)}
              HTTP API    {host.HttpAddress}  (docs/api.md)
              dashboard   {host.HttpAddress}  (web dashboard in a browser, docs/web.md)
              WebSocket   {host.WebSocketAddress}  (docs/schema/websocket.md)
              storage     {host.Store.Path}
              Ctrl+C stops and flushes storage.

            """);
    }
}
