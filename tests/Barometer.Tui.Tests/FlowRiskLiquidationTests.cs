using Barometer.Analytics.Risk;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using static Barometer.Tui.Tests.TuiFixtures;

namespace Barometer.Tui.Tests;

public class FlowDashboardTests
{
    [Fact]
    public void Depth_panel_shows_l2_usd_per_band_and_the_label()
    {
        // Mid (99.5 + 100.5) / 2 = 100. Bids 99.5 × 10 = $995 (within 1%), 94 × 1 (6% below: outside 5%, so the book
        // reaches every band edge); asks 100.5 × 6 = $603, 106 × 1 outside 5%. Ratio 995 / 603 = 1.65: 1.2 < r ≤ 2 → STRONG BID.
        var s = Snapshot(Book(BinancePerp, T0,
            [L(BinancePerp, 99.5, 10), L(BinancePerp, 94, 1)],
            [L(BinancePerp, 100.5, 6), L(BinancePerp, 106, 1)]));
        string text = Frame(s, DashboardKind.Flow);
        // Bars: bid share 995 / 1,598 = 0.62 × 8 = 4.98 → 5 cells; ask 0.38 × 8 = 3.02 → 3 cells.
        Assert.Contains("1%      $995 █████       $603 ███      STRONG BID", text, StringComparison.Ordinal);
        Assert.Contains("5%      $995 █████       $603 ███      STRONG BID", text, StringComparison.Ordinal);
        Assert.DoesNotContain("partial", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0.1% ", text, StringComparison.Ordinal); // the 10 bps band is not on this panel
    }

    [Fact]
    public void Smart_money_shows_net_flow_aggressor_split_and_per_venue_rows()
    {
        // Binance perp: buys 3 × 1 BTC @ 100,000; Bybit perp: one sell of 1 BTC @ 100,000.
        // Asset 5m net flow = $300K − $100K = +$200K; aggressor BUY 3 / 4 = 75%, SELL 25%, ratio 3 / 1 = 3.0:1.
        var s = Snapshot(
            Trade(BinancePerp, T0, 100_000, 1, Side.Buy),
            Trade(BinancePerp, T0 + Second, 100_000, 1, Side.Buy),
            Trade(BinancePerp, T0 + (2 * Second), 100_000, 1, Side.Buy),
            Trade(BybitPerp, T0 + (3 * Second), 100_000, 1, Side.Sell));
        string text = Frame(s, DashboardKind.Flow, width: 160);
        string asset = LineWith(text, "BTC  net 5m");
        Assert.Contains("+$200.0K", asset, StringComparison.Ordinal);
        Assert.Contains("trades 75% buy 25% sell 3.00:1", asset, StringComparison.Ordinal);
        Assert.Contains("CVD +$200.0K", asset, StringComparison.Ordinal);
        Assert.Contains("BINANCE-P      +$300.0K (3 trades)", text, StringComparison.Ordinal);
        Assert.Contains("BYBIT-P        -$100.0K (1 trades)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dominance_shows_volume_share_per_venue()
    {
        // $300K of $400K on Binance = 75%, $100K on Bybit = 25%.
        var s = Snapshot(
            Trade(BinancePerp, T0, 100_000, 3, Side.Buy),
            Trade(BybitPerp, T0 + Second, 100_000, 1, Side.Sell));
        string text = Frame(s, DashboardKind.Flow, width: 160);
        Assert.Contains("BINANCE-P       75%", text, StringComparison.Ordinal);
        Assert.Contains("BYBIT-P         25%", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_book_the_depth_panel_says_so()
    {
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1));
        Assert.Contains("— (no L2 book of BTC yet)", Frame(s, DashboardKind.Flow), StringComparison.Ordinal);
    }
}

public class RiskDashboardTests
{
    [Fact]
    public void Correlation_matrix_has_the_diagonal_and_dashes_without_enough_samples()
    {
        // Two assets, a few seconds of trades: far fewer than the 120 common returns a coefficient needs.
        var s = Snapshot(
            Trade(BinancePerp, T0, 100_000, 1),
            Trade(EthPerp, T0, 3_000, 1),
            Trade(BinancePerp, T0 + Second, 100_010, 1),
            Trade(EthPerp, T0 + Second, 3_001, 1));
        string text = Frame(s, DashboardKind.Risk, width: 140);
        Assert.Contains("BTC     1.0     —", text, StringComparison.Ordinal);
        Assert.Contains("ETH       —   1.0", text, StringComparison.Ordinal);
        Assert.Contains("BTC/ETH: — (", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BTC", "ETH", 2, null, "BTC/ETH: BTC leads ETH by 2s (c 0.81)")]
    [InlineData(null, null, 0, "peak at lag 0 (the assets move together)", "BTC/ETH: no leader · peak at lag 0 (the assets move together) (c 0.81)")]
    public void Lead_lag_names_the_leader_or_says_there_is_none_with_the_peak(string? leader, string? follower, int lead, string? neutral, string expected)
    {
        // A hand-built correlation section: 900 samples, coefficient 0.78, cross-correlation peak 0.81.
        var pair = new AssetPairCorrelation("BTC", "ETH", 900, 0.78, new LeadLag(leader, follower, lead, lead, 0.81, neutral, null), null);
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1)) with
        {
            Correlation = new CorrelationSection(900, 120, 30,
                [new CorrelationAsset("BTC", ["binance-futures:BTCUSDT"], 900, T0, 0, null), new CorrelationAsset("ETH", ["binance-futures:ETHUSDT"], 900, T0, 0, null)],
                [pair], [], 0, 0),
        };
        string text = Frame(s, DashboardKind.Risk, width: 160);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Contains("BTC     1.0  0.78", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Regime_without_an_hour_of_history_is_a_dash_with_the_reason()
    {
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1));
        string line = LineWith(Frame(s, DashboardKind.Risk, width: 140), "State:");
        Assert.Contains("BTC  State: — (", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Arbitrage_flags_a_basis_above_three_basis_points()
    {
        // +$50 on 100,000 = 0.050% > 0.03% → ⚠ ARB (cyan).
        var s = Snapshot(
            Trade(BinancePerp, T0, 100_050, 0.01),
            Top(BinanceSpot, T0 + Second, 100_000),
            Top(BinancePerp, T0 + Second, 100_050));
        Assert.Contains("SPOT-PERP: BTC +$50 (+0.050%) ⚠ ARB", Frame(s, DashboardKind.Risk, width: 140), StringComparison.Ordinal);
    }

    [Fact]
    public void Cascade_risk_shows_score_and_the_next_cascade_level()
    {
        // Price 95,000; three long liquidations of 5 BTC @ 94,000 (1.05% below) = $1.41M > $1M danger zone: it is the next
        // cascade level, below the price, of longs.
        var s = Snapshot(
            Trade(BinancePerp, T0, 95_000, 0.01),
            Liq(BybitPerp, T0 + Second, 94_000, 5, PositionSide.Long),
            Liq(BybitPerp, T0 + (2 * Second), 94_000, 5, PositionSide.Long),
            Liq(BybitPerp, T0 + (3 * Second), 94_000, 5, PositionSide.Long),
            Trade(BinancePerp, T0 + (3 * Second), 95_000, 0.01));
        string text = Frame(s, DashboardKind.Risk, width: 140);
        Assert.Contains("BTC  CASCADE RISK ", text, StringComparison.Ordinal);
        string next = LineWith(text, "Next level:");
        Assert.Contains("$1.4M longs", next, StringComparison.Ordinal);
        Assert.Contains("(-1.", next, StringComparison.Ordinal);
    }
}

public class LiquidationDashboardTests
{
    [Fact]
    public void Tape_shows_prints_with_size_classes_from_the_view_state()
    {
        // $150K ≥ $100K institutional → INST; $20K ≥ $10K large → LARGE; $5K → small.
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 0.01));
        var state = new ViewState
        {
            Tape =
            [
                new LiquidationPrint(T0 + (3 * Second), "bybit-linear", "BTC", true, 100_000, 150_000),
                new LiquidationPrint(T0 + (2 * Second), "okx-swap", "BTC", false, 100_000, 20_000),
                new LiquidationPrint(T0 + Second, "binance-futures", "BTC", true, 100_000, 5_000),
            ],
        };
        string text = Frame(s, DashboardKind.Liquidations, width: 140, state: state);
        Assert.Contains("00:00:03 BTC  LONG  $150.0K @100,000 [BYBIT-P] INST", text, StringComparison.Ordinal);
        Assert.Contains("00:00:02 BTC  SHORT  $20.0K @100,000 [OKX-P] LARGE", text, StringComparison.Ordinal);
        Assert.Contains("00:00:01 BTC  LONG    $5.0K @100,000 [BINANCE-P] small", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Totals_split_long_and_short_and_a_cascade_shows_its_severity()
    {
        // Five liquidations within 60 s open a cascade: 4 longs × 1 BTC @ 95,000 = $380K, 1 short × 1 BTC = $95K.
        // Totals 5m: $475K (5); longs $380K (4, 80%); shorts $95K (1). Size classes: 5 × $95K ≥ $10K, < $100K → large 5.
        var s = Snapshot(
            Trade(BinancePerp, T0, 95_000, 0.01),
            Liq(BybitPerp, T0 + Second, 95_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (2 * Second), 95_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (3 * Second), 95_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (4 * Second), 95_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (5 * Second), 95_000, 1, PositionSide.Short));
        string text = Frame(s, DashboardKind.Liquidations, width: 160);
        Assert.Contains("BTC  5m $475.0K (5)", text, StringComparison.Ordinal);
        Assert.Contains("longs $380.0K (4, 80%) shorts $95.0K (1)", text, StringComparison.Ordinal);
        Assert.Contains("inst 0 $0 · large 5 $475.0K · small 0 $0", text, StringComparison.Ordinal);
        string cascade = LineWith(text, "ACTIVE");
        Assert.Contains("BTC", cascade, StringComparison.Ordinal);
        Assert.Contains("5 liq $475.0K longs", cascade, StringComparison.Ordinal);
        Assert.Contains("score", cascade, StringComparison.Ordinal);
        Assert.Contains("BYBIT-P", LineWith(text, "VENUE SPLIT") + LineWith(text, "$475.0K (5) L 4 S 1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_liquidations_the_panels_say_so()
    {
        var s = Snapshot(Trade(BinancePerp, T0, 95_000, 0.01));
        string text = Frame(s, DashboardKind.Liquidations, width: 140);
        Assert.Contains("— (no liquidation received since start)", text, StringComparison.Ordinal);
        Assert.Contains("— (no cascade (≥ 5 liquidations within 60s))", text, StringComparison.Ordinal);
    }
}

public class FrameTests
{
    [Fact]
    public void Simulated_and_replay_banners_come_from_the_data_source()
    {
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1)); // the engine was built with DataSource "simulated"
        Assert.Contains("SIMULATED", Frame(s, DashboardKind.Microstructure).Split('\n')[0], StringComparison.Ordinal);
        string replay = Frame(s, DashboardKind.Microstructure, state: new ViewState { DataSource = "replay" }).Split('\n')[0];
        Assert.Contains("REPLAY", replay, StringComparison.Ordinal);
        Assert.DoesNotContain("SIMULATED", replay, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_line_shows_venue_states_data_age_and_pause()
    {
        // Wall clock 5 s after the snapshot's event time → "age 5s".
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1));
        var state = new ViewState
        {
            WallTime = T0 + (5 * Second),
            Paused = true,
            Venues = [new VenueStatus("binance-futures", ConnectionState.Subscribed, T0), new VenueStatus("okx-swap", ConnectionState.Disconnected, T0)],
        };
        var lines = Frame(s, DashboardKind.Microstructure, state: state).Split('\n');
        Assert.Contains("data 00:00:00 UTC age 5s", lines[0], StringComparison.Ordinal);
        Assert.Contains("PAUSED", lines[0], StringComparison.Ordinal);
        Assert.Contains("venues BINANCE-P ok OKX-P down", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Unreachable_server_gives_a_clear_screen_with_the_address()
    {
        var state = new ViewState { Feed = FeedState.Unreachable, Address = "ws://127.0.0.1:9001", FeedError = "Connection refused" };
        string text = Text(DashboardRenderer.Render(null, state));
        Assert.Contains("Server unreachable", text, StringComparison.Ordinal);
        Assert.Contains("Address: ws://127.0.0.1:9001", text, StringComparison.Ordinal);
        Assert.Contains("Last error: Connection refused", text, StringComparison.Ordinal);
        Assert.Contains("Retrying", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_the_keys()
    {
        string text = Text(DashboardRenderer.Render(null, new ViewState { Help = true }));
        Assert.Contains("q        quit", text, StringComparison.Ordinal);
        Assert.Contains("1 … 4", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DashboardKind.Microstructure)]
    [InlineData(DashboardKind.Flow)]
    [InlineData(DashboardKind.Risk)]
    [InlineData(DashboardKind.Liquidations)]
    public void Every_dashboard_fits_80_columns(DashboardKind kind)
    {
        var s = Snapshot(
            Trade(BinancePerp, T0, 95_000, 1, Side.Buy),
            Trade(EthPerp, T0, 3_000, 300, Side.Sell),
            Top(BinanceSpot, T0 + Second, 95_000),
            Top(BinancePerp, T0 + Second, 95_050),
            Liq(BybitPerp, T0 + Second, 94_000, 5, PositionSide.Long),
            Funding(BinancePerp, T0 + Second, 0.0001, 95_000));
        foreach (var line in Frame(s, kind, width: 80, height: 24).Split('\n'))
        {
            Assert.True(line.TrimEnd('\r').Length <= 80, $"wider than 80: '{line}'");
        }
    }

    [Fact]
    public void Snapshot_json_round_trips_into_the_same_records()
    {
        // --server deserializes the broadcast snapshot with SnapshotJson.Options: serializing it again must give the same line.
        var s = Snapshot(
            Trade(BinancePerp, T0, 95_000, 1, Side.Buy),
            Trade(BybitPerp, T0, 95_000, 60, Side.Sell),
            Top(BinanceSpot, T0 + Second, 95_000),
            Top(BinancePerp, T0 + Second, 95_050),
            Book(BinancePerp, T0 + Second, [L(BinancePerp, 95_000, 1)], [L(BinancePerp, 95_100, 1)]),
            Funding(BinancePerp, T0 + Second, 0.0001, 95_000),
            Liq(BybitPerp, T0 + Second, 94_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (2 * Second), 94_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (3 * Second), 94_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (4 * Second), 94_000, 1, PositionSide.Long),
            Liq(BybitPerp, T0 + (5 * Second), 94_000, 1, PositionSide.Long));
        Assert.NotEmpty(s.Liquidations.ActiveCascades);
        string line = SnapshotJson.ToLine(s);
        var back = SnapshotFeed.ParseSnapshot(line);
        Assert.NotNull(back);
        Assert.Equal(line, SnapshotJson.ToLine(back));
    }
}
