using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Barometer.Core.Events;

namespace Barometer.Core.Bus;

/// <summary>
/// Bounded multi-producer, single-consumer ring of <see cref="MarketEvent"/> (Dmitry Vyukov's
/// bounded queue with a sequence number per slot). Producers claim a slot with one
/// compare-and-swap on the enqueue cursor; the one consumer never writes the enqueue cursor, and
/// producers never touch the dequeue cursor, so the two sides share no lock and no written cache
/// line beyond the slot itself. Full means full: the caller decides to drop, spill or wait.
/// </summary>
internal sealed class MpscRing
{
    private readonly Slot[] _slots;
    private readonly long _mask;
    private Cursor _enqueue;
    private Cursor _dequeue;

    public MpscRing(int capacity)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be a power of two ≥ 2");
        }

        _slots = new Slot[capacity];
        _mask = capacity - 1;
        for (var i = 0; i < capacity; i++)
        {
            _slots[i].Sequence = i;
        }
    }

    public int Capacity => _slots.Length;

    /// <summary>Approximate number of queued events (exact when no producer is mid-write).</summary>
    public int Count
    {
        get
        {
            var n = Volatile.Read(ref _enqueue.Value) - Volatile.Read(ref _dequeue.Value);
            return n < 0 ? 0 : (int)Math.Min(n, _slots.Length);
        }
    }

    /// <summary>Enqueues, or returns false when the ring is full. Any thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnqueue(in MarketEvent item)
    {
        var slots = _slots;
        var pos = Volatile.Read(ref _enqueue.Value);
        while (true)
        {
            ref var slot = ref slots[pos & _mask];
            var diff = Volatile.Read(ref slot.Sequence) - pos;
            if (diff == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueue.Value, pos + 1, pos) == pos)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, pos + 1);
                    return true;
                }

                pos = Volatile.Read(ref _enqueue.Value);
            }
            else if (diff < 0)
            {
                return false;
            }
            else
            {
                pos = Volatile.Read(ref _enqueue.Value);
            }
        }
    }

    /// <summary>Dequeues the oldest event. Only the consumer's thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryDequeue(out MarketEvent item)
    {
        var pos = _dequeue.Value;
        ref var slot = ref _slots[pos & _mask];
        if (Volatile.Read(ref slot.Sequence) != pos + 1)
        {
            item = default;
            return false;
        }

        item = slot.Item;
        slot.Item = default; // release the instrument and level arrays for the GC
        Volatile.Write(ref slot.Sequence, pos + _slots.Length);
        Volatile.Write(ref _dequeue.Value, pos + 1);
        return true;
    }

    /// <summary>True when an event is ready for the consumer.</summary>
    public bool HasItem
    {
        get
        {
            var pos = Volatile.Read(ref _dequeue.Value);
            return Volatile.Read(ref _slots[pos & _mask].Sequence) == pos + 1;
        }
    }

    private struct Slot
    {
        public long Sequence;
        public MarketEvent Item;
    }

    /// <summary>A cursor alone on its cache line (64 bytes either side) so producers and the consumer do not false-share.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Cursor
    {
        [FieldOffset(64)]
        public long Value;
    }
}
