namespace Barometer.Storage.Sqlite;

/// <summary>A point-in-time view of the storage writer for /api/health.</summary>
/// <param name="Pending">Rows accepted and not yet written.</param>
/// <param name="Written">Rows written since start (including ignored duplicates).</param>
/// <param name="Dropped">Rows finally dropped because the buffer was full while the database failed.</param>
/// <param name="FailedBatches">Batches that failed and were retried.</param>
/// <param name="LastError">The last database error, or empty.</param>
/// <param name="Healthy">False while the last write failed.</param>
public sealed record StorageHealth(long Pending, long Written, long Dropped, long FailedBatches, string LastError, bool Healthy);
