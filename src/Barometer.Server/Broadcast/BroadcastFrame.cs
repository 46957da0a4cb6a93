using System.Buffers;
using System.Collections.Concurrent;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Server.Broadcast;

/// <summary>
/// One serialized broadcast message (UTF-8 JSON), written once by the producer and shared by every
/// client queue that takes it. Reference counted: the producer starts the count at a large bias
/// while it offers the frame to clients (no atomic operation per client), then settles it to the
/// number of queues that took the frame (<see cref="Settle"/>); each queue releases its reference
/// once the frame is sent or skipped, and the last release returns the frame to its pool.
/// Also carries what filters look at (kind, venue, instrument, alert asset) so a sender can
/// re-check a frame against a subscription that changed after it was queued.
/// The JSON is written after <see cref="HeaderReserve"/> bytes; <see cref="Seal"/> puts the
/// WebSocket frame header (text, final, unmasked — the same for every client, since servers do
/// not mask) in front of it, so <see cref="WireFrame"/> is ready to copy onto any connection.
/// </summary>
internal sealed class BroadcastFrame : IBufferWriter<byte>
{
    /// <summary>Bytes kept in front of the JSON for the WebSocket frame header (at most 10).</summary>
    public const int HeaderReserve = 10;

    /// <summary>Initial reference count while the producer offers the frame (larger than any number of clients).</summary>
    private const int Bias = 1 << 30;

    private readonly FramePool _pool;
    private byte[] _buffer;
    private int _length;
    private int _headerLength;
    private int _refs;

    public BroadcastFrame(FramePool pool, int initialCapacity)
    {
        _pool = pool;
        _buffer = new byte[initialCapacity];
    }

    /// <summary>Hub-wide sequence number (publish order).</summary>
    public long Seq { get; private set; }

    /// <summary>Event kind; <see cref="EventKind.None"/> for a snapshot.</summary>
    public EventKind Kind { get; private set; }

    /// <summary>True for a metrics snapshot.</summary>
    public bool IsSnapshot { get; private set; }

    /// <summary>The event's venue (meaningful when <see cref="HasVenue"/>).</summary>
    public VenueId Venue { get; private set; }

    /// <summary>False for snapshots and alerts (an alert's venue is not a filter key).</summary>
    public bool HasVenue { get; private set; }

    /// <summary>The event's instrument, or null.</summary>
    public Instrument? Instrument { get; private set; }

    /// <summary>The alert's asset (alerts only), or null.</summary>
    public string? Asset { get; private set; }

    /// <summary>The serialized message (JSON).</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(HeaderReserve, _length);

    /// <summary>The whole WebSocket frame: header (after <see cref="Seal"/>) and JSON.</summary>
    public ReadOnlyMemory<byte> WireFrame => _buffer.AsMemory(HeaderReserve - _headerLength, _headerLength + _length);

    /// <summary>Capacity of the buffer (pool policy).</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Current reference count (tests).</summary>
    internal int References => Volatile.Read(ref _refs);

    /// <summary>Prepares a rented frame for a new message.</summary>
    public void Begin(long seq, EventKind kind, bool isSnapshot, VenueId venue, bool hasVenue, Instrument? instrument, string? asset)
    {
        Seq = seq;
        Kind = kind;
        IsSnapshot = isSnapshot;
        Venue = venue;
        HasVenue = hasVenue;
        Instrument = instrument;
        Asset = asset;
        _length = 0;
        _headerLength = 0;
        Volatile.Write(ref _refs, Bias);
    }

    /// <summary>Writes the WebSocket header of a final text frame in front of the JSON.</summary>
    public void Seal()
    {
        _headerLength = HeaderLength(_length);
        WriteHeader(_buffer.AsSpan(HeaderReserve - _headerLength, _headerLength), _length);
    }

    /// <summary>Header size of a server text frame with <paramref name="payloadLength"/> bytes: 2, 4 or 10 (RFC 6455 §5.2).</summary>
    public static int HeaderLength(int payloadLength) => payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;

    /// <summary>Writes the header of a final, unmasked text frame (FIN + opcode 1, then the length) into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int payloadLength)
    {
        destination[0] = 0x81;
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
        }
        else
        {
            destination[1] = 127;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        }
    }

    /// <summary>
    /// Called by the producer after offering the frame: <paramref name="taken"/> queues hold it.
    /// Returns the frame to the pool when none does (or all already released it).
    /// </summary>
    public void Settle(int taken)
    {
        if (Interlocked.Add(ref _refs, taken - Bias) == 0)
        {
            _pool.Return(this);
        }
    }

    /// <summary>Drops one queue's reference; the last one returns the frame to the pool.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            _pool.Return(this);
        }
    }

    /// <inheritdoc />
    public void Advance(int count) => _length += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(HeaderReserve + _length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(HeaderReserve + _length);
    }

    private void Ensure(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        int used = HeaderReserve + _length;
        if (_buffer.Length - used >= need)
        {
            return;
        }

        int size = Math.Max(_buffer.Length * 2, used + need);
        var grown = new byte[size];
        _buffer.AsSpan(0, used).CopyTo(grown);
        _buffer = grown;
    }
}

/// <summary>
/// Frames returned by the last reader, reused by the producer. Lock-free (a concurrent queue);
/// keeps at most <see cref="MaxIdle"/> idle frames and never keeps a frame whose buffer grew past
/// <see cref="MaxPooledCapacity"/> (snapshots, big book snapshots: left to the GC).
/// </summary>
internal sealed class FramePool
{
    /// <summary>Buffer size of a new frame.</summary>
    public const int InitialCapacity = 512;

    /// <summary>Largest buffer kept.</summary>
    public const int MaxPooledCapacity = 64 * 1024;

    /// <summary>Idle frames kept.</summary>
    public const int MaxIdle = 32_768;

    private readonly ConcurrentQueue<BroadcastFrame> _idle = new();
    private int _idleCount;
    private long _created;

    /// <summary>Frames allocated so far (tests, benchmarks).</summary>
    public long Created => Volatile.Read(ref _created);

    /// <summary>Idle frames held.</summary>
    public int Idle => Volatile.Read(ref _idleCount);

    /// <summary>A frame to write into (producer thread).</summary>
    public BroadcastFrame Rent()
    {
        if (_idle.TryDequeue(out var frame))
        {
            Interlocked.Decrement(ref _idleCount);
            return frame;
        }

        Interlocked.Increment(ref _created);
        return new BroadcastFrame(this, InitialCapacity);
    }

    /// <summary>Takes back a frame nobody references any more.</summary>
    public void Return(BroadcastFrame frame)
    {
        if (frame.Capacity > MaxPooledCapacity)
        {
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }

        _idle.Enqueue(frame);
    }
}
