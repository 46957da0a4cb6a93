using Barometer.Analytics.Snapshots;
using Barometer.Analytics.Tape;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Tape;

public sealed class TapeMetricsTests
{
    private const long Second = 1_000_000;
    private const long T0 = 1_796_083_200_000_000; // a whole minute (2026-12-01T00:00:00Z)

    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Perp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    private static readonly Instrument Spot = Registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    private static readonly Instrument Eth = Registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT", 1, 0.01);
    private static readonly Instrument Euro = Registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "EUR", "BTCEUR", 1, 0.01);

    private static MarketEvent T(Instrument i, long time, double price, double quantity, Side side) =>
        MarketEvent.From(new Trade(i, time, time, price, quantity, side, TradeId.FromNumber(time)));

    private static TapeMetrics Fed(IEnumerable<MarketEvent> events, AnalyticsOptions? options = null)
    {
        var tape = new TapeMetrics(options ?? new AnalyticsOptions());
        foreach (var e in events)
        {
            tape.OnEvent(e, e.ExchangeTime);
        }

        return tape;
    }

    // buy 2 @ 100 ($200), sell 1 @ 101 ($101), buy 1 @ 102 ($102), sell 3 @ 99 ($297), seconds 1-4 of minute 0
    private static readonly MarketEvent[] Four =
    [
        T(Perp, T0 + Second, 100, 2, Side.Buy),
        T(Perp, T0 + (2 * Second), 101, 1, Side.Sell),
        T(Perp, T0 + (3 * Second), 102, 1, Side.Buy),
        T(Perp, T0 + (4 * Second), 99, 3, Side.Sell),
    ];

    [Fact]
    public void Cvd_is_buy_minus_sell_usd_and_base_with_velocity_over_the_observed_seconds()
    {
        var cvd = Assert.Single(Fed(Four).Snapshot(T0 + (4 * Second)).Instruments).Cvd;

        Assert.Equal(-96, cvd.CvdUsd, 9);            // 200 − 101 + 102 − 297
        Assert.Equal(-1, cvd.CvdBase, 9);            // 2 − 1 + 1 − 3
        Assert.Equal(-96, cvd.Change1mUsd, 9);
        Assert.Equal(-96, cvd.Change15mUsd, 9);
        Assert.Equal(-1440, cvd.VelocityUsdPerMinute, 9); // −96 over 4 observed seconds (1…4) → ×60/4
        Assert.Equal(T0 + Second, cvd.SinceTime);
        Assert.Null(cvd.UnavailableReason);
    }

    [Fact]
    public void Cvd_changes_leave_their_windows_but_the_cumulative_cvd_stays()
    {
        var events = Four.Append(T(Perp, T0 + (400 * Second), 100, 1, Side.Buy)); // +100 at 400 s
        var cvd = Assert.Single(Fed(events).Snapshot(T0 + (400 * Second)).Instruments).Cvd;

        Assert.Equal(4, cvd.CvdUsd, 9);         // −96 + 100
        Assert.Equal(100, cvd.Change1mUsd, 9);  // the first four are 396+ s old
        Assert.Equal(100, cvd.Change5mUsd, 9);
        Assert.Equal(4, cvd.Change15mUsd, 9);
        Assert.Equal(100, cvd.VelocityUsdPerMinute, 9); // a full minute observed
    }

    [Fact]
    public void A_trade_in_the_next_minute_completes_the_bar_with_hand_computed_ohlc_volumes_and_vwap()
    {
        var tape = Fed(Four.Append(T(Perp, T0 + (61 * Second), 105, 1, Side.Buy)), new AnalyticsOptions { QueueCompletedBars = true });
        var bars = new List<MinuteBar>();
        Assert.Equal(1, tape.DrainCompletedBars(bars));

        var b = bars[0];
        Assert.Equal(T0, b.MinuteStart);
        Assert.Equal((100.0, 102.0, 99.0, 99.0), (b.Open, b.High, b.Low, b.Close));
        Assert.Equal(302, b.BuyVolumeUsd, 9);
        Assert.Equal(398, b.SellVolumeUsd, 9);
        Assert.Equal(-96, b.DeltaUsd, 9);
        Assert.Equal(-96, b.CvdUsd, 9);
        Assert.Equal((3.0, 4.0), (b.BuyVolumeBase, b.SellVolumeBase));
        Assert.Equal(100, b.Vwap, 9); // Σpq 700 / Σq 7
        Assert.Equal(4, b.Trades);
        Assert.True(b.Complete);

        var m = Assert.Single(tape.Snapshot(T0 + (61 * Second)).Instruments);
        Assert.Equal(b, Assert.Single(m.Bars));
        var current = Assert.IsType<MinuteBar>(m.CurrentBar);
        Assert.False(current.Complete);
        Assert.Equal(T0 + (60 * Second), current.MinuteStart);
        Assert.Equal(9, current.CvdUsd, 9); // −96 + 105
        Assert.Equal(0, tape.DrainCompletedBars(bars));
    }

    [Fact]
    public void A_bar_completes_on_event_time_two_seconds_after_its_minute_even_without_a_trade_of_its_own()
    {
        var options = new AnalyticsOptions { QueueCompletedBars = true };
        var bars = new List<MinuteBar>();

        var early = Fed(Four.Append(T(Eth, T0 + (61 * Second), 3000, 1, Side.Buy)), options);
        Assert.Equal(0, early.DrainCompletedBars(bars)); // 61 s < 60 s + 2 s grace

        var late = Fed(Four.Append(T(Eth, T0 + (62 * Second), 3000, 1, Side.Buy)), options);
        Assert.Equal(1, late.DrainCompletedBars(bars));
        Assert.Equal(Perp.Key, bars[0].Instrument);
        var m = late.Snapshot(T0 + (62 * Second)).Instruments.Single(x => x.Instrument == Perp.Key);
        Assert.Null(m.CurrentBar);
    }

    [Fact]
    public void A_trade_for_a_completed_minute_is_late_counted_in_cvd_and_not_in_the_bar()
    {
        var events = Four.Append(T(Perp, T0 + (61 * Second), 105, 1, Side.Buy)).Append(T(Perp, T0 + (30 * Second), 50, 1, Side.Sell));
        var section = Fed(events).Snapshot(T0 + (61 * Second));
        var m = Assert.Single(section.Instruments);

        Assert.Equal(1, section.LateTrades);
        Assert.Equal(-41, m.Cvd.CvdUsd, 9);     // 9 − 50
        Assert.Equal(99, m.Bars[0].Low);        // the late 50 did not touch the completed bar
        Assert.Equal(105, m.CurrentBar!.Low);   // nor the bar in progress
    }

    [Fact]
    public void Bars_are_not_queued_unless_asked()
    {
        var tape = Fed(Four.Append(T(Perp, T0 + (61 * Second), 105, 1, Side.Buy)));
        Assert.Equal(0, tape.DrainCompletedBars([]));
        Assert.Single(Assert.Single(tape.Snapshot(T0 + (61 * Second)).Instruments).Bars);
    }

    [Fact]
    public void Large_whale_and_mega_trades_nest_and_count_over_five_minutes()
    {
        MarketEvent[] events =
        [
            T(Perp, T0 + Second, 100_000, 1.5, Side.Buy),        // $150K large
            T(Perp, T0 + (2 * Second), 100_000, 6, Side.Sell),   // $600K whale
            T(Perp, T0 + (3 * Second), 100_000, 60, Side.Buy),   // $6M mega
            T(Perp, T0 + (4 * Second), 100_000, 0.5, Side.Sell), // $50K normal
        ];
        var tape = Fed(events);
        var c = Assert.Single(tape.Snapshot(T0 + (4 * Second)).Instruments).LargeTrades;

        Assert.Equal((3L, 2L, 1L), (c.Large, c.Whales, c.Mega));
        Assert.Equal(6_750_000, c.LargeUsd, 6);
        Assert.Equal(6_600_000, c.WhaleUsd, 6);
        Assert.Equal(6_000_000, c.WhaleBuyUsd, 6);
        Assert.Equal(600_000, c.WhaleSellUsd, 6);

        var later = tape.Snapshot(T0 + (304 * Second)); // seconds 1-3 are ≥ 300 s old
        Assert.Equal(0, Assert.Single(later.Instruments).LargeTrades.Large);

        var whales = later.RecentWhales; // the list outlives the count window, newest first
        Assert.Equal(2, whales.Count);
        Assert.Equal((TradeSizeClass.Mega, Side.Buy, 6_000_000.0), (whales[0].SizeClass, whales[0].Side, whales[0].NotionalUsd));
        Assert.Equal((TradeSizeClass.Whale, Side.Sell, T0 + (2 * Second)), (whales[1].SizeClass, whales[1].Side, whales[1].Time));
    }

    [Fact]
    public void The_recent_whale_list_keeps_only_the_last_n()
    {
        var events = Enumerable.Range(1, 5).Select(k => T(Perp, T0 + (k * Second), 100_000, 5 + k, Side.Buy));
        var whales = Fed(events, new AnalyticsOptions { RecentWhales = 3 }).Snapshot(T0 + (5 * Second)).RecentWhales;

        Assert.Equal([10.0, 9.0, 8.0], whales.Select(w => w.Quantity));
    }

    // Price 100 at 50 s (before the 300 s lookback that ends at 400 s), then inside the lookback:
    // sell 10 @ 100.5 ($1,005) at 200 s and buy 1 @ 101 ($101) at 390 s.
    private static MarketEvent[] Rally(Side heavy, Side light, double end) =>
    [
        T(Perp, T0 + (50 * Second), 100, 1, Side.Buy),
        T(Perp, T0 + (200 * Second), 100.5, 10, heavy),
        T(Perp, T0 + (390 * Second), end, 1, light),
    ];

    [Fact]
    public void Price_up_while_cvd_falls_is_bearish_divergence()
    {
        var d = Assert.Single(Fed(Rally(Side.Sell, Side.Buy, 101)).Snapshot(T0 + (400 * Second)).Instruments).Divergence;

        Assert.Equal(1, d.PriceChangePercent, 9);                  // (101 − 100) / 100
        Assert.Equal(-904, d.CvdChangeUsd, 9);                     // −1005 + 101
        Assert.Equal(-90400.0 / 1106, d.CvdChangePercentOfVolume, 9); // 100 × −904 / 1106
        Assert.Equal(CvdDivergence.Bearish, d.Signal);
        Assert.Null(d.UnavailableReason);
    }

    [Fact]
    public void Price_down_while_cvd_rises_is_bullish_and_both_up_is_aligned()
    {
        var bullish = Assert.Single(Fed(Rally(Side.Buy, Side.Sell, 99)).Snapshot(T0 + (400 * Second)).Instruments).Divergence;
        Assert.Equal(-1, bullish.PriceChangePercent, 9);
        Assert.Equal(906, bullish.CvdChangeUsd, 9); // +1005 − 99 (the light sell is at 99)
        Assert.Equal(CvdDivergence.Bullish, bullish.Signal);

        var aligned = Assert.Single(Fed(Rally(Side.Buy, Side.Buy, 101)).Snapshot(T0 + (400 * Second)).Instruments).Divergence;
        Assert.Equal(1106, aligned.CvdChangeUsd, 9);
        Assert.Equal(CvdDivergence.Aligned, aligned.Signal);
    }

    [Theory]
    [InlineData(0.049, -50, CvdDivergence.Neutral)] // price did not move enough
    [InlineData(1, -4.9, CvdDivergence.Neutral)]    // CVD did not move enough
    [InlineData(0.05, -5, CvdDivergence.Bearish)]   // both thresholds are inclusive
    [InlineData(-0.05, 5, CvdDivergence.Bullish)]
    [InlineData(-1, -10, CvdDivergence.Aligned)]
    public void The_divergence_rule_needs_both_price_and_cvd_to_move(double pricePct, double cvdPct, CvdDivergence expected) =>
        Assert.Equal(expected, TapeMetrics.Classify(pricePct, cvdPct));

    [Fact]
    public void Divergence_is_unavailable_with_a_reason_before_the_lookback_is_observed_and_when_stale()
    {
        var young = Assert.Single(Fed(Four).Snapshot(T0 + (100 * Second)).Instruments).Divergence;
        Assert.Null(young.Signal);
        Assert.Equal("needs 300 s of history (have 99 s)", young.UnavailableReason);

        var stale = Assert.Single(Fed(Rally(Side.Sell, Side.Buy, 101)).Snapshot(T0 + (451 * Second)).Instruments).Divergence;
        Assert.Null(stale.Signal);
        Assert.Equal("stale: no trade for 61 s", stale.UnavailableReason);
    }

    [Fact]
    public void Divergence_without_a_trade_before_the_lookback_is_unavailable()
    {
        MarketEvent[] events = [T(Eth, T0, 3000, 1, Side.Buy), T(Perp, T0 + (350 * Second), 100, 1, Side.Buy)];
        var d = Fed(events).Snapshot(T0 + (360 * Second)).Instruments.Single(x => x.Instrument == Perp.Key).Divergence;

        Assert.Null(d.Signal);
        Assert.Contains("no price at the lookback start", d.UnavailableReason);
    }

    [Fact]
    public void The_asset_sums_cvd_over_venues_and_splits_spot_and_perp()
    {
        MarketEvent[] events =
        [
            T(Perp, T0 + Second, 100, 3, Side.Buy),  // +300 perp
            T(Spot, T0 + Second, 100, 1, Side.Sell), // −100 spot
            T(Eth, T0 + Second, 10, 1, Side.Sell),   // another asset
        ];
        var section = Fed(events).Snapshot(T0 + Second);
        var btc = section.Assets.Single(a => a.Asset == "BTC");

        Assert.Equal(["BTC", "ETH"], section.Assets.Select(a => a.Asset));
        Assert.Equal(200, btc.Cvd.CvdUsd, 9);
        Assert.Equal(300, btc.PerpCvdUsd, 9);
        Assert.Equal(-100, btc.SpotCvdUsd, 9);
        Assert.Equal(2, btc.Cvd.CvdBase, 9);
        Assert.Equal([Perp.Key, Spot.Key], btc.Instruments);
    }

    [Fact]
    public void The_asset_divergence_weights_each_venue_price_change_by_its_lookback_volume()
    {
        // Perp: 100 → 101 (+1%) with $1,106 in the lookback; spot: 100 → 98 (−2%) with $98 in it.
        var events = Rally(Side.Sell, Side.Buy, 101).Concat(
        [
            T(Spot, T0 + (50 * Second), 100, 1, Side.Buy),
            T(Spot, T0 + (395 * Second), 98, 1, Side.Sell),
        ]).OrderBy(e => e.ExchangeTime);
        var d = Fed(events).Snapshot(T0 + (400 * Second)).Assets.Single().Divergence;

        Assert.Equal(((1.0 * 1106) + (-2.0 * 98)) / (1106 + 98), d.PriceChangePercent, 9);
        Assert.Equal(-904 - 98, d.CvdChangeUsd, 9);
        Assert.Equal(CvdDivergence.Bearish, d.Signal); // +0.756 % price, −83 % CVD
    }

    [Fact]
    public void A_quote_that_is_not_usd_makes_usd_values_unavailable_with_the_reason_and_stays_out_of_the_asset()
    {
        var section = Fed([T(Euro, T0, 90_000, 10, Side.Buy)]).Snapshot(T0);
        var m = Assert.Single(section.Instruments);

        Assert.True(double.IsNaN(m.Cvd.CvdUsd));
        Assert.Equal(10, m.Cvd.CvdBase, 9);
        Assert.Equal("quote EUR is not a USD stablecoin", m.Cvd.UnavailableReason);
        Assert.Equal(0, m.LargeTrades.Whales); // $900K in EUR is not a USD whale
        Assert.Empty(section.Assets);
        Assert.Empty(section.RecentWhales);
        Assert.Contains("\"cvd_usd\":null", SnapshotJson.ToLineOf(section), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_trades_are_ignored()
    {
        MarketEvent[] events =
        [
            T(Perp, T0, double.NaN, 1, Side.Buy),
            T(Perp, T0, 100, -1, Side.Buy),
            T(Perp, T0, 100, 1, Side.Unknown),
            T(Perp, T0, 100, double.PositiveInfinity, Side.Sell),
        ];
        Assert.Empty(Fed(events).Snapshot(T0).Instruments);
    }

    [Fact]
    public void Taking_snapshots_in_between_does_not_change_the_result()
    {
        var events = Four.Concat(Rally(Side.Sell, Side.Buy, 101)).Append(T(Perp, T0 + (420 * Second), 101, 7_000, Side.Buy)).OrderBy(e => e.ExchangeTime).ToArray();
        var whole = Fed(events);

        var split = new TapeMetrics(new AnalyticsOptions());
        foreach (var e in events)
        {
            split.OnEvent(e, e.ExchangeTime);
            _ = split.Snapshot(e.ExchangeTime);
        }

        long now = T0 + (420 * Second);
        Assert.Equal(SnapshotJson.ToLineOf(whole.Snapshot(now)), SnapshotJson.ToLineOf(split.Snapshot(now)));
    }
}
