namespace Barometer.Analytics.Risk;

/// <summary>Regime, volatility and liquidity formulas (docs/metrics.md, "Regime"); pure functions of the window's numbers.</summary>
internal static class RegimeCalc
{
    /// <summary>The regime window: the last 60 completed minutes.</summary>
    public const int WindowMinutes = 60;

    /// <summary>The short window: the last 15 of them.</summary>
    public const int ShortMinutes = 15;

    /// <summary>The regime needs this many 1-minute returns in the window.</summary>
    public const int MinReturns = 30;

    /// <summary>… and this many in the short window.</summary>
    public const int MinShortReturns = 10;

    /// <summary>Efficiency ratio at or above which the asset is TRENDING.</summary>
    public const double TrendingEfficiency = 0.35;

    /// <summary>|directional efficiency| at or above which the trend is BULLISH / BEARISH.</summary>
    public const double DirectionEfficiency = 0.2;

    /// <summary>Volatility ratio (short / previous) at or above which a non-trending asset is VOLATILE.</summary>
    public const double VolatileRatio = 1.5;

    /// <summary>Volatility ratio at which VOLATILE has full confidence.</summary>
    public const double FullVolatileRatio = 3.0;

    /// <summary>Volatility ratio at or below which "no expansion" has full confidence.</summary>
    public const double CalmRatio = 1.0;

    /// <summary>Compression (short range / hour range) at or below which a calm, non-trending asset is RANGE-BOUND.</summary>
    public const double RangeBoundCompression = 0.3;

    /// <summary>Volatility state INCREASING above this ratio.</summary>
    public const double IncreasingRatio = 1.25;

    /// <summary>Volatility state DECREASING below this ratio.</summary>
    public const double DecreasingRatio = 0.8;

    /// <summary>Minutes per year (365 days): annualizes a 1-minute standard deviation by its square root.</summary>
    public const double MinutesPerYear = 525_600;

    /// <summary>Liquidity: 10 s sampling.</summary>
    public const long SampleMicros = 10 * RiskMath.Second;

    /// <summary>Liquidity history: 60 minutes of samples.</summary>
    public const int LiquiditySamples = 360;

    /// <summary>A liquidity part (spread or depth) needs this many samples in the history (5 minutes).</summary>
    public const int MinLiquiditySamples = 30;

    /// <summary>Depth band for liquidity: 1% of mid.</summary>
    public const double DepthBandFraction = 0.01;

    /// <summary>Liquidity THIN below this score.</summary>
    public const double ThinScore = 25;

    /// <summary>Liquidity THICK above this score.</summary>
    public const double ThickScore = 75;

    /// <summary>A book top older than this at a sample has no spread: 10 s.</summary>
    public const long TopStaleAfterMicros = 10 * RiskMath.Second;

    /// <summary>
    /// Classifies a window of 60 one-minute index returns (oldest first, NaN = no return that
    /// minute; the last 15 are the short window).
    /// </summary>
    public static RegimeStats Evaluate(ReadOnlySpan<double> returns)
    {
        if (returns.Length != WindowMinutes)
        {
            throw new ArgumentException($"expected {WindowMinutes} returns", nameof(returns));
        }

        int shortStart = WindowMinutes - ShortMinutes;
        var s = default(RegimeStats);
        double x = 0, max = 0, min = 0, shortMax = double.NegativeInfinity, shortMin = double.PositiveInfinity, path = 0;
        for (int j = 0; j < returns.Length; j++)
        {
            if (j == shortStart)
            {
                shortMax = shortMin = x; // the index at the close before the short window
            }

            double r = returns[j];
            if (!double.IsNaN(r))
            {
                s.Returns++;
                if (j >= shortStart)
                {
                    s.ShortReturns++;
                }

                x += r;
                path += Math.Abs(r);
            }

            max = Math.Max(max, x);
            min = Math.Min(min, x);
            if (j >= shortStart)
            {
                shortMax = Math.Max(shortMax, x);
                shortMin = Math.Min(shortMin, x);
            }
        }

        s.PreviousReturns = s.Returns - s.ShortReturns;
        s.NetLog = x;
        s.Efficiency = path > 0 ? Math.Abs(x) / path : 0;
        s.Directional = path > 0 ? x / path : 0;
        s.RangeLog = max - min;
        s.ShortRangeLog = shortMax - shortMin;
        s.Compression = s.RangeLog > 0 ? s.ShortRangeLog / s.RangeLog : 0;
        s.Sigma = SampleStdDev(returns);
        s.ShortSigma = SampleStdDev(returns[shortStart..]);
        s.PreviousSigma = SampleStdDev(returns[..shortStart]);

        if (s.PreviousSigma > 0)
        {
            s.VolRatio = s.ShortSigma / s.PreviousSigma;
        }
        else if (s.ShortSigma > 0)
        {
            s.VolRatio = double.PositiveInfinity;
        }
        else if (s.ShortSigma == 0 && s.PreviousSigma == 0)
        {
            s.VolRatio = 1; // nothing moved in either part: no change
        }
        else
        {
            s.VolRatio = double.NaN;
        }

        s.State = s.VolRatio > IncreasingRatio ? VolatilityState.Increasing
            : s.VolRatio < DecreasingRatio ? VolatilityState.Decreasing
            : VolatilityState.Stable;

        double side = RiskMath.Unit((TrendingEfficiency - s.Efficiency) / TrendingEfficiency);
        double calm = RiskMath.Unit((VolatileRatio - s.VolRatio) / (VolatileRatio - CalmRatio));
        double margin;
        if (s.Efficiency >= TrendingEfficiency)
        {
            s.Regime = MarketRegime.Trending;
            margin = (s.Efficiency - TrendingEfficiency) / (1 - TrendingEfficiency);
        }
        else if (s.VolRatio >= VolatileRatio)
        {
            s.Regime = MarketRegime.Volatile;
            margin = Math.Min(side, (s.VolRatio - VolatileRatio) / (FullVolatileRatio - VolatileRatio));
        }
        else if (s.Compression <= RangeBoundCompression)
        {
            s.Regime = MarketRegime.RangeBound;
            margin = Math.Min(side, Math.Min(calm, (RangeBoundCompression - s.Compression) / RangeBoundCompression));
        }
        else
        {
            s.Regime = MarketRegime.Ranging;
            margin = Math.Min(side, Math.Min(calm, (s.Compression - RangeBoundCompression) / (1 - RangeBoundCompression)));
        }

        s.Confidence = 50 + (50 * RiskMath.Unit(margin));
        s.Trend = s.Directional >= DirectionEfficiency ? RegimeTrend.Bullish
            : s.Directional <= -DirectionEfficiency ? RegimeTrend.Bearish
            : RegimeTrend.Neutral;
        return s;
    }

    /// <summary>Annualized percent of a 1-minute standard deviation.</summary>
    public static double AnnualizedPct(double sigma) => sigma * Math.Sqrt(MinutesPerYear) * 100;

    /// <summary>Sample standard deviation (n − 1) of the non-NaN values; NaN with fewer than two.</summary>
    public static double SampleStdDev(ReadOnlySpan<double> values)
    {
        int n = 0;
        double sum = 0;
        foreach (double v in values)
        {
            if (!double.IsNaN(v))
            {
                n++;
                sum += v;
            }
        }

        if (n < 2)
        {
            return double.NaN;
        }

        double mean = sum / n, squares = 0;
        foreach (double v in values)
        {
            if (!double.IsNaN(v))
            {
                squares += (v - mean) * (v - mean);
            }
        }

        return Math.Sqrt(squares / (n - 1));
    }

    /// <summary>Mid-rank of <paramref name="value"/> among the finite <paramref name="history"/> values, percent: 100 · (#below + ½ #equal) / n.</summary>
    public static double Percentile(double value, ReadOnlySpan<double> history, out int samples)
    {
        int below = 0, equal = 0;
        samples = 0;
        foreach (double h in history)
        {
            if (!double.IsFinite(h))
            {
                continue;
            }

            samples++;
            if (h < value)
            {
                below++;
            }
            else if (h == value)
            {
                equal++;
            }
        }

        return samples > 0 && double.IsFinite(value) ? 100.0 * (below + (0.5 * equal)) / samples : double.NaN;
    }

    /// <summary>THIN / NORMAL / THICK of a score.</summary>
    public static LiquidityLevel LevelOf(double score) =>
        score < ThinScore ? LiquidityLevel.Thin : score > ThickScore ? LiquidityLevel.Thick : LiquidityLevel.Normal;
}

/// <summary>The numbers of one regime window.</summary>
internal struct RegimeStats
{
    public int Returns;
    public int ShortReturns;
    public int PreviousReturns;
    public double NetLog;
    public double Efficiency;
    public double Directional;
    public double RangeLog;
    public double ShortRangeLog;
    public double Compression;
    public double Sigma;
    public double ShortSigma;
    public double PreviousSigma;
    public double VolRatio;
    public VolatilityState State;
    public MarketRegime Regime;
    public double Confidence;
    public RegimeTrend Trend;
}
