using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Bybit;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Bybit;

/// <summary>Bybit's snapshot/delta book rules with hand-built messages (u = update id).</summary>
public sealed class BybitBookSyncTests
{
    private const string Topic = "orderbook.50.BTCUSDT";

    private static readonly Instrument Btc = new InstrumentRegistry().GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", tickSize: 0.1);

    private readonly List<MarketEvent> _events = [];
    private readonly StreamCounters _counters = new(Topic);

    private static BookLevel L(double price, double quantity) => new(Btc.ToTicks(price), price, quantity);

    private static BookUpdate Snapshot(long u, long time = 1_000, BookLevel[]? bids = null) =>
        new(Btc, time, time, true, u, u, -1, bids ?? [L(100.0, 1), L(99.9, 2)], [L(100.1, 1), L(100.2, 2)]);

    private static BookUpdate Delta(long u, BookLevel[]? bids = null, BookLevel[]? asks = null, long time = 2_000) =>
        new(Btc, time, time, false, u, u, -1, bids ?? [], asks ?? []);

    private BybitBookSync Sync(bool strict = true) => new(Btc, Topic, new Sink(_events), _counters, strict);

    private List<BookUpdate> Published() => [.. _events.Where(e => e.Kind == EventKind.BookUpdate).Select(e => e.AsBookUpdate())];

    [Fact]
    public void A_snapshot_then_consecutive_deltas_are_published_and_applied()
    {
        var sync = Sync();
        sync.OnUpdate(Snapshot(10));
        sync.OnUpdate(Delta(11, bids: [L(99.9, 5)]));
        sync.OnUpdate(Delta(12, asks: [L(100.1, 0)]));

        Assert.Equal([10L, 11L, 12L], Published().Select(u => u.LastUpdateId));
        Assert.Equal(5, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.9)));
        Assert.Equal(100.2, sync.Book.Asks.Level(0).Price);
        Assert.False(sync.ResubscribeWanted);
    }

    [Fact]
    public void Deltas_before_the_first_snapshot_are_dropped_and_counted()
    {
        var sync = Sync();
        sync.OnUpdate(Delta(5));
        sync.OnUpdate(Delta(6));

        Assert.Empty(Published());
        Assert.Equal(2, sync.DeltasWithoutSnapshot);
        Assert.False(sync.IsSynced);
    }

    [Fact]
    public void A_repeated_delta_is_ignored()
    {
        var sync = Sync();
        sync.OnUpdate(Snapshot(10));
        sync.OnUpdate(Delta(11));

        sync.OnUpdate(Delta(11, bids: [L(99.0, 7)]));

        Assert.Equal(2, Published().Count);
        Assert.Equal(0, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.0)));
        Assert.Equal(0, _counters.SequenceGaps);
    }

    [Fact]
    public void A_skipped_update_id_resets_the_book_and_asks_for_a_resubscription_then_the_snapshot_closes_the_gap()
    {
        var sync = Sync();
        sync.OnUpdate(Snapshot(10));
        sync.OnUpdate(Delta(11, time: 2_000));

        sync.OnUpdate(Delta(13, time: 3_000)); // 12 is missing

        Assert.False(sync.IsSynced);
        Assert.True(sync.ResubscribeWanted);
        Assert.Equal(1, _counters.SequenceGaps);
        Assert.Equal(1, _counters.BookResyncs);
        Assert.Equal(ConnectionState.Resyncing, _counters.State);
        var resyncing = _events.Single(e => e.Kind == EventKind.ConnectionStatus).AsConnectionStatus();
        Assert.Equal("sequence gap: u=13 but the previous u was 11", resyncing.Reason);
        sync.OnResubscribed();
        Assert.False(sync.ResubscribeWanted);

        sync.OnUpdate(Snapshot(20, time: 4_000));

        Assert.True(sync.IsSynced);
        var gap = _events.Single(e => e.Kind == EventKind.DataGap).AsDataGap();
        Assert.Equal((2_000L, 4_000L, GapCause.SequenceGap, Topic), (gap.Start, gap.End, gap.Cause, gap.Stream));
        Assert.Equal("book resynced", _events.Last().AsConnectionStatus().Reason);
        Assert.Equal(ConnectionState.Subscribed, _counters.State);
    }

    [Fact]
    public void The_u_1_snapshot_after_a_service_restart_replaces_the_book()
    {
        var sync = Sync();
        sync.OnUpdate(Snapshot(500));
        sync.OnUpdate(Delta(501));

        sync.OnUpdate(Snapshot(1, bids: [L(98.0, 3)]));
        sync.OnUpdate(Delta(2, bids: [L(97.0, 1)]));

        Assert.True(sync.IsSynced);
        Assert.Equal(2, sync.Book.LastUpdateId);
        Assert.Equal(98.0, sync.Book.Bids.Level(0).Price);
        Assert.Equal(2, sync.Book.Bids.Count);
        Assert.Equal(0, _counters.SequenceGaps);
    }

    [Fact]
    public void Without_strict_continuity_an_increasing_jump_is_applied()
    {
        var sync = Sync(strict: false);
        sync.OnUpdate(Snapshot(10));

        sync.OnUpdate(Delta(15, bids: [L(99.9, 4)]));

        Assert.True(sync.IsSynced);
        Assert.Equal(4, sync.Book.Bids.QuantityAt(Btc.ToTicks(99.9)));
    }

    [Fact]
    public void A_crossing_delta_is_not_published_and_forces_a_resync_without_a_sequence_gap()
    {
        var sync = Sync();
        sync.OnUpdate(Snapshot(10));

        sync.OnUpdate(Delta(11, bids: [L(100.5, 1)]));

        Assert.False(sync.IsSynced);
        Assert.True(sync.ResubscribeWanted);
        Assert.Single(Published());
        Assert.Equal(0, _counters.SequenceGaps);
        Assert.Equal(1, _counters.BookResyncs);
        Assert.StartsWith("crossed", _events.Last().AsConnectionStatus().Reason, StringComparison.Ordinal);
    }

    private sealed class Sink(List<MarketEvent> events) : IEventSink
    {
        public void Publish(in MarketEvent e) => events.Add(e);
    }
}
