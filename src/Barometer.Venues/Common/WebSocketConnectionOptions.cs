namespace Barometer.Venues.Common;

/// <summary>Settings of one managed venue WebSocket.</summary>
public sealed record WebSocketConnectionOptions
{
    /// <summary>Connection name for health and logs, e.g. "binance-futures/market".</summary>
    public required string Name { get; init; }

    /// <summary>Address to connect to (may include the stream list in its query).</summary>
    public required Uri Address { get; init; }

    /// <summary>Nothing received for this long ⇒ the connection is recycled. Default 60 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reconnect proactively after this long, before a venue's forced disconnect (Binance: 24 h,
    /// so 23 h 50 min by default there). Null: never.
    /// </summary>
    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>Time allowed for the WebSocket handshake. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest message accepted; a larger one is counted as malformed and skipped. Default 16 MiB.</summary>
    public int MaxMessageBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Interval of the handler's tick. Default 1 s.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First reconnect delay (doubling, jittered). Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest reconnect delay. Default 60 s.</summary>
    public TimeSpan MaximumBackoff { get; init; } = TimeSpan.FromSeconds(60);
}
