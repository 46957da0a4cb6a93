using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Books;

namespace Barometer.Core.Tests.Books;

public sealed class LocalOrderBookTests
{
    private static readonly Instrument Btc = new InstrumentRegistry().GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", tickSize: 0.1);

    private static BookLevel L(double price, double quantity) => new(Btc.ToTicks(price), price, quantity);

    private static BookUpdate Snapshot(long id, BookLevel[] bids, BookLevel[] asks) =>
        new(Btc, 1_000, 1_000, true, id, id, -1, bids, asks);

    private static BookUpdate Delta(long id, BookLevel[] bids, BookLevel[] asks) =>
        new(Btc, 2_000, 2_000, false, id, id, id - 1, bids, asks);

    private static LocalOrderBook Seeded()
    {
        var book = new LocalOrderBook(Btc);
        Assert.Equal(BookApplyResult.Applied, book.Apply(Snapshot(10, [L(100.0, 1), L(99.9, 2), L(99.5, 4)], [L(100.1, 1.5), L(100.3, 3)])));
        return book;
    }

    [Fact]
    public void A_snapshot_sets_both_sides_with_the_best_level_first()
    {
        var book = Seeded();
        Assert.True(book.IsSynced);
        Assert.Equal(10, book.LastUpdateId);
        Assert.Equal(100.0, book.Bids.Level(0).Price);
        Assert.Equal(99.5, book.Bids.Level(2).Price);
        Assert.Equal(100.1, book.Asks.Level(0).Price);
        Assert.Equal(3, book.Asks.Level(1).Quantity);
    }

    [Fact]
    public void A_delta_replaces_sizes_inserts_levels_and_zero_deletes()
    {
        var book = Seeded();
        Assert.Equal(BookApplyResult.Applied, book.Apply(Delta(11, [L(99.9, 5), L(99.7, 1), L(99.5, 0)], [L(100.1, 0), L(100.2, 0.5)])));
        Assert.Equal(3, book.Bids.Count);
        Assert.Equal(5, book.Bids.QuantityAt(Btc.ToTicks(99.9)));
        Assert.Equal(99.7, book.Bids.Level(2).Price);
        Assert.Equal(0, book.Bids.QuantityAt(Btc.ToTicks(99.5)));
        Assert.Equal(100.2, book.Asks.Level(0).Price);
        Assert.Equal(2, book.Asks.Count);
        Assert.Equal(11, book.LastUpdateId);
    }

    [Fact]
    public void Deleting_a_level_that_is_not_there_changes_nothing()
    {
        var book = Seeded();
        Assert.Equal(BookApplyResult.Applied, book.Apply(Delta(11, [L(98.0, 0)], [])));
        Assert.Equal(3, book.Bids.Count);
    }

    [Fact]
    public void A_crossed_result_clears_the_book_and_asks_for_a_resync()
    {
        var book = Seeded();
        Assert.Equal(BookApplyResult.Crossed, book.Apply(Delta(11, [L(100.2, 1)], [])));
        Assert.False(book.IsSynced);
        Assert.Equal(0, book.Bids.Count);
        Assert.False(book.TryGetTop(5, out _));
    }

    [Fact]
    public void A_negative_or_NaN_size_is_rejected_without_touching_the_book()
    {
        var book = Seeded();
        Assert.Equal(BookApplyResult.InvalidLevel, book.Apply(Delta(11, [L(99.9, 7), L(99.8, -1)], [])));
        Assert.Equal(BookApplyResult.InvalidLevel, book.Apply(Delta(11, [], [L(100.5, double.NaN)])));
        Assert.Equal(2, book.Bids.QuantityAt(Btc.ToTicks(99.9)));
        Assert.Equal(10, book.LastUpdateId);
        Assert.True(book.IsSynced);
    }

    [Fact]
    public void A_delta_before_any_snapshot_is_ignored()
    {
        var book = new LocalOrderBook(Btc);
        Assert.Equal(BookApplyResult.NotSynced, book.Apply(Delta(5, [L(100, 1)], [])));
        Assert.Equal(0, book.Bids.Count);
    }

    [Fact]
    public void The_top_reports_best_prices_and_sizes()
    {
        Assert.True(Seeded().TryGetTop(7, out var top));
        Assert.Equal(100.0, top.BidPrice);
        Assert.Equal(1, top.BidSize);
        Assert.Equal(100.1, top.AskPrice);
        Assert.Equal(1.5, top.AskSize);
        Assert.Equal(10, top.UpdateId);
    }

    [Fact]
    public void Depth_within_a_band_sums_quote_notional_on_each_side()
    {
        // mid = 100.05; 0.3% band: bids >= 99.74985 -> ticks >= 998 (99.8): 100*1 + 99.9*2 = 299.8;
        // asks <= 100.35015 -> 100.1*1.5 + 100.3*3 = 150.15 + 300.9 = 451.05.
        Assert.True(Seeded().TryGetDepthWithin(0.003, out double bid, out double ask));
        Assert.Equal(299.8, bid, 1e-9);
        Assert.Equal(451.05, ask, 1e-9);
    }

    [Fact]
    public void Levels_beyond_the_cap_are_trimmed_from_the_far_end()
    {
        var book = new LocalOrderBook(Btc, maxLevelsPerSide: 2);
        Assert.Equal(BookApplyResult.Applied, book.Apply(Snapshot(1, [L(100, 1), L(99, 1), L(98, 1)], [L(101, 1), L(102, 1), L(103, 1)])));
        Assert.Equal(2, book.Bids.Count);
        Assert.Equal(99, book.Bids.Level(1).Price);
        Assert.Equal(102, book.Asks.Level(1).Price);
    }

    [Fact]
    public void A_new_snapshot_replaces_everything()
    {
        var book = Seeded();
        Assert.Equal(BookApplyResult.Applied, book.Apply(Snapshot(50, [L(90, 1)], [L(91, 1)])));
        Assert.Equal(1, book.Bids.Count);
        Assert.Equal(1, book.Asks.Count);
        Assert.Equal(50, book.LastUpdateId);
    }

    [Fact]
    public void A_snapshot_copy_lists_the_best_levels_in_order()
    {
        var snapshot = Seeded().ToSnapshot(9, depth: 2);
        Assert.True(snapshot.IsSnapshot);
        Assert.Equal(2, snapshot.Bids.Length);
        Assert.Equal(99.9, snapshot.Bids[1].Price);
        Assert.Equal(100.1, snapshot.Asks[0].Price);
    }
}
