using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Barometer.Storage.Sqlite;

/// <summary>
/// Writes rows to <see cref="SqliteStore"/> off the hot path: producers call <see cref="TryAdd"/>
/// (never blocks), one background task writes batches in transactions. When the database fails
/// (full disk, locked), accepted rows stay in the bounded buffer and the batch is retried with
/// backoff; only when the buffer is full are new rows dropped, counted. Liquidations are never
/// the ones dropped while other rows are buffered: the oldest non-liquidation row is evicted first.
/// </summary>
public sealed class StorageWriter : IAsyncDisposable
{
    private readonly SqliteStore _store;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly int _batchSize;
    private readonly TimeSpan _flushInterval;
    private readonly LinkedList<object> _buffer = new();
    private readonly Lock _gate = new();
    private readonly Lock _writeLock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _written;
    private long _dropped;
    private long _failedBatches;
    private string _lastError = string.Empty;
    private bool _healthy = true;
    private readonly long _barRetentionMicros;
    private long _newestBar = long.MinValue;
    private long _lastPruneAt = long.MinValue;
    private long _barsPruned;

    /// <summary>Starts the writer.</summary>
    /// <param name="store">The database.</param>
    /// <param name="capacity">Rows buffered at most.</param>
    /// <param name="batchSize">Rows per transaction at most.</param>
    /// <param name="flushInterval">Longest wait before a partial batch is written.</param>
    /// <param name="logger">Log.</param>
    /// <param name="barRetention">Bars older than this before the newest bar written are deleted (checked once per hour of bar time); null keeps them all.</param>
    public StorageWriter(SqliteStore store, int capacity = 200_000, int batchSize = 5_000, TimeSpan? flushInterval = null, ILogger? logger = null,
        TimeSpan? barRetention = null)
    {
        _barRetentionMicros = barRetention is { } r ? (long)(r.TotalMilliseconds * 1000) : 0;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _store = store;
        _capacity = capacity;
        _batchSize = batchSize;
        _flushInterval = flushInterval ?? TimeSpan.FromMilliseconds(250);
        _logger = logger ?? NullLogger.Instance;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Current counters.</summary>
    public StorageHealth Health
    {
        get
        {
            lock (_gate)
            {
                return new StorageHealth(_buffer.Count, Interlocked.Read(ref _written), Interlocked.Read(ref _dropped),
                    Interlocked.Read(ref _failedBatches), _lastError, _healthy);
            }
        }
    }

    /// <summary>Accepts a row for writing; false when it had to be dropped (buffer full).</summary>
    public bool TryAdd(object row)
    {
        ArgumentNullException.ThrowIfNull(row);
        bool signal;
        lock (_gate)
        {
            if (_buffer.Count >= _capacity)
            {
                var victim = _buffer.First;
                while (victim is not null && victim.Value is LiquidationRow)
                {
                    victim = victim.Next;
                }

                if (victim is null || row is not LiquidationRow && victim.Value is LiquidationRow)
                {
                    Interlocked.Increment(ref _dropped);
                    return false;
                }

                _buffer.Remove(victim);
                Interlocked.Increment(ref _dropped);
            }

            _buffer.AddLast(row);
            signal = _buffer.Count >= _batchSize;
        }

        if (signal)
        {
            _signal.Release();
        }

        return true;
    }

    /// <summary>Writes everything buffered now (retrying failures until <paramref name="timeout"/>).</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (WriteOnce() && Health.Pending == 0)
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await FlushAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task LoopAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(_flushInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (WriteOnce())
            {
                backoff = TimeSpan.FromMilliseconds(100);
                continue;
            }

            try
            {
                await Task.Delay(backoff, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    /// <summary>Writes up to one batch per call until the buffer is empty or a batch fails.</summary>
    private bool WriteOnce()
    {
        lock (_writeLock)
        {
            return WriteAvailable();
        }
    }

    private bool WriteAvailable()
    {
        while (true)
        {
            List<object> batch;
            lock (_gate)
            {
                if (_buffer.Count == 0)
                {
                    return true;
                }

                batch = new List<object>(Math.Min(_batchSize, _buffer.Count));
                var node = _buffer.First;
                while (node is not null && batch.Count < _batchSize)
                {
                    batch.Add(node.Value);
                    node = node.Next;
                }
            }

            try
            {
                _store.WriteBatch(batch);
            }
            catch (SqliteException ex)
            {
                Interlocked.Increment(ref _failedBatches);
                bool first;
                lock (_gate)
                {
                    first = _healthy;
                    _healthy = false;
                    _lastError = $"SQLite error {ex.SqliteErrorCode}: {ex.Message}";
                }

                if (first)
                {
                    _logger.LogError("Storage write failed, keeping {Pending} rows buffered and retrying: {Error}", Health.Pending, ex.Message);
                }

                return false;
            }

            lock (_gate)
            {
                // The batch is the head of the buffer unless eviction removed some of it meanwhile.
                foreach (var row in batch)
                {
                    if (_buffer.First is { } head && ReferenceEquals(head.Value, row))
                    {
                        _buffer.RemoveFirst();
                    }
                    else
                    {
                        _buffer.Remove(row);
                    }
                }

                if (!_healthy)
                {
                    _logger.LogInformation("Storage writes recovered");
                }

                _healthy = true;
                _lastError = string.Empty;
            }

            Interlocked.Add(ref _written, batch.Count);
            PruneBars(batch);
        }
    }

    /// <summary>Bars deleted by retention since start.</summary>
    public long BarsPruned => Interlocked.Read(ref _barsPruned);

    private void PruneBars(List<object> batch)
    {
        if (_barRetentionMicros <= 0)
        {
            return;
        }

        foreach (var row in batch)
        {
            if (row is BarRow bar && bar.MinuteStart > _newestBar)
            {
                _newestBar = bar.MinuteStart;
            }
        }

        const long Hour = 3_600_000_000;
        if (_newestBar == long.MinValue || (_lastPruneAt != long.MinValue && _newestBar - _lastPruneAt < Hour))
        {
            return;
        }

        _lastPruneAt = _newestBar;
        try
        {
            int removed = _store.DeleteBarsBefore(_newestBar - _barRetentionMicros);
            Interlocked.Add(ref _barsPruned, removed);
        }
        catch (SqliteException ex)
        {
            _logger.LogWarning("Storage: bar retention failed (retried in an hour of bar time): {Error}", ex.Message);
        }
    }
}
