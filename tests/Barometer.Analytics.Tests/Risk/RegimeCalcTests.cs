using Barometer.Analytics.Risk;

namespace Barometer.Analytics.Tests.Risk;

/// <summary>The classification on hand-built windows of 60 one-minute returns (the last 15 are the short window).</summary>
public sealed class RegimeCalcTests
{
    private static readonly double X = Math.Log(1.01); // a 1 % move

    private static double[] Alternating(double size, int count, bool plusFirst = true)
    {
        var r = new double[count];
        for (int j = 0; j < count; j++)
        {
            r[j] = (j % 2 == 0) == plusFirst ? size : -size;
        }

        return r;
    }

    [Fact]
    public void A_straight_line_up_is_trending_bullish_with_full_confidence()
    {
        var r = Enumerable.Repeat(0.001, 60).ToArray();

        var s = RegimeCalc.Evaluate(r);

        Assert.Equal(MarketRegime.Trending, s.Regime);
        Assert.Equal(RegimeTrend.Bullish, s.Trend);
        Assert.Equal(1.0, s.Efficiency, 12);      // |Σr| / Σ|r| = 0.06 / 0.06
        Assert.Equal(100.0, s.Confidence, 9);     // 50 + 50 · (1 − 0.35) / 0.65
        Assert.Equal(0.06, s.NetLog, 12);
        Assert.Equal(60, s.Returns);
        Assert.Equal(15, s.ShortReturns);
    }

    [Fact]
    public void A_straight_line_down_is_trending_bearish()
    {
        var s = RegimeCalc.Evaluate(Enumerable.Repeat(-0.002, 60).ToArray());

        Assert.Equal(MarketRegime.Trending, s.Regime);
        Assert.Equal(RegimeTrend.Bearish, s.Trend);
        Assert.Equal(-1.0, s.Directional, 12);
    }

    [Fact]
    public void Alternating_prices_in_a_band_are_ranging()
    {
        // +1 %, −1 %, … : Σr = 0 ⇒ efficiency 0. The index swings 0 ↔ x across the whole window and
        // the last 15 minutes still span it: compression = x / x = 1.
        // Short window (j = 45 … 59): 8 × −x, 7 × +x, mean −x/15 ⇒ var = (15x² − 15(x/15)²)/14 = x²·16/15.
        // Previous (j = 0 … 44): 23 × +x, 22 × −x, mean x/45 ⇒ var = x²·46/45.
        // Ratio = √((16/15) / (46/45)) = √(24/23) = 1.0215 ⇒ stable.
        // Confidence = 50 + 50 · min(side 1, calm (1.5 − 1.0215)/0.5 = 0.95698, ranging (1 − 0.3)/0.7 = 1) = 97.849.
        var s = RegimeCalc.Evaluate(Alternating(X, 60));

        Assert.Equal(MarketRegime.Ranging, s.Regime);
        Assert.Equal(RegimeTrend.Neutral, s.Trend);
        Assert.Equal(0.0, s.Efficiency, 12);
        Assert.Equal(1.0, s.Compression, 12);
        Assert.Equal(X, s.RangeLog, 12);
        Assert.Equal(Math.Sqrt(24.0 / 23.0), s.VolRatio, 9);
        Assert.Equal(VolatilityState.Stable, s.State);
        Assert.Equal(97.849216, s.Confidence, 5);

        // All 60: mean 0, var = 60x²/59 ⇒ σ = x·√(60/59); × √525 600 × 100 = 727.469549 %.
        Assert.Equal(X * Math.Sqrt(60.0 / 59.0), s.Sigma, 12);
        Assert.Equal(727.469549, RegimeCalc.AnnualizedPct(s.Sigma), 5);
    }

    [Fact]
    public void A_volatility_burst_without_direction_is_volatile_and_increasing()
    {
        // 45 minutes of ±a, then 15 of ±3a (same alternation). Ratio = 3 · √(24/23) = 3.0645 ≥ 1.5.
        // Σr = a (first 45: 23 up, 22 down) + 3a·(7 − 8) = −2a; Σ|r| = 45a + 45a ⇒ efficiency 2/90 = 1/45.
        // Confidence = 50 + 50 · min(side 1 − (1/45)/0.35 = 0.936508, volatile (3.0645 − 1.5)/1.5 → 1) = 96.825.
        const double a = 0.001;
        var r = Alternating(a, 45).Concat(Alternating(3 * a, 15, plusFirst: false)).ToArray();

        var s = RegimeCalc.Evaluate(r);

        Assert.Equal(MarketRegime.Volatile, s.Regime);
        Assert.Equal(VolatilityState.Increasing, s.State);
        Assert.Equal(3 * Math.Sqrt(24.0 / 23.0), s.VolRatio, 9);
        Assert.Equal(1.0 / 45, s.Efficiency, 12);
        Assert.Equal(RegimeTrend.Neutral, s.Trend);
        Assert.Equal(96.825397, s.Confidence, 5);
    }

    [Fact]
    public void A_move_and_back_then_a_pinned_quarter_hour_is_range_bound_and_decreasing()
    {
        // Up 20a, down 20a, then +,−,+,−,+ (index a at minute 45); last 15: −a/10, +a/10, … (index a ↔ 0.9a).
        // Hour range 20a, short range 0.1a ⇒ compression 0.005. Σr = a − 0.1a = 0.9a, Σ|r| = 45a + 1.5a ⇒ efficiency 0.9/46.5.
        // Previous: 23 up, 22 down ⇒ var a²·46/45; short: var (0.1a)²·16/15 ⇒ ratio 0.1·√(24/23) = 0.10215 ⇒ decreasing.
        // Confidence = 50 + 50 · min(side 1 − 0.0193548/0.35 = 0.944700, calm 1, bound (0.3 − 0.005)/0.3 = 0.98333) = 97.235.
        const double a = 0.001;
        var r = Enumerable.Repeat(a, 20).Concat(Enumerable.Repeat(-a, 20)).Concat(Alternating(a, 5))
            .Concat(Alternating(a / 10, 15, plusFirst: false)).ToArray();

        var s = RegimeCalc.Evaluate(r);

        Assert.Equal(MarketRegime.RangeBound, s.Regime);
        Assert.Equal(20 * a, s.RangeLog, 12);
        Assert.Equal(0.1 * a, s.ShortRangeLog, 12);
        Assert.Equal(0.005, s.Compression, 9);
        Assert.Equal(0.9 / 46.5, s.Efficiency, 12);
        Assert.Equal(0.1 * Math.Sqrt(24.0 / 23.0), s.VolRatio, 9);
        Assert.Equal(VolatilityState.Decreasing, s.State);
        Assert.Equal(97.235023, s.Confidence, 5);
    }

    [Fact]
    public void Ranging_and_range_bound_differ_only_by_how_much_of_the_hours_band_the_last_quarter_hour_spans()
    {
        // Same first 45 minutes: up 20a, down 20a, then +,−,+,−,+ (hour range 20a, index a at minute 45).
        const double a = 0.001;
        var head = Enumerable.Repeat(a, 20).Concat(Enumerable.Repeat(-a, 20)).Concat(Alternating(a, 5)).ToArray();

        // Last 15: +a ×8 then −a ×7 ⇒ index a → 9a → 2a: short range 8a / 20a = 0.4 > 0.3 ⇒ ranging.
        var wide = RegimeCalc.Evaluate(head.Concat(Enumerable.Repeat(a, 8)).Concat(Enumerable.Repeat(-a, 7)).ToArray());

        // Last 15: ±a alternating from −a ⇒ index a ↔ 0: short range a / 20a = 0.05 ≤ 0.3 ⇒ range-bound.
        var tight = RegimeCalc.Evaluate(head.Concat(Alternating(a, 15, plusFirst: false)).ToArray());

        // Both: not trending (efficiency 2a/60a and 0) and no expansion (8 vs 7 signs: ratio √(24/23) as above).
        Assert.Equal(2.0 / 60, wide.Efficiency, 12);
        Assert.Equal(0.4, wide.Compression, 12);
        Assert.Equal(MarketRegime.Ranging, wide.Regime);
        Assert.Equal(0.05, tight.Compression, 12);
        Assert.Equal(MarketRegime.RangeBound, tight.Regime);
        Assert.Equal(wide.VolRatio, tight.VolRatio, 12);
    }

    [Fact]
    public void A_bullish_drift_below_the_trending_efficiency_keeps_a_bullish_trend_with_low_confidence()
    {
        // 18 × +a then 42 alternating from +a: Σr = 18a, Σ|r| = 60a ⇒ efficiency 0.3 < 0.35 (not trending) but ≥ 0.2 ⇒ bullish.
        // Index climbs to 18a then swings 18a ↔ 19a: compression a / 19a = 0.0526 ⇒ range-bound.
        // Previous 45: 32 up, 13 down ⇒ var = (45 − 19²/45)/44 · a² = 0.840404a²; short: 7 up, 8 down ⇒ var a²·16/15.
        // Ratio √(1.066667 / 0.840404) = 1.126601 (stable). Confidence = 50 + 50 · min(side (0.35 − 0.3)/0.35 = 0.142857, …) = 57.142857.
        const double a = 0.001;
        var r = Enumerable.Repeat(a, 18).Concat(Alternating(a, 42)).ToArray();

        var s = RegimeCalc.Evaluate(r);

        Assert.Equal(0.3, s.Efficiency, 12);
        Assert.Equal(RegimeTrend.Bullish, s.Trend);
        Assert.Equal(MarketRegime.RangeBound, s.Regime);
        Assert.Equal(1.0 / 19, s.Compression, 12);
        Assert.Equal(1.126601, s.VolRatio, 6);
        Assert.Equal(VolatilityState.Stable, s.State);
        Assert.Equal(57.142857, s.Confidence, 5);
    }

    [Fact]
    public void A_price_that_never_moves_is_range_bound_with_zero_volatility()
    {
        var s = RegimeCalc.Evaluate(new double[60]);

        Assert.Equal(MarketRegime.RangeBound, s.Regime);
        Assert.Equal(100.0, s.Confidence, 12);
        Assert.Equal(0.0, s.Efficiency);
        Assert.Equal(0.0, s.Compression);
        Assert.Equal(0.0, s.Sigma);
        Assert.Equal(1.0, s.VolRatio);
        Assert.Equal(VolatilityState.Stable, s.State);
        Assert.Equal(RegimeTrend.Neutral, s.Trend);
    }

    [Fact]
    public void Moves_after_a_motionless_three_quarters_are_an_unbounded_increase_and_volatile()
    {
        var r = new double[45].Concat(Alternating(0.001, 15)).ToArray();

        var s = RegimeCalc.Evaluate(r);

        Assert.True(double.IsPositiveInfinity(s.VolRatio));
        Assert.Equal(VolatilityState.Increasing, s.State);
        Assert.Equal(MarketRegime.Volatile, s.Regime);
    }

    [Fact]
    public void Missing_minutes_are_skipped_and_counted()
    {
        var r = Enumerable.Repeat(0.001, 60).ToArray();
        for (int j = 0; j < 60; j += 3)
        {
            r[j] = double.NaN; // 20 missing: j = 0, 3, …, 57 (5 of them in 45 … 59)
        }

        var s = RegimeCalc.Evaluate(r);

        Assert.Equal(40, s.Returns);
        Assert.Equal(10, s.ShortReturns);
        Assert.Equal(30, s.PreviousReturns);
        Assert.Equal(0.04, s.NetLog, 12);
        Assert.Equal(MarketRegime.Trending, s.Regime);
    }

    [Theory]
    [InlineData(50.0, 60.0, 1.0, 50.0)]          // one below (1), one equal (itself) of three: (1 + ½) / 3
    [InlineData(70.0, 60.0, 50.0, 250.0 / 3)]   // two below, itself equal: (2 + ½) / 3
    public void Percentile_is_the_mid_rank_with_the_value_itself_counted_as_equal(double current, double h1, double h2, double expected)
    {
        double[] history = [h1, h2, current, double.NaN];

        double p = RegimeCalc.Percentile(current, history, out int n);

        Assert.Equal(3, n); // NaN is not a sample
        Assert.Equal(expected, p, 9);
    }

    [Theory]
    [InlineData(24.999, LiquidityLevel.Thin)]
    [InlineData(25.0, LiquidityLevel.Normal)]
    [InlineData(75.0, LiquidityLevel.Normal)]
    [InlineData(75.001, LiquidityLevel.Thick)]
    public void Liquidity_is_thin_below_25_thick_above_75(double score, LiquidityLevel expected) =>
        Assert.Equal(expected, RegimeCalc.LevelOf(score));
}
