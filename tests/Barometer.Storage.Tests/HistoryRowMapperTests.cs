using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Storage.Sqlite;

namespace Barometer.Storage.Tests;

public sealed class HistoryRowMapperTests
{
    private const long Second = 1_000_000;
    private const long T0 = 1_796_083_200_000_000; // a whole minute

    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Perp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    private static MarketEvent Trade(double price, double qty, Side side, long time = T0) =>
        MarketEvent.From(new Trade(Perp, time, time, price, qty, side, TradeId.FromNumber(42)));

    [Fact]
    public void Only_trades_at_or_above_the_large_threshold_are_stored_with_their_id_and_side()
    {
        var mapper = new HistoryRowMapper(100_000);

        Assert.Null(mapper.Map(Trade(100_000, 0.99, Side.Buy)));              // $99K
        var row = Assert.IsType<TradeRow>(mapper.Map(Trade(100_000, 1, Side.Sell))); // $100K exactly
        Assert.Equal(("binance-futures", "BTCUSDT", "BTC", "42", "sell", 100_000.0), (row.Venue, row.Symbol, row.Asset, row.TradeId, row.Side, row.NotionalUsd));
    }

    [Fact]
    public void Every_liquidation_is_stored_with_its_side_and_sampling()
    {
        var mapper = new HistoryRowMapper(100_000);
        var e = MarketEvent.From(new Liquidation(Perp, T0, T0, 95_000, 0.01, PositionSide.Long, Side.Sell, FeedCompleteness.Sampled));

        var row = Assert.IsType<LiquidationRow>(mapper.Map(e));
        Assert.Equal(("long", true, 950.0), (row.LiquidatedSide, row.Sampled, row.NotionalUsd));
        Assert.Null(mapper.Map(MarketEvent.From(new Liquidation(Perp, T0, T0, double.NaN, 1, PositionSide.Long, Side.Sell, FeedCompleteness.Complete))));
    }

    [Fact]
    public void Funding_and_open_interest_are_sampled_once_per_instrument_minute()
    {
        var mapper = new HistoryRowMapper(100_000);
        MarketEvent F(long t) => MarketEvent.From(new Funding(Perp, t, t, 0.0001, 8, T0 + (3600 * Second), 95_000, 94_990));
        MarketEvent O(long t) => MarketEvent.From(new OpenInterest(Perp, t, t, 80_000, 7.6e9));

        Assert.NotNull(mapper.Map(F(T0)));
        Assert.Null(mapper.Map(F(T0 + Second)));           // same minute
        Assert.Null(mapper.Map(F(T0 + (59 * Second))));
        Assert.NotNull(mapper.Map(F(T0 + (60 * Second)))); // next minute
        Assert.Null(mapper.Map(F(T0 + (30 * Second))));    // late for a stored minute
        Assert.NotNull(mapper.Map(O(T0 + Second)));        // open interest has its own minutes
        Assert.Null(mapper.Map(O(T0 + (10 * Second))));
    }

    [Fact]
    public void Gaps_are_stored_and_other_events_are_not()
    {
        var mapper = new HistoryRowMapper(100_000);
        var gap = MarketEvent.From(new DataGap(VenueId.OkxSwap, null, "books", T0, T0 + Second, GapCause.SequenceGap, "prevSeqId 5 != 4"));

        var row = Assert.IsType<GapRow>(mapper.Map(gap));
        Assert.Equal(("okx-swap", "books", null, T0, T0 + Second), (row.Venue, row.Stream, row.Symbol, row.Start, row.End));
        Assert.Null(mapper.Map(MarketEvent.From(new BookTop(Perp, T0, T0, 1, 1, 2, 1, 0))));
    }
}
