using System.Collections.Concurrent;
using System.Numerics;

namespace Barometer.Storage.Recording;

/// <summary>
/// Buffers for frames in flight between the connectors (<see cref="RecordingWriter.OnFrame"/>,
/// rent) and the writer task (return). <c>ArrayPool&lt;byte&gt;.Shared</c> keeps only a handful of
/// arrays per size per core, so once a few dozen frames are queued nearly every rent allocates;
/// this pool keeps up to <see cref="BytesPerClass"/> of returned buffers per power-of-two size
/// class, in lock-free queues, so a queue thousands of frames deep still runs on reused buffers.
/// Frames above <see cref="MaxPooledLength"/> get an array of their own.
/// </summary>
internal sealed class FrameBufferPool
{
    /// <summary>Smallest buffer handed out.</summary>
    public const int MinLength = 256;

    /// <summary>Largest pooled buffer; longer frames are allocated and left to the GC.</summary>
    public const int MaxPooledLength = 1 << 20;

    /// <summary>Bytes of idle buffers kept per size class.</summary>
    public const int BytesPerClass = 16 << 20;

    private const int MinShift = 8; // log2(MinLength)

    private readonly ConcurrentQueue<byte[]>[] _free;
    private readonly int[] _count;

    public FrameBufferPool()
    {
        int classes = BitOperations.Log2(MaxPooledLength) - MinShift + 1;
        _free = new ConcurrentQueue<byte[]>[classes];
        _count = new int[classes];
        for (int i = 0; i < classes; i++)
        {
            _free[i] = new ConcurrentQueue<byte[]>();
        }
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes.</summary>
    public byte[] Rent(int length)
    {
        int c = ClassOf(length);
        if (c < 0)
        {
            return new byte[length];
        }

        if (_free[c].TryDequeue(out var buffer))
        {
            Interlocked.Decrement(ref _count[c]);
            return buffer;
        }

        return new byte[MinLength << c];
    }

    /// <summary>Gives a buffer from <see cref="Rent"/> back; kept while its class is under budget.</summary>
    public void Return(byte[] buffer)
    {
        int c = ClassOf(buffer.Length);
        if (c < 0 || buffer.Length != MinLength << c)
        {
            return; // an oversized frame's own array
        }

        int limit = BytesPerClass >> (MinShift + c);
        if (Interlocked.Increment(ref _count[c]) > limit)
        {
            Interlocked.Decrement(ref _count[c]);
            return;
        }

        _free[c].Enqueue(buffer);
    }

    /// <summary>Idle buffers held (tests).</summary>
    internal int IdleBuffers
    {
        get
        {
            int n = 0;
            for (int i = 0; i < _count.Length; i++)
            {
                n += Volatile.Read(ref _count[i]);
            }

            return n;
        }
    }

    /// <summary>Size class of <paramref name="length"/>: buffers of MinLength &lt;&lt; class bytes; −1 when not pooled.</summary>
    internal static int ClassOf(int length)
    {
        if (length > MaxPooledLength)
        {
            return -1;
        }

        if (length <= MinLength)
        {
            return 0;
        }

        return BitOperations.Log2((uint)(length - 1)) + 1 - MinShift;
    }
}
