using Barometer.Analytics;
using Barometer.Analytics.Snapshots;
using Barometer.Analytics.Tape;
using Barometer.Core.Bus;
using Barometer.Core.Events;
using Barometer.Server.Broadcast;
using Barometer.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Barometer.Server.Pipeline;

/// <summary>Receives what the pipeline produces, on the pipeline's consumer task (must not block).</summary>
public interface IPipelineOutput
{
    /// <summary>A normalized event, in bus order (alerts raised by analytics included).</summary>
    void OnEvent(in MarketEvent e);

    /// <summary>A new metric snapshot.</summary>
    void OnSnapshot(MetricsSnapshot snapshot);
}

/// <summary>Settings of <see cref="MarketPipeline"/>.</summary>
public sealed record PipelineOptions
{
    /// <summary>Analytics settings (thresholds from the configuration).</summary>
    public AnalyticsOptions Analytics { get; init; } = new();

    /// <summary>A snapshot is taken each time event time crosses a multiple of this. Default 1 s.</summary>
    public TimeSpan SnapshotEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bus ring capacity of the pipeline's consumer.</summary>
    public int BusCapacity { get; init; } = 1 << 18;

    /// <summary>Where the data comes from.</summary>
    public DataSource Source { get; init; } = DataSource.Live;

    /// <summary>
    /// Live sources only: when no event arrived for this long, event time is advanced to the wall
    /// clock and a snapshot taken, so silent feeds show as stale instead of frozen. Null: never
    /// (simulated and replayed event times are not wall-clock times). Default 1 s.
    /// </summary>
    public TimeSpan? IdleTick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Lossy for live sources (a slow pipeline never blocks the sockets); lossless for a replay (the file waits).</summary>
    public BusConsumerMode BusMode { get; init; } = BusConsumerMode.Lossy;
}

/// <summary>
/// The serve pipeline's one consumer of the event bus: every event goes, in order, through the
/// analytics engine, the history row mapper (into the batched SQLite writer) and the outputs (the
/// broadcast hub). Snapshots are taken on event time (each <see cref="PipelineOptions.SnapshotEvery"/>),
/// kept as <see cref="Latest"/> for the API and handed to the outputs; completed one-minute bars
/// are stored. One task owns the engine; readers only see immutable snapshots.
/// </summary>
public sealed class MarketPipeline : IAsyncDisposable
{
    private readonly EventBus _bus;
    private readonly EventBusConsumer _consumer;
    private readonly AnalyticsEngine _engine;
    private readonly HistoryRowMapper _mapper;
    private readonly StorageWriter? _writer;
    private readonly IReadOnlyList<IPipelineOutput> _outputs;
    private readonly ILogger _logger;
    private readonly long _snapshotMicros;
    private readonly List<MinuteBar> _bars = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private MetricsSnapshot? _latest;
    private long _nextSnapshot = long.MinValue;
    private long _storageRejected;
    private long _lastGuardMinute = long.MinValue;

    /// <summary>Creates the pipeline; <see cref="Start"/> runs it.</summary>
    public MarketPipeline(PipelineOptions options, EventBus bus, StorageWriter? writer, IReadOnlyList<IPipelineOutput> outputs, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(outputs);
        Options = options;
        _bus = bus;
        _writer = writer;
        _outputs = outputs;
        _logger = logger ?? NullLogger.Instance;
        _snapshotMicros = Math.Max(1000, (long)(options.SnapshotEvery.TotalMilliseconds * 1000));
        _engine = new AnalyticsEngine(options.Analytics with { QueueCompletedBars = writer is not null, DataSource = options.Source.ToWireName() },
            new AlertForwarder(this));
        _mapper = new HistoryRowMapper(options.Analytics.Thresholds.LargeTradeUsd);
        _consumer = bus.Subscribe("pipeline", options.BusCapacity, options.BusMode);
    }

    /// <summary>Settings.</summary>
    public PipelineOptions Options { get; }

    /// <summary>The sink sources publish to (the bus).</summary>
    public IEventSink Sink => _bus;

    /// <summary>The latest snapshot, or null before the first one.</summary>
    public MetricsSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Rows the storage writer refused (its buffer was full).</summary>
    public long StorageRejected => Interlocked.Read(ref _storageRejected);

    /// <summary>Health of the pipeline's bus consumer.</summary>
    public ConsumerHealth BusHealth => _consumer.GetHealth();

    /// <summary>Starts the consumer task.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>
    /// Stops taking new events, processes what is queued, takes a final snapshot and flushes
    /// storage (bounded by <paramref name="flushTimeout"/>).
    /// </summary>
    public async Task StopAsync(TimeSpan flushTimeout)
    {
        _consumer.Complete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_engine.Events > 0)
        {
            TakeSnapshot();
        }

        DrainBars();
        if (_writer is not null && !await _writer.FlushAsync(flushTimeout).ConfigureAwait(false))
        {
            _logger.LogWarning("storage: flush at shutdown did not finish within {Timeout}; {Pending} rows not written", flushTimeout, _writer.Health.Pending);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _consumer.Dispose();
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancel)
    {
        var batch = new MarketEvent[256];
        bool tick = Options.Source == DataSource.Live && Options.IdleTick is { } t && t > TimeSpan.Zero;
        while (true)
        {
            int n = _consumer.TryReadBatch(batch);
            if (n > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    try
                    {
                        Handle(batch[i]);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // One bad event must not stop the pipeline; the engine and mapper validate their input,
                        // so this is a bug: log it and carry on.
                        _logger.LogError(ex, "pipeline: event {Kind} from {Venue} failed", batch[i].Kind, batch[i].Venue);
                    }
                }

                continue;
            }

            if (!tick)
            {
                if (!await _consumer.WaitToReadAsync(cancel).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // Idle: wait at most one tick (a timer only while nothing flows, never per event).
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            idle.CancelAfter(Options.IdleTick!.Value);
            try
            {
                if (!await _consumer.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                OnIdle();
            }
        }
    }

    /// <summary>No event for a tick on a live source: event time follows the wall clock, and a snapshot shows what went stale.</summary>
    private void OnIdle()
    {
        if (_engine.Events == 0)
        {
            return;
        }

        long wall = Core.Time.UnixMicros.Now(TimeProvider.System);
        if (wall > _engine.Now)
        {
            _engine.AdvanceTime(wall);
            TakeSnapshot();
            _nextSnapshot = FloorTo(wall, _snapshotMicros) + _snapshotMicros;
        }
    }

    private void Handle(in MarketEvent e)
    {
        _engine.Publish(e);
        if (_writer is not null && _mapper.Map(e) is { } row && !_writer.TryAdd(row))
        {
            Interlocked.Increment(ref _storageRejected);
        }

        for (int k = 0; k < _outputs.Count; k++)
        {
            _outputs[k].OnEvent(e);
        }

        long now = _engine.Now;
        if (_nextSnapshot == long.MinValue)
        {
            _nextSnapshot = FloorTo(now, _snapshotMicros) + _snapshotMicros;
        }
        else if (now >= _nextSnapshot)
        {
            TakeSnapshot();
            _nextSnapshot = FloorTo(now, _snapshotMicros) + _snapshotMicros;
            DrainBars();
        }
    }

    private void TakeSnapshot()
    {
        var snapshot = _engine.Snapshot();
        Volatile.Write(ref _latest, snapshot);
        StoreGuards(snapshot);
        for (int k = 0; k < _outputs.Count; k++)
        {
            _outputs[k].OnSnapshot(snapshot);
        }
    }

    private void DrainBars()
    {
        if (_writer is null)
        {
            return;
        }

        _bars.Clear();
        _engine.DrainCompletedBars(_bars);
        foreach (var b in _bars)
        {
            int colon = b.Instrument.IndexOf(':', StringComparison.Ordinal);
            string symbol = colon >= 0 ? b.Instrument[(colon + 1)..] : b.Instrument;
            if (!_writer.TryAdd(new BarRow(b.Venue, symbol, b.Asset, b.MinuteStart, b.Open, b.High, b.Low, b.Close, b.BuyVolumeUsd, b.SellVolumeUsd, b.DeltaUsd, b.Vwap, b.Trades)))
            {
                Interlocked.Increment(ref _storageRejected);
            }
        }
    }

    /// <summary>One guard evaluation per asset per minute of event time (the first snapshot of each minute).</summary>
    private void StoreGuards(MetricsSnapshot snapshot)
    {
        const long Minute = 60_000_000;
        long minute = FloorTo(snapshot.Time, Minute);
        if (_writer is null || minute <= _lastGuardMinute)
        {
            return;
        }

        _lastGuardMinute = minute;
        foreach (var g in snapshot.Guards.Assets)
        {
            string reasons = System.Text.Json.JsonSerializer.Serialize(g.Reasons, SnapshotJson.Options);
            string status = g.Status switch { Analytics.Guards.GuardStatus.Breach => "breach", Analytics.Guards.GuardStatus.Warning => "warning", _ => "passing" };
            if (!_writer.TryAdd(new GuardRow(g.Asset, minute, status, reasons, g.DataSource)))
            {
                Interlocked.Increment(ref _storageRejected);
            }
        }
    }

    /// <summary>Alerts raised by the engine (cascades) reach the outputs as they are raised, just before the event that raised them.</summary>
    private sealed class AlertForwarder(MarketPipeline owner) : IEventSink
    {
        public void Publish(in MarketEvent e)
        {
            for (int k = 0; k < owner._outputs.Count; k++)
            {
                owner._outputs[k].OnEvent(e);
            }
        }
    }

    private static long FloorTo(long value, long step) => value >= 0 ? value - (value % step) : value - (((value % step) + step) % step);
}
