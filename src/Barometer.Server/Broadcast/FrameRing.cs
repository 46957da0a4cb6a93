using System.Numerics;
using System.Runtime.InteropServices;

namespace Barometer.Server.Broadcast;

/// <summary>
/// A bounded single-producer single-consumer queue of frames, lock-free, with one twist: the
/// producer may drop the OLDEST entry to make room (<see cref="EnqueueDroppingOldest"/>). Both
/// sides take an entry by a compare-and-swap on <c>head</c>, so exactly one of them owns (and
/// releases) it. Positions are dense, so the consumer learns how many entries the producer dropped
/// before the one it took from the position it got (<see cref="TryDequeue"/>).
/// The slot array starts small and doubles (producer side, amortized) up to the power of two that
/// holds <c>capacity</c>, so an idle client costs little memory; growth copies the live range into
/// the new array before publishing it, and the consumer reads whichever array it sees after
/// reading <c>tail</c> — both hold every live position (a drop, which overwrites, only happens once
/// the array is at its final size).
/// </summary>
internal sealed class FrameRing
{
    private const int InitialSlots = 64;

    private readonly int _capacity;
    private readonly int _maxSlots;
    private BroadcastFrame?[] _slots;
    private Cursors _cursors;

    public FrameRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _maxSlots = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new BroadcastFrame?[Math.Min(InitialSlots, _maxSlots)];
    }

    /// <summary>Most entries held.</summary>
    public int Capacity => _capacity;

    /// <summary>Entries queued now.</summary>
    public int Count => (int)Math.Max(0, Volatile.Read(ref _cursors.Tail) - Volatile.Read(ref _cursors.Head));

    /// <summary>Slots allocated now (tests).</summary>
    internal int SlotCount => Volatile.Read(ref _slots).Length;

    /// <summary>
    /// Producer: queues <paramref name="frame"/>; when the queue is full, first removes the oldest
    /// entry and returns it (the caller releases it and counts the skip), else returns null.
    /// </summary>
    public BroadcastFrame? EnqueueDroppingOldest(BroadcastFrame frame)
    {
        long tail = _cursors.Tail;
        BroadcastFrame? dropped = null;
        while (true)
        {
            long head = Volatile.Read(ref _cursors.Head);
            if (tail - head < _capacity)
            {
                break;
            }

            var slots = _slots;
            var oldest = slots[(int)(head & (slots.Length - 1))];
            if (Interlocked.CompareExchange(ref _cursors.Head, head + 1, head) == head)
            {
                dropped = oldest;
                break;
            }

            // The consumer took it meanwhile: there is room now.
        }

        Put(frame, tail);
        return dropped;
    }

    /// <summary>Producer: queues <paramref name="frame"/> unless the queue is full (then false; nothing changes).</summary>
    public bool TryEnqueue(BroadcastFrame frame)
    {
        long tail = _cursors.Tail;
        if (tail - Volatile.Read(ref _cursors.Head) >= _capacity)
        {
            return false;
        }

        Put(frame, tail);
        return true;
    }

    /// <summary>
    /// Consumer: takes the oldest entry. <paramref name="position"/> is its position; positions
    /// the consumer never got (between its previous one and this) were dropped by the producer.
    /// </summary>
    public bool TryDequeue(out BroadcastFrame frame, out long position)
    {
        while (true)
        {
            long head = Volatile.Read(ref _cursors.Head);
            if (head >= Volatile.Read(ref _cursors.Tail))
            {
                frame = null!;
                position = head;
                return false;
            }

            var slots = Volatile.Read(ref _slots);
            var candidate = Volatile.Read(ref slots[(int)(head & (slots.Length - 1))]);
            if (Interlocked.CompareExchange(ref _cursors.Head, head + 1, head) == head)
            {
                frame = candidate!;
                position = head;
                return true;
            }

            // The producer dropped it: try the next one.
        }
    }

    /// <summary>Next position the consumer would take (everything before it is taken or dropped).</summary>
    public long Head => Volatile.Read(ref _cursors.Head);

    private void Put(BroadcastFrame frame, long tail)
    {
        var slots = _slots;
        if (tail - Volatile.Read(ref _cursors.Head) >= slots.Length)
        {
            slots = Grow(slots, tail);
        }

        Volatile.Write(ref slots[(int)(tail & (slots.Length - 1))], frame);
        Volatile.Write(ref _cursors.Tail, tail + 1);
    }

    private BroadcastFrame?[] Grow(BroadcastFrame?[] old, long tail)
    {
        // Only reached while the array is smaller than capacity (a full queue at final size drops
        // or rejects before Put), so nothing live is ever overwritten here.
        var grown = new BroadcastFrame?[Math.Min(old.Length * 2, _maxSlots)];
        for (long p = Volatile.Read(ref _cursors.Head); p < tail; p++)
        {
            grown[(int)(p & (grown.Length - 1))] = old[(int)(p & (old.Length - 1))];
        }

        Volatile.Write(ref _slots, grown);
        return grown;
    }

    /// <summary>Head and tail on separate cache lines (the consumer writes one, the producer the other).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Cursors
    {
        [FieldOffset(64)]
        public long Head;

        [FieldOffset(128)]
        public long Tail;
    }
}
