using System.Collections.Concurrent;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Venues.Binance;
using Barometer.Venues.Books;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Binance;

/// <summary>
/// End-to-end rig: the seeded market simulator drives the Binance emulator on loopback in real
/// time (speed 1), and a <see cref="BinanceConnector"/> with its own registry connects to it like
/// it would to Binance. Everything the connector publishes is collected.
/// </summary>
internal sealed class BinanceWorld : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _simStop = new();
    private readonly CancellationTokenSource _connectorStop = new();
    private Task _simTask = Task.CompletedTask;

    private BinanceWorld(VenueId venue, MarketSimulator simulator, EmulatorHost host, BinanceEmulator emulator)
    {
        Venue = venue;
        Simulator = simulator;
        Host = host;
        Emulator = emulator;
    }

    public VenueId Venue { get; }

    public MarketSimulator Simulator { get; }

    public EmulatorHost Host { get; }

    public BinanceEmulator Emulator { get; }

    public EventLog Events { get; } = new();

    public InstrumentRegistry Registry { get; } = new();

    public BinanceConnector Connector { get; private set; } = null!;

    public Task Run { get; private set; } = Task.CompletedTask;

    public static async Task<BinanceWorld> StartAsync(VenueId venue, BinanceConnectorOptions? options = null, IReadOnlyList<string>? assets = null,
        Action<BinanceEmulator>? configure = null, bool startConnector = true, bool simulate = true)
    {
        var simulator = new MarketSimulator(new SimulatorOptions { Seed = 7, Assets = ["BTC", "ETH"], Venues = [venue] });
        var emulator = new BinanceEmulator(venue, simulator.InstrumentsOf(venue), TimeProvider.System);
        configure?.Invoke(emulator);
        var host = await EmulatorHost.StartAsync([emulator]);
        var world = new BinanceWorld(venue, simulator, host, emulator);
        if (simulate)
        {
            world._simTask = Task.Run(() => SimulationRunner.RunAsync(simulator, host, new SimulationRunOptions { Speed = 1 }, world._simStop.Token));
        }

        if (startConnector)
        {
            world.StartConnector(options, assets);
        }

        return world;
    }

    public void StartConnector(BinanceConnectorOptions? options = null, IReadOnlyList<string>? assets = null)
    {
        var context = new VenueConnectorContext
        {
            Registry = Registry,
            Sink = Events,
            Assets = assets ?? ["BTC", "ETH"],
            Endpoint = new Core.Configuration.EndpointOptions
            {
                WebSocketUrl = Host.WebSocketBase(Venue).ToString(),
                RestUrl = Host.HttpBase(Venue).ToString(),
            },
        };
        Connector = new BinanceConnector(Venue, context, options ?? Fast());
        Run = Task.Run(() => Connector.RunAsync(_connectorStop.Token));
    }

    /// <summary>Test timers: short silences and backoffs, real protocol otherwise.</summary>
    public static BinanceConnectorOptions Fast() => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaximumBackoff = TimeSpan.FromMilliseconds(500),
        RestInitialBackoff = TimeSpan.FromMilliseconds(50),
        OpenInterestInterval = TimeSpan.FromSeconds(1),
        IdleTimeout = TimeSpan.FromSeconds(3),
        MarkPriceMaxSilence = TimeSpan.FromSeconds(4),
        BookMaxSilence = TimeSpan.FromSeconds(4),
        TradeMaxSilence = TimeSpan.FromSeconds(30),
        SubscribeMessagesPerSecond = 10,
    };

    public async Task StopSimulationAsync()
    {
        await _simStop.CancelAsync();
        try
        {
            await _simTask;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task StopConnectorAsync()
    {
        await _connectorStop.CancelAsync();
        await Run.WaitAsync(Patience);
    }

    public async Task<string> RestAsync(string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = Host.HttpBase(Venue) };
        return await http.GetStringAsync(new Uri(pathAndQuery, UriKind.Relative));
    }

    /// <summary>Waits for <paramref name="condition"/>; a connector that died fails at once with its exception.</summary>
    public Task Until(Func<bool> condition, string what, TimeSpan? patience = null) =>
        WaitFor(() =>
        {
            if (Run.IsFaulted)
            {
                throw new InvalidOperationException("the connector failed while waiting for " + what, Run.Exception);
            }

            return condition();
        }, what, patience);

    public static async Task WaitFor(Func<bool> condition, string what, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connectorStop.CancelAsync();
        await _simStop.CancelAsync();
        try
        {
            await Run.WaitAsync(Patience);
        }
        catch (Exception ex) when (ex is OperationCanceledException or VenueConfigurationException)
        {
        }

        try
        {
            await _simTask;
        }
        catch (OperationCanceledException)
        {
        }

        await Connector.DisposeAsync();
        await Host.DisposeAsync();
        _simStop.Dispose();
        _connectorStop.Dispose();
    }

    /// <summary>Everything the connector published, thread-safe.</summary>
    internal sealed class EventLog : IEventSink
    {
        private readonly ConcurrentQueue<MarketEvent> _events = new();

        public void Publish(in MarketEvent e) => _events.Enqueue(e);

        public List<MarketEvent> All => [.. _events];

        public int Count(EventKind kind) => _events.Count(e => e.Kind == kind);

        public int Count(EventKind kind, string symbol) => _events.Count(e => e.Kind == kind && e.Instrument?.VenueSymbol == symbol);

        public List<ConnectionStatus> Statuses() => [.. _events.Where(e => e.Kind == EventKind.ConnectionStatus).Select(e => e.AsConnectionStatus())];

        public List<DataGap> Gaps() => [.. _events.Where(e => e.Kind == EventKind.DataGap).Select(e => e.AsDataGap())];

        public List<BookUpdate> Books(string symbol) =>
            [.. _events.Where(e => e.Kind == EventKind.BookUpdate && e.Instrument!.VenueSymbol == symbol).Select(e => e.AsBookUpdate())];

        /// <summary>
        /// Rebuilds the book of <paramref name="symbol"/> the way a consumer does: every snapshot
        /// replaces, every diff applies. Fails the test if any published message leaves it crossed.
        /// </summary>
        public LocalOrderBook Rebuild(Instrument instrument)
        {
            var book = new LocalOrderBook(instrument);
            foreach (var update in Books(instrument.VenueSymbol))
            {
                var result = book.Apply(update);
                Assert.Equal(BookApplyResult.Applied, result);
            }

            return book;
        }
    }
}
