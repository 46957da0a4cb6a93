using Barometer.Analytics.Derivatives;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using static Barometer.Analytics.Tests.Derivatives.DerivativesFixtures;

namespace Barometer.Analytics.Tests.Derivatives;

public sealed class DerivativesOpenInterestTests
{
    /// <summary>
    /// Binance 1,000 BTC with the venue's $100M; Bybit 500 BTC × fresh mid 100,200 = $50.1M;
    /// OKX 250 BTC × fresh last trade 99,800 = $24.95M. Total 1,750 BTC, $175.05M.
    /// </summary>
    private static DerivativesSection ThreeVenues()
    {
        var m = NewMetrics();
        long now = T0 + (5 * Second);
        m.Feed(Oi(BinancePerp, T0, 1_000, 100_000_000));
        m.Feed(Top(BybitPerp, T0 + Second, 100_200));
        m.Feed(Oi(BybitPerp, T0 + (2 * Second), 500));
        m.Feed(Trade(OkxPerp, T0 + (3 * Second), 99_800, 0.5));
        m.Feed(Oi(OkxPerp, now, 250));
        return m.Snapshot(now);
    }

    [Fact]
    public void Open_interest_usd_comes_from_the_venue_else_the_mid_else_the_last_trade()
    {
        var section = ThreeVenues();

        var binance = section.OpenInterest(BinancePerp);
        Assert.Equal(1_000, binance.Quantity, 9);
        Assert.Equal(100_000_000, binance.Usd, 6);
        Assert.Equal(OiUsdSource.Venue, binance.UsdSource);

        var bybit = section.OpenInterest(BybitPerp);
        Assert.Equal(500, bybit.Quantity, 9);
        Assert.Equal(50_100_000, bybit.Usd, 6);        // 500 × 100,200
        Assert.Equal(OiUsdSource.Mid, bybit.UsdSource);

        var okx = section.OpenInterest(OkxPerp);
        Assert.Equal(250, okx.Quantity, 9);
        Assert.Equal(24_950_000, okx.Usd, 6);          // 250 × 99,800
        Assert.Equal(OiUsdSource.LastTrade, okx.UsdSource);
        Assert.Equal("okx-swap", okx.Venue);
    }

    [Fact]
    public void Open_interest_totals_and_shares_per_venue()
    {
        var section = ThreeVenues();

        var total = Assert.Single(section.OpenInterestTotals);
        Assert.Equal("BTC", total.Asset);
        Assert.Equal(1_750, total.Quantity, 9);
        Assert.Equal(175_050_000, total.Usd, 6);
        Assert.Equal((3, 3), (total.Markets, total.UsdMarkets));
        Assert.Null(total.UnavailableReason);

        // shares: 100 / 175.05 = 57.12653 %, 50.1 / 175.05 = 28.62039 %, 24.95 / 175.05 = 14.25307 %
        Assert.Equal(57.126535276, section.OpenInterest(BinancePerp).SharePercent, 9);
        Assert.Equal(28.620394173, section.OpenInterest(BybitPerp).SharePercent, 9);
        Assert.Equal(14.253070551, section.OpenInterest(OkxPerp).SharePercent, 9);
        Assert.Equal(100, section.OpenInterest.Sum(r => r.SharePercent), 9);
    }

    [Fact]
    public void Open_interest_rows_are_sorted_by_instrument_key()
    {
        Assert.Equal(
            ["binance-futures:BTCUSDT", "bybit-linear:BTCUSDT", "okx-swap:BTC-USDT-SWAP"],
            ThreeVenues().OpenInterest.Select(r => r.Instrument).ToArray());
    }

    [Fact]
    public void Without_venue_value_mid_or_trade_the_usd_comes_from_the_live_mark_price()
    {
        var m = NewMetrics();
        m.Feed(LiveFunding(BybitPerp, T0, 0.0001, 100_100));
        m.Feed(Oi(BybitPerp, T0 + Second, 100));

        var row = m.Snapshot(T0 + Second).OpenInterest(BybitPerp);

        Assert.Equal(10_010_000, row.Usd, 6); // 100 × 100,100
        Assert.Equal(OiUsdSource.Mark, row.UsdSource);
    }

    [Fact]
    public void Without_any_price_the_usd_is_unavailable_and_the_row_is_left_out_of_the_usd_total_and_shares()
    {
        var m = NewMetrics();
        m.Feed(Oi(BinancePerp, T0, 1_000, 100_000_000));
        m.Feed(Oi(BybitPerp, T0, 500)); // no venue USD, no top, no trade, no funding

        var section = m.Snapshot(T0);
        var bybit = section.OpenInterest(BybitPerp);

        Assert.True(double.IsNaN(bybit.Usd));
        Assert.Equal(OiUsdSource.None, bybit.UsdSource);
        Assert.True(double.IsNaN(bybit.SharePercent));
        Assert.Contains("usd: no venue value and no fresh mid, last trade or mark price", bybit.UnavailableReason, StringComparison.Ordinal);
        Assert.Equal(100, section.OpenInterest(BinancePerp).SharePercent, 9);
        var total = Assert.Single(section.OpenInterestTotals);
        Assert.Equal(1_500, total.Quantity, 9);       // the quantity still counts
        Assert.Equal(100_000_000, total.Usd, 6);      // the USD only from Binance
        Assert.Equal((2, 1), (total.Markets, total.UsdMarkets));
    }

    [Fact]
    public void A_stale_book_top_is_not_used_for_the_usd_value()
    {
        var m = NewMetrics();
        m.Feed(Top(BybitPerp, T0, 100_200));
        m.Feed(Trade(BybitPerp, T0 + (5 * Second), 100_100, 1));
        m.Feed(Oi(BybitPerp, T0 + (12 * Second), 500));

        // at T0 + 12 s the top (12 s old) is stale but the trade (7 s old) is fresh: 500 × 100,100
        var row = m.Snapshot(T0 + (12 * Second)).OpenInterest(BybitPerp);

        Assert.Equal(OiUsdSource.LastTrade, row.UsdSource);
        Assert.Equal(50_050_000, row.Usd, 6);
    }

    [Theory]
    [InlineData(1_010.0, 1_030.0, 20.0, 1.9801980198, 10.0, RateTrend.Up)]    // change 1030 − 1010 = 20 (20 / 1010 = 1.98 %); before it 10 → +10
    [InlineData(1_020.0, 1_030.0, 10.0, 0.9803921569, -10.0, RateTrend.Down)] // change 10 (10 / 1020); before it 20 → −10
    [InlineData(1_010.0, 1_020.0, 10.0, 0.9900990099, 0.0, RateTrend.Flat)]   // 10 and 10: 0 within ±0.01 % × 1020 = ±0.102
    public void Change_per_minute_and_acceleration_from_samples_one_and_two_minutes_earlier(
        double atOneMinute, double atTwoMinutes, double change, double changePercent, double acceleration, RateTrend momentum)
    {
        var m = NewMetrics();
        m.Feed(Oi(BinancePerp, T0, 1_000, 1));
        m.Feed(Oi(BinancePerp, T0 + Minute, atOneMinute, 1));
        m.Feed(Oi(BinancePerp, T0 + (2 * Minute), atTwoMinutes, 1));

        var row = m.Snapshot(T0 + (2 * Minute)).OpenInterest(BinancePerp);

        Assert.Equal(atTwoMinutes, row.Quantity, 9);
        Assert.Equal(change, row.ChangePerMinute, 9);
        Assert.Equal(changePercent, row.ChangePerMinutePercent, 8);
        Assert.Equal(acceleration, row.Acceleration, 9);
        Assert.Equal(momentum, row.Momentum);
    }

    [Fact]
    public void Change_per_minute_uses_the_newest_sample_at_least_a_minute_before_the_last_update()
    {
        var m = NewMetrics();
        m.Feed(Oi(BinancePerp, T0, 1_000, 1));
        m.Feed(Oi(BinancePerp, T0 + (30 * Second), 1_004, 1));
        m.Feed(Oi(BinancePerp, T0 + (70 * Second), 1_008, 1));
        m.Feed(Oi(BinancePerp, T0 + (100 * Second), 1_013, 1));

        // last update T0 + 100 s: newest sample ≤ T0 + 40 s is 1,004 (T0 + 30 s) → change 9
        // before it: newest sample ≤ T0 − 30 s: none → acceleration unavailable
        var row = m.Snapshot(T0 + (100 * Second)).OpenInterest(BinancePerp);

        Assert.Equal(9, row.ChangePerMinute, 9);
        Assert.True(double.IsNaN(row.Acceleration));
        Assert.Equal(RateTrend.Unknown, row.Momentum);
        Assert.Contains("momentum: no sample about 2 min earlier", row.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_update_has_no_change_per_minute_and_says_why()
    {
        var m = NewMetrics();
        m.Feed(Oi(BinancePerp, T0, 1_000, 1));

        var row = m.Snapshot(T0).OpenInterest(BinancePerp);

        Assert.True(double.IsNaN(row.ChangePerMinute));
        Assert.True(double.IsNaN(row.ChangePerMinutePercent));
        Assert.Contains("change: no sample between 2 and 1 min earlier", row.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sample_more_than_two_minutes_before_the_update_is_too_old_for_the_change()
    {
        var m = NewMetrics();
        m.Feed(Oi(BybitPerp, T0, 1_000, 1));
        m.Feed(Oi(BybitPerp, T0 + (150 * Second), 1_050, 1)); // newest ≤ T0 + 90 s is at T0: 150 s before, over the 120 s limit

        var row = m.Snapshot(T0 + (150 * Second)).OpenInterest(BybitPerp);

        Assert.True(double.IsNaN(row.ChangePerMinute));
        Assert.Contains("change: no sample between 2 and 1 min earlier", row.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Oi_to_volume_is_usd_over_the_traded_usd_of_the_current_and_59_previous_minutes()
    {
        var m = NewMetrics();
        m.Feed(Trade(BinancePerp, T0, 100_000, 10));                  // $1M in minute 0: out of the window at T0 + 60 min
        m.Feed(Trade(BinancePerp, T0 + (30 * Minute), 100_000, 20));  // $2M
        m.Feed(Trade(BinancePerp, T0 + (60 * Minute), 100_000, 5, Side.Sell)); // $0.5M, current minute
        m.Feed(Oi(BinancePerp, T0 + (60 * Minute), 1_000, 100_000_000));

        var row = m.Snapshot(T0 + (60 * Minute)).OpenInterest(BinancePerp);

        // minutes 1 … 60 are in the window: $2M + $0.5M = $2.5M; ratio = 100M / 2.5M = 40
        Assert.Equal(2_500_000, row.VolumeUsd1h, 6);
        Assert.Equal(40, row.OiToVolume, 9);
    }

    [Fact]
    public void Oi_to_volume_is_unavailable_until_an_hour_of_trades_has_been_seen()
    {
        var m = NewMetrics();
        m.Feed(Trade(BinancePerp, T0, 100_000, 10));
        m.Feed(Oi(BinancePerp, T0 + (59 * Minute), 1_000, 100_000_000));

        var row = m.Snapshot(T0 + (59 * Minute)).OpenInterest(BinancePerp);

        Assert.True(double.IsNaN(row.VolumeUsd1h));
        Assert.True(double.IsNaN(row.OiToVolume));
        Assert.Contains("oi/volume: less than 1 h of trades seen", row.UnavailableReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(VenueId.BinanceFutures, 60, 61)]
    [InlineData(VenueId.BybitLinear, 300, 301)]
    [InlineData(VenueId.OkxSwap, 600, 601)]
    public void Open_interest_is_stale_after_the_venue_limit(VenueId venue, int limitSeconds, int ageSeconds)
    {
        var perp = venue switch
        {
            VenueId.BinanceFutures => BinancePerp,
            VenueId.BybitLinear => BybitPerp,
            _ => OkxPerp,
        };
        var m = NewMetrics();
        m.Feed(Oi(perp, T0, 1_000, 100_000_000));

        Assert.Equal(1_000, m.Snapshot(T0 + (limitSeconds * Second)).OpenInterest(perp).Quantity, 9); // at the limit: fresh

        var section = m.Snapshot(T0 + (ageSeconds * Second));
        var row = section.OpenInterest(perp);
        Assert.True(double.IsNaN(row.Quantity));
        Assert.True(double.IsNaN(row.Usd));
        Assert.Equal($"open interest stale: last update {ageSeconds} s ago (limit {limitSeconds} s)", row.UnavailableReason);
        var total = Assert.Single(section.OpenInterestTotals);
        Assert.True(double.IsNaN(total.Quantity));
        Assert.Equal("no fresh open interest", total.UnavailableReason);
    }

    [Fact]
    public void A_stale_venue_is_left_out_of_the_totals_and_the_fresh_ones_share_100_percent()
    {
        var m = NewMetrics();
        m.Feed(Oi(BinancePerp, T0, 1_000, 100_000_000));
        m.Feed(Oi(BybitPerp, T0 + (70 * Second), 500, 50_000_000));

        var section = m.Snapshot(T0 + (70 * Second)); // Binance is 70 s old: stale (limit 60 s)

        var total = Assert.Single(section.OpenInterestTotals);
        Assert.Equal(500, total.Quantity, 9);
        Assert.Equal(50_000_000, total.Usd, 6);
        Assert.Equal(100, section.OpenInterest(BybitPerp).SharePercent, 9);
        Assert.True(double.IsNaN(section.OpenInterest(BinancePerp).SharePercent));
    }

    [Fact]
    public void Open_interest_of_a_spot_market_or_with_a_negative_quantity_is_ignored()
    {
        var m = NewMetrics();
        m.Feed(Oi(BinanceSpot, T0, 1_000, 100_000_000));
        m.Feed(Oi(BinancePerp, T0, 1_000, 100_000_000));
        m.Feed(Oi(BinancePerp, T0 + Second, -5, 100_000_000));
        m.Feed(Oi(BinancePerp, T0 + (2 * Second), double.NaN, 100_000_000));

        var section = m.Snapshot(T0 + (2 * Second));

        var row = Assert.Single(section.OpenInterest);
        Assert.Equal(1_000, row.Quantity, 9);
        Assert.Equal(T0, row.LastUpdateTime);
    }

    [Fact]
    public void Price_spread_is_the_largest_gap_between_fresh_mids_of_one_market_kind()
    {
        var m = NewMetrics();
        m.Feed(Top(BinancePerp, T0, 100_000));
        m.Feed(Top(BybitPerp, T0, 100_050));
        m.Feed(Top(OkxPerp, T0, 99_980));
        m.Feed(Top(BinanceSpot, T0, 99_990));
        m.Feed(Top(BybitSpot, T0, 100_010));

        var section = m.Snapshot(T0);
        var perps = section.Spread("BTC", MarketKind.Perpetual);
        var spots = section.Spread("BTC", MarketKind.Spot);

        // perps: high Bybit 100,050, low OKX 99,980: gap $70, 70 / 99,980 × 10⁴ = 7.0014003 bps
        Assert.Equal("bybit-linear:BTCUSDT", perps.HighInstrument);
        Assert.Equal("okx-swap:BTC-USDT-SWAP", perps.LowInstrument);
        Assert.Equal(100_050, perps.HighMid, 9);
        Assert.Equal(99_980, perps.LowMid, 9);
        Assert.Equal(70, perps.GapUsd, 9);
        Assert.Equal(7.00140028, perps.GapBps, 7);
        Assert.Equal(3, perps.Markets);

        // spot: 100,010 vs 99,990: $20, 20 / 99,990 × 10⁴ = 2.0002000 bps
        Assert.Equal("bybit-spot:BTCUSDT", spots.HighInstrument);
        Assert.Equal("binance-spot:BTCUSDT", spots.LowInstrument);
        Assert.Equal(20, spots.GapUsd, 9);
        Assert.Equal(2.00020002, spots.GapBps, 7);

        // one row per kind, perpetual before spot
        Assert.Equal([MarketKind.Perpetual, MarketKind.Spot], section.PriceSpreads.Select(r => r.Kind).ToArray());
    }

    [Fact]
    public void Price_spread_leaves_out_stale_and_non_usd_markets_and_needs_two()
    {
        var m = NewMetrics();
        m.Feed(Top(BybitPerp, T0, 101_000));                  // 11 s old at the snapshot: stale
        m.Feed(Top(BinancePerp, T0 + (11 * Second), 100_000));
        m.Feed(Top(EthBtcSpot, T0 + (11 * Second), 0.05));    // ETH/BTC: not USD-quoted, no ETH spot row

        var section = m.Snapshot(T0 + (11 * Second));
        var perps = section.Spread("BTC", MarketKind.Perpetual);

        Assert.Equal(1, perps.Markets);
        Assert.Null(perps.HighInstrument);
        Assert.True(double.IsNaN(perps.GapBps));
        Assert.Equal("needs fresh book tops on at least 2 markets, has 1", perps.UnavailableReason);
        Assert.DoesNotContain(section.PriceSpreads, r => r.Asset == "ETH");
    }
}
