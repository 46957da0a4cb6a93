using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Binance;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Binance;

/// <summary>
/// The two official Binance local-book procedures, driven with hand-built diffs. Ids follow the
/// examples in ../shared/venues/binance.md §3.3: snapshot lastUpdateId L, diffs U..u (futures pu).
/// </summary>
public sealed class BinanceBookSyncTests
{
    private const string Topic = "btcusdt@depth@100ms";

    private static readonly Instrument Btc = new InstrumentRegistry().GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", tickSize: 0.1);

    private readonly Sink _sink = new();
    private readonly StreamCounters _counters = new(Topic);

    private static BookLevel L(double price, double quantity) => new(Btc.ToTicks(price), price, quantity);

    private static BookUpdate Snapshot(long lastUpdateId, BookLevel[]? bids = null, BookLevel[]? asks = null) =>
        new(Btc, 0, 1_000, true, lastUpdateId, lastUpdateId, -1, bids ?? [L(100.0, 1), L(99.9, 2)], asks ?? [L(100.1, 1), L(100.2, 2)]);

    private static BookUpdate Diff(long first, long last, long previous, BookLevel[]? bids = null, BookLevel[]? asks = null, long time = 2_000) =>
        new(Btc, time, time, false, first, last, previous, bids ?? [], asks ?? []);

    private BinanceBookSync Sync(bool futures, int maxBuffered = 2000) => new(Btc, futures, Topic, _sink, _counters, maxBuffered);

    private List<BookUpdate> Published() => [.. _sink.Events.Where(e => e.Kind == EventKind.BookUpdate).Select(e => e.AsBookUpdate())];

    [Fact]
    public void Futures_snapshot_drops_stale_diffs_applies_the_bracketing_one_and_then_follows_pu()
    {
        var sync = Sync(futures: true);
        sync.OnDiff(Diff(90, 95, 89, bids: [L(50, 9)]));           // u=95 < L=100: stale, dropped
        sync.OnDiff(Diff(96, 102, 95, bids: [L(99.9, 5)]));        // U=96 ≤ 100 ≤ u=102: first
        sync.OnDiff(Diff(103, 105, 102, asks: [L(100.1, 0)]));     // pu=102 == previous u
        Assert.True(sync.SnapshotWanted);
        sync.OnSnapshotRequested();
        Assert.False(sync.SnapshotWanted);

        Assert.True(sync.OnSnapshot(Snapshot(100), time: 3_000));

        Assert.True(sync.IsSynced);
        Assert.Equal(0, sync.Buffered);
        var published = Published();
        Assert.Equal(3, published.Count);
        Assert.True(published[0].IsSnapshot);
        Assert.Equal([102L, 105L], published.Skip(1).Select(u => u.LastUpdateId));
        Assert.Equal(105, sync.Book.LastUpdateId);
        Assert.Equal(5, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.9)));
        Assert.Equal(0, sync.Book.Bids.QuantityAt(Btc.ToTicks(50)));
        Assert.Equal(100.2, sync.Book.Asks.Level(0).Price); // 100.1 deleted
        Assert.Equal(0, _counters.SequenceGaps);
        Assert.Equal(ConnectionState.Subscribed, _counters.State);
    }

    [Fact]
    public void Spot_snapshot_drops_diffs_up_to_L_and_needs_U_at_most_L_plus_one()
    {
        var sync = Sync(futures: false);
        sync.OnDiff(Diff(95, 100, -1, bids: [L(50, 9)]));         // u=100 ≤ L=100: stale
        sync.OnDiff(Diff(101, 104, -1, bids: [L(99.9, 7)]));      // U=101 ≤ L+1 ≤ u=104: first
        sync.OnDiff(Diff(105, 107, -1, bids: [L(99.8, 1)]));      // U == previous u + 1

        Assert.True(sync.OnSnapshot(Snapshot(100), time: 3_000));

        Assert.Equal([100L, 104L, 107L], Published().Select(u => u.LastUpdateId));
        Assert.Equal(7, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.9)));
        Assert.Equal(1, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.8)));
        Assert.Equal(0, sync.Book.Bids.QuantityAt(Btc.ToTicks(50)));
    }

    [Theory]
    [InlineData(true, false)]  // futures needs U ≤ L: a diff starting at L+1 means the snapshot is too old
    [InlineData(false, true)]  // spot needs U ≤ L+1: the same diff is exactly the first event
    public void A_diff_starting_right_after_the_snapshot_is_first_for_spot_but_not_for_futures(bool futures, bool synced)
    {
        var sync = Sync(futures);
        sync.OnDiff(Diff(101, 105, 100));

        Assert.Equal(synced, sync.OnSnapshot(Snapshot(100), time: 3_000));
        Assert.Equal(synced, sync.IsSynced);
    }

    [Fact]
    public void A_snapshot_older_than_the_buffered_stream_keeps_the_diffs_and_asks_for_another()
    {
        var sync = Sync(futures: false);
        sync.OnDiff(Diff(120, 125, -1, bids: [L(99.9, 3)]));
        sync.OnSnapshotRequested();

        Assert.False(sync.OnSnapshot(Snapshot(100), time: 3_000));

        Assert.False(sync.IsSynced);
        Assert.Equal(1, sync.Buffered);
        Assert.Equal(100, sync.LastSnapshotId);
        Assert.True(sync.SnapshotWanted);
        Assert.Empty(Published());
        Assert.Equal(0, _counters.BookResyncs);

        Assert.True(sync.OnSnapshot(Snapshot(122), time: 4_000));
        Assert.Equal(125, sync.Book.LastUpdateId);
        Assert.Equal(3, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.9)));
    }

    [Fact]
    public void Futures_pu_break_resets_the_book_reports_resyncing_and_closes_a_sequence_gap_once_rebuilt()
    {
        var sync = Sync(futures: true);
        sync.OnDiff(Diff(98, 101, 97));
        Assert.True(sync.OnSnapshot(Snapshot(100), time: 3_000));
        sync.OnDiff(Diff(102, 104, 101, time: 4_000));

        sync.OnDiff(Diff(108, 110, 107, bids: [L(99.9, 8)], time: 5_000)); // pu=107, previous u=104

        Assert.False(sync.IsSynced);
        Assert.False(sync.Book.IsSynced);
        Assert.Equal(1, _counters.SequenceGaps);
        Assert.Equal(1, _counters.BookResyncs);
        Assert.Equal(ConnectionState.Resyncing, _counters.State);
        var resyncing = _sink.Events.Single(e => e.Kind == EventKind.ConnectionStatus).AsConnectionStatus();
        Assert.Equal(ConnectionState.Resyncing, resyncing.State);
        Assert.Contains("pu=107 but the previous u was 104", resyncing.Reason, StringComparison.Ordinal);
        Assert.Equal(1, sync.Buffered); // the breaking diff is kept for the next snapshot
        Assert.True(sync.SnapshotWanted);
        Assert.DoesNotContain(Published(), u => u.LastUpdateId == 110);

        Assert.True(sync.OnSnapshot(Snapshot(109), time: 6_000));

        Assert.Equal(8, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.9)));
        var gap = _sink.Events.Single(e => e.Kind == EventKind.DataGap).AsDataGap();
        Assert.Equal(GapCause.SequenceGap, gap.Cause);
        Assert.Equal(Topic, gap.Stream);
        Assert.Same(Btc, gap.Instrument);
        Assert.Equal(4_000, gap.Start); // the last good diff
        Assert.Equal(6_000, gap.End);   // the rebuild
        var last = _sink.Events.Last(e => e.Kind == EventKind.ConnectionStatus).AsConnectionStatus();
        Assert.Equal(ConnectionState.Subscribed, last.State);
        Assert.Equal("book resynced", last.Reason);
        Assert.Equal(ConnectionState.Subscribed, _counters.State);
    }

    [Fact]
    public void Spot_U_skipping_an_id_is_a_gap()
    {
        var sync = Sync(futures: false);
        sync.OnDiff(Diff(101, 103, -1));
        Assert.True(sync.OnSnapshot(Snapshot(100), time: 3_000));

        sync.OnDiff(Diff(105, 106, -1)); // 104 is missing

        Assert.False(sync.IsSynced);
        Assert.Equal(1, _counters.SequenceGaps);
    }

    [Fact]
    public void A_diff_that_crosses_the_book_is_not_published_and_forces_a_resync_without_counting_a_gap()
    {
        var sync = Sync(futures: true);
        sync.OnDiff(Diff(99, 101, 98));
        Assert.True(sync.OnSnapshot(Snapshot(100), time: 3_000));

        sync.OnDiff(Diff(102, 102, 101, bids: [L(100.5, 1)])); // bid 100.5 ≥ ask 100.1

        Assert.False(sync.IsSynced);
        Assert.Equal(0, _counters.SequenceGaps);
        Assert.Equal(1, _counters.BookResyncs);
        Assert.DoesNotContain(Published(), u => u.LastUpdateId == 102);
        Assert.Contains("crossed", _sink.Events.Last().AsConnectionStatus().Reason, StringComparison.Ordinal);
        Assert.Equal(0, sync.Buffered); // the bad diff is not kept
    }

    [Fact]
    public void A_negative_size_in_the_snapshot_is_rejected_and_another_snapshot_is_needed()
    {
        var sync = Sync(futures: true);
        sync.OnDiff(Diff(99, 101, 98));

        Assert.False(sync.OnSnapshot(Snapshot(100, bids: [L(100, -1)]), time: 3_000));

        Assert.False(sync.IsSynced);
        Assert.Empty(Published());
        Assert.Equal(1, _counters.BookResyncs);
        Assert.Contains("invalid level", _sink.Events.Last().AsConnectionStatus().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_diffs_after_sync_are_ignored()
    {
        var sync = Sync(futures: true);
        sync.OnDiff(Diff(99, 101, 98));
        Assert.True(sync.OnSnapshot(Snapshot(100), time: 3_000));
        sync.OnDiff(Diff(102, 103, 101));

        sync.OnDiff(Diff(102, 103, 101));

        Assert.True(sync.IsSynced);
        Assert.Equal(3, Published().Count);
        Assert.Equal(0, _counters.SequenceGaps);
    }

    [Fact]
    public void Without_a_snapshot_the_buffer_keeps_the_newest_diffs_within_its_bound()
    {
        var sync = Sync(futures: true, maxBuffered: 4);
        for (long id = 1; id <= 5; id++)
        {
            sync.OnDiff(Diff(id, id, id - 1));
        }

        Assert.Equal(3, sync.Buffered); // at 4 the oldest two went, then the fifth was added

        Assert.True(sync.OnSnapshot(Snapshot(3), time: 3_000));
        Assert.Equal(5, sync.Book.LastUpdateId);
    }

    [Fact]
    public void Reset_drops_the_book_and_the_buffer()
    {
        var sync = Sync(futures: true);
        sync.OnDiff(Diff(99, 101, 98));
        Assert.True(sync.OnSnapshot(Snapshot(100), time: 3_000));

        sync.Reset();

        Assert.False(sync.IsSynced);
        Assert.False(sync.Book.IsSynced);
        Assert.Equal(0, sync.Buffered);
        Assert.False(sync.SnapshotWanted);
        Assert.Equal(-1, sync.LastSnapshotId);
    }

    private sealed class Sink : IEventSink
    {
        public List<MarketEvent> Events { get; } = [];

        public void Publish(in MarketEvent e) => Events.Add(e);
    }
}
