using Barometer.Core.Events;
using static Barometer.Tui.Tests.TuiFixtures;

namespace Barometer.Tui.Tests;

public class MicrostructureTests
{
    [Fact]
    public void Orderflow_shows_the_one_minute_buy_share_as_bar_and_percent()
    {
        // Buy 1 BTC @ 100,000 = $100K, sell 0.5 BTC @ 100,000 = $50K: buy share 100 / 150 = 66.7% → "67% BUY",
        // bar 0.667 × 10 = 6.67 → 7 full cells.
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1, Side.Buy), Trade(BinancePerp, T0 + Second, 100_000, 0.5, Side.Sell));
        string text = Frame(s, DashboardKind.Microstructure);
        string line = LineWith(text, "% BUY");
        Assert.Contains("BTC", line, StringComparison.Ordinal);
        Assert.Contains("[███████░░░] 67% BUY", line, StringComparison.Ordinal);
        Assert.Contains("Δ +$", line, StringComparison.Ordinal); // net flow is positive ($50K in the window)
    }

    [Fact]
    public void Orderflow_trend_arrow_is_a_dash_until_there_is_history()
    {
        // The trend needs 10 completed one-minute periods; after two trades it has none.
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1, Side.Buy));
        string line = LineWith(Frame(s, DashboardKind.Microstructure), "% BUY");
        Assert.EndsWith("—", line.Split('│')[1].TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Basis_shows_dollars_percent_contango_and_the_arbitrage_mark()
    {
        // Perp mid 100,050, spot mid 100,000 on the same venue: basis +$50, 50 / 100,000 = +0.050% > 0.03% → ⚠, contango.
        var s = Snapshot(
            Trade(BinancePerp, T0, 100_050, 0.01),
            Top(BinanceSpot, T0 + Second, 100_000),
            Top(BinancePerp, T0 + Second, 100_050));
        string line = LineWith(Frame(s, DashboardKind.Microstructure), "CONTANGO");
        Assert.Contains("BTC  +$50 (+0.050%) CONTANGO ⚠", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Basis_without_a_spot_reference_is_a_dash_with_a_reason()
    {
        // Only the perpetual has a book: no basis row can be computed.
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 0.01), Top(BinancePerp, T0, 100_000));
        string text = Frame(s, DashboardKind.Microstructure);
        string panel = Between(text, "SPOT vs PERP BASIS", "FUNDING");
        Assert.Contains("BTC  — (", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("CONTANGO", panel, StringComparison.Ordinal);
    }

    [Fact]
    public void Whale_detector_lists_time_side_usd_price_venue_and_flags_mega_trades()
    {
        // 10 BTC @ 100,000 = $1.0M (whale, not mega); 60 BTC @ 100,000 = $6.0M ≥ $5M → ⚠.
        var s = Snapshot(
            Trade(BinancePerp, T0 + (10 * Second), 100_000, 10, Side.Sell),
            Trade(BybitPerp, T0 + (15 * Second), 100_000, 60, Side.Buy));
        string text = Frame(s, DashboardKind.Microstructure);
        string whale = LineWith(text, "$1.0M @");
        Assert.Contains("00:00:10 BTC SELL $1.0M @$100,000 [BINANCE-P]", whale, StringComparison.Ordinal);
        Assert.DoesNotContain("⚠", whale.Split('│')[1], StringComparison.Ordinal);
        string mega = LineWith(text, "$6.0M @");
        Assert.Contains("00:00:15 BTC BUY  $6.0M @$100,000 [BYBIT-P] ⚠", mega, StringComparison.Ordinal);
    }

    [Fact]
    public void Funding_shows_rate_payer_extreme_and_dims_an_old_update_with_its_age()
    {
        // BTC rate 0.0005 per 8 h = 0.0500% > 0.04% → EXTREME, positive → LONGS PAY; ETH −0.0001 = −0.0100% → SHORTS PAY.
        // The BTC update is 30 s older than the snapshot (last event at T0 + 30 s): still inside the engine's 60 s
        // stale limit, so it has a value, but older than the dashboard's 10 s → dimmed with "(30s old)".
        var s = Snapshot(
            Funding(BinancePerp, T0, 0.0005, 100_000),
            Funding(EthPerp, T0 + (30 * Second), -0.0001, 3_000));
        string text = Frame(s, DashboardKind.Microstructure);
        Assert.Contains("BTC BINANCE-P: +0.0500%", LineWith(text, "BTC BINANCE-P:"), StringComparison.Ordinal);
        Assert.Contains("LONGS PAY EXTREME (30s old)", LineWith(text, "BTC BINANCE-P:"), StringComparison.Ordinal);
        string eth = LineWith(text, "ETH BINANCE-P:");
        Assert.Contains("-0.0100%", eth, StringComparison.Ordinal);
        Assert.Contains("SHORTS PAY", eth, StringComparison.Ordinal);
        Assert.DoesNotContain("old", eth, StringComparison.Ordinal);
    }

    [Fact]
    public void Funding_older_than_the_engine_limit_is_a_dash_with_the_engine_reason()
    {
        // 120 s without an update exceeds AnalyticsOptions.StaleAfter (60 s): the snapshot has no rate, only a reason.
        var s = Snapshot(Funding(BinancePerp, T0, 0.0005, 100_000), Funding(EthPerp, T0 + (120 * Second), -0.0001, 3_000));
        string btc = LineWith(Frame(s, DashboardKind.Microstructure), "BTC BINANCE-P:");
        Assert.Contains("BTC BINANCE-P: — (funding stale", btc, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0500", btc, StringComparison.Ordinal);
    }

    [Fact]
    public void Liquidation_clusters_show_counts_danger_zone_and_retention()
    {
        // Three long liquidations of 5 BTC @ 95,000 = $475K each, $1.425M in one bucket > $1M → DANGER ZONE, "3 longs".
        var s = Snapshot(
            Trade(BinancePerp, T0, 95_000, 0.01),
            Liq(BybitPerp, T0 + Second, 95_000, 5, PositionSide.Long),
            Liq(BybitPerp, T0 + (2 * Second), 95_000, 5, PositionSide.Long),
            Liq(BybitPerp, T0 + (3 * Second), 95_000, 5, PositionSide.Long));
        string text = Frame(s, DashboardKind.Microstructure);
        Assert.Contains("15m retention", LineWith(text, "LIQUIDATION CLUSTERS"), StringComparison.Ordinal);
        string line = LineWith(text, "DANGER ZONE");
        Assert.Contains("$1.4M (3 longs) DANGER ZONE", line, StringComparison.Ordinal);
        Assert.Contains("BTC: $95,050 ", line, StringComparison.Ordinal); // the $100 bucket [95,000, 95,100) at full price precision
        Assert.Contains("last 0s ago", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_fed_by_a_sampled_venue_shows_its_usd_as_a_lower_bound()
    {
        // Binance samples forceOrder: 2 × 1 BTC @ 95,000 = $190K is at least that much, "≥ $190.0K"; Bybit's feed is
        // complete, so its bucket at 96,000 ($96.0K) carries no "≥".
        var s = Snapshot(
            Trade(BinancePerp, T0, 95_000, 0.01),
            Liq(BinancePerp, T0 + Second, 95_000, 1, PositionSide.Long, FeedCompleteness.Sampled),
            Liq(BinancePerp, T0 + (2 * Second), 95_000, 1, PositionSide.Long, FeedCompleteness.Sampled),
            Liq(BybitPerp, T0 + (3 * Second), 96_000, 1, PositionSide.Short));
        string text = Frame(s, DashboardKind.Microstructure);
        Assert.Contains("≥ $190.0K (2 longs)", LineWith(text, "$95,050"), StringComparison.Ordinal);
        string bybit = LineWith(text, "$96,050");
        Assert.Contains("$96.0K (1 short)", bybit, StringComparison.Ordinal);
        Assert.DoesNotContain("≥", bybit, StringComparison.Ordinal);
        Assert.Contains("≥ lower bound: sampled feeds", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unavailable_panels_say_why_instead_of_showing_numbers()
    {
        // One trade: no divergence lookback yet, no liquidations, no funding, no whale.
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 0.01));
        string text = Frame(s, DashboardKind.Microstructure);
        Assert.Contains("BTC: — (", Between(text, "CVD DIVERGENCE", "\n└"), StringComparison.Ordinal);
        Assert.Contains("— (no whale trade yet)", text, StringComparison.Ordinal);
        Assert.Contains("—/min", LineWith(text, "LIQUIDATION CLUSTERS"), StringComparison.Ordinal);
    }

    [Fact]
    public void At_80_by_24_no_line_is_wider_than_80_columns()
    {
        var s = Snapshot(
            Trade(BinancePerp, T0, 100_050, 1, Side.Buy),
            Trade(EthPerp, T0, 3_000, 300, Side.Sell),
            Top(BinanceSpot, T0 + Second, 100_000),
            Top(BinancePerp, T0 + Second, 100_050),
            Funding(BinancePerp, T0 + Second, 0.0001, 100_000));
        string text = Frame(s, DashboardKind.Microstructure, width: 80, height: 24);
        foreach (var line in text.Split('\n'))
        {
            Assert.True(line.TrimEnd('\r').Length <= 80, $"line wider than 80: '{line}'");
        }

        Assert.True(text.Split('\n').Length <= 25, $"more than 24 rows:\n{text}");
    }

    internal static string Between(string text, string start, string end)
    {
        int i = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{start}' not found in:\n{text}");
        int j = text.IndexOf(end, i + start.Length, StringComparison.Ordinal);
        return j < 0 ? text[i..] : text[i..j];
    }
}
