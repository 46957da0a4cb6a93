using System.Text.Json;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using static Barometer.Analytics.Tests.Liquidations.LiquidationFixtures;

namespace Barometer.Analytics.Tests.Liquidations;

public sealed class LiquidationWindowTests
{
    // A trade at T0 starts the observation; four Binance (sampled feed) liquidations follow:
    //   +1 s long  0.5  @ 100,000 = $50,000   large (≥ $10K, < $100K)
    //   +2 s short 2    @ 100,100 = $200,200  institutional (≥ $100K)
    //   +3 s long  0.05 @  99,900 = $4,995    small
    //   +4 s long  1.2  @  99,800 = $119,760  institutional
    private static readonly MarketEvent[] Four =
    [
        Trade(Binance, T0, 100_000),
        Liq(Binance, T0 + Second, 100_000, 0.5, PositionSide.Long),
        Liq(Binance, T0 + (2 * Second), 100_100, 2, PositionSide.Short),
        Liq(Binance, T0 + (3 * Second), 99_900, 0.05, PositionSide.Long),
        Liq(Binance, T0 + (4 * Second), 99_800, 1.2, PositionSide.Long),
    ];

    [Fact]
    public void Four_liquidations_give_the_hand_computed_one_minute_totals_size_classes_and_rate()
    {
        var row = New().Feed(Four).Snapshot(T0 + (60 * Second)).Row(Binance);
        var w = row.OneMinute;

        // Ages 59, 58, 57, 56 s: all inside the 60 s window; 60 s observed since the trade at T0.
        Assert.Equal(60, w.CoveredSeconds, 9);
        Assert.Equal((4L, 3L, 1L), (w.Count, w.LongCount, w.ShortCount));
        Assert.Equal(174_755, w.LongUsd, 6);                 // 50,000 + 4,995 + 119,760
        Assert.Equal(200_200, w.ShortUsd, 6);
        Assert.Equal(374_955, w.TotalUsd, 6);
        Assert.Equal(93_738.75, w.AvgUsd, 6);                // 374,955 / 4
        Assert.Equal(100.0 * 174_755 / 374_955, w.LongPercent, 9); // 46.61 %
        Assert.Equal(4, w.EventsPerMinute, 9);               // 4 × 60 / 60
        Assert.Equal((2L, 319_960.0), (w.Institutional.Count, w.Institutional.Usd)); // 200,200 + 119,760
        Assert.Equal((1L, 50_000.0), (w.Large.Count, w.Large.Usd));
        Assert.Equal((1L, 4_995.0), (w.Small.Count, w.Small.Usd));
        Assert.True(w.IsLowerBound);                          // Binance samples its feed
        Assert.Equal(["binance-futures"], w.SampledVenues);
        Assert.Null(w.UnavailableReason);
        Assert.Equal(FeedCompleteness.Sampled, row.Feed);
        Assert.Equal(T0 + (4 * Second), row.LastLiquidationTime);
        Assert.Equal(56, row.LastLiquidationAgeSeconds, 9);   // "last liquidation 56 s ago"
    }

    [Fact]
    public void A_liquidation_exactly_sixty_seconds_old_has_left_the_one_minute_window_but_stays_in_five_minutes()
    {
        var row = New().Feed(Four).Snapshot(T0 + (62 * Second)).Row(Binance);

        // Ages 61 and 60 s are out (the window is 0 ≤ age < 60 s); 59 and 58 s stay: $4,995 + $119,760.
        Assert.Equal(2, row.OneMinute.Count);
        Assert.Equal(124_755, row.OneMinute.TotalUsd, 6);
        Assert.Equal(4, row.FiveMinutes.Count);
        Assert.Equal(374_955, row.FiveMinutes.TotalUsd, 6);
        Assert.Equal(62, row.FiveMinutes.CoveredSeconds, 9);
        Assert.Equal(4 * 60.0 / 62, row.FiveMinutes.EventsPerMinute, 9);
    }

    [Fact]
    public void The_asset_sums_every_venue_and_names_only_the_sampled_venues_that_contributed()
    {
        var events = Four.Concat(
        [
            Liq(Bybit, T0 + (5 * Second), 100_000, 1, PositionSide.Short),  // $100,000, complete feed
            Liq(Okx, T0 + (6 * Second), 99_000, 3, PositionSide.Long),      // $297,000, sampled feed
        ]).ToArray();
        var section = New().Feed(events).Snapshot(T0 + (60 * Second));
        var btc = section.Asset("BTC");

        Assert.Equal(["binance-futures:BTCUSDT", "bybit-linear:BTCUSDT", "okx-swap:BTC-USDT-SWAP"], btc.Instruments);
        Assert.Equal(6, btc.OneMinute.Count);
        Assert.Equal(374_955 + 100_000 + 297_000, btc.OneMinute.TotalUsd, 6);
        Assert.Equal(174_755 + 297_000, btc.OneMinute.LongUsd, 6);
        Assert.Equal(200_200 + 100_000, btc.OneMinute.ShortUsd, 6);
        Assert.True(btc.OneMinute.IsLowerBound);
        Assert.Equal(["binance-futures", "okx-swap"], btc.OneMinute.SampledVenues);
        var bybit = section.Row(Bybit).OneMinute;
        Assert.False(bybit.IsLowerBound);                     // Bybit allLiquidation is complete
        Assert.Empty(bybit.SampledVenues);
        Assert.Equal(T0 + (6 * Second), btc.LastLiquidationTime);
    }

    [Fact]
    public void Bad_liquidations_are_ignored_and_counted_and_leave_the_totals_untouched()
    {
        var metrics = New().Feed(Four).Feed(
            Liq(Binance, T0 + (5 * Second), double.NaN, 1, PositionSide.Long),
            Liq(Binance, T0 + (5 * Second), -5, 1, PositionSide.Long),
            Liq(Binance, T0 + (5 * Second), 100_000, -1, PositionSide.Long),
            Liq(Binance, T0 + (5 * Second), 100_000, double.PositiveInfinity, PositionSide.Short),
            MarketEvent.From(new Liquidation(Binance, T0 + (5 * Second), 0, 100_000, 1, PositionSide.Unknown, Side.Unknown, FeedCompleteness.Sampled)),
            MarketEvent.From(new Liquidation(Binance, T0 + (5 * Second), 0, 100_000, 1, PositionSide.Long, Side.Buy, FeedCompleteness.Sampled)),
            Trade(Binance, T0 + (5 * Second), double.NaN));
        var section = metrics.Snapshot(T0 + (60 * Second));

        Assert.Equal(4, section.Input.Accepted);
        Assert.Equal(2, section.Input.IgnoredInvalidPrice);
        Assert.Equal(2, section.Input.IgnoredInvalidQuantity);
        Assert.Equal(2, section.Input.IgnoredInvalidSide);      // unknown, and long with a buy order
        Assert.Equal(1, section.Input.IgnoredTrades);
        Assert.Equal(374_955, section.Row(Binance).OneMinute.TotalUsd, 6);
        Assert.Equal(100_000, section.Asset("BTC").Price.Price, 9); // the NaN trade did not replace the price
    }

    [Fact]
    public void A_liquidation_with_only_the_order_side_known_takes_the_implied_position_side()
    {
        var section = New().Feed(
            MarketEvent.From(new Liquidation(Bybit, T0, T0, 100_000, 1, PositionSide.Unknown, Side.Buy, FeedCompleteness.Complete)))
            .Snapshot(T0);

        Assert.Equal(1, section.Row(Bybit).OneMinute.ShortCount); // a buy order closes a short
    }

    [Fact]
    public void A_liquidation_older_than_the_ring_window_before_the_newest_event_is_ignored_and_counted()
    {
        var section = New().Feed(
            Trade(Bybit, T0 + (3601 * Second), 100_000),
            Liq(Bybit, T0, 100_000, 1, PositionSide.Long))       // 3601 s before the newest event; the ring keeps 3600 s
            .Snapshot(T0 + (3601 * Second));

        Assert.Equal(1, section.Input.IgnoredTooLate);
        Assert.Empty(section.Instruments);
    }

    [Fact]
    public void A_non_usd_quote_keeps_counts_with_usd_totals_null_and_a_reason_and_stays_out_of_the_assets()
    {
        var section = New().Feed(Liq(BinanceEthBtc, T0, 0.035, 10, PositionSide.Long)).Snapshot(T0 + (10 * Second));
        var w = section.Row(BinanceEthBtc).OneMinute;

        Assert.Equal(1, w.Count);
        Assert.True(double.IsNaN(w.TotalUsd));
        Assert.True(double.IsNaN(w.Institutional.Usd));
        Assert.Contains("quote BTC is not a USD stablecoin", w.UnavailableReason, StringComparison.Ordinal);
        Assert.Empty(section.Assets);
    }

    [Fact]
    public void An_empty_window_says_why_its_average_is_unavailable()
    {
        var w = New().Feed(Four).Snapshot(T0 + (400 * Second)).Row(Binance).FiveMinutes;

        Assert.Equal(0, w.Count);
        Assert.Equal(0, w.TotalUsd);
        Assert.True(double.IsNaN(w.AvgUsd));
        Assert.False(w.IsLowerBound);                           // nothing sampled is in the window
        Assert.Equal("no liquidations in window", w.UnavailableReason);
    }

    [Fact]
    public void When_the_ring_is_full_the_oldest_liquidations_are_dropped_counted_and_windows_become_lower_bounds()
    {
        var options = new AnalyticsOptions { Liquidations = new() { RingCapacity = 1000 } };
        var metrics = New(options);
        for (int k = 0; k < 1005; k++)
        {
            metrics.Feed(Liq(BybitEth, T0 + (k * 10_000), 3_000, 1, PositionSide.Long)); // every 10 ms, complete feed
        }

        var section = metrics.Snapshot(T0 + (10_040 * 1000));
        var w = section.Row(BybitEth).OneMinute;

        Assert.Equal(5, section.Input.RingDropped);
        Assert.Equal(1000, section.Input.RingCount);
        Assert.Equal(1000, w.Count);
        Assert.True(w.IsLowerBound);                            // the dropped five were inside the window
        Assert.Empty(w.SampledVenues);
    }

    [Fact]
    public void The_section_serializes_snake_case_with_unavailable_values_as_null()
    {
        string json = JsonSerializer.Serialize(New().Feed(Four).Snapshot(T0 + (60 * Second)), SnapshotJson.Options);

        Assert.Contains("\"is_lower_bound\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"sampled_venues\":[\"binance-futures\"]", json, StringComparison.Ordinal);
        Assert.Contains("\"events_per_minute\":4", json, StringComparison.Ordinal);
        Assert.Contains("\"feed\":\"sampled\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
    }
}
