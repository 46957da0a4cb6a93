namespace Barometer.Core.Configuration;

/// <summary>Thresholds used by analytics and screens (USD unless stated).</summary>
public sealed record ThresholdOptions
{
    /// <summary>A trade at or above this notional is "large". Default $100K.</summary>
    public double LargeTradeUsd { get; init; } = 100_000;

    /// <summary>A trade at or above this notional is a whale. Default $500K.</summary>
    public double WhaleTradeUsd { get; init; } = 500_000;

    /// <summary>A trade at or above this notional is a mega trade. Default $5M.</summary>
    public double MegaTradeUsd { get; init; } = 5_000_000;

    /// <summary>
    /// Liquidation cluster bucket size as a fraction of price, for assets without an absolute size.
    /// Default 0.001 (0.1%).
    /// </summary>
    public double LiquidationBucketFraction { get; init; } = 0.001;

    /// <summary>
    /// Absolute liquidation bucket size in quote currency per base asset, e.g. { "BTC": 100 }.
    /// Default BTC $100, ETH $5, SOL $0.2.
    /// </summary>
    public IReadOnlyDictionary<string, double> LiquidationBucketSizes { get; init; } =
        new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase) { ["BTC"] = 100, ["ETH"] = 5, ["SOL"] = 0.2 };

    /// <summary>A liquidation at or above this notional is "large" (below it: "small"). Default $10K.</summary>
    public double LargeLiquidationUsd { get; init; } = 10_000;

    /// <summary>A liquidation at or above this notional is "institutional". Default $100K.</summary>
    public double InstitutionalLiquidationUsd { get; init; } = 100_000;

    /// <summary>A liquidation cluster bucket holding more than this is a DANGER ZONE (and a candidate next cascade level). Default $1M.</summary>
    public double LiquidationDangerZoneUsd { get; init; } = 1_000_000;

    /// <summary>How long a liquidation stays in the price clusters, minutes (1 … 240). Default 15.</summary>
    public int LiquidationClusterRetentionMinutes { get; init; } = 15;

    /// <summary>At least this many liquidations of one asset within <see cref="CascadeWindowSeconds"/> open a cascade (2 … 1000). Default 5.</summary>
    public int CascadeMinLiquidations { get; init; } = 5;

    /// <summary>
    /// Cascade window, seconds (1 … 3600): the liquidations that open a cascade lie within it, and a
    /// cascade closes when no liquidation of its asset came for this long. Default 60.
    /// </summary>
    public int CascadeWindowSeconds { get; init; } = 60;

    internal void Validate(string prefix, List<OptionsProblem> problems)
    {
        Positive(prefix + ":LargeTradeUsd", LargeTradeUsd, problems);
        Positive(prefix + ":WhaleTradeUsd", WhaleTradeUsd, problems);
        Positive(prefix + ":MegaTradeUsd", MegaTradeUsd, problems);
        if (WhaleTradeUsd < LargeTradeUsd)
        {
            problems.Add(new(prefix + ":WhaleTradeUsd", $"{WhaleTradeUsd} must not be below LargeTradeUsd ({LargeTradeUsd})"));
        }

        if (MegaTradeUsd < WhaleTradeUsd)
        {
            problems.Add(new(prefix + ":MegaTradeUsd", $"{MegaTradeUsd} must not be below WhaleTradeUsd ({WhaleTradeUsd})"));
        }

        if (!(LiquidationBucketFraction > 0 && LiquidationBucketFraction < 0.1))
        {
            problems.Add(new(prefix + ":LiquidationBucketFraction", $"{LiquidationBucketFraction} must be above 0 and below 0.1"));
        }

        foreach (var (asset, size) in LiquidationBucketSizes)
        {
            Positive($"{prefix}:LiquidationBucketSizes:{asset}", size, problems);
        }

        Positive(prefix + ":LargeLiquidationUsd", LargeLiquidationUsd, problems);
        Positive(prefix + ":InstitutionalLiquidationUsd", InstitutionalLiquidationUsd, problems);
        if (InstitutionalLiquidationUsd < LargeLiquidationUsd)
        {
            problems.Add(new(prefix + ":InstitutionalLiquidationUsd",
                $"{InstitutionalLiquidationUsd} must not be below LargeLiquidationUsd ({LargeLiquidationUsd})"));
        }

        Positive(prefix + ":LiquidationDangerZoneUsd", LiquidationDangerZoneUsd, problems);
        InRange(prefix + ":LiquidationClusterRetentionMinutes", LiquidationClusterRetentionMinutes, 1, 240, problems);
        InRange(prefix + ":CascadeMinLiquidations", CascadeMinLiquidations, 2, 1000, problems);
        InRange(prefix + ":CascadeWindowSeconds", CascadeWindowSeconds, 1, 3600, problems);
    }

    internal static void InRange(string key, int value, int min, int max, List<OptionsProblem> problems)
    {
        if (value < min || value > max)
        {
            problems.Add(new(key, $"{value} must be between {min} and {max}"));
        }
    }

    internal static void Positive(string key, double value, List<OptionsProblem> problems)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            problems.Add(new(key, $"{value} must be a positive number"));
        }
    }
}
