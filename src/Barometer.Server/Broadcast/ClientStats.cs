namespace Barometer.Server.Broadcast;

/// <summary>One connected broadcast client, for /api/health and dashboards.</summary>
/// <param name="Id">Client id (also in its hello message), unique per hub.</param>
/// <param name="RemoteAddress">Remote IP and port.</param>
/// <param name="ConnectedSince">Connection time, UTC µs.</param>
/// <param name="QueueDepth">Ordinary events queued (skippable; capacity <see cref="BroadcastOptions.ClientQueueCapacity"/>).</param>
/// <param name="ReliableQueueDepth">Liquidations, alerts, status and gap events queued (never skipped).</param>
/// <param name="Skipped">Ordinary events skipped for this client because it fell behind (reported to it in lag messages).</param>
/// <param name="SnapshotsCoalesced">Snapshots replaced by a newer one before this client got them.</param>
/// <param name="Sent">Messages sent (events, snapshots, alerts, control messages).</param>
/// <param name="Subscribed">True once the client sent a subscribe (else it gets everything).</param>
public sealed record ClientStats(
    long Id,
    string RemoteAddress,
    long ConnectedSince,
    int QueueDepth,
    int ReliableQueueDepth,
    long Skipped,
    long SnapshotsCoalesced,
    long Sent,
    bool Subscribed);

/// <summary>Hub-wide counters since the hub was created (connected and departed clients together).</summary>
/// <param name="Clients">Clients connected now.</param>
/// <param name="Connections">Connections accepted so far.</param>
/// <param name="Published">Messages published by the pipeline (events, alerts, snapshots) that passed validation.</param>
/// <param name="Rejected">Published items ignored as bad input (unknown kind, missing instrument, non-finite or non-positive price or size, unknown side, serialization failure).</param>
/// <param name="Serialized">Messages serialized (once each, whatever the number of clients; none when no client wants one).</param>
/// <param name="Sent">Messages sent to clients.</param>
/// <param name="Skipped">Ordinary events skipped for lagging clients.</param>
/// <param name="ClosedByClient">Connections the client closed.</param>
/// <param name="ConnectionsLost">Connections that ended without a close handshake (reset, or no Pong within the keep-alive timeout).</param>
/// <param name="ReliableOverflows">Clients disconnected because their reliable queue overflowed (close 1008).</param>
/// <param name="MessagesTooBig">Clients disconnected for a message over the size limit (close 1009).</param>
public sealed record BroadcastTotals(
    int Clients,
    long Connections,
    long Published,
    long Rejected,
    long Serialized,
    long Sent,
    long Skipped,
    long ClosedByClient,
    long ConnectionsLost,
    long ReliableOverflows,
    long MessagesTooBig);
