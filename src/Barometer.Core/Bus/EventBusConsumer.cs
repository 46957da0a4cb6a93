using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Core.Bus;

/// <summary>
/// One consumer's view of the <see cref="EventBus"/>: its own bounded ring, so a slow consumer
/// only ever hurts itself. Read from one thread (TryRead / TryReadBatch / WaitToReadAsync);
/// health may be read from any thread.
/// </summary>
/// <remarks>
/// Order: events from one producer arrive in the order it published them. Under overload,
/// droppable kinds are dropped (counted) and reliable kinds (liquidations, alerts, status, gaps)
/// go to an unbounded side queue that is read once the ring is empty; while the side queue holds
/// anything, new reliable events join it and droppable ones are dropped, which keeps the reliable
/// events in order. After a loss the consumer receives one <see cref="DataGap"/> with cause
/// <see cref="GapCause.Overflow"/> and stream "bus/NAME" at its next read, ahead of at most one
/// ring's worth of events that preceded the loss; its Start/End are the event-time range lost.
/// </remarks>
public sealed class EventBusConsumer : IDisposable
{
    private readonly EventBus _bus;
    private readonly MpscRing _ring;
    private readonly ConcurrentQueue<MarketEvent> _spill = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly string _gapStream;
    private int _spillCount;
    private int _waiting;
    private int _completed;
    private long _dropped;
    private long _spilled;
    private long _delivered;
    private long _gaps;
    private long _lastDropTime;
    private long _pendingDrops;
    private long _pendingDropStart;
    private long _pendingDropEnd;
    private int _pendingDropVenue;

    internal EventBusConsumer(EventBus bus, string name, int capacity, BusConsumerMode mode, EventKindSet kinds)
    {
        _bus = bus;
        Name = name;
        Mode = mode;
        Kinds = kinds;
        _ring = new MpscRing(capacity);
        _gapStream = "bus/" + name;
    }

    /// <summary>The consumer's name (health, logs, gap stream "bus/NAME").</summary>
    public string Name { get; }

    /// <summary>What happens when the ring is full.</summary>
    public BusConsumerMode Mode { get; }

    /// <summary>The kinds this consumer receives; others are not even queued.</summary>
    public EventKindSet Kinds { get; }

    /// <summary>Ring capacity in events (the requested size rounded up to a power of two).</summary>
    public int Capacity => _ring.Capacity;

    /// <summary>True once the bus was disposed or the consumer unsubscribed.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Droppable events dropped for this consumer so far.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Events delivered so far (including gap markers).</summary>
    public long Delivered => Volatile.Read(ref _delivered);

    private bool HasData =>
        _ring.HasItem || Volatile.Read(ref _spillCount) > 0 || Volatile.Read(ref _pendingDrops) > 0;

    /// <summary>Called by producers through <see cref="EventBus.Publish"/>. Never blocks in lossy mode.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Offer(in MarketEvent e)
    {
        if (!Kinds.Contains(e.Kind))
        {
            return;
        }

        if (Volatile.Read(ref _spillCount) == 0 && _ring.TryEnqueue(in e))
        {
            Signal();
            return;
        }

        OfferSlow(in e);
    }

    private void OfferSlow(in MarketEvent e)
    {
        if (IsCompleted)
        {
            return;
        }

        if (Mode == BusConsumerMode.Lossless)
        {
            var spin = new SpinWait();
            while (!_ring.TryEnqueue(in e))
            {
                if (IsCompleted)
                {
                    return;
                }

                spin.SpinOnce();
            }

            Signal();
            return;
        }

        if (e.Kind.IsReliable())
        {
            _spill.Enqueue(e);
            Interlocked.Increment(ref _spillCount);
            Interlocked.Increment(ref _spilled);
            Signal();
            return;
        }

        Interlocked.Increment(ref _dropped);
        var time = e.ExchangeTime;
        Volatile.Write(ref _lastDropTime, time);
        if (Interlocked.CompareExchange(ref _pendingDropStart, time, 0) == 0)
        {
            Volatile.Write(ref _pendingDropVenue, (int)e.Venue);
        }

        if (time > Volatile.Read(ref _pendingDropEnd))
        {
            Volatile.Write(ref _pendingDropEnd, time);
        }

        Interlocked.Increment(ref _pendingDrops);
        Signal();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Signal()
    {
        // The enqueue above ended with a full fence (CAS / Interlocked), so this read cannot move
        // before it; WaitToReadAsync sets the flag with a full fence before its last check.
        if (Volatile.Read(ref _waiting) != 0 && Interlocked.Exchange(ref _waiting, 0) != 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Takes the next event, or returns false when nothing is ready. Consumer thread only.</summary>
    public bool TryRead(out MarketEvent e)
    {
        if (Volatile.Read(ref _pendingDrops) > 0)
        {
            e = TakeGapMarker();
            _gaps++;
        }
        else if (!_ring.TryDequeue(out e))
        {
            if (Volatile.Read(ref _spillCount) == 0 || !_spill.TryDequeue(out e))
            {
                return false;
            }

            Interlocked.Decrement(ref _spillCount);
        }

        Volatile.Write(ref _delivered, _delivered + 1);
        return true;
    }

    /// <summary>Fills <paramref name="buffer"/> with ready events; returns how many. Consumer thread only.</summary>
    public int TryReadBatch(Span<MarketEvent> buffer)
    {
        var n = 0;
        while (n < buffer.Length && TryRead(out buffer[n]))
        {
            n++;
        }

        return n;
    }

    /// <summary>
    /// Waits until an event is ready (true) or the consumer is completed and drained (false).
    /// Consumer thread only; allocation-free while events are flowing.
    /// </summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (HasData)
            {
                return true;
            }

            if (IsCompleted)
            {
                return HasData;
            }

            Interlocked.Exchange(ref _waiting, 1);
            if (HasData || IsCompleted)
            {
                Volatile.Write(ref _waiting, 0);
                continue;
            }

            await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads every event until the consumer completes (convenience for non-hot consumers).</summary>
    public async IAsyncEnumerable<MarketEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryRead(out var e))
            {
                yield return e;
            }
        }
    }

    /// <summary>A snapshot of this consumer's counters.</summary>
    public ConsumerHealth GetHealth() => new(
        Name,
        Mode,
        Capacity,
        _ring.Count,
        Volatile.Read(ref _spillCount),
        Volatile.Read(ref _delivered),
        Volatile.Read(ref _dropped),
        Volatile.Read(ref _spilled),
        Volatile.Read(ref _gaps),
        Volatile.Read(ref _lastDropTime));

    /// <summary>Stops delivery of new events; what is queued can still be read. Wakes a waiting reader.</summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Unsubscribes from the bus and completes.</summary>
    public void Dispose()
    {
        _bus.Unsubscribe(this);
        Complete();
    }

    private MarketEvent TakeGapMarker()
    {
        var count = Interlocked.Exchange(ref _pendingDrops, 0);
        var start = Interlocked.Exchange(ref _pendingDropStart, 0);
        var end = Interlocked.Exchange(ref _pendingDropEnd, 0);
        var venue = (VenueId)Volatile.Read(ref _pendingDropVenue);
        if (start == 0)
        {
            start = end;
        }

        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{count} events dropped for consumer '{Name}' (queue of {Capacity} full); first dropped event's venue {venue.ToWireName()}");
        return MarketEvent.From(new DataGap(venue, null, _gapStream, start, end, GapCause.Overflow, detail));
    }
}
