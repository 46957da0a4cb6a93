using Barometer.Analytics.Flow;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Flow;

/// <summary>Trend arrows, trade intensity, trade size trend, exchange dominance and window pruning (docs/metrics.md, flow).</summary>
public sealed class FlowTrendTests
{
    private const long Second = 1_000_000;
    private const long Minute = 60 * Second;

    /// <summary>A whole minute (29,934,720 minutes since the epoch).</summary>
    private const long T0 = 1_796_083_200_000_000;

    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Perp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    private static readonly Instrument Bybit = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    private static readonly Instrument EthBtc = Registry.GetOrAdd(VenueId.BinanceSpot, "ETH", "BTC", "ETHBTC", 1, 0.00001);

    /// <summary>A buy (usd &gt; 0) or sell (usd &lt; 0) of |usd| dollars at price 100.</summary>
    private static MarketEvent Flow(Instrument i, long time, double usd) =>
        MarketEvent.From(new Trade(i, time, time, 100, Math.Abs(usd) / 100, usd >= 0 ? Side.Buy : Side.Sell, TradeId.FromNumber(time)));

    private static FlowMetrics Feed(IEnumerable<MarketEvent> events)
    {
        var flow = new FlowMetrics(new AnalyticsOptions());
        foreach (var e in events)
        {
            flow.OnEvent(e, EventTime.Of(e));
        }

        return flow;
    }

    /// <summary>
    /// Minute 0 (the start minute, not history): one $1 buy. Minutes 1 … 10: net +$100, −$100, … (mean 0,
    /// population σ 100). Minute 11: one trade of <paramref name="current"/> $, the only trade in the
    /// 60 s before the snapshot at 11:59.
    /// </summary>
    private static List<MarketEvent> TenMinutesOfHistoryThen(double current)
    {
        var events = new List<MarketEvent> { Flow(Perp, T0, 1) };
        for (int k = 1; k <= 10; k++)
        {
            events.Add(Flow(Perp, T0 + (k * Minute) + (30 * Second), k % 2 == 1 ? 100 : -100));
        }

        if (current != 0)
        {
            events.Add(Flow(Perp, T0 + (11 * Minute) + (30 * Second), current));
        }

        return events;
    }

    [Theory]
    [InlineData(250.0, 2.5, TrendArrow.StrongUp, "↑↑↑")]
    [InlineData(200.0, 2.0, TrendArrow.Up, "↑↑")]           // z = 2 exactly is not above 2
    [InlineData(150.0, 1.5, TrendArrow.Up, "↑↑")]
    [InlineData(70.0, 0.7, TrendArrow.SlightUp, "↑")]
    [InlineData(50.0, 0.5, TrendArrow.Flat, "→")]            // z = 0.5 exactly is flat
    [InlineData(30.0, 0.3, TrendArrow.Flat, "→")]
    [InlineData(-30.0, -0.3, TrendArrow.Flat, "→")]
    [InlineData(-70.0, -0.7, TrendArrow.SlightDown, "↓")]
    [InlineData(-150.0, -1.5, TrendArrow.Down, "↓↓")]
    [InlineData(-200.0, -2.0, TrendArrow.Down, "↓↓")]
    [InlineData(-250.0, -2.5, TrendArrow.StrongDown, "↓↓↓")]
    public void Trend_arrow_follows_the_z_score_of_the_one_minute_net_flow_against_the_minute_history(
        double current, double z, TrendArrow arrow, string text)
    {
        var section = Feed(TenMinutesOfHistoryThen(current)).Snapshot(T0 + (11 * Minute) + (59 * Second));

        var trend = Assert.Single(section.Instruments).Trend;
        Assert.Equal(current, trend.CurrentNetFlowUsd, 9);
        Assert.Equal(10, trend.HistoryMinutes);
        Assert.Equal(0, trend.MeanNetFlowUsd, 9);
        Assert.Equal(100, trend.StdDevNetFlowUsd, 9);
        Assert.Equal(z, trend.ZScore, 9);
        Assert.Equal(arrow, trend.Arrow);
        Assert.Equal(text, trend.Arrows);
        Assert.Null(trend.UnavailableReason);

        // one market: the asset's trend is the same
        Assert.Equal(arrow, Assert.Single(section.Assets).Trend.Arrow);
    }

    [Fact]
    public void Trend_is_unavailable_with_nine_completed_minutes_of_history()
    {
        // at 10:59 the completed minutes after the start minute are 1 … 9
        var trend = Assert.Single(Feed(TenMinutesOfHistoryThen(250)).Snapshot(T0 + (10 * Minute) + (59 * Second)).Instruments).Trend;

        Assert.Equal(9, trend.HistoryMinutes);
        Assert.Null(trend.Arrow);
        Assert.Null(trend.Arrows);
        Assert.True(double.IsNaN(trend.ZScore));
        Assert.Equal("needs 10 completed minutes of history (have 9)", trend.UnavailableReason);
    }

    [Fact]
    public void Trend_history_is_the_last_60_completed_minutes_only()
    {
        // minutes 1 … 14: +$10,000 each (would dominate the mean if counted); minutes 15 … 74: ±$100
        // alternating (mean 0, σ 100); minute 75: +$250 → z 2.5 only if the history is minutes 15 … 74.
        var events = new List<MarketEvent> { Flow(Perp, T0, 1) };
        for (int k = 1; k <= 14; k++)
        {
            events.Add(Flow(Perp, T0 + (k * Minute), 10_000));
        }

        for (int k = 15; k <= 74; k++)
        {
            events.Add(Flow(Perp, T0 + (k * Minute), k % 2 == 1 ? 100 : -100));
        }

        events.Add(Flow(Perp, T0 + (75 * Minute) + (10 * Second), 250));

        var trend = Assert.Single(Feed(events).Snapshot(T0 + (75 * Minute) + (59 * Second)).Instruments).Trend;

        Assert.Equal(60, trend.HistoryMinutes);
        Assert.Equal(0, trend.MeanNetFlowUsd, 9);
        Assert.Equal(100, trend.StdDevNetFlowUsd, 9);
        Assert.Equal(TrendArrow.StrongUp, trend.Arrow);
    }

    [Fact]
    public void Trend_is_unavailable_when_every_history_minute_is_the_same()
    {
        // only the start minute and the current minute have trades: ten history minutes of 0
        var events = new[] { Flow(Perp, T0, 100), Flow(Perp, T0 + (11 * Minute) + (30 * Second), 100) };

        var trend = Assert.Single(Feed(events).Snapshot(T0 + (11 * Minute) + (59 * Second)).Instruments).Trend;

        Assert.Equal(10, trend.HistoryMinutes);
        Assert.Equal(0, trend.StdDevNetFlowUsd, 12);
        Assert.Null(trend.Arrow);
        Assert.Equal("history has no variation (standard deviation 0)", trend.UnavailableReason);
    }

    [Fact]
    public void Trend_of_a_market_not_quoted_in_usd_is_unavailable_with_the_quote_named()
    {
        var ethBtc = MarketEvent.From(new Trade(EthBtc, T0, T0, 0.05, 1, Side.Buy, TradeId.FromNumber(1)));

        var instrument = Assert.Single(Feed([ethBtc]).Snapshot(T0).Instruments);

        Assert.Equal("quote BTC is not a USD stablecoin", instrument.Trend.UnavailableReason);
        Assert.Equal("quote BTC is not a USD stablecoin", instrument.SizeTrend.UnavailableReason);
        Assert.Equal(1, instrument.OneMinute.Trades); // counts and prices are still filled
        Assert.Equal(0.05, instrument.OneMinute.Vwap, 12);
    }

    /// <summary>
    /// 84 trades every 10 s at seconds 0 … 830, then <paramref name="lastMinute"/> trades at seconds
    /// 840, 841, …: the last minute (840 … 899) holds exactly those, the 15 minutes all 84 + n.
    /// </summary>
    private static FlowMetrics IntensityTape(int lastMinute)
    {
        var events = new List<MarketEvent>();
        for (int j = 0; j < 84; j++)
        {
            events.Add(Flow(Perp, T0 + (j * 10 * Second), 100));
        }

        for (int j = 0; j < lastMinute; j++)
        {
            events.Add(Flow(Perp, T0 + ((840 + j) * Second), 100));
        }

        return Feed(events);
    }

    [Theory]
    [InlineData(2, IntensityLevel.Low)]     // 2/60 = 0.0333 per s against 86/900 = 0.0956: ratio 15·2/86 = 0.349 < 0.5
    [InlineData(6, IntensityLevel.Medium)]  // 6/60 = 0.1 against 90/900 = 0.1: ratio 1
    [InlineData(36, IntensityLevel.High)]   // 36/60 = 0.6 against 120/900 = 0.1333: ratio 4.5 > 2
    public void Intensity_compares_trades_per_second_of_the_last_minute_with_the_15_minute_average(int lastMinute, IntensityLevel level)
    {
        var section = IntensityTape(lastMinute).Snapshot(T0 + (899 * Second)); // observed 900 s

        var intensity = Assert.Single(section.Instruments).Intensity;
        Assert.Equal(lastMinute / 60.0, intensity.TradesPerSecond, 12);
        Assert.Equal((84 + lastMinute) / 900.0, intensity.BaselineTradesPerSecond, 12);
        Assert.Equal(15.0 * lastMinute / (84 + lastMinute), intensity.Ratio, 9);
        Assert.Equal(level, intensity.Level);
        Assert.Null(intensity.UnavailableReason);
        Assert.Equal(level, Assert.Single(section.Assets).Intensity.Level);
    }

    [Fact]
    public void Intensity_has_no_level_before_900_seconds_have_been_observed()
    {
        var intensity = Assert.Single(IntensityTape(6).Snapshot(T0 + (898 * Second)).Instruments).Intensity;

        Assert.Equal(0.1, intensity.TradesPerSecond, 12); // 6 trades in seconds 839 … 898
        Assert.True(double.IsNaN(intensity.BaselineTradesPerSecond));
        Assert.True(double.IsNaN(intensity.Ratio));
        Assert.Null(intensity.Level);
        Assert.Equal("baseline needs 900 s observed (have 899 s)", intensity.UnavailableReason);
    }

    /// <summary>Previous 5 minutes (seconds 0 … 299): a $100 buy and a $300 sell (average $200); last minute (300 … 359): one trade of <paramref name="last"/> $.</summary>
    private static FlowMetrics SizeTape(double last) => Feed(
    [
        Flow(Perp, T0, 100),
        Flow(Perp, T0 + (100 * Second), -300),
        Flow(Perp, T0 + (330 * Second), last),
    ]);

    [Theory]
    [InlineData(250.0, 25.0, SizeTrendDirection.Increasing)]   // (250 − 200) / 200 = +25 %
    [InlineData(-210.0, 5.0, SizeTrendDirection.Steady)]       // a $210 sell: +5 % (the size, not the side)
    [InlineData(170.0, -15.0, SizeTrendDirection.Decreasing)]  // −15 %
    [InlineData(185.0, -7.5, SizeTrendDirection.Steady)]
    public void Size_trend_compares_the_average_trade_of_the_last_minute_with_the_five_minutes_before(
        double last, double change, SizeTrendDirection direction)
    {
        var size = Assert.Single(SizeTape(last).Snapshot(T0 + (359 * Second)).Instruments).SizeTrend;

        Assert.Equal(200, size.FromAvgUsd, 9);
        Assert.Equal(Math.Abs(last), size.ToAvgUsd, 9);
        Assert.Equal(change, size.ChangePercent, 9);
        Assert.Equal(direction, size.Direction);
        Assert.Null(size.UnavailableReason);
    }

    [Fact]
    public void Size_trend_needs_360_seconds_observed()
    {
        var size = Assert.Single(SizeTape(250).Snapshot(T0 + (358 * Second)).Instruments).SizeTrend;

        Assert.Null(size.Direction);
        Assert.True(double.IsNaN(size.ChangePercent));
        Assert.Equal("needs 360 s observed (have 359 s)", size.UnavailableReason);
    }

    [Fact]
    public void Size_trend_without_trades_in_the_previous_five_minutes_says_so()
    {
        // a book top starts the observation at T0; the only trade is in the last minute
        var top = MarketEvent.From(new BookTop(Perp, T0, T0, 99, 1, 101, 1, 0));

        var size = Assert.Single(Feed([top, Flow(Perp, T0 + (330 * Second), 250)]).Snapshot(T0 + (359 * Second)).Instruments).SizeTrend;

        Assert.Null(size.Direction);
        Assert.True(double.IsNaN(size.FromAvgUsd));
        Assert.Equal(250, size.ToAvgUsd, 9);
        Assert.Equal("no trades in the previous 5m", size.UnavailableReason);
    }

    [Fact]
    public void Dominance_gives_5m_and_15m_shares_and_the_venue_that_gained_and_lost_most()
    {
        // seconds 0 … 599 (in 15m, not in 5m at 899): Binance $600, Bybit $200
        // seconds 600 … 899 (in both): Binance $100, Bybit $100
        var flow = Feed(
        [
            Flow(Perp, T0, 600),
            Flow(Bybit, T0 + (100 * Second), -200),
            Flow(Perp, T0 + (700 * Second), 100),
            Flow(Bybit, T0 + (800 * Second), 100),
        ]);

        var asset = Assert.Single(flow.Snapshot(T0 + (899 * Second)).Assets);
        var d = asset.Dominance;

        // 15m: 700 / 1000 = 70 %, 300 / 1000 = 30 %; 5m: 100 / 200 = 50 %, 50 %
        Assert.Equal(1_000, asset.FifteenMinutes.TotalUsd, 9);
        Assert.Equal(200, asset.FiveMinutes.TotalUsd, 9);
        var binance = Assert.Single(d.Shares, s => s.Instrument == "binance-futures:BTCUSDT");
        var bybit = Assert.Single(d.Shares, s => s.Instrument == "bybit-linear:BTCUSDT");
        Assert.Equal((50.0, 70.0), (Math.Round(binance.SharePercent5m, 9), Math.Round(binance.SharePercent15m, 9)));
        Assert.Equal((50.0, 30.0), (Math.Round(bybit.SharePercent5m, 9), Math.Round(bybit.SharePercent15m, 9)));
        Assert.Equal(-20, binance.MigrationPoints, 9);
        Assert.Equal(20, bybit.MigrationPoints, 9);
        Assert.Equal("bybit-linear:BTCUSDT", d.TopGainer);
        Assert.Equal(20, d.TopGainerPoints, 9);
        Assert.Equal("binance-futures:BTCUSDT", d.TopLoser);
        Assert.Equal(-20, d.TopLoserPoints, 9);
        Assert.Null(d.UnavailableReason);
        Assert.Equal(["binance-futures:BTCUSDT", "bybit-linear:BTCUSDT"], d.Shares.Select(s => s.Instrument).ToArray());
    }

    [Fact]
    public void Dominance_with_one_market_has_no_migration_and_says_why()
    {
        var d = Assert.Single(Feed([Flow(Perp, T0, 100)]).Snapshot(T0).Assets).Dominance;

        var share = Assert.Single(d.Shares);
        Assert.Equal(100, share.SharePercent5m, 9);
        Assert.Null(d.TopGainer);
        Assert.Equal("one venue market only (no migration)", d.UnavailableReason);
    }

    [Fact]
    public void Dominance_without_volume_in_the_last_five_minutes_says_why()
    {
        var d = Assert.Single(Feed([Flow(Perp, T0, 100), Flow(Bybit, T0 + Second, 100)]).Snapshot(T0 + (400 * Second)).Assets).Dominance;

        Assert.Null(d.TopGainer);
        Assert.Equal("no USD volume in 5m", d.UnavailableReason);
    }

    [Fact]
    public void A_trade_16_minutes_old_no_longer_counts_in_any_window()
    {
        var flow = Feed([Flow(Perp, T0, 100), Flow(Perp, T0 + (16 * Minute), -200)]);

        var m = Assert.Single(flow.Snapshot(T0 + (16 * Minute)).Instruments);

        foreach (var w in new[] { m.OneMinute, m.FiveMinutes, m.FifteenMinutes })
        {
            Assert.Equal(1, w.Trades);
            Assert.Equal(200, w.TotalUsd, 9);
            Assert.Equal(0, w.BuyUsd, 9);
        }
    }

    [Theory]
    [InlineData(59, 1, 1, 1)]     // age 59 s: in 1m
    [InlineData(60, 0, 1, 1)]     // age 60 s: out of 1m
    [InlineData(299, 0, 1, 1)]
    [InlineData(300, 0, 0, 1)]    // out of 5m
    [InlineData(899, 0, 0, 1)]
    [InlineData(900, 0, 0, 0)]    // out of 15m
    public void A_trade_leaves_each_window_when_its_age_reaches_the_window_length(int ageSeconds, int in1m, int in5m, int in15m)
    {
        var flow = Feed([Flow(Perp, T0, 100)]);

        var m = Assert.Single(flow.Snapshot(T0 + (ageSeconds * Second)).Instruments);

        Assert.Equal((in1m, in5m, in15m), ((int)m.OneMinute.Trades, (int)m.FiveMinutes.Trades, (int)m.FifteenMinutes.Trades));
    }

    [Fact]
    public void A_trade_arriving_15_minutes_late_is_dropped_and_leaves_the_newer_bucket_in_its_slot_intact()
    {
        // T0 and T0 + 900 s share a slot of the 900-second ring
        var flow = Feed([Flow(Perp, T0 + (900 * Second), 200), Flow(Perp, T0, 100)]);

        var w = Assert.Single(flow.Snapshot(T0 + (900 * Second)).Instruments).FifteenMinutes;

        Assert.Equal(1, w.Trades);
        Assert.Equal(200, w.TotalUsd, 9);
    }
}
