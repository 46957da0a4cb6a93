using Barometer.Analytics.Book;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Risk;

namespace Barometer.Analytics.Snapshots;

/// <summary>
/// All metrics at one event time: immutable, serializable (docs/schema/snapshot.md). A value that
/// cannot be computed (missing or stale input) is null and its section says why.
/// </summary>
/// <param name="SchemaVersion">Schema version (<see cref="SnapshotSchema.Version"/>).</param>
/// <param name="Time">Event time of the snapshot, UTC µs.</param>
/// <param name="Events">Events consumed so far.</param>
/// <param name="Flow">Rolling-window orderflow and volume, trend arrows, trade intensity and size trend, tick direction, exchange dominance.</param>
/// <param name="Derivatives">Funding, basis, open interest, cross-venue price spread.</param>
/// <param name="Books">Top of book and L2 depth.</param>
/// <param name="Regime">Market regime, realized volatility and liquidity per asset.</param>
/// <param name="Correlation">Cross-asset and cross-venue correlation of 1 s returns, lead/lag.</param>
public sealed record MetricsSnapshot(int SchemaVersion, long Time, long Events, FlowSection Flow, DerivativesSection Derivatives, BookSection Books,
    RegimeSection Regime, CorrelationSection Correlation);

/// <summary>Snapshot schema version.</summary>
public static class SnapshotSchema
{
    /// <summary>Bumped on any incompatible change of the JSON shape.</summary>
    public const int Version = 1;
}
