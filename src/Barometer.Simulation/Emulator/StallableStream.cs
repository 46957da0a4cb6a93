using Microsoft.AspNetCore.Http.Features;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// The upgraded (WebSocket) transport of one connection, frozen while the venue is stalled: reads
/// and writes wait until <see cref="EmulatorFaults.Stalled"/> is false. Because the server's
/// WebSocket never sees what the client sends meanwhile, it cannot answer a Ping with a Pong (the
/// .NET WebSocket replies to Pings only from inside a read), and its keep-alive frames wait too.
/// Disposing (an aborted session) releases every wait.
/// </summary>
internal sealed class StallableStream : Stream
{
    private readonly Stream _inner;
    private readonly EmulatorFaults _faults;
    private readonly CancellationTokenSource _disposed = new();

    public StallableStream(Stream inner, EmulatorFaults faults)
    {
        _inner = inner;
        _faults = faults;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await WhileStalledAsync(cancellationToken).ConfigureAwait(false);
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        // Data that arrived as the stall began is held back until it ends.
        await WhileStalledAsync(cancellationToken).ConfigureAwait(false);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await WhileStalledAsync(cancellationToken).ConfigureAwait(false);
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await WhileStalledAsync(cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Release()
    {
        try
        {
            // Never Cancel() here: Dispose runs inside ManagedWebSocket.Dispose, and an inline callback resumes a
            // pending stalled read, whose ManagedWebSocket continuation then waits for a cancellation callback
            // running on this very thread — a self-deadlock seen as a hang of the stalled-venue keep-alive
            // test (hang dump 2026-12-07). CancelAsync runs the callbacks on the thread pool.
            _ = _disposed.CancelAsync(); // its only callbacks are this stream's own WaitAsync cancellations
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async ValueTask WhileStalledAsync(CancellationToken cancellationToken)
    {
        var resumed = _faults.WhenNotStalled;
        if (resumed.IsCompleted)
        {
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        await resumed.WaitAsync(linked.Token).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
    }
}

/// <summary>Hands the WebSocket middleware a <see cref="StallableStream"/> instead of the raw upgraded connection.</summary>
internal sealed class StallableUpgradeFeature(IHttpUpgradeFeature inner, EmulatorFaults faults) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => new StallableStream(await inner.UpgradeAsync().ConfigureAwait(false), faults);
}
