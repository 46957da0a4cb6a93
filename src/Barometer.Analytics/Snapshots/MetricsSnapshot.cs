using Barometer.Analytics.Book;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Guards;
using Barometer.Analytics.Liquidations;
using Barometer.Analytics.Tape;
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
/// <param name="Tape">CVD and divergence, large and whale trades, one-minute bars.</param>
/// <param name="Derivatives">Funding, basis, open interest, cross-venue price spread.</param>
/// <param name="Books">Top of book and L2 depth.</param>
/// <param name="Liquidations">Liquidation totals, clusters, cascade risk and levels, heatmap, active and recent cascades.</param>
/// <param name="Regime">Market regime, realized volatility and liquidity per asset.</param>
/// <param name="Correlation">Cross-asset and cross-venue correlation of 1 s returns, lead/lag.</param>
/// <param name="Guards">Risk guards per asset (a function of the other sections).</param>
public sealed record MetricsSnapshot(int SchemaVersion, long Time, long Events, FlowSection Flow, TapeSection Tape, DerivativesSection Derivatives, BookSection Books,
    LiquidationSection Liquidations, RegimeSection Regime, CorrelationSection Correlation, GuardSection Guards);

/// <summary>Snapshot schema version.</summary>
public static class SnapshotSchema
{
    /// <summary>Bumped on any incompatible change of the JSON shape.</summary>
    public const int Version = 1;
}
