using System.Collections.Concurrent;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Core.Books;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.EndToEnd;

/// <summary>
/// End-to-end rig: the seeded market simulator drives one venue emulator on loopback in real
/// time (speed 1), and a connector with its own registry connects to it like it would to the
/// venue. Everything the connector publishes is collected.
/// </summary>
internal class ConnectorWorld<TEmulator, TConnector> : IAsyncDisposable
    where TEmulator : VenueEmulator
    where TConnector : class, IVenueConnector
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _simStop = new();
    private readonly CancellationTokenSource _connectorStop = new();
    private readonly Func<VenueConnectorContext, TConnector> _createConnector;
    private Task _simTask = Task.CompletedTask;

    protected ConnectorWorld(VenueId venue, MarketSimulator simulator, EmulatorHost host, TEmulator emulator, Func<VenueConnectorContext, TConnector> createConnector)
    {
        Venue = venue;
        Simulator = simulator;
        Host = host;
        Emulator = emulator;
        _createConnector = createConnector;
    }

    public VenueId Venue { get; }

    public MarketSimulator Simulator { get; }

    public EmulatorHost Host { get; }

    public TEmulator Emulator { get; }

    public EventLog Events { get; } = new();

    public InstrumentRegistry Registry { get; } = new();

    public TConnector Connector { get; private set; } = null!;

    public Task Run { get; private set; } = Task.CompletedTask;

    /// <summary>Starts simulator, emulator and host; the world object is made by <paramref name="create"/>.</summary>
    protected static async Task<TWorld> StartAsync<TWorld>(VenueId venue, Func<VenueId, IReadOnlyList<Instrument>, TEmulator> createEmulator,
        Func<MarketSimulator, EmulatorHost, TEmulator, TWorld> create, Action<TEmulator>? configure, bool simulate)
        where TWorld : ConnectorWorld<TEmulator, TConnector>
    {
        var simulator = new MarketSimulator(new SimulatorOptions { Seed = 7, Assets = ["BTC", "ETH"], Venues = [venue] });
        var emulator = createEmulator(venue, simulator.InstrumentsOf(venue));
        configure?.Invoke(emulator);
        var host = await EmulatorHost.StartAsync([emulator]);
        var world = create(simulator, host, emulator);
        if (simulate)
        {
            world._simTask = Task.Run(() => SimulationRunner.RunAsync(simulator, host, new SimulationRunOptions { Speed = 1 }, world._simStop.Token));
        }

        return world;
    }

    /// <summary>Creates and runs the connector against the emulator (assets default BTC and ETH).</summary>
    public void StartConnector(IReadOnlyList<string>? assets = null)
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
        Connector = _createConnector(context);
        Run = Task.Run(() => Connector.RunAsync(_connectorStop.Token));
    }

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

        if (Connector is not null)
        {
            await Connector.DisposeAsync();
        }

        await Host.DisposeAsync();
        _simStop.Dispose();
        _connectorStop.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Everything a connector published, thread-safe.</summary>
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
    /// Rebuilds the book of <paramref name="instrument"/> the way a consumer does: every snapshot
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
