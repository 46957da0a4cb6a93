using Barometer.Analytics.Snapshots;
using Barometer.Core.Bus;
using Barometer.Storage.Sqlite;

namespace Barometer.Server.Api;

/// <summary>GET /api/market/snapshot.</summary>
internal sealed record SnapshotResponse(string DataSource, string? Instrument, string? Asset, MetricsSnapshot Snapshot);

/// <summary>Every history endpoint: the range, the rows, whether they were cut, and the data gaps overlapping the range.</summary>
internal sealed record HistoryResponse<T>(
    string DataSource,
    long From,
    long To,
    string? Instrument,
    string? Venue,
    IReadOnlyList<T> Rows,
    bool Truncated,
    long? NextSince,
    IReadOnlyList<GapRow> DataGaps,
    bool DataGapsTruncated);

/// <summary>GET /api/config: the broadcast WebSocket's port and path (the page connects to its own host), whether a key is needed, the followed assets.</summary>
internal sealed record ConfigResponse(string DataSource, int? WebsocketPort, string WebsocketPath, bool ApiKeyRequired, IReadOnlyList<string> Assets, string Version);

/// <summary>GET /api/health.</summary>
internal sealed record HealthResponse(
    string DataSource,
    string Status,
    long Time,
    IReadOnlyList<VenueHealth> Venues,
    IReadOnlyList<ConsumerHealth> Consumers,
    IReadOnlyList<ClientHealth> Clients,
    StorageHealth? Storage);
