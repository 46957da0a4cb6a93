using Barometer.Core.Events;
using static Barometer.Analytics.Tests.Liquidations.LiquidationFixtures;

namespace Barometer.Analytics.Tests.Liquidations;

public sealed class LiquidationHeatmapTests
{
    private const long Now = T0 + (3600 * Second);

    // Price 100,000 at the snapshot: rows of $200 from 95,000 to 105,000 (50), columns of 5 min over the last hour (12).
    //   F  T0         long  1 @ 100,000  age 3600 s: outside the hour (0 ≤ age < 3600 s), not counted anywhere
    //   A  T0 + 1 s   long  1 @ 100,000  age 3599 s → column 11 − ⌊3599 / 300⌋ = 0; row (100,000 − 95,000) / 200 = 25
    //   D  T0 + 3000  long  1 @  94,999  below 95,000: outside the price range
    //   C  T0 + 3300  long  1 @ 105,000  age 300 s → column 10; row 50 → the last row (49) holds the upper edge
    //   B  T0 + 3599  short 2 @ 104,999  age 1 s → column 11; row ⌊9,999 / 200⌋ = 49
    private static readonly MarketEvent[] Tape =
    [
        Trade(Bybit, T0, 100_000),
        Liq(Bybit, T0, 100_000, 1, PositionSide.Long),
        Liq(Bybit, T0 + Second, 100_000, 1, PositionSide.Long),
        Liq(Bybit, T0 + (3000 * Second), 94_999, 1, PositionSide.Long),
        Liq(Bybit, T0 + (3300 * Second), 105_000, 1, PositionSide.Long),
        Liq(Bybit, T0 + (3599 * Second), 104_999, 2, PositionSide.Short),
        Trade(Bybit, Now, 100_000),
    ];

    [Fact]
    public void Liquidations_land_in_the_hand_computed_price_and_time_cells()
    {
        var map = New().Feed(Tape).Snapshot(Now).Asset("BTC").Heatmap;

        Assert.Null(map.UnavailableReason);
        Assert.Equal((95_000.0, 105_000.0, 200.0), (map.PriceLow, map.PriceHigh, map.PriceStep));
        Assert.Equal((50, 12), (map.PriceBins, map.TimeBins));
        Assert.Equal((T0, Now, 300 * Second), (map.TimeStart, map.TimeEnd, map.TimeStep));
        Assert.Equal(50, map.Counts.Count);
        Assert.All(map.Counts, row => Assert.Equal(12, row.Count));
        Assert.Equal(1, map.Counts[25][0]);
        Assert.Equal(100_000, map.Usd[25][0], 6);
        Assert.Equal(1, map.Counts[49][10]);
        Assert.Equal(105_000, map.Usd[49][10], 6);
        Assert.Equal(1, map.Counts[49][11]);
        Assert.Equal(209_998, map.Usd[49][11], 6);
        Assert.Equal(3, map.Count);
        Assert.Equal(3, map.Counts.Sum(row => row.Sum()));
        Assert.Equal(414_998, map.TotalUsd, 6);              // 100,000 + 105,000 + 209,998
        Assert.Equal((1L, 94_999.0), (map.OutsideCount, map.OutsideUsd));
        Assert.False(map.IsLowerBound);
    }

    [Fact]
    public void Bins_and_range_are_configurable()
    {
        var options = new AnalyticsOptions
        {
            Liquidations = new() { HeatmapPriceBins = 4, HeatmapTimeBins = 2, HeatmapWindow = TimeSpan.FromMinutes(10), HeatmapRangePercent = 2 },
        };
        var map = New(options).Feed(Tape).Snapshot(Now).Asset("BTC").Heatmap;

        // ±2 %: 98,000 … 102,000 in rows of 1,000; two columns of 5 min over the last 10 min. Only B and C are in
        // the 10 minutes, both above 102,000: outside.
        Assert.Equal((98_000.0, 102_000.0, 1_000.0), (map.PriceLow, map.PriceHigh, map.PriceStep));
        Assert.Equal(4, map.Counts.Count);
        Assert.Equal(0, map.Count);
        Assert.Equal(2, map.OutsideCount);
    }
}
