using Barometer.Analytics.Derivatives;
using Barometer.Core.Events;
using static Barometer.Analytics.Tests.Derivatives.DerivativesFixtures;

namespace Barometer.Analytics.Tests.Derivatives;

public sealed class DerivativesBadInputTests
{
    [Theory]
    [InlineData(double.PositiveInfinity, 1.0, Side.Buy)]
    [InlineData(double.NaN, 1.0, Side.Buy)]
    [InlineData(-5.0, 1.0, Side.Buy)]
    [InlineData(200_000.0, -1.0, Side.Buy)]
    [InlineData(200_000.0, double.NaN, Side.Buy)]
    [InlineData(200_000.0, 0.0, Side.Buy)]
    [InlineData(200_000.0, 1.0, Side.Unknown)]
    public void A_bad_trade_is_ignored_and_counted_and_does_not_become_the_last_trade_price(double price, double quantity, Side side)
    {
        var m = NewMetrics();
        m.Feed(Trade(BybitPerp, T0, 100_000, 1));
        m.Feed(Trade(BybitPerp, T0 + Second, price, quantity, side));
        m.Feed(Oi(BybitPerp, T0 + (2 * Second), 10));

        var row = m.Snapshot(T0 + (2 * Second)).OpenInterest(BybitPerp);

        Assert.Equal(OiUsdSource.LastTrade, row.UsdSource);
        Assert.Equal(1_000_000, row.Usd, 6); // 10 × 100,000: the good trade's price
        Assert.Equal(1, m.Rejected);
    }

    [Theory]
    [InlineData(100_000.0, double.PositiveInfinity)]
    [InlineData(double.NaN, 100_010.0)]
    [InlineData(-1.0, 100_010.0)]
    [InlineData(100_010.0, 100_000.0)] // crossed: bid above ask
    public void A_bad_book_top_is_ignored_and_counted_and_the_previous_mid_stays(double bid, double ask)
    {
        var m = NewMetrics();
        m.Feed(Top(BinanceSpot, T0, 100_000));
        m.Feed(Top(BinancePerp, T0, 100_600));
        m.Feed(MarketEvent.From(new BookTop(BinancePerp, T0 + Second, T0 + Second, bid, 1, ask, 1, 0)));

        var row = m.Snapshot(T0 + Second).Basis(BinancePerp, BasisReference.SameVenueSpot);

        Assert.Equal(100_600, row.PerpMid, 9);
        Assert.Equal(60, row.BasisBps, 9);
        Assert.Equal(1, m.Rejected);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity)]
    public void Open_interest_with_a_negative_or_infinite_usd_notional_is_ignored_and_counted(double notionalUsd)
    {
        var m = NewMetrics();
        m.Feed(Oi(BinancePerp, T0, 1_000, 100_000_000));
        m.Feed(Oi(BybitPerp, T0, 500, 50_000_000));
        m.Feed(Oi(BybitPerp, T0 + Second, 600, notionalUsd));

        var section = m.Snapshot(T0 + Second);

        Assert.Equal(500, section.OpenInterest(BybitPerp).Quantity, 9);
        Assert.Equal(150_000_000, Assert.Single(section.OpenInterestTotals).Usd, 6);
        Assert.Equal(100, section.OpenInterest.Sum(r => r.SharePercent), 9);
        Assert.Equal(1, m.Rejected);
    }

    [Theory]
    [InlineData(-100_000.0)]
    [InlineData(0.0)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_positive_or_non_finite_mark_price_is_not_used_for_the_open_interest_usd(double mark)
    {
        var m = NewMetrics();
        m.Feed(LiveFunding(BybitPerp, T0, 0.0001, mark));
        m.Feed(Oi(BybitPerp, T0 + Second, 100));

        var row = m.Snapshot(T0 + Second).OpenInterest(BybitPerp);

        Assert.True(double.IsNaN(row.Usd));
        Assert.Equal(OiUsdSource.None, row.UsdSource);
    }

    [Fact]
    public void Funding_with_a_non_finite_rate_is_ignored_and_counted()
    {
        var m = NewMetrics();
        m.Feed(LiveFunding(BinancePerp, T0, 0.0001, 100_000));
        m.Feed(LiveFunding(BinancePerp, T0 + Second, double.NaN, 100_000));

        var row = Assert.Single(m.Snapshot(T0 + Second).Funding);

        Assert.Equal(0.0001, row.Rate8h, 12);
        Assert.Equal(1, m.Rejected);
    }

    [Fact]
    public void Good_input_counts_nothing_as_rejected()
    {
        var m = NewMetrics();
        m.Feed(Top(BinancePerp, T0, 100_000));
        m.Feed(Trade(BinancePerp, T0, 100_000, 1));
        m.Feed(Oi(BinancePerp, T0, 1_000));
        m.Feed(LiveFunding(BinancePerp, T0, 0.0001, 100_000));

        Assert.Equal(0, m.Rejected);
    }
}
