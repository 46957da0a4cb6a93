using Barometer.Analytics.Liquidations;
using Barometer.Core.Events;
using static Barometer.Analytics.Tests.Liquidations.LiquidationFixtures;

namespace Barometer.Analytics.Tests.Liquidations;

public sealed class CascadeRiskTests
{
    // Observation starts with a trade at T0; snapshot at +600 s with the last BTC trade @ 100,000 (+595 s).
    // Bybit (complete), BTC buckets of $100:
    //   L1 +100 s long  20 @ 99,850  = $1,997,000  mid 99,850  (near: |−150| ≤ 1 % = 1,000)
    //   L2 +560 s long   2 @ 99,550  =   $199,100  mid 99,550  (near)
    //   L3 +570 s long   1 @ 99,450  =    $99,450  mid 99,450  (near)
    //   L4 +580 s short  1 @ 100,050 =   $100,050  mid 100,050 (near)
    //   L5 +590 s long   3 @ 98,950  =   $296,850  mid 98,950  (|−1,050| > 1,000: not near)
    // The last five span 490 s: no cascade.
    private static readonly MarketEvent[] Tape =
    [
        Trade(Bybit, T0, 100_000),
        Liq(Bybit, T0 + (100 * Second), 99_850, 20, PositionSide.Long),
        Liq(Bybit, T0 + (560 * Second), 99_550, 2, PositionSide.Long),
        Liq(Bybit, T0 + (570 * Second), 99_450, 1, PositionSide.Long),
        Liq(Bybit, T0 + (580 * Second), 100_050, 1, PositionSide.Short),
        Liq(Bybit, T0 + (590 * Second), 98_950, 3, PositionSide.Long),
        Trade(Bybit, T0 + (595 * Second), 100_000),
    ];

    private static AssetLiquidations Btc(long now) => New().Feed(Tape).Snapshot(now).Asset("BTC");

    [Fact]
    public void Cascade_risk_combines_cluster_usd_near_price_velocity_and_one_sidedness_as_computed_by_hand()
    {
        var risk = Btc(T0 + (600 * Second)).Risk;

        // Near: 1,997,000 + 199,100 + 99,450 + 100,050 = 2,395,600; component min(1, 2,395,600 / (5 × $1M)) = 0.47912.
        Assert.Equal(2_395_600, risk.NearUsd, 6);
        Assert.Equal(0.47912, risk.NearComponent, 9);
        // Velocity: last 60 s (L2–L5) = $695,450; retention average = (1,997,000 + 695,450) × 60 / 600 s observed = $269,245 per minute;
        // ratio 695,450 / 269,245 = 2.58296; component (2.58296 − 1) / 4 = 0.39574.
        Assert.Equal(695_450, risk.UsdLastMinute, 6);
        Assert.Equal(269_245, risk.UsdPerMinuteAverage, 6);
        Assert.Equal(695_450.0 / 269_245, risk.VelocityRatio, 9);
        Assert.Equal(((695_450.0 / 269_245) - 1) / 4, risk.VelocityComponent, 9);
        // One-sided over 5 min (L2–L5): long 595,400, short 100,050 → 495,350 / 695,450 = 0.71227; × min(1, 4 / 5) = 0.56982.
        Assert.Equal(495_350.0 / 695_450, risk.OneSidedness, 9);
        Assert.Equal(495_350.0 / 695_450 * 0.8, risk.OneSidedComponent, 9);
        // 100 × (0.5 × 0.47912 + 0.3 × 0.39574 + 0.2 × 0.56982) = 47.2246
        Assert.Equal(47.2246, risk.Score, 3);
        Assert.False(risk.IsLowerBound);
        Assert.Null(risk.UnavailableReason);
    }

    [Fact]
    public void The_next_cascade_level_is_the_largest_danger_zone_within_five_percent_and_protection_the_largest_on_the_other_side()
    {
        var btc = Btc(T0 + (600 * Second));

        // Only [99,800, 99,900) holds more than $1M: mid 99,850, 0.15 % below 100,000, longs.
        var next = btc.NextCascadeLevel;
        Assert.Equal((99_850.0, 99_800.0, 99_900.0), (next.Price, next.PriceLow, next.PriceHigh));
        Assert.Equal(LevelPosition.Below, next.Position);
        Assert.Equal(CascadeSide.Long, next.Side);
        Assert.Equal(-0.15, next.DistancePercent, 9);
        Assert.Equal(1_997_000, next.Usd, 6);
        // Above price only [100,000, 100,100) (mid 100,050, $100,050, shorts): +0.05 %.
        var protection = btc.ProtectionLevel;
        Assert.Equal(100_050, protection.Price, 9);
        Assert.Equal(LevelPosition.Above, protection.Position);
        Assert.Equal(CascadeSide.Short, protection.Side);
        Assert.Equal(0.05, protection.DistancePercent, 9);
        Assert.Equal(100_050, protection.Usd, 6);
    }

    [Fact]
    public void Without_a_danger_zone_near_price_there_is_no_next_level_and_so_no_protection_level()
    {
        // A one-minute retention drops L1 (500 s old): no bucket above $1M is left.
        var options = new AnalyticsOptions { Thresholds = new() { LiquidationClusterRetentionMinutes = 1 } };
        var btc = New(options).Feed(Tape).Snapshot(T0 + (600 * Second)).Asset("BTC");

        Assert.True(double.IsNaN(btc.NextCascadeLevel.Price));
        Assert.Equal("no cluster above $1M within 5% of price", btc.NextCascadeLevel.UnavailableReason);
        Assert.Equal("no next cascade level", btc.ProtectionLevel.UnavailableReason);
    }

    [Fact]
    public void Without_a_trade_price_risk_levels_and_heatmap_are_unavailable_with_a_reason()
    {
        var btc = New().Feed(Tape.Where(e => e.Kind == EventKind.Liquidation).ToArray()).Snapshot(T0 + (600 * Second)).Asset("BTC");

        Assert.True(double.IsNaN(btc.Risk.Score));
        Assert.Equal("no BTC trade yet (price needed)", btc.Risk.UnavailableReason);
        Assert.Equal("no BTC trade yet (price needed)", btc.NextCascadeLevel.UnavailableReason);
        Assert.Equal("no BTC trade yet (price needed)", btc.Heatmap.UnavailableReason);
        Assert.Empty(btc.Heatmap.Counts);
        Assert.False(btc.Price.Fresh);
    }

    [Fact]
    public void A_price_older_than_the_stale_limit_makes_risk_unavailable()
    {
        // Last trade at +595 s; at +656 s it is 61 s old (limit 60 s).
        var btc = Btc(T0 + (656 * Second));

        Assert.True(double.IsNaN(btc.Risk.Score));
        Assert.Equal("stale price: last BTC trade is 61 s old (limit 60 s)", btc.Risk.UnavailableReason);
        Assert.Equal(61, btc.Price.AgeSeconds, 9);
    }
}
