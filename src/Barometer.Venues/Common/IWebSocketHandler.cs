namespace Barometer.Venues.Common;

/// <summary>
/// The venue-specific half of a <see cref="WebSocketConnection"/>: what to send after connecting
/// and what to do with each message. All callbacks run on the connection's one task, in order, so
/// handlers keep their state (books, subscriptions, liveness) without locks.
/// </summary>
public interface IWebSocketHandler
{
    /// <summary>Called after every (re)connect: send the subscriptions here.</summary>
    ValueTask OnConnectedAsync(WebSocketConnection connection, long time, CancellationToken cancellationToken);

    /// <summary>One complete text message, exactly as received (the span is only valid during the call).</summary>
    void OnMessage(WebSocketConnection connection, ReadOnlySpan<byte> frame, long receiveTime);

    /// <summary>About once a second while connected: liveness checks and venue pings.</summary>
    ValueTask OnTickAsync(WebSocketConnection connection, long now, CancellationToken cancellationToken);

    /// <summary>The connection ended (drop, recycle, shutdown); a reconnect follows unless shutting down.</summary>
    void OnDisconnected(string reason, long time);
}
