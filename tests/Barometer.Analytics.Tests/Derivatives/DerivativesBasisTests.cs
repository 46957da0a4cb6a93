using Barometer.Analytics.Derivatives;
using static Barometer.Analytics.Tests.Derivatives.DerivativesFixtures;

namespace Barometer.Analytics.Tests.Derivatives;

public sealed class DerivativesBasisTests
{
    [Fact]
    public void Same_venue_basis_of_a_perp_600_above_spot_is_0_6_percent_60_bps_contango_steep_and_arbitrage()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0, 100_600));

        var row = m.Snapshot(T0).Basis(BinancePerp, BasisReference.SameVenueSpot);

        // basis $ = 100,600 − 100,000 = 600; % = 600 / 100,000 × 100 = 0.6; bps = 60
        Assert.Equal(["binance-spot:BTCUSDT"], row.SpotInstruments);
        Assert.Equal(100_600, row.PerpMid, 9);
        Assert.Equal(100_000, row.SpotMid, 9);
        Assert.Equal(600, row.BasisUsd, 9);
        Assert.Equal(0.6, row.BasisPercent, 9);
        Assert.Equal(60, row.BasisBps, 9);
        Assert.Equal(BasisStructure.Contango, row.Structure);
        Assert.True(row.Steep);      // 0.6 % > 0.5 %
        Assert.True(row.Arbitrage);  // 0.6 % > 0.03 %
        Assert.Equal("USDT", row.Quote);
    }

    [Theory]
    [InlineData(99_960.0, -40.0, -0.04, BasisStructure.Backwardation, false, true)]  // −40 / 100,000 = −0.04 %: |−0.04| > 0.03
    [InlineData(100_020.0, 20.0, 0.02, BasisStructure.Contango, false, false)]       // 0.02 % < 0.03 %: no arbitrage
    [InlineData(99_400.0, -600.0, -0.6, BasisStructure.Backwardation, true, true)]   // |−0.6 %| > 0.5 %: steep either way
    [InlineData(100_000.0, 0.0, 0.0, BasisStructure.Flat, false, false)]
    public void Basis_structure_steep_and_arbitrage_flags_follow_the_sign_and_size_of_the_percent(
        double perpMid, double usd, double percent, BasisStructure structure, bool steep, bool arbitrage)
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0, perpMid));

        var row = m.Snapshot(T0).Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.Equal(usd, row.BasisUsd, 9);
        Assert.Equal(percent, row.BasisPercent, 9);
        Assert.Equal(percent * 100, row.BasisBps, 9);
        Assert.Equal(structure, row.Structure);
        Assert.Equal(steep, row.Steep);
        Assert.Equal(arbitrage, row.Arbitrage);
    }

    [Fact]
    public void Cross_venue_basis_uses_the_mean_of_the_fresh_spot_mids_of_every_exchange()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BybitSpot, T0, 100_120));
        m.Feed(Top(OkxSpot, T0, 100_180));
        m.Feed(Top(BinancePerp, T0, 100_600));

        var section = m.Snapshot(T0);
        var cross = section.Basis(BinancePerp, BasisReference.CrossVenueSpotAverage);
        var same = section.Basis(BinancePerp, BasisReference.SameVenueSpot);

        // spot mean = (100,000 + 100,120 + 100,180) / 3 = 300,300 / 3 = 100,100
        // basis $ = 500; % = 500 / 100,100 × 100 = 0.4995005 (not steep); bps = 49.95005
        Assert.Equal(["binance-spot:BTCUSDT", "bybit-spot:BTCUSDT", "okx-spot:BTC-USDT"], cross.SpotInstruments);
        Assert.Equal(100_100, cross.SpotMid, 9);
        Assert.Equal(500, cross.BasisUsd, 9);
        Assert.Equal(0.4995004995, cross.BasisPercent, 9);
        Assert.Equal(49.95004995, cross.BasisBps, 7);
        Assert.False(cross.Steep);
        Assert.True(cross.Arbitrage);

        // Against Binance spot alone: 600 / 100,000 = 0.6 %: steep.
        Assert.True(same.Steep);
        Assert.Equal(0.6, same.BasisPercent, 9);
    }

    [Fact]
    public void Cross_venue_basis_leaves_out_a_stale_spot_and_averages_the_rest()
    {
        var m = NewMetrics();
        m.Feed(Top(OkxSpot, T0, 90_000));                // 12 s old at the snapshot: stale (limit 10 s)
        m.Feed(Top(BinanceSpot, T0 + (12 * Second), 100_000));
        m.Feed(Top(BybitSpot, T0 + (12 * Second), 100_200));
        m.Feed(Top(BinancePerp, T0 + (12 * Second), 100_300));

        var cross = m.Snapshot(T0 + (12 * Second)).Basis(BinancePerp, BasisReference.CrossVenueSpotAverage);

        // mean of the fresh two = 100,100; basis = 200 $, 200 / 100,100 × 10⁴ = 19.98002 bps
        Assert.Equal(["binance-spot:BTCUSDT", "bybit-spot:BTCUSDT"], cross.SpotInstruments);
        Assert.Equal(100_100, cross.SpotMid, 9);
        Assert.Equal(200, cross.BasisUsd, 9);
        Assert.Equal(19.98001998, cross.BasisBps, 7);
    }

    [Fact]
    public void Basis_rows_are_two_per_perpetual_same_venue_first()
    {
        var m = NewMetrics();
        m.Feed(Top(BybitSpot, T0, 100_000));
        m.Feed(Top(BybitPerp, T0, 100_100));
        m.Feed(Top(BinancePerp, T0, 100_050));

        var rows = m.Snapshot(T0).Basis;

        // sorted by perp key: binance-futures before bybit-linear; each same-venue then cross-venue
        Assert.Equal(
            [
                ("binance-futures:BTCUSDT", BasisReference.SameVenueSpot),
                ("binance-futures:BTCUSDT", BasisReference.CrossVenueSpotAverage),
                ("bybit-linear:BTCUSDT", BasisReference.SameVenueSpot),
                ("bybit-linear:BTCUSDT", BasisReference.CrossVenueSpotAverage),
            ],
            rows.Select(r => (r.Instrument, r.Reference)).ToArray());

        // Binance has no spot top of its own; its cross-venue basis uses Bybit spot: 50 / 100,000 → 5 bps.
        Assert.Equal(5, rows[1].BasisBps, 9);
        Assert.Equal(["bybit-spot:BTCUSDT"], rows[1].SpotInstruments);
    }

    [Fact]
    public void Missing_spot_makes_both_basis_rows_unavailable_with_reasons()
    {
        var m = NewMetrics();
        m.Feed(Top(BinancePerp, T0, 100_600));

        var section = m.Snapshot(T0);
        var same = section.Basis(BinancePerp, BasisReference.SameVenueSpot);
        var cross = section.Basis(BinancePerp, BasisReference.CrossVenueSpotAverage);

        Assert.True(double.IsNaN(same.BasisUsd));
        Assert.True(double.IsNaN(same.BasisBps));
        Assert.Equal(BasisStructure.Unknown, same.Structure);
        Assert.False(same.Steep);
        Assert.Equal("no USDT spot market of the same exchange seen", same.UnavailableReason);
        Assert.True(double.IsNaN(cross.BasisPercent));
        Assert.Equal("no fresh BTC/USDT spot book top on any venue", cross.UnavailableReason);
    }

    [Fact]
    public void A_spot_market_with_another_quote_is_not_the_reference()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceUsdcSpot, T0, 100_000)); // BTCUSDC spot: not the reference of the USDT perp
        m.Feed(Top(BinancePerp, T0, 100_600));

        var same = m.Snapshot(T0).Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.Equal("no USDT spot market of the same exchange seen", same.UnavailableReason);
        Assert.Empty(same.SpotInstruments);
    }

    [Fact]
    public void A_spot_top_older_than_10_s_makes_the_same_venue_basis_unavailable_naming_the_spot()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0 + (11 * Second), 100_600));

        var section = m.Snapshot(T0 + (11 * Second));
        var same = section.Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.True(double.IsNaN(same.BasisBps));
        Assert.Equal("book top of binance-spot:BTCUSDT stale: 11 s old (limit 10 s)", same.UnavailableReason);
        Assert.Equal("no fresh BTC/USDT spot book top on any venue",
            section.Basis(BinancePerp, BasisReference.CrossVenueSpotAverage).UnavailableReason);
    }

    [Fact]
    public void A_spot_top_exactly_10_s_old_is_still_fresh()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0 + (10 * Second), 100_600));

        var same = m.Snapshot(T0 + (10 * Second)).Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.Equal(60, same.BasisBps, 9);
        Assert.Equal(BasisStructure.Contango, same.Structure);
    }

    [Fact]
    public void A_stale_perp_top_makes_its_basis_unavailable_naming_the_perp()
    {
        var m = NewMetrics();
        m.Feed(Top(BinancePerp, T0, 100_600));
        m.Feed(Top(BinanceSpot, T0 + (15 * Second), 100_000));

        var section = m.Snapshot(T0 + (15 * Second));

        const string Reason = "book top of binance-futures:BTCUSDT stale: 15 s old (limit 10 s)";
        Assert.Equal(Reason, section.Basis(BinancePerp, BasisReference.SameVenueSpot).UnavailableReason);
        Assert.Equal(Reason, section.Basis(BinancePerp, BasisReference.CrossVenueSpotAverage).UnavailableReason);
        Assert.True(double.IsNaN(section.Basis(BinancePerp, BasisReference.SameVenueSpot).PerpMid));
    }

    [Theory]
    [InlineData(100_020.0, 100_050.0, 3.0, BasisTrend.Widening)]    // 2 → 5 bps: |5| − |2| = +3 > 1
    [InlineData(99_940.0, 99_980.0, 4.0, BasisTrend.Narrowing)]     // −6 → −2 bps: change +4, but |−2| − |−6| = −4 < −1
    [InlineData(100_020.0, 100_025.0, 0.5, BasisTrend.Stable)]      // 2 → 2.5 bps: within ±1 bp
    [InlineData(100_030.0, 99_970.0, -6.0, BasisTrend.Stable)]      // +3 → −3 bps: change −6, |−3| − |3| = 0
    public void Basis_trend_compares_the_absolute_basis_with_the_sample_five_minutes_earlier(
        double perpThen, double perpNow, double change5mBps, BasisTrend trend)
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0, perpThen));                      // sample at T0
        m.Feed(Top(BinanceSpot, T0 + (5 * Minute), 100_000));
        m.Feed(Top(BinancePerp, T0 + (5 * Minute), perpNow));        // now; reference = newest sample ≤ now − 5 min = T0

        var row = m.Snapshot(T0 + (5 * Minute)).Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.Equal(change5mBps, row.Change5mBps, 6);
        Assert.Equal(trend, row.Trend);
        Assert.Null(row.UnavailableReason);
    }

    [Fact]
    public void The_cross_venue_trend_has_its_own_samples()
    {
        var m = NewMetrics();
        m.Feed(Top(BybitSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0, 100_010));                       // cross sample 1 bp (no Binance spot: no same-venue sample)
        m.Feed(Top(BybitSpot, T0 + (6 * Minute), 100_000));
        m.Feed(Top(BinancePerp, T0 + (6 * Minute), 100_040));        // 4 bps

        var cross = m.Snapshot(T0 + (6 * Minute)).Basis(BinancePerp, BasisReference.CrossVenueSpotAverage);

        // reference: newest sample ≤ now − 5 min (T0 + 1 min) is the one at T0, inside the 7 min limit
        Assert.Equal(3, cross.Change5mBps, 6);
        Assert.Equal(BasisTrend.Widening, cross.Trend);
    }

    [Fact]
    public void Basis_trend_is_unknown_with_a_reason_when_there_is_less_than_five_minutes_of_samples()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0, 100_020));
        m.Feed(Top(BinanceSpot, T0 + (4 * Minute), 100_000));
        m.Feed(Top(BinancePerp, T0 + (4 * Minute), 100_050));

        var row = m.Snapshot(T0 + (4 * Minute)).Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.Equal(5, row.BasisBps, 9); // the basis itself is available
        Assert.True(double.IsNaN(row.Change5mBps));
        Assert.Equal(BasisTrend.Unknown, row.Trend);
        Assert.Equal("trend: no basis sample between 7 and 5 min ago", row.UnavailableReason);
    }

    [Fact]
    public void Basis_trend_is_unknown_when_the_only_earlier_sample_is_older_than_seven_minutes()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0, 100_020));
        m.Feed(Top(BinanceSpot, T0 + (8 * Minute), 100_000));
        m.Feed(Top(BinancePerp, T0 + (8 * Minute), 100_050));

        // newest sample ≤ now − 5 min (T0 + 3 min) is at T0, older than now − 7 min (T0 + 1 min)
        var row = m.Snapshot(T0 + (8 * Minute)).Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.Equal(BasisTrend.Unknown, row.Trend);
        Assert.Equal("trend: no basis sample between 7 and 5 min ago", row.UnavailableReason);
    }

    [Fact]
    public void Usdc_vs_usdt_perpetual_basis_in_bps_uses_both_fresh_mids()
    {
        var m = NewMetrics();
        m.Feed(Top(BinancePerp, T0, 100_000));
        m.Feed(Top(BinanceUsdcPerp, T0, 99_990));

        var row = Assert.Single(m.Snapshot(T0).MarginBasis);

        // (99,990 / 100,000 − 1) × 10⁴ = −1 bp (USDC perp below the USDT perp)
        Assert.Equal("binance-futures", row.Venue);
        Assert.Equal("BTC", row.Asset);
        Assert.Equal("binance-futures:BTCUSDT", row.UsdtInstrument);
        Assert.Equal("binance-futures:BTCUSDC", row.UsdcInstrument);
        Assert.Equal(100_000, row.UsdtMid, 9);
        Assert.Equal(99_990, row.UsdcMid, 9);
        Assert.Equal(-1, row.BasisBps, 9);
        Assert.Null(row.UnavailableReason);
    }

    [Fact]
    public void Usdc_vs_usdt_basis_is_unavailable_when_the_usdc_top_is_stale()
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceUsdcPerp, T0, 100_030)); // registered first: the pairing works in either order
        m.Feed(Top(BinancePerp, T0 + (20 * Second), 100_000));

        var row = Assert.Single(m.Snapshot(T0 + (20 * Second)).MarginBasis);

        Assert.True(double.IsNaN(row.BasisBps));
        Assert.True(double.IsNaN(row.UsdcMid));
        Assert.Equal("book top of binance-futures:BTCUSDC stale: 20 s old (limit 10 s)", row.UnavailableReason);
    }

    [Fact]
    public void Usdt_perps_of_different_venues_are_not_paired_as_margin_basis()
    {
        var m = NewMetrics();
        m.Feed(Top(BinancePerp, T0, 100_000));
        m.Feed(Top(BybitPerp, T0, 99_990));

        Assert.Empty(m.Snapshot(T0).MarginBasis);
    }
}
