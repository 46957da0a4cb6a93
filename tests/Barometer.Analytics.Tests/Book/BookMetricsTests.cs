using System.Text.Json;
using Barometer.Analytics.Book;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using static Barometer.Analytics.Tests.Book.BookFixtures;

namespace Barometer.Analytics.Tests.Book;

public sealed class BookTopTests
{
    [Fact]
    public void Top_from_book_top_gives_spread_imbalance_pressure_and_buy_signal()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, 1 * Second, 100, 3, 100.5, 1));

        var top = metrics.Snapshot(2 * Second).Market(BinancePerp).Top;

        Assert.Equal(TopSource.BookTop, top.Source);
        Assert.Equal(1 * Second, top.Time);
        Assert.Equal(1.0, top.AgeSeconds, 12);
        Assert.Equal(100.25, top.Mid, 12);
        Assert.Equal(0.5, top.SpreadUsd, 12);
        Assert.Equal(0.5 / 100.25 * 10_000, top.SpreadBps, 9); // 49.8753 bps
        Assert.Equal(0.5, top.Imbalance, 12);                  // (3 − 1) / 4
        Assert.Equal(75.0, top.BidPressurePct, 12);
        Assert.Equal(25.0, top.AskPressurePct, 12);
        Assert.Equal(BookSignal.Buy, top.Signal);
        Assert.Null(top.UnavailableReason);
    }

    [Theory]
    [InlineData(3.0, 1.0, BookSignal.Buy)]      // +0.5
    [InlineData(13.0, 7.0, BookSignal.Neutral)]  // +0.3 exactly (6 / 20) is not above the threshold
    [InlineData(1.2, 1.0, BookSignal.Neutral)]  // +0.0909
    [InlineData(1.0, 2.0, BookSignal.Sell)]     // −0.333
    [InlineData(7.0, 13.0, BookSignal.Neutral)]  // −0.3 exactly
    public void Signal_is_buy_above_plus_0_3_sell_below_minus_0_3_else_neutral(double bidSize, double askSize, BookSignal expected)
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, Second, 100, bidSize, 100.5, askSize));

        Assert.Equal(expected, metrics.Snapshot(Second).Market(BinancePerp).Top.Signal);
    }

    [Fact]
    public void Top_falls_back_to_the_l2_best_levels_when_there_is_no_book_top()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));

        var top = metrics.Snapshot(Second).Market(BinancePerp).Top;

        Assert.Equal(TopSource.L2Book, top.Source);
        Assert.Equal(99.95, top.BidPrice);
        Assert.Equal(2.0, top.BidSize);
        Assert.Equal(100.05, top.AskPrice);
        Assert.Equal(1.0, top.AskSize);
        Assert.Equal(0.1, top.SpreadUsd, 9);
        Assert.Equal(10.0, top.SpreadBps, 6);            // 0.1 / 100 × 10 000
        Assert.Equal(1.0 / 3.0, top.Imbalance, 12);      // (2 − 1) / 3
        Assert.Equal(200.0 / 3.0, top.BidPressurePct, 9);
        Assert.Equal(BookSignal.Buy, top.Signal);
    }

    [Fact]
    public void Top_is_available_at_exactly_10_s_and_stale_with_a_reason_after()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, Second, 100, 3, 100.5, 1));

        Assert.Equal(TopSource.BookTop, metrics.Snapshot(11 * Second).Market(BinancePerp).Top.Source);

        var stale = metrics.Snapshot(11 * Second + 1).Market(BinancePerp).Top;
        Assert.Null(stale.Source);
        Assert.Null(stale.Signal);
        Assert.True(double.IsNaN(stale.SpreadBps));
        Assert.True(double.IsNaN(stale.Imbalance));
        Assert.StartsWith("stale:", stale.UnavailableReason, StringComparison.Ordinal);
        Assert.Contains("limit 10 s", stale.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stale_book_top_falls_back_to_a_fresh_l2_book()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, Second, 100, 3, 100.5, 1));
        metrics.Feed(FixtureSnapshot(BinancePerp, 5 * Second));

        var top = metrics.Snapshot(12 * Second).Market(BinancePerp).Top;

        Assert.Equal(TopSource.L2Book, top.Source);
        Assert.Equal(5 * Second, top.Time);
        Assert.Equal(7.0, top.AgeSeconds, 12);
    }

    [Fact]
    public void No_input_at_all_gives_an_unavailable_top_with_a_reason()
    {
        var metrics = NewMetrics();
        metrics.Feed(Delta(BinancePerp, Second, [L(BinancePerp, 99, 1)], []));

        var top = metrics.Snapshot(Second).Market(BinancePerp).Top;

        Assert.Null(top.Source);
        Assert.StartsWith("no top of book yet", top.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crossed_book_top_is_unavailable_with_a_reason()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, Second, 100.5, 1, 100, 1));

        var top = metrics.Snapshot(Second).Market(BinancePerp).Top;

        Assert.Null(top.Signal);
        Assert.True(double.IsNaN(top.SpreadUsd));
        Assert.Equal("invalid top: bid at or above ask", top.UnavailableReason);
    }

    [Fact]
    public void A_disconnect_voids_the_top_until_the_next_book_top()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, Second, 100, 3, 100.5, 1));
        metrics.Feed(Status(null, VenueId.BinanceFutures, 2 * Second, ConnectionState.Disconnected, "socket closed"));

        var top = metrics.Snapshot(2 * Second).Market(BinancePerp).Top;
        Assert.Null(top.Source);
        Assert.Equal("no top of book since disconnected: socket closed", top.UnavailableReason);

        metrics.Feed(Top(BinancePerp, 3 * Second, 100, 3, 100.5, 1));
        Assert.Equal(TopSource.BookTop, metrics.Snapshot(3 * Second).Market(BinancePerp).Top.Source);
    }

    [Fact]
    public void Spread_usd_is_unavailable_with_a_reason_when_the_quote_is_not_a_usd_stablecoin()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(EthBtc, Second, 0.03, 2, 0.0301, 2));

        var top = metrics.Snapshot(Second).Market(EthBtc).Top;

        Assert.True(double.IsNaN(top.SpreadUsd));
        Assert.Equal(0.0001 / 0.03005 * 10_000, top.SpreadBps, 6);
        Assert.Equal(BookSignal.Neutral, top.Signal);
        Assert.Contains("not a USD stablecoin", top.UnavailableReason, StringComparison.Ordinal);
    }
}

public sealed class BookDepthTests
{
    [Fact]
    public void Depth_per_band_ratio_label_and_reach_match_the_hand_computed_fixture()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));

        var depth = metrics.Snapshot(Second).Market(BinancePerp).Depth;

        Assert.Null(depth.UnavailableReason);
        Assert.Equal(100.0, depth.Mid, 12);
        Assert.Equal(5, depth.BidLevels);
        Assert.Equal(5, depth.AskLevels);
        Assert.Equal(6.0, depth.BidReachPct, 9); // (100 − 94) / 100
        Assert.Equal(4.0, depth.AskReachPct, 9); // (104 − 100) / 100
        Assert.Equal(4, depth.Bands.Count);

        // 10 bps: bids ≥ 99.90: 99.95×2; asks ≤ 100.10: 100.05×1.
        AssertBand(depth.Bands[0], 0.1, 199.9, 100.05, DepthLabel.BidHeavy, partial: false);
        // 1%: bids ≥ 99: + 99.5×1; asks ≤ 101: + 100.5×2.
        AssertBand(depth.Bands[1], 1, 299.4, 301.05, DepthLabel.Balanced, partial: false);
        // 2%: bids ≥ 98: + 98.5×2; asks ≤ 102: + 101.5×1.
        AssertBand(depth.Bands[2], 2, 496.4, 402.55, DepthLabel.BidHeavy, partial: false);
        // 5%: bids ≥ 95: + 97×4 (94 is outside); asks ≤ 105: + 103×2 + 104×1, and the asks stop at 4%: partial.
        AssertBand(depth.Bands[3], 5, 884.4, 712.55, DepthLabel.BidHeavy, partial: true);
    }

    [Theory]
    [InlineData(2.5, DepthLabel.BuyersDominant)]
    [InlineData(2.0, DepthLabel.BidHeavy)]
    [InlineData(1.5, DepthLabel.BidHeavy)]
    [InlineData(1.2, DepthLabel.Balanced)]
    [InlineData(1.0, DepthLabel.Balanced)]
    [InlineData(0.83, DepthLabel.Balanced)]
    [InlineData(0.7, DepthLabel.AskHeavy)]
    [InlineData(0.5, DepthLabel.AskHeavy)]
    [InlineData(0.4, DepthLabel.StrongAsk)]
    public void Depth_label_thresholds(double ratio, DepthLabel expected) => Assert.Equal(expected, BookLimits.LabelOf(ratio));

    [Fact]
    public void A_delta_before_any_snapshot_leaves_the_book_unavailable_until_a_snapshot()
    {
        var metrics = NewMetrics();
        metrics.Feed(Delta(BinancePerp, Second, [L(BinancePerp, 99.95, 2)], [L(BinancePerp, 100.05, 1)]));

        var depth = metrics.Snapshot(Second).Market(BinancePerp).Depth;
        Assert.Equal("no book snapshot yet (deltas before a snapshot are ignored)", depth.UnavailableReason);
        Assert.True(double.IsNaN(depth.Mid));
        Assert.All(depth.Bands, b => Assert.True(double.IsNaN(b.BidUsd) && double.IsNaN(b.Ratio) && b.Label is null));

        metrics.Feed(FixtureSnapshot(BinancePerp, 2 * Second));
        Assert.Null(metrics.Snapshot(2 * Second).Market(BinancePerp).Depth.UnavailableReason);
    }

    [Fact]
    public void A_delta_after_the_snapshot_changes_depth_and_moves_mid()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(Delta(BinancePerp, 2 * Second, [L(BinancePerp, 99.95, 0), L(BinancePerp, 99.9, 1)], []));

        var depth = metrics.Snapshot(2 * Second).Market(BinancePerp).Depth;

        Assert.Equal(2 * Second, depth.Time);
        Assert.Equal(99.975, depth.Mid, 9); // (99.90 + 100.05) / 2
        // 10 bps: bids ≥ 99.875: 99.9×1; asks ≤ 100.075: 100.05×1.
        Assert.Equal(99.9, depth.Bands[0].BidUsd, 9);
        Assert.Equal(100.05, depth.Bands[0].AskUsd, 9);
        Assert.Equal(DepthLabel.Balanced, depth.Bands[0].Label);
    }

    [Theory]
    [InlineData(ConnectionState.Resyncing, "resyncing (gap 12→15): waiting for a snapshot")]
    [InlineData(ConnectionState.Disconnected, "disconnected (gap 12→15): waiting for a snapshot")]
    public void A_resync_or_disconnect_of_the_instrument_makes_the_book_unavailable_until_the_next_snapshot(ConnectionState state, string reason)
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(Status(BinancePerp, VenueId.BinanceFutures, 2 * Second, state, "gap 12→15"));
        metrics.Feed(Delta(BinancePerp, 3 * Second, [L(BinancePerp, 99.9, 1)], []));

        Assert.Equal(reason, metrics.Snapshot(3 * Second).Market(BinancePerp).Depth.UnavailableReason);

        metrics.Feed(FixtureSnapshot(BinancePerp, 4 * Second));
        var depth = metrics.Snapshot(4 * Second).Market(BinancePerp).Depth;
        Assert.Null(depth.UnavailableReason);
        Assert.Equal(199.9, depth.Bands[0].BidUsd, 9);
    }

    [Fact]
    public void A_subscribed_or_stale_status_does_not_invalidate_the_book()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(Status(BinancePerp, VenueId.BinanceFutures, 2 * Second, ConnectionState.Subscribed));
        metrics.Feed(Status(BinancePerp, VenueId.BinanceFutures, 2 * Second, ConnectionState.Stale));

        Assert.Null(metrics.Snapshot(2 * Second).Market(BinancePerp).Depth.UnavailableReason);
    }

    [Fact]
    public void A_data_gap_of_the_instrument_makes_the_book_unavailable_until_the_next_snapshot()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(Gap(BinancePerp, VenueId.BinanceFutures, Second, 2 * Second, GapCause.SequenceGap, "expected pu=12 got 15"));

        Assert.Equal("data gap (sequence gap) (expected pu=12 got 15): waiting for a snapshot",
            metrics.Snapshot(2 * Second).Market(BinancePerp).Depth.UnavailableReason);

        metrics.Feed(FixtureSnapshot(BinancePerp, 3 * Second));
        Assert.Null(metrics.Snapshot(3 * Second).Market(BinancePerp).Depth.UnavailableReason);
    }

    [Fact]
    public void A_connection_level_disconnect_affects_only_the_markets_of_that_venue()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(FixtureSnapshot(BybitPerp, Second));
        metrics.Feed(Status(null, VenueId.BinanceFutures, 2 * Second, ConnectionState.Disconnected));

        var section = metrics.Snapshot(2 * Second);
        Assert.Equal("disconnected: waiting for a snapshot", section.Market(BinancePerp).Depth.UnavailableReason);
        Assert.Null(section.Market(BybitPerp).Depth.UnavailableReason);
    }

    [Fact]
    public void A_crossing_delta_clears_the_book_and_makes_it_unavailable()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(Delta(BinancePerp, 2 * Second, [], [L(BinancePerp, 99.9, 1)]));

        Assert.Equal("crossed book after an update (cleared): waiting for a snapshot",
            metrics.Snapshot(2 * Second).Market(BinancePerp).Depth.UnavailableReason);
    }

    [Fact]
    public void Depth_is_stale_after_60_s_without_a_book_message()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));

        Assert.Null(metrics.Snapshot(61 * Second).Market(BinancePerp).Depth.UnavailableReason);

        var stale = metrics.Snapshot(61 * Second + 1).Market(BinancePerp).Depth;
        Assert.Equal("stale: last book update 60 s ago (limit 60 s)", stale.UnavailableReason);
        Assert.True(double.IsNaN(stale.Bands[0].BidUsd));
    }

    [Fact]
    public void A_side_with_nothing_inside_a_band_leaves_that_bands_ratio_unavailable()
    {
        var metrics = NewMetrics();
        // Spread of 1% around mid 100: neither side lies within 10 bps.
        metrics.Feed(Snapshot(BinancePerp, Second, [L(BinancePerp, 99.5, 1)], [L(BinancePerp, 100.5, 1)]));

        var band = metrics.Snapshot(Second).Market(BinancePerp).Depth.Bands[0];

        Assert.Equal(0.0, band.BidUsd);
        Assert.Equal(0.0, band.AskUsd);
        Assert.True(double.IsNaN(band.Ratio));
        Assert.Null(band.Label);
        Assert.Equal("no levels within band", band.UnavailableReason);
    }

    [Fact]
    public void Usd_depth_is_unavailable_with_a_reason_when_the_quote_is_not_a_usd_stablecoin()
    {
        var metrics = NewMetrics();
        metrics.Feed(Snapshot(EthBtc, Second, [L(EthBtc, 0.03, 5)], [L(EthBtc, 0.04, 5)]));

        var depth = metrics.Snapshot(Second).Market(EthBtc).Depth;

        Assert.Contains("not a USD stablecoin", depth.UnavailableReason, StringComparison.Ordinal);
        Assert.All(depth.Bands, b => Assert.True(double.IsNaN(b.BidUsd) && double.IsNaN(b.AskUsd) && b.Label is null));
    }

    [Fact]
    public void Asset_depth_sums_venue_markets_of_the_same_kind_and_lists_excluded_ones()
    {
        var metrics = NewMetrics();
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(FixtureSnapshot(BinanceSpot, Second));
        metrics.Feed(Snapshot(OkxEthSpot, Second, [L(OkxEthSpot, 99, 1)], [L(OkxEthSpot, 101, 1)]));

        var section = metrics.Snapshot(Second);
        Assert.Equal(["binance-futures:BTCUSDT", "binance-spot:BTCUSDT", "okx-spot:ETH-USDT"], section.Markets.Select(m => m.Instrument));
        Assert.Equal([("BTC", MarketKind.Spot), ("BTC", MarketKind.Perpetual), ("ETH", MarketKind.Spot)],
            section.Assets.Select(a => (a.Asset, a.Kind)));

        var perps = section.Assets[1];
        Assert.Equal(["binance-futures:BTCUSDT"], perps.Markets);
        AssertBand(perps.Bands[1], 1, 299.4, 301.05, DepthLabel.Balanced, partial: false);

        // A second perp with the same book doubles the sums; one without a snapshot is excluded and marks bands partial.
        metrics.Feed(FixtureSnapshot(BybitPerp, Second));
        perps = metrics.Snapshot(Second).Assets[1];
        Assert.Equal(["binance-futures:BTCUSDT", "bybit-linear:BTCUSDT"], perps.Markets);
        AssertBand(perps.Bands[1], 1, 598.8, 602.1, DepthLabel.Balanced, partial: false);
        AssertBand(perps.Bands[3], 5, 1768.8, 1425.1, DepthLabel.BidHeavy, partial: true);

        metrics.Feed(Status(BybitPerp, VenueId.BybitLinear, 2 * Second, ConnectionState.Resyncing));
        perps = metrics.Snapshot(2 * Second).Assets[1];
        Assert.Equal(["bybit-linear:BTCUSDT"], perps.Excluded);
        AssertBand(perps.Bands[1], 1, 299.4, 301.05, DepthLabel.Balanced, partial: true);
        Assert.Null(perps.UnavailableReason);
    }

    [Fact]
    public void Asset_depth_is_unavailable_when_no_market_has_depth()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, Second, 100, 1, 100.5, 1));

        var asset = Assert.Single(metrics.Snapshot(Second).Assets);

        Assert.Equal("no market with available depth", asset.UnavailableReason);
        Assert.Equal(["binance-futures:BTCUSDT"], asset.Excluded);
        Assert.All(asset.Bands, b => Assert.True(double.IsNaN(b.BidUsd)));
    }

    internal static void AssertBand(BookDepthBand band, double pct, double bidUsd, double askUsd, DepthLabel label, bool partial)
    {
        Assert.Equal(pct, band.BandPct, 12);
        Assert.Equal(bidUsd, band.BidUsd, 9);
        Assert.Equal(askUsd, band.AskUsd, 9);
        Assert.Equal(bidUsd / askUsd, band.Ratio, 9);
        Assert.Equal(label, band.Label);
        Assert.Equal(partial, band.Partial);
        Assert.Null(band.UnavailableReason);
    }
}

public sealed class BookJsonTests
{
    [Fact]
    public void Book_section_serializes_with_snake_case_names_enums_and_null_for_unavailable()
    {
        var metrics = NewMetrics();
        metrics.Feed(Top(BinancePerp, Second, 100, 3, 100.5, 1));
        metrics.Feed(FixtureSnapshot(BinancePerp, Second));
        metrics.Feed(Delta(BybitPerp, Second, [L(BybitPerp, 99, 1)], []));

        string json = JsonSerializer.Serialize(metrics.Snapshot(Second), SnapshotJson.Options);

        Assert.Contains("\"instrument\":\"binance-futures:BTCUSDT\"", json, StringComparison.Ordinal);
        Assert.Contains("\"venue\":\"binance_futures\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"perpetual\"", json, StringComparison.Ordinal);
        Assert.Contains("\"source\":\"book_top\"", json, StringComparison.Ordinal);
        Assert.Contains("\"signal\":\"buy\"", json, StringComparison.Ordinal);
        Assert.Contains("\"spread_bps\":", json, StringComparison.Ordinal);
        Assert.Contains("\"bid_pressure_pct\":75", json, StringComparison.Ordinal);
        Assert.Contains("\"label\":\"bid_heavy\"", json, StringComparison.Ordinal);
        Assert.Contains("\"bid_usd\":199.9", json, StringComparison.Ordinal);
        Assert.Contains("\"partial\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"mid\":null", json, StringComparison.Ordinal);       // the bybit book has no snapshot
        Assert.Contains("\"source\":null", json, StringComparison.Ordinal);
        Assert.Contains("\"unavailable_reason\":\"no book snapshot yet", json, StringComparison.Ordinal);

        using var doc = JsonDocument.Parse(json);
        Assert.Equal(2, doc.RootElement.GetProperty("markets").GetArrayLength());
        Assert.Equal(4, doc.RootElement.GetProperty("assets")[0].GetProperty("bands").GetArrayLength());
    }

    [Fact]
    public void Empty_book_section_serializes()
    {
        string json = JsonSerializer.Serialize(new BookSection(), SnapshotJson.Options);

        Assert.Equal("{\"markets\":[],\"assets\":[]}", json);
    }
}
