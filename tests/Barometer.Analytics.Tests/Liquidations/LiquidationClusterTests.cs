using Barometer.Analytics.Liquidations;
using Barometer.Core.Events;
using static Barometer.Analytics.Tests.Liquidations.LiquidationFixtures;

namespace Barometer.Analytics.Tests.Liquidations;

public sealed class LiquidationClusterTests
{
    // BTC has a configured bucket of $100. Bybit (complete feed):
    //   +10 s long  10  @ 99,850   = $998,500  → [99,800, 99,900)
    //   +20 s long  1   @ 99,820   = $99,820   → [99,800, 99,900): $1,098,320 > $1M, a DANGER ZONE
    //   +30 s short 2   @ 100,250  = $200,500  → [100,200, 100,300)
    //   +40 s long  0.1 @ 99,000   = $9,900    → [99,000, 99,100)
    private static readonly MarketEvent[] Four =
    [
        Trade(Bybit, T0, 100_000),
        Liq(Bybit, T0 + (10 * Second), 99_850, 10, PositionSide.Long),
        Liq(Bybit, T0 + (20 * Second), 99_820, 1, PositionSide.Long),
        Liq(Bybit, T0 + (30 * Second), 100_250, 2, PositionSide.Short),
        Liq(Bybit, T0 + (40 * Second), 99_000, 0.1, PositionSide.Long),
    ];

    [Fact]
    public void Liquidations_fall_into_configured_price_buckets_with_long_and_short_counts_usd_age_and_danger_zone()
    {
        var clusters = New().Feed(Four).Snapshot(T0 + (100 * Second)).Asset("BTC").Clusters;

        Assert.Equal(100, clusters.BucketSize);
        Assert.Equal(BucketSizeSource.Configured, clusters.Source);
        Assert.Equal(900, clusters.RetentionSeconds);
        Assert.Equal([99_000.0, 99_800.0, 100_200.0], clusters.Buckets.Select(b => b.PriceLow));
        var danger = clusters.Buckets[1];
        Assert.Equal((99_900.0, 99_850.0), (danger.PriceHigh, danger.PriceMid));
        Assert.Equal((2L, 2L, 0L), (danger.Count, danger.LongCount, danger.ShortCount));
        Assert.Equal(1_098_320, danger.Usd, 6);
        Assert.Equal(CascadeSide.Long, danger.Side);
        Assert.True(danger.DangerZone);
        Assert.Equal(80, danger.LastAgeSeconds, 9);            // newest at +20 s, snapshot at +100 s
        Assert.False(danger.IsLowerBound);
        var shorts = clusters.Buckets[2];
        Assert.Equal((1L, 0L, 1L), (shorts.Count, shorts.LongCount, shorts.ShortCount));
        Assert.Equal(200_500, shorts.ShortUsd, 6);
        Assert.Equal(CascadeSide.Short, shorts.Side);
        Assert.False(shorts.DangerZone);
        Assert.Equal(1, clusters.DangerZones);
    }

    [Fact]
    public void A_liquidation_leaves_its_cluster_after_the_fifteen_minute_retention()
    {
        // At +915 s the first liquidation (+10 s) is 905 s old: gone; the second (+20 s) is 895 s old: kept.
        var clusters = New().Feed(Four).Snapshot(T0 + (915 * Second)).Asset("BTC").Clusters;
        var bucket = clusters.Buckets.Single(b => b.PriceLow == 99_800);

        Assert.Equal(1, bucket.Count);
        Assert.Equal(99_820, bucket.Usd, 6);
        Assert.False(bucket.DangerZone);
        Assert.Equal(0, clusters.DangerZones);
    }

    [Fact]
    public void A_configurable_retention_and_danger_zone_apply()
    {
        var options = new AnalyticsOptions
        {
            Thresholds = new() { LiquidationClusterRetentionMinutes = 1, LiquidationDangerZoneUsd = 150_000 },
        };
        var clusters = New(options).Feed(Four).Snapshot(T0 + (75 * Second)).Asset("BTC").Clusters;

        // Retention 60 s at +75 s: +10 s (65 s old) is out; +20 s, +30 s and +40 s stay. $200,500 > $150K.
        Assert.Equal(60, clusters.RetentionSeconds);
        Assert.Equal(99_820, clusters.Buckets.Single(b => b.PriceLow == 99_800).Usd, 6);
        Assert.Equal(1, clusters.DangerZones);
        Assert.True(clusters.Buckets.Single(b => b.PriceLow == 100_200).DangerZone);
    }

    [Fact]
    public void Without_a_configured_size_the_bucket_is_the_fraction_of_price_rounded_down_to_one_two_or_five()
    {
        // XRP is not configured: 0.001 × 2.5 = 0.0025 → 0.002. 2.5031 / 0.002 = 1251.55 → [2.502, 2.504).
        var clusters = New().Feed(Trade(BybitXrp, T0, 2.5), Liq(BybitXrp, T0 + Second, 2.5031, 1000, PositionSide.Short))
            .Snapshot(T0 + Second).Asset("XRP").Clusters;

        Assert.Equal(BucketSizeSource.FractionOfPrice, clusters.Source);
        Assert.Equal(2.5, clusters.ReferencePrice);
        Assert.Equal(0.002, clusters.BucketSize, 12);
        var bucket = Assert.Single(clusters.Buckets);
        Assert.Equal((2.502, 2.504, 2.503), (bucket.PriceLow, bucket.PriceHigh, bucket.PriceMid));
        Assert.Equal(2503.1, bucket.ShortUsd, 6);
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(0.15, 0.1)]
    [InlineData(3.4, 2)]
    [InlineData(7, 5)]
    [InlineData(0.2, 0.2)]
    [InlineData(0.0025, 0.002)]
    [InlineData(99.99, 50)]
    public void The_nice_floor_is_the_largest_one_two_or_five_times_a_power_of_ten_not_above_the_value(double value, double expected) =>
        Assert.Equal(expected, LiquidationSnapshotBuilder.NiceFloor(value), 12);

    [Fact]
    public void Sampled_feeds_make_a_bucket_a_lower_bound_and_are_named()
    {
        var bucket = Assert.Single(New().Feed(Liq(Okx, T0, 99_850, 1, PositionSide.Long), Liq(Bybit, T0, 99_860, 1, PositionSide.Long))
            .Snapshot(T0).Asset("BTC").Clusters.Buckets);

        Assert.True(bucket.IsLowerBound);
        Assert.Equal(["okx-swap"], bucket.SampledVenues);
    }
}
