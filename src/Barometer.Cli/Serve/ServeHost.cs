using Barometer.Core.Bus;
using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Analytics.Snapshots;
using Barometer.Server.Api;
using Barometer.Server.Broadcast;
using Barometer.Server.Pipeline;
using Barometer.Storage.Sqlite;
using Microsoft.Extensions.Logging;

namespace Barometer.Cli.Serve;

/// <summary>
/// One running `serve`: event sources (connectors, in-process emulators or a replay) → event bus →
/// pipeline (analytics, history rows, broadcast hub) → SQLite, the broadcast WebSocket and the
/// HTTP API. <see cref="DisposeAsync"/> stops the sources, drains the pipeline, flushes storage and
/// closes the servers, in that order.
/// </summary>
internal sealed class ServeHost : IAsyncDisposable
{
    private readonly ILogger _logger;
    private ServeSources? _sources;

    private ServeHost(ILogger logger) => _logger = logger;

    public DataSource DataSource { get; private set; }

    public InstrumentRegistry Registry { get; } = new();

    public EventBus Bus { get; } = new();

    public MarketPipeline Pipeline { get; private set; } = null!;

    public BroadcastHub Hub { get; private set; } = null!;

    public BroadcastServer? Broadcast { get; private set; }

    public ApiServer? Api { get; private set; }

    public SqliteStore Store { get; private set; } = null!;

    public StorageWriter Writer { get; private set; } = null!;

    public SqliteHistory History { get; private set; } = null!;

    public ServeSources Sources => _sources!;

    /// <summary>The HTTP API address (null when servers were not started).</summary>
    public Uri? HttpAddress => Api?.Address;

    /// <summary>The broadcast WebSocket address.</summary>
    public Uri? WebSocketAddress => Broadcast?.Address;

    /// <summary>Starts everything; throws <see cref="ServeStartException"/> with one line for the user when something cannot start.</summary>
    public static async Task<ServeHost> StartAsync(BarometerOptions options, ServeRequest request, ILoggerFactory loggers, TextWriter error,
        CancellationToken cancel, bool servers = true, IReadOnlyList<IPipelineOutput>? extraOutputs = null)
    {
        var host = new ServeHost(loggers.CreateLogger("serve"));
        try
        {
            await host.StartCoreAsync(options, request, loggers, error, servers, extraOutputs ?? [], cancel).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartCoreAsync(BarometerOptions options, ServeRequest request, ILoggerFactory loggers, TextWriter error, bool servers,
        IReadOnlyList<IPipelineOutput> extraOutputs, CancellationToken cancel)
    {
        DataSource = request.Mode switch { ServeMode.Simulate => DataSource.Simulated, ServeMode.Replay => DataSource.Replay, _ => DataSource.Live };
        string dbPath = Path.Combine(options.DataDirectory, "barometer.db");
        try
        {
            Store = new SqliteStore(dbPath);
            History = new SqliteHistory(Store.Path);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new ServeStartException($"storage: cannot open '{dbPath}': {ex.Message}");
        }

        Writer = new StorageWriter(Store, logger: loggers.CreateLogger("storage"), barRetention: TimeSpan.FromDays(options.Storage.BarRetentionDays));
        Hub = new BroadcastHub(BroadcastOptions.FromServer(options.Server, DataSource));
        var outputs = new List<IPipelineOutput> { new HubOutput(Hub) };
        outputs.AddRange(extraOutputs);
        Pipeline = new MarketPipeline(
            new PipelineOptions
            {
                Analytics = Verbs.ReplayVerb.AnalyticsFor(options, DataSource.ToWireName()),
                Source = DataSource,
                BusMode = request.Mode == ServeMode.Replay ? BusConsumerMode.Lossless : BusConsumerMode.Lossy,
            },
            Bus, Writer, outputs, loggers.CreateLogger("pipeline"));
        Pipeline.Start();

        if (servers)
        {
            try
            {
                Broadcast = await BroadcastServer.StartAsync(Hub, loggers, cancel).ConfigureAwait(false);
                var state = new ServeState(Pipeline, Registry, options.Instruments, History, () => _sources, Bus, Hub, Writer);
                Api = await ApiServer.StartAsync(ApiServerOptions.From(options.Server, DataSource.ToWireName()) with { LoggerFactory = loggers, WebSocketPort = Broadcast.Port }, state, cancel)
                    .ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new ServeStartException($"cannot listen on {options.Server.BindAddress} (HTTP {options.Server.HttpPort}, WebSocket {options.Server.WebSocketPort}): {ex.Message}");
            }
            catch (InvalidOperationException ex)
            {
                throw new ServeStartException(ex.Message);
            }
        }

        _sources = await ServeSources.StartAsync(request.Mode, options, request, Registry, Pipeline.Sink, loggers, error, cancel).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_sources is not null)
        {
            await _sources.DisposeAsync().ConfigureAwait(false);
        }

        if (Pipeline is not null)
        {
            await Pipeline.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await Pipeline.DisposeAsync().ConfigureAwait(false);
        }

        if (Broadcast is not null)
        {
            await Broadcast.DisposeAsync().ConfigureAwait(false);
        }

        if (Api is not null)
        {
            await Api.DisposeAsync().ConfigureAwait(false);
        }

        if (Writer is not null)
        {
            await Writer.DisposeAsync().ConfigureAwait(false);
            var health = Writer.Health;
            if (health.Pending > 0 || health.Dropped > 0)
            {
                _logger.LogWarning("storage: {Pending} rows not written, {Dropped} dropped", health.Pending, health.Dropped);
            }
        }

        History?.Dispose();
        Store?.Dispose();
        Bus.Dispose();
    }

    /// <summary>Events and snapshots to the broadcast hub.</summary>
    private sealed class HubOutput(BroadcastHub hub) : IPipelineOutput
    {
        public void OnEvent(in MarketEvent e) => hub.Publish(e);

        public void OnSnapshot(MetricsSnapshot snapshot) => hub.PublishSnapshot(snapshot);
    }
}

/// <summary>Something `serve` needs could not start; the message is one line for the user.</summary>
internal sealed class ServeStartException(string message) : Exception(message);
