using System.Net;
using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Storage.Recording;
using Barometer.Venues.Common;
using Microsoft.Extensions.Logging;

namespace Barometer.Cli.Serve;

/// <summary>Where `serve` takes its events from.</summary>
internal enum ServeMode
{
    /// <summary>The venues (official addresses or the configured overrides).</summary>
    Live,

    /// <summary>The venue emulators in-process, fed by the market simulator, reached by the real connectors over loopback.</summary>
    Simulate,

    /// <summary>A recording (raw frames or normalized-event NDJSON).</summary>
    Replay,
}

/// <summary>The running sources of one `serve`: connectors (live or against the in-process emulators) or a replay.</summary>
internal sealed class ServeSources : IAsyncDisposable
{
    private readonly List<Task> _tasks = new();
    private readonly List<IVenueConnector> _connectors = new();
    private readonly CancellationTokenSource _stop;
    private readonly ILogger _logger;
    private EmulatorHost? _emulators;
    private VenueConfigurationException? _configurationError;

    private ServeSources(CancellationToken cancel, ILogger logger)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _logger = logger;
    }

    /// <summary>The venue connectors running (empty for a replay).</summary>
    public IReadOnlyList<IVenueConnector> Connectors => _connectors;

    /// <summary>The in-process emulators (simulate only).</summary>
    public EmulatorHost? Emulators => _emulators;

    /// <summary>
    /// The connectors' clock: the system clock live, the simulation's time with <c>--simulate</c> (so receive
    /// times and health ages are on the simulated time line at any <c>--speed</c>).
    /// </summary>
    public TimeProvider Clock { get; private set; } = TimeProvider.System;

    /// <summary>A venue rejected a configured symbol: the configuration is wrong (serve stops with exit code 2).</summary>
    public VenueConfigurationException? ConfigurationError => Volatile.Read(ref _configurationError);

    /// <summary>Completes when a replay has been read to its end (never for live or simulated sources).</summary>
    public Task ReplayFinished { get; private set; } = new TaskCompletionSource().Task;

    /// <summary>Completes when a venue reported a configuration error.</summary>
    public Task Failed => _failed.Task;

    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<ServeSources> StartAsync(ServeMode mode, BarometerOptions options, ServeRequest request, InstrumentRegistry registry,
        IEventSink sink, ILoggerFactory loggers, TextWriter error, CancellationToken cancel)
    {
        var logger = loggers.CreateLogger("serve");
        var sources = new ServeSources(cancel, logger);
        switch (mode)
        {
            case ServeMode.Live:
                foreach (var venue in options.Venues)
                {
                    sources.StartConnector(venue, options, options.Endpoints.For(venue), registry, sink, loggers);
                }

                break;

            case ServeMode.Simulate:
                await sources.StartSimulationAsync(options, request, registry, sink, loggers).ConfigureAwait(false);
                break;

            case ServeMode.Replay:
                sources.StartReplay(request, registry, sink, error);
                break;
        }

        return sources;
    }

    private void StartConnector(VenueId venue, BarometerOptions options, EndpointOptions endpoint, InstrumentRegistry registry, IEventSink sink, ILoggerFactory loggers)
    {
        var context = new VenueConnectorContext
        {
            Registry = registry,
            Sink = sink,
            Assets = options.Instruments,
            Endpoint = endpoint,
            LoggerFactory = loggers,
            Clock = Clock,
        };
        var connector = VenueConnectors.TryCreate(venue, context);
        if (connector is null)
        {
            _logger.LogWarning("{Venue}: no connector in this build; skipped", venue.ToWireName());
            return;
        }

        _connectors.Add(connector);
        var token = _stop.Token;
        _tasks.Add(Task.Run(async () =>
        {
            try
            {
                await connector.RunAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch (VenueConfigurationException ex)
            {
                _logger.LogError("{Venue}: {Message}", venue.ToWireName(), ex.Message);
                Interlocked.CompareExchange(ref _configurationError, ex, null);
                _failed.TrySetResult();
            }
            catch (Exception ex)
            {
                // A connector retries outages itself; reaching here is a bug in it. The others carry on.
                _logger.LogError(ex, "{Venue}: connector stopped", venue.ToWireName());
            }
        }, CancellationToken.None));
    }

    private async Task StartSimulationAsync(BarometerOptions options, ServeRequest request, InstrumentRegistry registry, IEventSink sink, ILoggerFactory loggers)
    {
        long now = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        var simulator = new MarketSimulator(new SimulatorOptions
        {
            Seed = request.Seed,
            StartTime = now - (now % 1_000_000),
            Assets = options.Instruments,
            Venues = options.Venues,
        });
        double speed = request.Speed <= 0 ? 1 : request.Speed;
        var clock = new SimulatedClock(simulator, speed);
        Clock = clock;
        var emulators = new List<VenueEmulator>();
        foreach (var venue in options.Venues)
        {
            emulators.Add(Verbs.SimulateVerb.CreateEmulator(venue, simulator.InstrumentsOf(venue), okxCrc32: false));
        }

        _emulators = await EmulatorHost.StartAsync(emulators, IPAddress.Loopback, null, _stop.Token).ConfigureAwait(false);
        var token = _stop.Token;
        var emulatorHost = _emulators;
        _tasks.Add(Task.Run(async () =>
        {
            try
            {
                clock.Start();
                await SimulationRunner.RunAsync(simulator, emulatorHost, new SimulationRunOptions { Speed = speed }, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }, CancellationToken.None));

        foreach (var venue in options.Venues)
        {
            var endpoint = new EndpointOptions
            {
                WebSocketUrl = _emulators.WebSocketBase(venue).ToString(),
                RestUrl = _emulators.HttpBase(venue).ToString(),
            };
            StartConnector(venue, options, endpoint, registry, sink, loggers);
        }
    }

    private void StartReplay(ServeRequest request, InstrumentRegistry registry, IEventSink sink, TextWriter error)
    {
        string path = request.ReplayPath!;
        var token = _stop.Token;
        ReplayFinished = Task.Run(async () =>
        {
            try
            {
                if (Verbs.NormalizedEventInput.Detect(path))
                {
                    var fed = await Verbs.NormalizedEventInput.FeedAsync(path, registry, sink, request.Speed, error, token).ConfigureAwait(false);
                    _logger.LogInformation("replay {Path}: {Lines} lines, {Bad} bad; finished — still serving what it produced", path, fed.Lines, fed.Bad);
                }
                else
                {
                    using var reader = RecordingReader.Open(path);
                    var summary = new Verbs.ReplaySummary();
                    reader.ErrorRaised += e => summary.BadLines++;
                    await Verbs.ReplayVerb.FeedAsync(reader, venue => VenueNormalizers.TryCreate(venue, registry), sink, request.Speed,
                        TimeProvider.System, summary, token).ConfigureAwait(false);
                    _logger.LogInformation("replay {Path}: {Frames} frames, {Bad} bad lines; finished — still serving what it produced", path, summary.Frames, summary.BadLines);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                _logger.LogError("replay {Path}: {Message}", path, ex.Message);
            }
        }, CancellationToken.None);
        _tasks.Add(ReplayFinished);
    }

    /// <summary>Stops every source and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("serve: a source did not stop within 10 s");
        }

        foreach (var c in _connectors)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }

        if (_emulators is not null)
        {
            await _emulators.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}

/// <summary>The `serve` verb's source choices.</summary>
/// <param name="Mode">Live, simulate or replay.</param>
/// <param name="ReplayPath">The recording for a replay.</param>
/// <param name="Speed">Simulated or replayed seconds per second (0: as fast as possible, replay only).</param>
/// <param name="Seed">Simulation seed.</param>
internal sealed record ServeRequest(ServeMode Mode, string? ReplayPath, double Speed, ulong Seed);
