using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;

namespace Barometer.Server.Broadcast;

/// <summary>Why a client connection ended (hub totals).</summary>
internal enum CloseCause
{
    None = 0,
    ClientClosed,
    ConnectionLost,
    ReliableOverflow,
    MessageTooBig,
    ServerShutdown,
}

/// <summary>
/// One broadcast client: three queues filled by the producer thread — ordinary events
/// (<see cref="FrameRing"/>, oldest skipped when full), reliable events (never skipped; overflow
/// disconnects) and the latest snapshot (one slot, coalescing) — plus a control queue for
/// per-connection messages; one sender loop that merges the queues in publish order (by frame
/// sequence number) and writes to the WebSocket; one receive loop for subscribe/ping messages.
/// </summary>
internal sealed class BroadcastClient
{
    private readonly BroadcastHub _hub;
    private readonly WebSocket _socket;
    private readonly BatchingStream _stream;
    private readonly byte[] _batch = new byte[BatchBytes];
    private int _batchLength;
    private readonly FrameRing _ordinary;
    private readonly FrameRing _reliable;
    private readonly ConcurrentQueue<byte[]> _control = new();
    private readonly AsyncSignal _signal = new();
    private readonly byte[] _hello;
    private readonly ArrayBufferWriter<byte> _lagBuffer = new(128);
    private readonly Utf8JsonWriter _lagWriter;
    private BroadcastFrame? _snapshot;
    private SubscriptionFilter _filter = SubscriptionFilter.All;
    private bool _subscribed;
    private long _skipped;
    private long _coalesced;
    private long _sent;
    private readonly Lock _closeGate = new();
    private int _closeRequested;
    private WebSocketCloseStatus _closeStatus;
    private string _closeDescription = string.Empty;
    private CloseCause _cause;
    private ITimer? _abortTimer;

    /// <summary>Bytes gathered before one transport write.</summary>
    public const int BatchBytes = 64 * 1024;

    public BroadcastClient(BroadcastHub hub, WebSocket socket, BatchingStream stream, long id, string remoteAddress, long connectedSince)
    {
        _hub = hub;
        _socket = socket;
        _stream = stream;
        Id = id;
        RemoteAddress = remoteAddress;
        ConnectedSince = connectedSince;
        _ordinary = new FrameRing(hub.Options.ClientQueueCapacity);
        _reliable = new FrameRing(hub.Options.ReliableQueueCapacity);
        _hello = WireMessages.Hello(hub.Options.DataSource, connectedSince, id, hub.Options);
        _lagWriter = new Utf8JsonWriter(_lagBuffer);
    }

    public long Id { get; }

    public string RemoteAddress { get; }

    public long ConnectedSince { get; }

    /// <summary>The current subscription (read by the producer on every offer).</summary>
    public SubscriptionFilter Filter => Volatile.Read(ref _filter);

    /// <summary>True once a close was requested: the producer stops offering.</summary>
    public bool IsClosing => Volatile.Read(ref _closeRequested) != 0;

    /// <summary>Why the connection ended (after <see cref="RunAsync"/>).</summary>
    public CloseCause Cause => _cause;

    /// <summary>Producer only: event time of the last snapshot offered (rate limit).</summary>
    internal long LastSnapshotTime { get; set; } = long.MinValue;

    /// <summary>Producer only: took something in the current publish (signal it after the fence).</summary>
    internal bool Touched { get; set; }

    /// <summary>Test hook: while set, the sender sends nothing (a client that reads nothing, deterministically).</summary>
    internal volatile bool HoldSends;

    public long Sent => Volatile.Read(ref _sent);

    public int QueueDepth => _ordinary.Count;

    public long Skipped => Volatile.Read(ref _skipped);

    public ClientStats Stats() => new(Id, RemoteAddress, ConnectedSince, _ordinary.Count, _reliable.Count, Skipped,
        Volatile.Read(ref _coalesced), Sent, Volatile.Read(ref _subscribed));

    /// <summary>Producer: queues an ordinary event frame, skipping the oldest when full.</summary>
    public void OfferOrdinary(BroadcastFrame frame)
    {
        var dropped = _ordinary.EnqueueDroppingOldest(frame);
        if (dropped is not null)
        {
            dropped.Release();
            Volatile.Write(ref _skipped, _skipped + 1);
        }
    }

    /// <summary>Producer: queues a reliable frame; false (and the client is being disconnected) when its reliable queue is full.</summary>
    public bool OfferReliable(BroadcastFrame frame)
    {
        if (_reliable.TryEnqueue(frame))
        {
            return true;
        }

        RequestClose(WebSocketCloseStatus.PolicyViolation,
            $"reliable queue overflow: {_reliable.Capacity} liquidations/alerts/status events unsent", CloseCause.ReliableOverflow);
        return false;
    }

    /// <summary>Producer: replaces the pending snapshot (an unsent one is coalesced away).</summary>
    public void OfferSnapshot(BroadcastFrame frame)
    {
        var old = Interlocked.Exchange(ref _snapshot, frame);
        if (old is not null)
        {
            old.Release();
            Interlocked.Increment(ref _coalesced);
        }
    }

    /// <summary>Queues a control message (hello, pong, ping, error, subscribed).</summary>
    public void Enqueue(byte[] message)
    {
        _control.Enqueue(message);
        _signal.Set();
    }

    /// <summary>Wakes the sender if it waits (producer: after its full fence).</summary>
    public void Wake() => _signal.Set();

    /// <summary>
    /// Asks the sender to close with <paramref name="status"/> (first request wins) and aborts the
    /// connection if that has not finished within the close timeout (a sender stuck on a client
    /// that reads nothing).
    /// </summary>
    public void RequestClose(WebSocketCloseStatus status, string description, CloseCause cause)
    {
        lock (_closeGate)
        {
            if (_closeRequested != 0)
            {
                return;
            }

            // The sender reads these after it sees the flag.
            _closeStatus = status;
            _closeDescription = description;
            _cause = cause;
            _abortTimer = _hub.Time.CreateTimer(static s => ((WebSocket)s!).Abort(), _socket, _hub.Options.CloseTimeout, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref _closeRequested, 1);
        }

        Interlocked.MemoryBarrier();
        _signal.Set();
    }

    /// <summary>Runs the connection until it ends; then releases everything still queued.</summary>
    public async Task RunAsync()
    {
        var receive = ReceiveLoopAsync();
        var send = SendLoopAsync();
        await Task.WhenAny(receive, send).ConfigureAwait(false);
        // Whichever ended first, the other follows: a sender that ended closes or lost the socket;
        // a receive loop that ended saw a close frame or a dead connection.
        RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty, CloseCause.ConnectionLost);
        try
        {
            await Task.WhenAll(receive, send).WaitAsync(_hub.Options.CloseTimeout + _hub.Options.CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _socket.Abort();
            await Task.WhenAll(receive, send).ConfigureAwait(false);
        }
        finally
        {
            lock (_closeGate)
            {
                _abortTimer?.Dispose();
            }

            _lagWriter.Dispose();
            DrainQueues();
        }
    }

    private async Task SendLoopAsync()
    {
        BroadcastFrame? ordinary = null;
        BroadcastFrame? reliable = null;
        BroadcastFrame? snapshot = null;
        long consumed = 0; // next ordinary position expected: a higher one means the producer skipped some
        long pendingLag = 0;
        long reportedLag = 0;
        var source = _hub.DataSourceText;
        try
        {
            await AppendOrWriteAsync(_hello).ConfigureAwait(false);
            Volatile.Write(ref _sent, 1);
            while (!IsClosing)
            {
                if (HoldSends)
                {
                    await FlushAsync().ConfigureAwait(false);
                    await HoldAsync().ConfigureAwait(false);
                    continue;
                }

                // Fill the batch in publish order until nothing is left or it is full; most
                // iterations copy one shared frame and never wait.
                bool full = false;
                while (!IsClosing && !HoldSends)
                {
                    if (_control.TryPeek(out var control))
                    {
                        if (!TryAppend(control))
                        {
                            if (_batchLength > 0)
                            {
                                full = true;
                                break;
                            }

                            await AppendOrWriteAsync(control).ConfigureAwait(false); // larger than a batch
                        }

                        _control.TryDequeue(out _);
                        Volatile.Write(ref _sent, _sent + 1);
                        continue;
                    }

                    if (ordinary is null && _ordinary.TryDequeue(out var o, out long position))
                    {
                        pendingLag += position - consumed;
                        consumed = position + 1;
                        ordinary = o;
                    }

                    if (reliable is null && _reliable.TryDequeue(out var r, out _))
                    {
                        reliable = r;
                    }

                    if (Volatile.Read(ref _snapshot) is not null && Interlocked.Exchange(ref _snapshot, null) is { } latest)
                    {
                        if (snapshot is not null)
                        {
                            snapshot.Release();
                            Interlocked.Increment(ref _coalesced);
                        }

                        snapshot = latest;
                    }

                    // Publish order across the three lanes: the smallest sequence number goes first.
                    BroadcastFrame? next = ordinary;
                    if (reliable is not null && (next is null || reliable.Seq < next.Seq))
                    {
                        next = reliable;
                    }

                    if (snapshot is not null && (next is null || snapshot.Seq < next.Seq))
                    {
                        next = snapshot;
                    }

                    if (next is null)
                    {
                        break;
                    }

                    if (pendingLag > 0)
                    {
                        var lag = WireMessages.Lag(_lagBuffer, _lagWriter, source, pendingLag, reportedLag + pendingLag, _ordinary.Capacity);
                        if (!TryAppend(lag.Span))
                        {
                            full = true;
                            break;
                        }

                        reportedLag += pendingLag;
                        pendingLag = 0;
                        Volatile.Write(ref _sent, _sent + 1);
                    }

                    bool wanted = Filter.MatchesFrame(next); // re-checked: a subscribe may have changed it since it was queued
                    if (wanted && !TryAppendFrame(next))
                    {
                        if (_batchLength > 0)
                        {
                            full = true; // flush first; the frame stays held
                            break;
                        }
                    }
                    else
                    {
                        next = Take(next, ref ordinary, ref reliable, ref snapshot);
                        next.Release();
                        if (wanted)
                        {
                            Volatile.Write(ref _sent, _sent + 1);
                        }

                        continue;
                    }

                    // Larger than a whole batch: written on its own.
                    next = Take(next, ref ordinary, ref reliable, ref snapshot);
                    try
                    {
                        await WriteDirectAsync(next.WireFrame).ConfigureAwait(false);
                    }
                    finally
                    {
                        next.Release();
                    }

                    Volatile.Write(ref _sent, _sent + 1);
                }

                await FlushAsync().ConfigureAwait(false);
                if (!full && !IsClosing && !HoldSends)
                {
                    await IdleAsync().ConfigureAwait(false);
                }
            }

            await FlushAsync().ConfigureAwait(false);
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeDescription, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsConnectionError(ex))
        {
            // The connection is gone; RunAsync finishes the rest.
        }
        finally
        {
            ordinary?.Release();
            reliable?.Release();
            snapshot?.Release();
        }
    }

    /// <summary>Clears the lane slot that holds <paramref name="frame"/> and returns it (the caller now owns it).</summary>
    private static BroadcastFrame Take(BroadcastFrame frame, ref BroadcastFrame? ordinary, ref BroadcastFrame? reliable, ref BroadcastFrame? snapshot)
    {
        if (ReferenceEquals(frame, ordinary))
        {
            ordinary = null;
        }
        else if (ReferenceEquals(frame, reliable))
        {
            reliable = null;
        }
        else
        {
            snapshot = null;
        }

        return frame;
    }

    /// <summary>Copies a shared, already framed message into the batch; false when it does not fit.</summary>
    private bool TryAppendFrame(BroadcastFrame frame)
    {
        var wire = frame.WireFrame.Span;
        if (wire.Length > _batch.Length - _batchLength)
        {
            return false;
        }

        wire.CopyTo(_batch.AsSpan(_batchLength));
        _batchLength += wire.Length;
        return true;
    }

    /// <summary>Frames a per-connection JSON message into the batch; false when it does not fit.</summary>
    private bool TryAppend(ReadOnlySpan<byte> json)
    {
        int header = BroadcastFrame.HeaderLength(json.Length);
        if (header + json.Length > _batch.Length - _batchLength)
        {
            return false;
        }

        BroadcastFrame.WriteHeader(_batch.AsSpan(_batchLength, header), json.Length);
        json.CopyTo(_batch.AsSpan(_batchLength + header));
        _batchLength += header + json.Length;
        return true;
    }

    /// <summary>Batches a per-connection message, or writes it on its own when it is larger than a batch.</summary>
    private async ValueTask AppendOrWriteAsync(byte[] json)
    {
        if (TryAppend(json))
        {
            return;
        }

        await FlushAsync().ConfigureAwait(false);
        if (TryAppend(json))
        {
            return;
        }

        int header = BroadcastFrame.HeaderLength(json.Length);
        var framed = new byte[header + json.Length];
        BroadcastFrame.WriteHeader(framed, json.Length);
        json.CopyTo(framed.AsSpan(header));
        await WriteDirectAsync(framed).ConfigureAwait(false);
    }

    /// <summary>Writes the batch to the connection (one transport write for many messages).</summary>
    private async ValueTask FlushAsync()
    {
        if (_batchLength == 0)
        {
            return;
        }

        await WriteDirectAsync(_batch.AsMemory(0, _batchLength)).ConfigureAwait(false);
        _batchLength = 0;
    }

    private async ValueTask WriteDirectAsync(ReadOnlyMemory<byte> frames)
    {
        await _stream.EnterAsync().ConfigureAwait(false);
        try
        {
            await _stream.WriteFramesAsync(frames).ConfigureAwait(false);
        }
        finally
        {
            _stream.Exit();
        }
    }

    private async ValueTask IdleAsync()
    {
        _signal.Prepare();
        if (!HasWork() || !_signal.TryCancel())
        {
            await _signal.WaitAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask HoldAsync()
    {
        while (HoldSends && !IsClosing)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    private bool HasWork() => IsClosing || !_control.IsEmpty || _ordinary.Count > 0 || _reliable.Count > 0 || Volatile.Read(ref _snapshot) is not null;

    private async Task ReceiveLoopAsync()
    {
        int max = _hub.Options.MaxClientMessageBytes;
        var buffer = new byte[Math.Min(4096, max + 1)];
        int length = 0;
        bool discard = false;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty, CloseCause.ClientClosed);
                    return;
                }

                if (discard)
                {
                    continue; // closing: wait for the client's close frame
                }

                length += result.Count;
                if (length > max)
                {
                    RequestClose(WebSocketCloseStatus.MessageTooBig, $"message exceeds {max} bytes", CloseCause.MessageTooBig);
                    discard = true;
                    length = 0;
                    continue;
                }

                if (!result.EndOfMessage)
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, max + 1));
                    }

                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Enqueue(WireMessages.Error(_hub.Options.DataSource, null, "binary messages are not accepted; send JSON text"));
                }
                else
                {
                    Handle(buffer.AsSpan(0, length));
                }

                length = 0;
            }
        }
        catch (Exception ex) when (IsConnectionError(ex))
        {
            RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty, CloseCause.ConnectionLost);
        }
    }

    private void Handle(ReadOnlySpan<byte> utf8)
    {
        var source = _hub.Options.DataSource;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            Enqueue(WireMessages.Error(source, null, "message is not valid JSON: " + ex.Message));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Enqueue(WireMessages.Error(source, null, "message must be a JSON object with a \"type\""));
                return;
            }

            string? type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "subscribe":
                    if (SubscriptionFilter.TryParse(root, out var filter, out string field, out string error))
                    {
                        Volatile.Write(ref _filter, filter);
                        Volatile.Write(ref _subscribed, true);
                        Enqueue(WireMessages.Subscribed(source, filter));
                    }
                    else
                    {
                        Enqueue(WireMessages.Error(source, field, error));
                    }

                    break;
                case "ping":
                    foreach (var property in root.EnumerateObject())
                    {
                        if (property.Name != "type")
                        {
                            Enqueue(WireMessages.Error(source, property.Name, $"unknown field '{property.Name}' (a ping has only: type)"));
                            return;
                        }
                    }

                    Enqueue(WireMessages.Pong(source, _hub.NowMicros()));
                    break;
                case null:
                    Enqueue(WireMessages.Error(source, "type", "missing \"type\" (a client sends: subscribe, ping)"));
                    break;
                default:
                    Enqueue(WireMessages.Error(source, "type", $"unknown type '{(type.Length <= 64 ? type : type[..64])}' (a client sends: subscribe, ping)"));
                    break;
            }
        }
    }

    private void DrainQueues()
    {
        // Only this thread consumes now (both loops ended). Frames the producer still slips in
        // after this (it read the client list just before the removal) are left to the GC.
        while (_ordinary.TryDequeue(out var f, out _))
        {
            f.Release();
        }

        while (_reliable.TryDequeue(out var f, out _))
        {
            f.Release();
        }

        Interlocked.Exchange(ref _snapshot, null)?.Release();
    }

    private static bool IsConnectionError(Exception ex) =>
        ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or InvalidOperationException;
}
