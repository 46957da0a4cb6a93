using Barometer.Core.Configuration;

namespace Barometer.Analytics.Liquidations;

/// <summary>
/// Settings of the liquidation family that are not user-facing thresholds (those are in
/// <see cref="ThresholdOptions"/>: size classes, danger zone, cluster retention, cascade count and
/// window). Definitions: docs/metrics.md, "Liquidations".
/// </summary>
public sealed record LiquidationOptions
{
    /// <summary>Heatmap price bins across ±<see cref="HeatmapRangePercent"/> of price (2 … 500). Default 50.</summary>
    public int HeatmapPriceBins { get; init; } = 50;

    /// <summary>Heatmap time bins across <see cref="HeatmapWindow"/> (1 … 240; the window must divide evenly). Default 12.</summary>
    public int HeatmapTimeBins { get; init; } = 12;

    /// <summary>Time covered by the heatmap (1 min … 24 h, whole seconds). Default 60 minutes.</summary>
    public TimeSpan HeatmapWindow { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Heatmap price range around the asset price, percent each side (0 &lt; x ≤ 50). Default 5.</summary>
    public double HeatmapRangePercent { get; init; } = 5;

    /// <summary>Hard cap of the liquidation ring (1,000 … 10,000,000); when full the oldest is dropped and counted. Default 100,000.</summary>
    public int RingCapacity { get; init; } = 100_000;

    /// <summary>Closed cascades listed in a snapshot, newest first (0 … 1000). Default 10.</summary>
    public int RecentCascades { get; init; } = 10;

    /// <summary>
    /// At most one Updated alert per cascade per this much event time (0 … 1 h; 0 = one per joining
    /// liquidation). The Closed alert always carries the final figures. Default 1 s.
    /// </summary>
    public TimeSpan CascadeUpdateInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Next cascade level and protection level: clusters within this percent of price (0 &lt; x ≤ 50). Default 5.</summary>
    public double LevelRangePercent { get; init; } = 5;

    /// <summary>Cascade risk: cluster USD "near price" is within this percent of price (0 &lt; x ≤ 50). Default 1.</summary>
    public double RiskNearPercent { get; init; } = 1;

    /// <summary>Checks every value; returns (key, problem) for each invalid one.</summary>
    /// <param name="prefix">Key prefix used in the problems.</param>
    public IReadOnlyList<OptionsProblem> Validate(string prefix = "Analytics:Liquidations")
    {
        var problems = new List<OptionsProblem>();
        Range(prefix + ":HeatmapPriceBins", HeatmapPriceBins, 2, 500, problems);
        Range(prefix + ":HeatmapTimeBins", HeatmapTimeBins, 1, 240, problems);
        if (HeatmapWindow < TimeSpan.FromMinutes(1) || HeatmapWindow > TimeSpan.FromHours(24) || HeatmapWindow.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add(new(prefix + ":HeatmapWindow", $"{HeatmapWindow} must be whole seconds between 1 minute and 24 hours"));
        }
        else if (HeatmapTimeBins > 0 && (HeatmapWindow.Ticks / TimeSpan.TicksPerMicrosecond) % HeatmapTimeBins != 0)
        {
            problems.Add(new(prefix + ":HeatmapWindow", $"{HeatmapWindow} must divide into {HeatmapTimeBins} equal microsecond bins"));
        }

        Percent(prefix + ":HeatmapRangePercent", HeatmapRangePercent, problems);
        Range(prefix + ":RingCapacity", RingCapacity, 1_000, 10_000_000, problems);
        Range(prefix + ":RecentCascades", RecentCascades, 0, 1000, problems);
        if (CascadeUpdateInterval < TimeSpan.Zero || CascadeUpdateInterval > TimeSpan.FromHours(1))
        {
            problems.Add(new(prefix + ":CascadeUpdateInterval", $"{CascadeUpdateInterval} must be between 0 and 1 hour"));
        }

        Percent(prefix + ":LevelRangePercent", LevelRangePercent, problems);
        Percent(prefix + ":RiskNearPercent", RiskNearPercent, problems);
        return problems;
    }

    private static void Range(string key, int value, int min, int max, List<OptionsProblem> problems)
    {
        if (value < min || value > max)
        {
            problems.Add(new(key, $"{value} must be between {min} and {max}"));
        }
    }

    private static void Percent(string key, double value, List<OptionsProblem> problems)
    {
        if (!(value > 0 && value <= 50))
        {
            problems.Add(new(key, $"{value} must be above 0 and at most 50"));
        }
    }
}
