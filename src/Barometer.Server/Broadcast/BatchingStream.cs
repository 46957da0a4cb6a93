using Microsoft.AspNetCore.Http.Features;

namespace Barometer.Server.Broadcast;

/// <summary>
/// The upgraded connection under a client's WebSocket, shared by two writers: the .NET WebSocket
/// (its keep-alive Pings, Pongs and the close frame, written from its own timer or the sender)
/// and the client's sender, which writes batches of pre-framed broadcast messages
/// (<see cref="BroadcastFrame.WireFrame"/>) directly. A gate serializes them; the WebSocket writes
/// each of its frames in one call, and the sender writes only whole frames, so frames never
/// interleave. Reads pass through.
/// </summary>
internal sealed class BatchingStream : Stream
{
    private readonly Stream _inner;
    private readonly SemaphoreSlim _gate = new(1, 1);

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

    /// <summary>Sender: takes the write gate (completes at once unless the WebSocket is writing).</summary>
    public Task EnterAsync() => _gate.WaitAsync();

    /// <summary>Sender: gives the write gate back.</summary>
    public void Exit() => _gate.Release();

    /// <summary>Sender, holding the gate: writes whole WebSocket frames to the connection.</summary>
    public ValueTask WriteFramesAsync(ReadOnlyMemory<byte> frames) => _inner.WriteAsync(frames, CancellationToken.None);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
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
