namespace Barometer.Core.Bus;

/// <summary>A point-in-time view of one bus consumer, for /api/health and the dashboards' status lines.</summary>
/// <param name="Name">Consumer name (e.g. "analytics", "storage", "ws-client-17").</param>
/// <param name="Mode">Lossy or lossless.</param>
/// <param name="Capacity">Ring capacity in events.</param>
/// <param name="Depth">Events waiting in the ring now.</param>
/// <param name="SpillDepth">Reliable events waiting in the side queue now.</param>
/// <param name="Delivered">Events handed to the consumer since it subscribed (including gap markers).</param>
/// <param name="Dropped">Droppable events dropped for this consumer because its ring was full.</param>
/// <param name="Spilled">Reliable events that went through the side queue (never lost).</param>
/// <param name="Gaps">Overflow gap markers delivered to the consumer.</param>
/// <param name="LastDropTime">Event time (UTC µs) of the latest dropped event, 0 if none.</param>
public readonly record struct ConsumerHealth(
    string Name,
    BusConsumerMode Mode,
    int Capacity,
    int Depth,
    int SpillDepth,
    long Delivered,
    long Dropped,
    long Spilled,
    long Gaps,
    long LastDropTime)
{
    /// <summary>True when the consumer is losing droppable events right now (its ring is at least 90 % full or it dropped).</summary>
    public bool IsLagging => Depth >= Capacity * 9 / 10;
}
