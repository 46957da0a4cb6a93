using System.Text.Json;
using Barometer.Analytics.Book;
using Barometer.Analytics.Risk;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using static Barometer.Analytics.Tests.Risk.RiskFixtures;

namespace Barometer.Analytics.Tests.Risk;

public sealed class RegimeMetricsTests
{
    private static RegimeMetrics NewMetrics() => new(new AnalyticsOptions(), new BookMetrics(new AnalyticsOptions()));

    private static RegimeSection Feed(IEnumerable<MarketEvent> events, long now, RegimeMetrics? metrics = null)
    {
        metrics ??= NewMetrics();
        foreach (var e in events)
        {
            metrics.OnEvent(e, EventTime.Of(e));
        }

        return metrics.Snapshot(now);
    }

    /// <summary>One trade per minute, 30 s into minute m (m = 0 … count − 1), at price(m).</summary>
    private static IEnumerable<MarketEvent> EveryMinute(Instrument i, int count, Func<int, double> price)
    {
        for (int m = 0; m < count; m++)
        {
            yield return Trade(i, T0 + (m * Minute) + (30 * Second), price(m));
        }
    }

    [Fact]
    public void A_straight_line_price_is_trending_bullish_across_venues_with_a_basis()
    {
        // Binance at 100 + m, Bybit 5 % above it (same returns). Minutes 0 … 61 traded; at 62:00 the window is
        // minutes 2 … 61 (60 returns, closes 1 … 61): every return is positive ⇒ efficiency 1, confidence 100.
        // Net change: close 101 → 161 ⇒ 100 · (161/101 − 1) = 59.405940 %.
        var events = Merge(EveryMinute(BtcBinance, 62, m => 100 + m), EveryMinute(BtcBybit, 62, m => 1.05 * (100 + m)));

        var row = Assert.Single(Feed(events, T0 + (62 * Minute)).Assets);

        Assert.Equal("BTC", row.Asset);
        Assert.Equal(["binance-futures:BTCUSDT", "bybit-linear:BTCUSDT"], row.Instruments);
        Assert.Equal(60, row.Returns);
        Assert.Equal(MarketRegime.Trending, row.Regime);
        Assert.Equal(RegimeTrend.Bullish, row.Trend);
        Assert.Equal(100.0, row.Confidence, 9);
        Assert.Equal(1.0, row.EfficiencyRatio, 12);
        Assert.Equal(100.0 * ((161.0 / 101) - 1), row.NetChangePct, 9);
        Assert.Equal(row.NetChangePct, row.RangePct, 9);
        Assert.Null(row.UnavailableReason);

        // Log returns shrink along a straight line: the last 15 minutes vary less than the 45 before them.
        Assert.Equal(VolatilityState.Decreasing, row.Volatility.State);
        Assert.Equal(15, row.Volatility.ShortReturns);
        Assert.Equal(45, row.Volatility.PreviousReturns);
    }

    [Fact]
    public void Alternating_prices_between_two_levels_are_ranging_with_the_hand_computed_volatility()
    {
        // 100, 101, 100, 101 … each minute ⇒ returns ±ln 1.01 (see RegimeCalcTests for the numbers).
        var events = EveryMinute(BtcBinance, 62, m => m % 2 == 0 ? 100 : 101);

        var row = Assert.Single(Feed(events, T0 + (62 * Minute)).Assets);

        Assert.Equal(MarketRegime.Ranging, row.Regime);
        Assert.Equal(RegimeTrend.Neutral, row.Trend);
        Assert.Equal(97.849216, row.Confidence, 5);
        Assert.Equal(1.0, row.RangePct, 9);        // 100 · (e^ln 1.01 − 1)
        Assert.Equal(1.0, row.Compression, 9);
        Assert.Equal(727.469549, row.Volatility.AnnualizedPct, 5);
        Assert.Equal(100 * Math.Log(1.01) * Math.Sqrt(16.0 / 15) * Math.Sqrt(525_600), row.Volatility.ShortAnnualizedPct, 6);
        Assert.Equal(100 * Math.Log(1.01) * Math.Sqrt(46.0 / 45) * Math.Sqrt(525_600), row.Volatility.PreviousAnnualizedPct, 6);
        Assert.Equal(VolatilityState.Stable, row.Volatility.State);
        Assert.Null(row.Volatility.UnavailableReason);
    }

    [Theory]
    [InlineData(30, false)]
    [InlineData(31, true)]
    public void The_regime_needs_30_one_minute_returns(int minutes, bool available)
    {
        // Minutes 0 … minutes − 1 traded; at the next whole minute there are minutes − 1 returns.
        var row = Assert.Single(Feed(EveryMinute(BtcBinance, minutes, m => 100 + m), T0 + (minutes * Minute)).Assets);

        Assert.Equal(minutes - 1, row.Returns);
        if (available)
        {
            Assert.Equal(MarketRegime.Trending, row.Regime);
            Assert.Null(row.UnavailableReason);
        }
        else
        {
            Assert.Null(row.Regime);
            Assert.Null(row.Trend);
            Assert.True(double.IsNaN(row.Confidence));
            Assert.Equal("needs 30 one-minute returns in the 60-minute window (have 29)", row.UnavailableReason);
            Assert.Equal(row.UnavailableReason, row.Volatility.UnavailableReason);
            Assert.True(double.IsNaN(row.Volatility.AnnualizedPct));
        }
    }

    [Fact]
    public void A_stale_asset_has_no_regime()
    {
        // Last trade at 61:30; at 62:31 it is 61 s old (limit 60 s).
        var row = Assert.Single(Feed(EveryMinute(BtcBinance, 62, m => 100 + m), T0 + (62 * Minute) + (31 * Second)).Assets);

        Assert.Null(row.Regime);
        Assert.Equal("stale: last trade 61 s ago (limit 60 s)", row.UnavailableReason);
    }

    [Fact]
    public void Only_completed_minutes_count_so_a_trade_in_the_current_minute_changes_nothing()
    {
        var history = EveryMinute(BtcBinance, 62, m => m % 2 == 0 ? 100 : 101).ToList();
        var quiet = Feed(history.Append(Trade(BtcBinance, T0 + (62 * Minute) + (10 * Second), 101)), T0 + (62 * Minute) + (20 * Second));
        var spike = Feed(history.Append(Trade(BtcBinance, T0 + (62 * Minute) + (10 * Second), 150)), T0 + (62 * Minute) + (20 * Second));

        Assert.Equal(JsonSerializer.Serialize(quiet, SnapshotJson.Options), JsonSerializer.Serialize(spike, SnapshotJson.Options));
    }

    [Fact]
    public void A_market_joining_mid_window_at_another_price_level_adds_no_jump()
    {
        // OKX joins at minute 30 at twice Binance's price with the same moves: its first return needs two of its
        // own closes, so the index (mean of market returns) is exactly Binance's.
        var alone = Feed(EveryMinute(BtcBinance, 62, m => 100 + (m % 3)), T0 + (62 * Minute));
        var joined = Feed(Merge(
            EveryMinute(BtcBinance, 62, m => 100 + (m % 3)),
            EveryMinute(BtcOkx, 62, m => 2 * (100 + (m % 3))).Skip(30)), T0 + (62 * Minute));

        var a = Assert.Single(alone.Assets);
        var b = Assert.Single(joined.Assets);
        Assert.Equal(2, b.Instruments.Count);
        Assert.Equal(a.EfficiencyRatio, b.EfficiencyRatio, 12);
        Assert.Equal(a.NetChangePct, b.NetChangePct, 9);
        Assert.Equal(a.RangePct, b.RangePct, 9);
        Assert.Equal(a.Volatility.AnnualizedPct, b.Volatility.AnnualizedPct, 6);
        Assert.Equal(a.Regime, b.Regime);
    }

    [Fact]
    public void Bad_late_and_non_usd_trades_are_counted_or_skipped_and_change_nothing_else()
    {
        var clean = EveryMinute(BtcBinance, 62, m => m % 2 == 0 ? 100 : 101).ToList();
        var dirty = new List<MarketEvent>(clean)
        {
            Trade(BtcBinance, T0 + (61 * Minute) + (40 * Second), double.NaN),
            Trade(BtcBinance, T0 + (61 * Minute) + (40 * Second), 100, 0),
            Trade(BtcBinance, T0 + (61 * Minute) + (40 * Second), 100, 1, Side.Unknown),
            Trade(BtcBinance, T0 + (59 * Minute), 500),                  // two minutes late
            Trade(EthBtc, T0 + (61 * Minute) + (40 * Second), 0.04),     // not USD-quoted: not part of any asset
        };

        var a = Feed(clean, T0 + (62 * Minute));
        var b = Feed(dirty, T0 + (62 * Minute));

        Assert.Equal((3L, 1L), (b.IgnoredTrades, b.LateTrades));
        Assert.Equal(JsonSerializer.Serialize(a with { IgnoredTrades = 3, LateTrades = 1 }, SnapshotJson.Options), JsonSerializer.Serialize(b, SnapshotJson.Options));
    }

    [Fact]
    public void Assets_are_sorted_and_each_has_its_own_index()
    {
        var events = Merge(
            EveryMinute(SolBinance, 62, m => 100 + m),
            EveryMinute(EthBinance, 62, m => 3000 - m),
            EveryMinute(BtcBinance, 62, m => m % 2 == 0 ? 100 : 101));

        var s = Feed(events, T0 + (62 * Minute));

        Assert.Equal(["BTC", "ETH", "SOL"], s.Assets.Select(a => a.Asset));
        Assert.Equal([MarketRegime.Ranging, MarketRegime.Trending, MarketRegime.Trending], s.Assets.Select(a => a.Regime));
        Assert.Equal([RegimeTrend.Neutral, RegimeTrend.Bearish, RegimeTrend.Bullish], s.Assets.Select(a => a.Trend));
    }

    [Fact]
    public void The_section_serializes_snake_case_with_regime_names_as_snake_case_strings()
    {
        string json = JsonSerializer.Serialize(Feed(EveryMinute(BtcBinance, 62, m => 100 + m), T0 + (62 * Minute)), SnapshotJson.Options);

        Assert.StartsWith("""{"assets":[{"asset":"BTC","instruments":["binance-futures:BTCUSDT"],"window_minutes":60,"returns":60,"regime":"trending","confidence":100,"trend":"bullish","efficiency_ratio":1,""", json, StringComparison.Ordinal);
        Assert.Contains(""","volatility":{"window_minutes":60,"returns":60,""", json, StringComparison.Ordinal);
        Assert.Contains(""","state":"decreasing","unavailable_reason":null}""", json, StringComparison.Ordinal);
        Assert.Contains(""","liquidity":{"score":null,"level":null,"markets":[],"unavailable_reason":"no book data for this asset"}""", json, StringComparison.Ordinal);
        Assert.EndsWith(""","ignored_trades":0,"late_trades":0,"ignored_book_tops":0}""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_bound_is_reported_with_the_name_range_bound()
    {
        // Hour: up 20 steps, down 20, 5 alternating, then 15 tiny alternations (RegimeCalcTests' range-bound window).
        var prices = new List<double> { 100 };
        void Step(double r) => prices.Add(prices[^1] * Math.Exp(r));
        const double a = 0.001;
        Step(0); // close of minute 1 = the close before the window's first return
        for (int j = 0; j < 20; j++)
        {
            Step(a);
        }

        for (int j = 0; j < 20; j++)
        {
            Step(-a);
        }

        for (int j = 0; j < 5; j++)
        {
            Step(j % 2 == 0 ? a : -a);
        }

        for (int j = 0; j < 15; j++)
        {
            Step(j % 2 == 0 ? -a / 10 : a / 10);
        }

        var row = Assert.Single(Feed(EveryMinute(BtcBinance, prices.Count, m => prices[m]), T0 + (prices.Count * Minute)).Assets);

        Assert.Equal(MarketRegime.RangeBound, row.Regime);
        Assert.Equal(97.235023, row.Confidence, 4);
        Assert.Contains("\"regime\":\"range_bound\"", JsonSerializer.Serialize(row, SnapshotJson.Options), StringComparison.Ordinal);
    }
}
