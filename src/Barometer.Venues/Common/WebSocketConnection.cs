using System.Net.WebSockets;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Barometer.Core.Time;
using Microsoft.Extensions.Logging;

namespace Barometer.Venues.Common;

/// <summary>
/// One managed venue WebSocket (../CONNECTORS.md "Connection"): connects, lets the handler
/// subscribe, hands every complete message to the handler on one task, taps raw frames for
/// recording, reconnects on any drop with exponential backoff and jitter (1 s doubling to 60 s,
/// reset after a healthy minute), recycles a connection that is idle or that the handler asks to
/// recycle (stale stream, book failure), reconnects proactively before a venue's forced lifetime,
/// and publishes ConnectionStatus and a closed DataGap for every disconnect. Client keepalive
/// (Bybit {"op":"ping"}, OKX "ping") is sent here; server pings (Binance) are answered by the
/// runtime's WebSocket. Venue outages are retried for ever, never thrown.
/// </summary>
public sealed class WebSocketConnection
{
    private readonly WebSocketConnectionOptions _options;
    private readonly IWebSocketHandler _handler;
    private readonly VenueConnectorContext _context;
    private readonly VenueId _venue;
    private readonly ReconnectBackoff _backoff;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private ClientWebSocket? _socket;
    private string? _recycleReason;
    private long _lastMessageTime;
    private long _connectedAt;
    private long _gapStart;
    private string _gapReason = string.Empty;

    /// <summary>Creates a connection; nothing happens until <see cref="RunAsync"/>.</summary>
    public WebSocketConnection(VenueId venue, WebSocketConnectionOptions options, IWebSocketHandler handler, VenueConnectorContext context,
        int? backoffSeed = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(context);
        _venue = venue;
        _options = options;
        _handler = handler;
        _context = context;
        _backoff = new ReconnectBackoff(backoffSeed, options.InitialBackoff, options.MaximumBackoff);
        _logger = context.LoggerFactory.CreateLogger("Barometer.Venues." + venue.ToWireName());
        Counters = new StreamCounters(options.Name);
    }

    /// <summary>Counters of the connection (frames, bytes, reconnects, state, last message).</summary>
    public StreamCounters Counters { get; }

    /// <summary>Client keepalive text sent every <see cref="ClientPingInterval"/> (null: none).</summary>
    public byte[]? ClientPing { get; init; }

    /// <summary>Interval of the client keepalive.</summary>
    public TimeSpan ClientPingInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// True: send the client ping only when nothing arrived for <see cref="ClientPingInterval"/>
    /// (OKX asks for this); false: send it every interval (Bybit recommends every 20 s).
    /// </summary>
    public bool PingOnlyWhenIdle { get; init; }

    /// <summary>Completed connections so far (the first connect is not a reconnect).</summary>
    public int Connections { get; private set; }

    /// <summary>Sends one text message (subscribe, ping). Safe to call from the handler and the keepalive.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> text, CancellationToken cancellationToken)
    {
        var socket = _socket;
        if (socket is null || socket.State != WebSocketState.Open)
        {
            return;
        }

        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The receive loop sees the broken socket and reconnects.
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// Closes the current connection and reconnects (stale stream, book that cannot resync, a
    /// venue notice). The reason is reported in the status and gap events.
    /// </summary>
    public void RequestRecycle(string reason)
    {
        Volatile.Write(ref _recycleReason, reason);
        try
        {
            _socket?.Abort();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = _context.Clock;
        while (!cancellationToken.IsCancellationRequested)
        {
            Publish(ConnectionState.Connecting, "connecting to " + _options.Address.GetLeftPart(UriPartial.Path));
            Counters.State = ConnectionState.Connecting;
            string reason;
            bool connected = false;
            using (var socket = new ClientWebSocket())
            {
                try
                {
                    using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        timeout.CancelAfter(_options.ConnectTimeout);
                        await socket.ConnectAsync(_options.Address, timeout.Token).ConfigureAwait(false);
                    }

                    connected = true;
                    _recycleReason = null;
                    _socket = socket;
                    _connectedAt = UnixMicros.Now(clock);
                    _lastMessageTime = _connectedAt;
                    if (Connections > 0)
                    {
                        Counters.OnReconnect();
                    }

                    Connections++;
                    reason = await RunConnectedAsync(socket, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    reason = "shutting down";
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException or IOException or ObjectDisposedException)
                {
                    reason = connected ? "connection lost: " + ex.Message : "cannot connect: " + ex.Message;
                }
                finally
                {
                    _socket = null;
                }
            }

            long now = UnixMicros.Now(clock);
            _handler.OnDisconnected(reason, now);
            Counters.State = ConnectionState.Disconnected;
            Publish(ConnectionState.Disconnected, reason);
            if (_gapStart == 0)
            {
                _gapStart = connected ? _lastMessageTime : now;
                _gapReason = reason;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            _backoff.ConnectionEnded(connected ? TimeSpan.FromTicks((now - _connectedAt) * 10) : TimeSpan.Zero);
            var delay = _backoff.NextDelay();
            if (_backoff.Attempt <= 1 || _backoff.Attempt % 10 == 0)
            {
                _logger.LogWarning("{Venue} {Connection}: {Reason}; reconnecting in {Delay:F1} s (attempt {Attempt})",
                    _venue.ToWireName(), _options.Name, reason, delay.TotalSeconds, _backoff.Attempt);
            }

            try
            {
                await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<string> RunConnectedAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var clock = _context.Clock;
        await _handler.OnConnectedAsync(this, _connectedAt, cancellationToken).ConfigureAwait(false);
        using var watchdogStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchdog = WatchdogAsync(watchdogStop.Token);
        var buffer = new byte[64 * 1024];
        long nextTick = _connectedAt + Micros(_options.TickInterval);
        try
        {
            while (true)
            {
                int length = 0;
                bool oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= _options.MaxMessageBytes)
                        {
                            oversized = true;
                            length = 0;
                        }
                        else
                        {
                            Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _options.MaxMessageBytes));
                        }
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return "closed by venue: " + (socket.CloseStatus?.ToString() ?? "no status") + " " + socket.CloseStatusDescription;
                }

                long receiveTime = UnixMicros.Now(clock);
                Volatile.Write(ref _lastMessageTime, receiveTime);
                Counters.OnFrame(length, receiveTime);
                if (oversized)
                {
                    Counters.OnParseError();
                    continue;
                }

                var frame = buffer.AsSpan(0, length);
                _context.RawFrames?.OnFrame(_venue, RawFrameSource.WebSocket, _options.Address.AbsolutePath, receiveTime, frame);
                if (Counters.State == ConnectionState.Connecting)
                {
                    // The first frame after connecting: the connection is up (its streams say whether they are subscribed).
                    Counters.State = ConnectionState.Subscribed;
                }

                if (_gapStart != 0)
                {
                    Counters.State = ConnectionState.Subscribed;
                    _context.Sink.Publish(MarketEvent.From(new DataGap(_venue, null, _options.Name, _gapStart, receiveTime, GapCause.Disconnect, _gapReason)));
                    _gapStart = 0;
                }

                _handler.OnMessage(this, frame, receiveTime);
                if (receiveTime >= nextTick)
                {
                    nextTick = receiveTime + Micros(_options.TickInterval);
                    await _handler.OnTickAsync(this, receiveTime, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (Volatile.Read(ref _recycleReason) is { } recycle && ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return recycle;
        }
        finally
        {
            await watchdogStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await watchdog.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    // Idle timeout, proactive lifetime limit and client keepalive: these must run even when the
    // venue sends nothing, so they live on their own timer and only abort or send.
    private async Task WatchdogAsync(CancellationToken cancellationToken)
    {
        var clock = _context.Clock;
        var period = _options.TickInterval < ClientPingInterval || ClientPing is null ? _options.TickInterval : ClientPingInterval;
        using var timer = new PeriodicTimer(period, clock);
        long lastPing = _connectedAt;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            long now = UnixMicros.Now(clock);
            long last = Volatile.Read(ref _lastMessageTime);
            if (now - last > Micros(_options.IdleTimeout))
            {
                RequestRecycle($"no data for {(now - last) / UnixMicros.PerSecond} s (idle timeout {_options.IdleTimeout.TotalSeconds:F0} s)");
                return;
            }

            if (_options.MaxLifetime is { } lifetime && now - _connectedAt >= Micros(lifetime))
            {
                RequestRecycle($"connection lifetime {lifetime:c} reached: proactive reconnect before the venue's forced disconnect");
                return;
            }

            if (ClientPing is { } ping && now - lastPing >= Micros(ClientPingInterval) - (UnixMicros.PerMillisecond * 5)
                && (!PingOnlyWhenIdle || now - last >= Micros(ClientPingInterval) - (UnixMicros.PerMillisecond * 5)))
            {
                lastPing = now;
                await SendAsync(ping, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Publish(ConnectionState state, string reason) =>
        _context.Sink.Publish(MarketEvent.From(new ConnectionStatus(_venue, null, _options.Name, UnixMicros.Now(_context.Clock), state, reason)));

    private static long Micros(TimeSpan span) => span.Ticks / 10;
}
