using Barometer.Analytics.Liquidations;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using static Barometer.Analytics.Tests.Liquidations.LiquidationFixtures;

namespace Barometer.Analytics.Tests.Liquidations;

public sealed class CascadeDetectorTests
{
    private const string Id = "liquidation_cascade:BTC:1796083200000000";

    // Six BTC liquidations on three venues in 20 s (Binance and OKX sample their feeds, Bybit is complete):
    //   +0 s  binance long  0.5 @ 100,000 = $50,000
    //   +4 s  bybit   long  2   @  99,800 = $199,600
    //   +8 s  okx     long  1   @  99,700 = $99,700
    //   +12 s binance short 0.3 @  99,900 = $29,970
    //   +16 s bybit   long  5   @  99,500 = $497,500   ← the fifth within 60 s: Opened
    //   +20 s okx     long  3   @  99,400 = $298,200   ← Updated (4 s after the last publication ≥ 1 s)
    private static readonly MarketEvent[] Script =
    [
        Liq(Binance, T0, 100_000, 0.5, PositionSide.Long),
        Liq(Bybit, T0 + (4 * Second), 99_800, 2, PositionSide.Long),
        Liq(Okx, T0 + (8 * Second), 99_700, 1, PositionSide.Long),
        Liq(Binance, T0 + (12 * Second), 99_900, 0.3, PositionSide.Short),
        Liq(Bybit, T0 + (16 * Second), 99_500, 5, PositionSide.Long),
        Liq(Okx, T0 + (20 * Second), 99_400, 3, PositionSide.Long),
    ];

    [Fact]
    public void A_scripted_cross_venue_cascade_opens_on_the_fifth_liquidation_with_the_hand_computed_score()
    {
        var alerts = new AlertRecorder();
        New(alerts: alerts).Feed(Script[..5]);

        var opened = Assert.Single(alerts.Alerts);
        Assert.Equal(AlertPhase.Opened, opened.Phase);
        Assert.Equal((Id, "liquidation_cascade", "BTC"), (opened.Id, opened.Type, opened.Asset));
        Assert.Equal(T0 + (16 * Second), opened.Time);
        Assert.Equal((5, 4, 1), (opened.Count, opened.LongCount, opened.ShortCount));
        Assert.Equal(876_770, opened.Usd, 6);                 // 50,000 + 199,600 + 99,700 + 29,970 + 497,500
        Assert.Equal(846_800, opened.LongUsd, 6);
        Assert.Equal(29_970, opened.ShortUsd, 6);
        Assert.Equal(["binance-futures", "bybit-linear", "okx-swap"], opened.Venues);
        Assert.True(opened.CrossExchange);
        Assert.True(opened.IsLowerBound);
        Assert.Equal(["binance-futures", "okx-swap"], opened.SampledVenues);
        Assert.Equal(CascadeSide.Long, opened.Side);
        Assert.Equal((T0, T0 + (16 * Second), 16.0), (opened.StartTime, opened.EndTime, opened.DurationSeconds));
        Assert.Equal((99_500.0, 100_000.0), (opened.LowPrice, opened.HighPrice));
        // count 5 / 20 = 0.25 × 0.15 = 0.0375; USD 876,770 / 5M = 0.175354 × 0.25 = 0.0438385;
        // velocity 5 / 16 s = 0.3125 × 0.15 = 0.046875; breadth (3 − 1) / 2 = 1 × 0.15 = 0.15;
        // one-sided (846,800 − 29,970) / 876,770 = 0.931635 × 0.15 = 0.139745;
        // price move (100,000 − 99,500) / 99,500 = 0.502513 % × 0.15 = 0.075377. Σ = 0.493336 → Medium.
        Assert.Equal(0.0375, opened.Factors.Count.Contribution, 9);
        Assert.Equal(0.0438385, opened.Factors.Usd.Contribution, 9);
        Assert.Equal(0.3125, opened.Factors.Velocity.Value, 9);
        Assert.Equal(0.046875, opened.Factors.Velocity.Contribution, 9);
        Assert.Equal((3.0, 1.0), (opened.Factors.VenueBreadth.Value, opened.Factors.VenueBreadth.Normalized));
        Assert.Equal(816_830.0 / 876_770, opened.Factors.OneSidedness.Value, 9);
        Assert.Equal(50_000.0 / 99_500, opened.Factors.PriceMove.Value, 9); // percent
        Assert.Equal(0.493336, opened.Score, 6);
        Assert.Equal("Medium", opened.Severity);
        Assert.Equal(VenueId.BybitLinear, alerts.Venues[0]);
        Assert.Equal("BTC liquidation cascade opened (CROSS-EXCHANGE): 5 liquidations, ≥ $876.8K, longs liquidated, 3 venues, 16 s, score 0.49 Medium",
            opened.Message);
    }

    [Fact]
    public void A_long_steady_cascade_is_scored_on_its_last_window_not_its_lifetime()
    {
        // A liquidation every 10 s for 10 minutes: Bybit (complete), long, 0.1 @ 100,000 = $10,000 each, t = 0 … 600 s
        // (61). The cascade opens at 40 s and never closes (no 60 s pause). Totals: 61 liquidations, $610,000.
        // Score on the window [540 s, 600 s]: 7 liquidations, $70,000, all long, one venue, one price:
        //   count 7 / 20 = 0.35 × 0.15 = 0.0525; USD 70,000 / 5M = 0.014 × 0.25 = 0.0035;
        //   velocity 7 / 60 s = 0.116667 × 0.15 = 0.0175; breadth (1 − 1) / 2 = 0; one-sided 1 × 0.15 = 0.15;
        //   price move 0. Σ = 0.2235 → Low. (On the lifetime it would be 0.4575 + 0.0305 + 0.01525 + 0.15 = 0.65325, High.)
        var alerts = new AlertRecorder();
        var events = new MarketEvent[61];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = Liq(Bybit, T0 + (i * 10 * Second), 100_000, 0.1, PositionSide.Long);
        }

        var metrics = New(alerts: alerts).Feed(events);

        var last = alerts.Alerts[^1];
        Assert.Equal(AlertPhase.Updated, last.Phase);
        Assert.Equal((61, 610_000.0), (last.Count, last.Usd));
        Assert.Equal(7.0, last.Factors.Count.Value, 9);
        Assert.Equal(70_000.0, last.Factors.Usd.Value, 6);
        Assert.Equal(7.0 / 60, last.Factors.Velocity.Value, 9);
        Assert.Equal(0.2235, last.Score, 9);
        Assert.Equal("Low", last.Severity);

        var active = Assert.Single(metrics.Snapshot(T0 + (600 * Second)).ActiveCascades);
        Assert.Equal((61, 0.2235), (active.Count, Math.Round(active.Score, 9)));

        // Closed by the first event more than 60 s later, with the same window figures.
        metrics.Feed(Trade(Bybit, T0 + (661 * Second), 100_000));
        var closed = alerts.Alerts[^1];
        Assert.Equal((AlertPhase.Closed, 61), (closed.Phase, closed.Count));
        Assert.Equal(0.2235, closed.Score, 9);
        Assert.Equal(0.2235, Assert.Single(metrics.Snapshot(T0 + (661 * Second)).RecentCascades).Score, 9);
    }

    [Fact]
    public void The_cascade_is_updated_while_it_grows_and_closed_sixty_seconds_after_its_last_liquidation_with_one_id()
    {
        var alerts = new AlertRecorder();
        var metrics = New(alerts: alerts).Feed(Script);
        metrics.Feed(Trade(Bybit, T0 + (80 * Second), 99_400));     // exactly 60 s after the last: still open
        Assert.Equal([AlertPhase.Opened, AlertPhase.Updated], alerts.Alerts.Select(a => a.Phase));

        metrics.Feed(Trade(Bybit, T0 + (80 * Second) + 1, 99_400)); // any later event's time closes it

        Assert.Equal([AlertPhase.Opened, AlertPhase.Updated, AlertPhase.Closed], alerts.Alerts.Select(a => a.Phase));
        Assert.All(alerts.Alerts, a => Assert.Equal(Id, a.Id));
        var updated = alerts.Alerts[1];
        Assert.Equal(T0 + (20 * Second), updated.Time);
        Assert.Equal(6, updated.Count);
        Assert.Equal(1_174_970, updated.Usd, 6);               // + 298,200
        // count 6 / 20 × 0.15 = 0.045; USD 1,174,970 / 5M × 0.25 = 0.0587485; velocity 6 / 20 s × 0.15 = 0.045;
        // breadth 0.15; one-sided (1,145,000 − 29,970) / 1,174,970 = 0.948986 × 0.15 = 0.142348;
        // move (100,000 − 99,400) / 99,400 = 0.603622 % × 0.15 = 0.090543. Σ = 0.531640 → Medium.
        Assert.Equal(0.531640, updated.Score, 6);
        Assert.Equal("Medium", updated.Severity);
        var closed = alerts.Alerts[2];
        Assert.Equal(T0 + (80 * Second) + 1, closed.Time);
        Assert.Equal(T0 + (20 * Second), closed.EndTime);
        Assert.Equal(6, closed.Count);
        Assert.Equal(updated.Score, closed.Score, 12);
        Assert.Equal(VenueId.OkxSwap, alerts.Venues[2]);     // the venue of the last liquidation
    }

    [Fact]
    public void Snapshots_list_the_active_cascade_and_after_closing_the_recent_ones()
    {
        var metrics = New().Feed(Script);                      // no alert sink: the snapshot still shows it

        var active = Assert.Single(metrics.Snapshot(T0 + (20 * Second)).ActiveCascades);
        Assert.Equal((Id, AlertPhase.Updated, 6), (active.Id, active.Phase, active.Count));

        metrics.Feed(Trade(Bybit, T0 + (81 * Second), 99_400));
        var section = metrics.Snapshot(T0 + (81 * Second));
        Assert.Empty(section.ActiveCascades);
        var closed = Assert.Single(section.RecentCascades);
        Assert.Equal((Id, AlertPhase.Closed, 6), (closed.Id, closed.Phase, closed.Count));
    }

    [Fact]
    public void Four_liquidations_within_sixty_seconds_are_no_cascade()
    {
        var alerts = new AlertRecorder();
        var section = New(alerts: alerts).Feed(Script[..4]).Snapshot(T0 + (12 * Second));

        Assert.Empty(alerts.Alerts);
        Assert.Empty(section.ActiveCascades);
    }

    [Fact]
    public void Five_liquidations_spread_over_more_than_the_window_are_no_cascade_until_the_last_five_fit_in_it()
    {
        var alerts = new AlertRecorder();
        var metrics = New(alerts: alerts).Feed(
            Liq(Bybit, T0, 100_000, 1, PositionSide.Long),
            Liq(Bybit, T0 + (15 * Second), 100_000, 1, PositionSide.Long),
            Liq(Bybit, T0 + (30 * Second), 100_000, 1, PositionSide.Long),
            Liq(Bybit, T0 + (45 * Second), 100_000, 1, PositionSide.Long),
            Liq(Bybit, T0 + (61 * Second), 100_000, 1, PositionSide.Long)); // first to fifth: 61 s
        Assert.Empty(alerts.Alerts);

        metrics.Feed(Liq(Bybit, T0 + (62 * Second), 100_000, 1, PositionSide.Long)); // +15 … +62 s: 47 s

        var opened = Assert.Single(alerts.Alerts);
        Assert.Equal((5, T0 + (15 * Second)), (opened.Count, opened.StartTime));
        Assert.False(opened.CrossExchange);
        Assert.False(opened.IsLowerBound);
        Assert.Equal(0, opened.Factors.VenueBreadth.Normalized);
        Assert.Equal("liquidation_cascade:BTC:" + (T0 + (15 * Second)), opened.Id);
    }

    [Fact]
    public void A_liquidation_exactly_one_window_after_the_last_still_joins_the_cascade()
    {
        var alerts = new AlertRecorder();
        New(alerts: alerts).Feed(Script[..5]).Feed(Liq(Bybit, T0 + (76 * Second), 99_000, 1, PositionSide.Long)); // 16 + 60

        Assert.Equal([AlertPhase.Opened, AlertPhase.Updated], alerts.Alerts.Select(a => a.Phase));
        Assert.Equal(6, alerts.Alerts[1].Count);
    }

    [Fact]
    public void After_closing_a_new_cascade_needs_a_new_five_and_gets_a_new_id()
    {
        var alerts = new AlertRecorder();
        var metrics = New(alerts: alerts).Feed(Script);
        long t = T0 + (200 * Second);
        metrics.Feed(Liq(Bybit, t, 99_000, 1, PositionSide.Short)); // closes the first (180 s quiet), starts counting again
        Assert.Equal(AlertPhase.Closed, alerts.Alerts[^1].Phase);
        for (int k = 1; k < 5; k++)
        {
            metrics.Feed(Liq(Bybit, t + (k * Second), 99_000, 1, PositionSide.Short));
        }

        var second = alerts.Alerts[^1];
        Assert.Equal(AlertPhase.Opened, second.Phase);
        Assert.Equal("liquidation_cascade:BTC:" + t, second.Id);
        Assert.Equal(CascadeSide.Short, second.Side);
        Assert.Equal(5, second.Count);
    }

    [Fact]
    public void Updates_are_published_at_most_once_per_update_interval_and_the_close_carries_the_final_figures()
    {
        var alerts = new AlertRecorder();
        var metrics = New(alerts: alerts).Feed(Script[..5]);        // opened at +16 s
        metrics.Feed(Liq(Bybit, T0 + (16 * Second) + 500_000, 99_400, 1, PositionSide.Long)); // 0.5 s later: not published
        metrics.Feed(Liq(Bybit, T0 + (17 * Second) + 100_000, 99_300, 1, PositionSide.Long)); // 1.1 s after opening: Updated
        metrics.Feed(Liq(Bybit, T0 + (17 * Second) + 200_000, 99_200, 1, PositionSide.Long)); // 0.1 s later: not published
        metrics.Feed(Trade(Bybit, T0 + (78 * Second), 99_200));

        Assert.Equal([AlertPhase.Opened, AlertPhase.Updated, AlertPhase.Closed], alerts.Alerts.Select(a => a.Phase));
        Assert.Equal(7, alerts.Alerts[1].Count);
        Assert.Equal(8, alerts.Alerts[2].Count);
    }

    [Fact]
    public void With_a_zero_update_interval_every_joining_liquidation_is_published()
    {
        var alerts = new AlertRecorder();
        var options = new AnalyticsOptions { Liquidations = new() { CascadeUpdateInterval = TimeSpan.Zero } };
        New(options, alerts).Feed(Script[..5]).Feed(
            Liq(Bybit, T0 + (16 * Second) + 1, 99_400, 1, PositionSide.Long),
            Liq(Bybit, T0 + (16 * Second) + 2, 99_400, 1, PositionSide.Long));

        Assert.Equal([AlertPhase.Opened, AlertPhase.Updated, AlertPhase.Updated], alerts.Alerts.Select(a => a.Phase));
    }

    [Fact]
    public void The_minimum_count_and_window_are_configurable()
    {
        var alerts = new AlertRecorder();
        var options = new AnalyticsOptions { Thresholds = new() { CascadeMinLiquidations = 3, CascadeWindowSeconds = 10 } };
        var metrics = New(options, alerts).Feed(Script[..3]);       // +0, +4, +8 s: three within 10 s

        Assert.Equal(3, Assert.Single(alerts.Alerts).Count);
        metrics.Feed(Trade(Bybit, T0 + (18 * Second) + 1, 99_000)); // 10 s + 1 µs after the last
        Assert.Equal(AlertPhase.Closed, alerts.Alerts[^1].Phase);
    }

    [Fact]
    public void Cascades_of_different_assets_are_detected_separately()
    {
        var alerts = new AlertRecorder();
        var events = new List<MarketEvent>();
        for (int k = 0; k < 5; k++)
        {
            events.Add(Liq(Bybit, T0 + (k * Second), 100_000, 1, PositionSide.Long));
            events.Add(Liq(BybitEth, T0 + (k * Second) + 1, 3_000, 10, PositionSide.Short));
        }

        var section = New(alerts: alerts).Feed([.. events]).Snapshot(T0 + (5 * Second));

        Assert.Equal(["BTC", "ETH"], alerts.Alerts.Select(a => a.Asset));
        Assert.Equal(["BTC", "ETH"], section.ActiveCascades.Select(a => a.Asset));
    }

    [Theory]
    [InlineData(0.0, "Low")]
    [InlineData(0.2999, "Low")]
    [InlineData(0.3, "Medium")]
    [InlineData(0.5999, "Medium")]
    [InlineData(0.6, "High")]
    [InlineData(0.9999, "High")]
    [InlineData(1.0, "Critical")]
    [InlineData(2.5, "Critical")]
    public void Severity_follows_the_documented_score_bands(double score, string severity) =>
        Assert.Equal(severity, CascadeScoring.Severity(score));

    [Fact]
    public void Unbounded_factors_are_capped_at_four_so_the_score_tops_out_at_three_point_one()
    {
        // 1,000 liquidations, $100M, in 1 s, on 3 venues, all longs, a 10 % move: every factor at its cap.
        var f = CascadeScoring.Factors(1000, 100_000_000, 1_000_000, 3, 100_000_000, 0, 90, 99);

        Assert.Equal(4, f.Count.Normalized);
        Assert.Equal(4, f.Usd.Normalized);
        Assert.Equal(4, f.Velocity.Normalized);
        Assert.Equal(1, f.VenueBreadth.Normalized);
        Assert.Equal(1, f.OneSidedness.Normalized);
        Assert.Equal(4, f.PriceMove.Normalized);
        Assert.Equal(3.1, CascadeScoring.Score(f), 12);         // 4 × (0.15 + 0.25 + 0.15 + 0.15) + 0.15 + 0.15
    }
}
