using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Core.Tests;

public sealed class MarketEventTests
{
    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Btc = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    [Fact]
    public void A_trade_survives_the_round_trip_through_the_union()
    {
        var trade = new Trade(Btc, 1_700_000_000_123_000, 1_700_000_000_150_000, 95_000.5, 0.25, Side.Sell, TradeId.FromNumber(5933014));
        var e = MarketEvent.From(trade);
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(VenueId.BinanceFutures, e.Venue);
        Assert.Equal(trade, e.AsTrade());
        Assert.Equal(23_750.125, e.NotionalUsd);
    }

    [Fact]
    public void A_liquidation_survives_the_round_trip_and_keeps_both_sides()
    {
        var liquidation = new Liquidation(Btc, 10, 20, 94_000, 2, PositionSide.Long, Side.Sell, FeedCompleteness.Sampled);
        var back = MarketEvent.From(liquidation).AsLiquidation();
        Assert.Equal(liquidation, back);
        Assert.Equal(188_000, back.NotionalUsd);
    }

    [Fact]
    public void Book_funding_interest_status_and_gap_survive_the_round_trip()
    {
        var bids = new[] { new BookLevel(950_000, 95_000, 1.5) };
        var asks = new[] { new BookLevel(950_001, 95_000.1, 0) };
        var book = new BookUpdate(Btc, 1, 2, false, 100, 105, 99, bids, asks);
        Assert.Equal(book, MarketEvent.From(book).AsBookUpdate());

        var top = new BookTop(Btc, 1, 2, 95_000, 1, 95_000.1, 2, 77);
        Assert.Equal(top, MarketEvent.From(top).AsBookTop());
        Assert.Equal(95_000.05, top.Mid, 6);

        var funding = new Funding(Btc, 1, 2, 0.0001, 4, 3_000, 95_001, 94_999);
        Assert.Equal(funding, MarketEvent.From(funding).AsFunding());
        Assert.Equal(0.0002, funding.RatePer8Hours, 12);

        var interest = new OpenInterest(Btc, 1, 2, 80_000, 7.6e9);
        Assert.Equal(interest, MarketEvent.From(interest).AsOpenInterest());

        var status = new ConnectionStatus(VenueId.OkxSwap, null, "connection", 5, ConnectionState.Stale, "no trades for 30 s");
        var statusEvent = MarketEvent.From(status);
        Assert.Equal(status, statusEvent.AsConnectionStatus());
        Assert.True(statusEvent.Kind.IsReliable());

        var gap = new DataGap(VenueId.BybitLinear, Btc, "orderbook.50.BTCUSDT", 100, 200, GapCause.SequenceGap, "u jumped");
        var gapEvent = MarketEvent.From(gap);
        Assert.Equal(gap, gapEvent.AsDataGap());
        Assert.Equal(200, gapEvent.ExchangeTime);
    }

    [Fact]
    public void Only_liquidations_alerts_status_and_gaps_are_reliable()
    {
        Assert.False(EventKind.Trade.IsReliable());
        Assert.False(EventKind.BookUpdate.IsReliable());
        Assert.True(EventKind.Liquidation.IsReliable());
        Assert.True(EventKind.Alert.IsReliable());
    }

    [Fact]
    public void Liquidation_side_helpers_follow_the_documented_convention()
    {
        Assert.Equal(Side.Sell, Liquidation.OrderSideFor(PositionSide.Long));
        Assert.Equal(PositionSide.Short, Liquidation.LiquidatedSideFor(Side.Buy));
    }
}
