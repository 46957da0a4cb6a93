using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;

namespace Barometer.Cli.Verbs;

/// <summary>
/// `barometer simulate`: the venue emulators on loopback fed by the seeded market simulator, for
/// manual runs, demos and pointing other tools at. Prints each venue's endpoints, runs until
/// Ctrl-C or --duration, then prints what it sent. Everything it serves is simulated.
/// </summary>
internal static class SimulateVerb
{
    public static Command Create(GlobalOptions global)
    {
        var seed = new Option<string>("--seed") { Description = "Seed of the simulation (same seed → same market, frame for frame)", DefaultValueFactory = _ => "1" };
        var speed = new Option<string>("--speed") { Description = "Simulated seconds per second: 1 (default) real time, 60 a minute a second, max as fast as possible", DefaultValueFactory = _ => "1" };
        var duration = new Option<string?>("--duration") { Description = "Simulated time to run: 90s, 10m, 2h (default: until Ctrl-C)" };
        var start = new Option<string?>("--start") { Description = "Simulated start time, ISO 8601 UTC (default 2026-12-01T00:00:00Z)" };
        var portBase = new Option<int?>("--port-base") { Description = "First port; venues take consecutive ports in the order binance-futures … okx-spot (default: free ports)" };
        var faults = new Option<string[]>("--faults") { Description = "Fault plan for a venue, VENUE=PLAN, e.g. \"okx-swap=30s drop; 60s..75s stall; 90s rest 429 3\" (times from the start); repeatable", AllowMultipleArgumentsPerToken = false };
        var okxChecksum = new Option<bool>("--okx-crc32") { Description = "OKX books carry a real CRC32 checksum (older recordings) instead of today's 0" };
        var command = new Command("simulate", "Run the venue emulators on loopback fed by the market simulator (simulated data) and print their endpoints")
        {
            seed, speed, duration, start, portBase, faults, okxChecksum,
        };
        command.SetAction((parse, cancel) =>
        {
            var options = global.Load(parse, Console.Error);
            if (options is null)
            {
                return Task.FromResult(ExitCodes.BadConfiguration);
            }

            var request = new SimulateRequest(
                parse.GetValue(seed), parse.GetValue(speed), parse.GetValue(duration), parse.GetValue(start), parse.GetValue(portBase),
                parse.GetValue(faults) ?? [], parse.GetValue(okxChecksum), options.Instruments, options.Venues, options.Server.BindAddress);
            return RunAsync(request, Console.Out, Console.Error, cancel);
        });
        return command;
    }

    /// <summary>The verb's inputs, parsed or not yet.</summary>
    internal sealed record SimulateRequest(
        string? Seed, string? Speed, string? Duration, string? Start, int? PortBase, IReadOnlyList<string> Faults, bool OkxCrc32,
        IReadOnlyList<string> Assets, IReadOnlyList<VenueId> Venues, string BindAddress);

    /// <summary>
    /// The emulator of each venue: one line per venue, added with the venue's emulator.
    /// </summary>
    internal static VenueEmulator CreateEmulator(VenueId venue, IReadOnlyList<Instrument> instruments, bool okxCrc32) => venue switch
    {
        VenueId.BybitLinear or VenueId.BybitSpot => new BybitEmulator(venue, instruments, TimeProvider.System),
        VenueId.OkxSwap or VenueId.OkxSpot => new OkxEmulator(venue, instruments, TimeProvider.System) { EmitRealChecksum = okxCrc32 },
        VenueId.BinanceFutures or VenueId.BinanceSpot => new BinanceEmulator(venue, instruments, TimeProvider.System),
        _ => throw new ArgumentOutOfRangeException(nameof(venue), venue, null),
    };

    /// <summary>Whether this build has an emulator for <paramref name="venue"/>.</summary>
    internal static bool HasEmulator(VenueId venue) => Enum.IsDefined(venue);

    /// <summary>The WebSocket paths a client connects to, per venue (the real ones).</summary>
    internal static string WebSocketPaths(VenueId venue) => venue switch
    {
        VenueId.BinanceFutures => "/public/stream?streams=… (depth, bookTicker) · /market/stream?streams=… (aggTrade, markPrice, forceOrder) · /public/ws/<stream> · /market/ws/<stream>",
        VenueId.BinanceSpot => "/stream?streams=… · /ws/<stream>",
        VenueId.BybitLinear => "/v5/public/linear",
        VenueId.BybitSpot => "/v5/public/spot",
        VenueId.OkxSwap or VenueId.OkxSpot => "/ws/v5/public · /ws/v5/business",
        _ => "",
    };

    /// <summary>The REST paths per venue.</summary>
    internal static string RestPaths(VenueId venue) => venue switch
    {
        VenueId.BinanceFutures => "/fapi/v1/depth · /fapi/v1/openInterest · /fapi/v1/fundingRate · /fapi/v1/premiumIndex · /fapi/v1/exchangeInfo",
        VenueId.BinanceSpot => "/api/v3/depth · /api/v3/exchangeInfo",
        VenueId.BybitLinear or VenueId.BybitSpot => "/v5/market/orderbook · /v5/market/open-interest · /v5/market/funding/history · /v5/market/instruments-info",
        VenueId.OkxSwap or VenueId.OkxSpot => "/api/v5/market/books · /api/v5/public/open-interest · /api/v5/public/funding-rate(-history) · /api/v5/public/instruments",
        _ => "",
    };

    internal static async Task<int> RunAsync(SimulateRequest request, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        if (!ulong.TryParse(request.Seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seedValue))
        {
            await error.WriteLineAsync($"barometer: --seed: '{request.Seed}' is not a non-negative integer").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        if (!ReplayVerb.TryParseSpeed(request.Speed, out double speedValue))
        {
            await error.WriteLineAsync($"barometer: --speed: '{request.Speed}' is not 'max' or a positive number").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        long? durationMicros = null;
        if (request.Duration is not null)
        {
            if (!TryParseDuration(request.Duration, out long micros))
            {
                await error.WriteLineAsync($"barometer: --duration: '{request.Duration}' is not a duration such as 90s, 10m or 2h").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            durationMicros = micros;
        }

        long startTime = SimulatorOptions.DefaultStartTime;
        if (request.Start is not null)
        {
            if (!DateTimeOffset.TryParse(request.Start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var startAt)
                || startAt < DateTimeOffset.UnixEpoch)
            {
                await error.WriteLineAsync($"barometer: --start: '{request.Start}' is not an ISO 8601 UTC time").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            startTime = (startAt - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        }

        if (!IPAddress.TryParse(request.BindAddress, out var bind))
        {
            await error.WriteLineAsync($"barometer: --bind: '{request.BindAddress}' is not an IP address").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        if (request.PortBase is { } pb && (pb < 1 || pb + VenueIds.Count - 1 > 65535))
        {
            await error.WriteLineAsync($"barometer: --port-base: {pb} leaves no room for {VenueIds.Count} ports below 65536").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        var venues = new List<VenueId>();
        foreach (var v in request.Venues)
        {
            if (HasEmulator(v))
            {
                venues.Add(v);
            }
            else
            {
                await error.WriteLineAsync($"barometer: simulate: {v.ToWireName()} has no emulator in this build; skipped").ConfigureAwait(false);
            }
        }

        if (venues.Count == 0)
        {
            await error.WriteLineAsync("barometer: --venues: none of the chosen venues has an emulator in this build").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        MarketSimulator simulator;
        try
        {
            simulator = new MarketSimulator(new SimulatorOptions { Seed = seedValue, StartTime = startTime, Assets = request.Assets, Venues = venues });
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"barometer: simulate: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        var emulators = new List<VenueEmulator>();
        foreach (var v in venues)
        {
            emulators.Add(CreateEmulator(v, simulator.InstrumentsOf(v), request.OkxCrc32));
        }

        var plans = new List<FaultScript>();
        foreach (string spec in request.Faults)
        {
            int eq = spec.IndexOf('=', StringComparison.Ordinal);
            VenueEmulator? target = null;
            if (eq > 0 && VenueIds.TryParse(spec[..eq].Trim(), out var fv))
            {
                target = emulators.Find(e => e.Venue == fv);
            }

            if (target is null)
            {
                await error.WriteLineAsync($"barometer: --faults: '{spec}' is not VENUE=PLAN for a simulated venue").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            try
            {
                plans.Add(FaultScript.Parse(target.Faults, spec[(eq + 1)..], startTime));
            }
            catch (FormatException ex)
            {
                await error.WriteLineAsync($"barometer: --faults: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }
        }

        Dictionary<VenueId, int>? ports = null;
        if (request.PortBase is { } portBase)
        {
            ports = new Dictionary<VenueId, int>();
            foreach (var v in venues)
            {
                ports[v] = portBase + (int)v;
            }
        }

        EmulatorHost host;
        try
        {
            host = await EmulatorHost.StartAsync(emulators, bind, ports, cancel).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"barometer: simulate: cannot listen: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await using (host.ConfigureAwait(false))
        {
            await output.WriteAsync(Banner(host, venues, seedValue, speedValue, durationMicros, simulator)).ConfigureAwait(false);
            await output.FlushAsync(cancel).ConfigureAwait(false);
            var tally = new Tally(host);
            var summary = await SimulationRunner.RunAsync(simulator, tally,
                new SimulationRunOptions { Speed = speedValue, DurationMicros = durationMicros, Faults = plans }, cancel).ConfigureAwait(false);
            await output.WriteAsync(Summary(summary, tally)).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    /// <summary>"90s", "10m", "2h", "1h30m", "500ms" or a number of seconds.</summary>
    internal static bool TryParseDuration(string text, out long micros)
    {
        micros = 0;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain))
        {
            micros = (long)(plain * 1e6);
            return plain > 0 && double.IsFinite(plain) && plain < 1e9;
        }

        int i = 0;
        double total = 0;
        while (i < s.Length)
        {
            int startNumber = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (startNumber == i || !double.TryParse(s.AsSpan(startNumber, i - startNumber), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                return false;
            }

            int startUnit = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            double unit = s[startUnit..i] switch { "ms" => 1e-3, "s" => 1, "m" => 60, "h" => 3600, "d" => 86400, _ => double.NaN };
            if (double.IsNaN(unit))
            {
                return false;
            }

            total += value * unit;
        }

        micros = (long)(total * 1e6);
        return total > 0 && total < 1e9;
    }

    private static string Banner(EmulatorHost host, List<VenueId> venues, ulong seed, double speed, long? duration, MarketSimulator sim)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"barometer simulate: SIMULATED market data, seed {seed}, speed {(speed == 0 ? "max" : speed.ToString(CultureInfo.InvariantCulture))}, ");
        text.Append(duration is { } d ? $"{d / 1e6:0.###} s simulated" : "until Ctrl-C");
        text.Append(CultureInfo.InvariantCulture, $", from {DateTimeOffset.UnixEpoch.AddTicks(sim.Now * 10):yyyy-MM-ddTHH:mm:ssZ}\n");
        foreach (var v in venues)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {v.ToWireName(),-16} http {host.HttpBase(v)}  ws {host.WebSocketBase(v)}\n");
            text.Append(CultureInfo.InvariantCulture, $"  {"",-16} ws   {WebSocketPaths(v)}\n");
            text.Append(CultureInfo.InvariantCulture, $"  {"",-16} rest {RestPaths(v)}\n");
            var symbols = new List<string>();
            foreach (var i in sim.InstrumentsOf(v))
            {
                symbols.Add(i.VenueSymbol);
            }

            text.Append(CultureInfo.InvariantCulture, $"  {"",-16} symbols {string.Join(", ", symbols)}\n");
        }

        return text.ToString();
    }

    private static string Summary(SimulationSummary s, Tally tally)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"simulated {s.SimulatedMicros / 1e6:0.###} s in {s.Wall.TotalSeconds:0.###} s wall: {s.Events} events ({s.Steps} steps)\n");
        for (int k = 0; k < s.EventsByKind.Length; k++)
        {
            if (s.EventsByKind[k] > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {((EventKind)k).ToWireName()}: {s.EventsByKind[k]}\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"  whale trades (≥ $500K): {tally.Whales}, mega trades (≥ $5M): {tally.Megas}\n");
        if (s.FaultsApplied > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  fault-plan steps applied: {s.FaultsApplied}\n");
        }

        return text.ToString();
    }

    private sealed class Tally(IEventSink inner) : IEventSink
    {
        public long Whales;
        public long Megas;

        public void Publish(in MarketEvent e)
        {
            if (e.Kind == EventKind.Trade)
            {
                var t = e.AsTrade();
                double usd = t.Price * t.Quantity; // USDT and USDC count as USD, as in the thresholds
                Whales += usd >= 500_000 ? 1 : 0;
                Megas += usd >= 5_000_000 ? 1 : 0;
            }

            inner.Publish(e);
        }
    }
}
