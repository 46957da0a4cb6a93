using Microsoft.AspNetCore.Http.Features;

namespace Barometer.Server.Broadcast;

/// <summary>
/// The upgraded connection under a client's WebSocket, with write batching: while the client's
/// sender drains its queues (<see cref="BeginBatch"/> … <see cref="EndBatchAsync"/>), WebSocket
/// frames are gathered in one buffer and written to the connection in chunks of up to
/// <see cref="BufferSize"/> bytes instead of one transport write and flush per message. Outside
/// a batch (the sender is idle), writes such as keep-alive Pings and Pongs go straight through.
/// Reads pass through. Writes and the end-of-batch flush are serialized by a gate because the
/// WebSocket's keep-alive timer writes from its own thread. The WebSocket writes each of its
/// frames in one call, so frames it writes and pre-built frames (<see cref="WriteFrameAsync"/>)
/// never interleave.
/// </summary>
internal sealed class BatchingStream : Stream
{
    /// <summary>Bytes gathered before a chunk is written.</summary>
    public const int BufferSize = 32 * 1024;

    private readonly Stream _inner;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _count;
    private bool _batching;

    public BatchingStream(Stream inner) => _inner = inner;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Sender: start gathering writes.</summary>
    public void BeginBatch() => Volatile.Write(ref _batching, true);

    /// <summary>
    /// Sender: writes one complete, already framed WebSocket message (a shared
    /// <see cref="BroadcastFrame.WireFrame"/>) — gathered like any other write, and never in the
    /// middle of a frame the WebSocket writes itself (both go through the gate, whole frames only).
    /// Only for final unmasked data frames while the WebSocket is open and the sender is the only
    /// writer of data frames.
    /// </summary>
    public ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame) => WriteAsync(frame, CancellationToken.None);

    /// <summary>Sender: write out what was gathered and stop gathering.</summary>
    public async ValueTask EndBatchAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _batching = false;
            await FlushBufferAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_batching)
            {
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (_count + buffer.Length > _buffer.Length)
            {
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            if (buffer.Length > _buffer.Length)
            {
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            buffer.Span.CopyTo(_buffer.AsSpan(_count));
            _count += buffer.Length;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
        {
            return;
        }

        int count = _count;
        _count = 0;
        await _inner.WriteAsync(_buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Hands the WebSocket middleware a <see cref="BatchingStream"/> over the upgraded connection and keeps it for the client.</summary>
internal sealed class BatchingUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    /// <summary>The stream, once upgraded.</summary>
    public BatchingStream? Stream { get; private set; }

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync()
    {
        Stream = new BatchingStream(await inner.UpgradeAsync().ConfigureAwait(false));
        return Stream;
    }
}
