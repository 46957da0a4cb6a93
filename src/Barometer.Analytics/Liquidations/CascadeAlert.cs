using Barometer.Core.Events;

namespace Barometer.Analytics.Liquidations;

/// <summary>
/// A liquidation cascade (docs/metrics.md, "Cascade detector"): at least the minimum count of
/// liquidations of one asset within the cascade window, on one or more venues. Published on the
/// alert sink as Opened, Updated while it grows, and Closed once no liquidation of the asset came
/// for the window; every phase is a new instance with the same <see cref="Alert.Id"/>. Snapshots
/// list the active cascades and the last closed ones with the same shape.
/// </summary>
public sealed record CascadeAlert : Alert
{
    /// <summary>The <see cref="Alert.Type"/> of every cascade alert.</summary>
    public const string AlertType = "liquidation_cascade";

    /// <summary>Liquidations in the cascade.</summary>
    public required int Count { get; init; }

    /// <summary>Long positions liquidated.</summary>
    public required int LongCount { get; init; }

    /// <summary>Short positions liquidated.</summary>
    public required int ShortCount { get; init; }

    /// <summary>Σ USD of the cascade's liquidations (a lower bound when <see cref="IsLowerBound"/>).</summary>
    public required double Usd { get; init; }

    /// <summary>USD of long liquidations.</summary>
    public required double LongUsd { get; init; }

    /// <summary>USD of short liquidations.</summary>
    public required double ShortUsd { get; init; }

    /// <summary>True when a sampled feed took part: count and USD are at least these.</summary>
    public required bool IsLowerBound { get; init; }

    /// <summary>Venues that took part (wire names, venue order).</summary>
    public required IReadOnlyList<string> Venues { get; init; }

    /// <summary>Those of them with sampled liquidation feeds.</summary>
    public required IReadOnlyList<string> SampledVenues { get; init; }

    /// <summary>True when two or more exchanges took part (CROSS-EXCHANGE).</summary>
    public required bool CrossExchange { get; init; }

    /// <summary>Dominant liquidated side by USD.</summary>
    public required CascadeSide Side { get; init; }

    /// <summary>Risk score, Σ of the six weighted factors: 0 … 3.1 (Low &lt; 0.3 ≤ Medium &lt; 0.6 ≤ High &lt; 1.0 ≤ Critical).</summary>
    public required double Score { get; init; }

    /// <summary>The six factors of <see cref="Score"/>.</summary>
    public required CascadeFactors Factors { get; init; }

    /// <summary>Event time of the first liquidation, UTC µs.</summary>
    public required long StartTime { get; init; }

    /// <summary>Event time of the newest liquidation, UTC µs.</summary>
    public required long EndTime { get; init; }

    /// <summary>EndTime − StartTime, seconds.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Lowest liquidation price.</summary>
    public required double LowPrice { get; init; }

    /// <summary>Highest liquidation price.</summary>
    public required double HighPrice { get; init; }
}

/// <summary>The six factors of a cascade's score (weights sum to 1; docs/metrics.md).</summary>
/// <param name="Count">Liquidations / 20, capped at 4; weight 0.15.</param>
/// <param name="Usd">USD / $5M, capped at 4; weight 0.25.</param>
/// <param name="Velocity">Liquidations per second (count / max(1 s, duration)) / 1, capped at 4; weight 0.15.</param>
/// <param name="VenueBreadth">(venues − 1) / 2, capped at 1; weight 0.15.</param>
/// <param name="OneSidedness">|long − short| / (long + short) USD; weight 0.15.</param>
/// <param name="PriceMove">(high − low) / low × 100 of the liquidation prices, per 1 %, capped at 4; weight 0.15.</param>
public sealed record CascadeFactors(
    CascadeFactor Count,
    CascadeFactor Usd,
    CascadeFactor Velocity,
    CascadeFactor VenueBreadth,
    CascadeFactor OneSidedness,
    CascadeFactor PriceMove);

/// <summary>One factor of a cascade score.</summary>
/// <param name="Value">The measured value (count, USD, liquidations/s, venues, ratio, percent).</param>
/// <param name="Normalized">Value / reference, capped.</param>
/// <param name="Weight">Its weight.</param>
/// <param name="Contribution">Normalized × Weight.</param>
public sealed record CascadeFactor(double Value, double Normalized, double Weight, double Contribution);

/// <summary>Cascade score factors and severities (formulas in docs/metrics.md).</summary>
internal static class CascadeScoring
{
    public const double CountReference = 20;
    public const double UsdReference = 5_000_000;
    public const double VelocityReference = 1.0;
    public const double PriceMoveReferencePercent = 1.0;
    public const double Cap = 4;
    public const double WeightCount = 0.15;
    public const double WeightUsd = 0.25;
    public const double WeightVelocity = 0.15;
    public const double WeightBreadth = 0.15;
    public const double WeightOneSided = 0.15;
    public const double WeightPriceMove = 0.15;

    public static CascadeFactors Factors(int count, double usd, long durationMicros, int venues, double longUsd, double shortUsd, double low, double high)
    {
        double seconds = Math.Max(1.0, durationMicros / 1e6);
        double velocity = count / seconds;
        double sideTotal = longUsd + shortUsd;
        double oneSided = sideTotal > 0 ? Math.Abs(longUsd - shortUsd) / sideTotal : 0;
        double move = low > 0 ? (high - low) / low * 100 : 0;
        return new CascadeFactors(
            Factor(count, count / CountReference, Cap, WeightCount),
            Factor(usd, usd / UsdReference, Cap, WeightUsd),
            Factor(velocity, velocity / VelocityReference, Cap, WeightVelocity),
            Factor(venues, (venues - 1) / 2.0, 1, WeightBreadth),
            Factor(oneSided, oneSided, 1, WeightOneSided),
            Factor(move, move / PriceMoveReferencePercent, Cap, WeightPriceMove));
    }

    public static double Score(CascadeFactors f) =>
        f.Count.Contribution + f.Usd.Contribution + f.Velocity.Contribution + f.VenueBreadth.Contribution + f.OneSidedness.Contribution + f.PriceMove.Contribution;

    /// <summary>Low &lt; 0.3, Medium &lt; 0.6, High &lt; 1.0, Critical ≥ 1.0.</summary>
    public static string Severity(double score) => score switch
    {
        < 0.3 => "Low",
        < 0.6 => "Medium",
        < 1.0 => "High",
        _ => "Critical",
    };

    private static CascadeFactor Factor(double value, double normalized, double cap, double weight)
    {
        double n = Math.Clamp(normalized, 0, cap);
        return new CascadeFactor(value, n, weight, n * weight);
    }
}
