using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// One client WebSocket on an emulated venue: a bounded send queue drained by one sender task (so
/// the simulator thread never waits on a socket), a receive loop that hands each text message to
/// the venue's handler, and the fault switches applied (stall, drop, injected frames). A client
/// that falls more than <see cref="SendQueueCapacity"/> frames behind is disconnected, as real
/// venues do with slow readers.
/// </summary>
public sealed class EmulatorSession : IAsyncDisposable
{
    /// <summary>Frames queued per session before the venue cuts a slow client.</summary>
    public const int SendQueueCapacity = 100_000;

    private readonly WebSocket _socket;
    private readonly EmulatorFaults _faults;
    private readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(SendQueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly CancellationTokenSource _stop = new();
    private int _closed;
    private Task _sender = Task.CompletedTask;

    /// <summary>Creates a session over an accepted socket.</summary>
    public EmulatorSession(WebSocket socket, EmulatorFaults faults, string path, string query)
    {
        _socket = socket;
        _faults = faults;
        Path = path;
        Query = query;
        _faults.ConnectionsDropped += Abort;
        _faults.FrameInjected += OnInjected;
    }

    /// <summary>Request path the client connected to (e.g. "/market/stream").</summary>
    public string Path { get; }

    /// <summary>Request query string including "?" (e.g. "?streams=btcusdt@aggTrade").</summary>
    public string Query { get; }

    /// <summary>Per-session state the venue keeps (its subscriptions).</summary>
    public object? State { get; set; }

    /// <summary>True until the socket closed or was aborted.</summary>
    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Cancelled when the session ends.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Queues a text frame (dropped while the venue is stalled).</summary>
    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    /// <summary>Queues a UTF-8 text frame (dropped while the venue is stalled). A full queue cuts the client.</summary>
    public void Send(byte[] utf8)
    {
        if (_faults.Stalled || !IsOpen)
        {
            return;
        }

        if (!_outbox.Writer.TryWrite(utf8))
        {
            Abort();
        }
    }

    /// <summary>
    /// Runs the session until the client goes away: <paramref name="onMessage"/> receives each
    /// complete text message (not called while stalled: a stalled venue ignores its clients).
    /// </summary>
    public async Task RunAsync(Func<EmulatorSession, string, ValueTask> onMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var sender = _sender = SendLoopAsync(linked.Token);
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            // CloseSent: a venue-initiated close waits for the client's close frame (see CloseAsync).
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent && !linked.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, linked.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                string text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                if (!_faults.Stalled)
                {
                    await onMessage(this, text).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the session was aborted: nothing to report.
        }
        finally
        {
            MarkClosed();
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await sender.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Closes the socket with a close frame (normal venue-initiated disconnect, e.g. 24 h limit).</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        // Frames already queued go out first; then the close frame (never concurrently with a send).
        _outbox.Writer.TryComplete();
        try
        {
            await _sender.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            try
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }

            return;
        }

        // A clean handshake: the receive loop ends when the client's close frame arrives (disposing
        // the socket at once would reset the connection before the client read ours). A client that
        // never answers is cut after 2 s.
        try
        {
            _stop.CancelAfter(TimeSpan.FromSeconds(2));
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Aborts the socket without a close frame (a dropped connection).</summary>
    public void Abort()
    {
        MarkClosed();
        _socket.Abort();
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _faults.ConnectionsDropped -= Abort;
        _faults.FrameInjected -= OnInjected;
        MarkClosed();
        _stop.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnInjected(string text)
    {
        if (IsOpen)
        {
            _outbox.Writer.TryWrite(Encoding.UTF8.GetBytes(text));
        }
    }

    private void MarkClosed()
    {
        Interlocked.Exchange(ref _closed, 1);
        _outbox.Writer.TryComplete();
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in _outbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_faults.Stalled)
                {
                    // Queued before the stall began: a stalled venue delivers nothing, so it is dropped.
                    continue;
                }

                await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            Abort();
        }
    }
}
