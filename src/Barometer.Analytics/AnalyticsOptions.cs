using Barometer.Analytics.Liquidations;
using Barometer.Core.Configuration;

namespace Barometer.Analytics;

/// <summary>Settings of the analytics engine (thresholds from the configuration; windows fixed by the metric definitions in docs/metrics.md).</summary>
public sealed record AnalyticsOptions
{
    /// <summary>Trade-size and liquidation thresholds.</summary>
    public ThresholdOptions Thresholds { get; init; } = new();

    /// <summary>A venue input older than this (event time) is stale: metrics that need it are unavailable with a reason. Default 60 s.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many recent whale trades a snapshot lists. Default 20.</summary>
    public int RecentWhales { get; init; } = 20;

    /// <summary>
    /// Queue every completed one-minute bar for <see cref="AnalyticsEngine.DrainCompletedBars"/> (storage).
    /// Off by default: a consumer that never drains would only fill the bounded queue.
    /// </summary>
    public bool QueueCompletedBars { get; init; }

    /// <summary>Liquidation heatmap, ring, cascade alert and level settings (thresholds are in <see cref="Thresholds"/>).</summary>
    public LiquidationOptions Liquidations { get; init; } = new();

    /// <summary>Risk guard thresholds.</summary>
    public GuardOptions Guards { get; init; } = new();

    /// <summary>Assets the guards cover (the configured instruments); empty: every asset seen.</summary>
    public IReadOnlyList<string> Assets { get; init; } = [];

    /// <summary>"live", "simulated" or "replay": stamped on the guards (the server sets it).</summary>
    public string DataSource { get; init; } = "live";
}
