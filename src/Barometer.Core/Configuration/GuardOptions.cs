namespace Barometer.Core.Configuration;

/// <summary>Thresholds of the risk guards (docs/metrics.md, "Guards"). A value past a warning threshold makes the guard warn, past a breach threshold breach.</summary>
public sealed record GuardOptions
{
    /// <summary>Spread of the reference perpetual above this (bps) warns. Default 10.</summary>
    public double SpreadBpsWarning { get; init; } = 10;

    /// <summary>Bid or ask depth within 10 bps of mid below this (USD) warns. Default $50K.</summary>
    public double Depth10BpsWarningUsd { get; init; } = 50_000;

    /// <summary>|Funding APR| above this (percent) warns. Default 300.</summary>
    public double FundingAprWarning { get; init; } = 300;

    /// <summary>|Spot-perp basis| above this (bps) warns. Default 50 (0.5 %, the STEEP basis threshold).</summary>
    public double BasisBpsWarning { get; init; } = 50;

    /// <summary>More liquidations than this in 5 minutes (all venues) breaches. Default 10.</summary>
    public int LiquidationEvents5mBreach { get; init; } = 10;

    internal void Validate(string prefix, List<OptionsProblem> problems)
    {
        ThresholdOptions.Positive(prefix + ":SpreadBpsWarning", SpreadBpsWarning, problems);
        ThresholdOptions.Positive(prefix + ":Depth10BpsWarningUsd", Depth10BpsWarningUsd, problems);
        ThresholdOptions.Positive(prefix + ":FundingAprWarning", FundingAprWarning, problems);
        ThresholdOptions.Positive(prefix + ":BasisBpsWarning", BasisBpsWarning, problems);
        if (LiquidationEvents5mBreach < 0)
        {
            problems.Add(new(prefix + ":LiquidationEvents5mBreach", $"{LiquidationEvents5mBreach} must not be negative"));
        }
    }
}
