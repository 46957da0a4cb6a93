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
    }

    internal static void Positive(string key, double value, List<OptionsProblem> problems)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            problems.Add(new(key, $"{value} must be a positive number"));
        }
    }
}
