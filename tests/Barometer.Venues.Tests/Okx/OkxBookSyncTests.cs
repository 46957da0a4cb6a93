using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Common;
using Barometer.Venues.Okx;

namespace Barometer.Venues.Tests.Okx;

public sealed class OkxBookSyncTests
{
    private const string Topic = "books:BTC-USDT";

    private readonly InstrumentRegistry _registry = new();
    private readonly OkxListSink _sink = new();
    private readonly StreamCounters _counters = new(Topic);

    [Fact]
    public void Official_checksum_examples_give_the_documented_values()
    {
        // Bids [["3366.1","7","0","3"],["3366","6","3","4"]], asks [["3366.8","9","10","3"],["3368","8","3","4"]].
        string one = OkxChecksum.BuildString(["3366.1:7", "3366:6"], ["3366.8:9", "3368:8"]);
        Assert.Equal("3366.1:7:3366.8:9:3366:6:3368:8", one);
        Assert.Equal(-1881014294, OkxChecksum.Crc32(one));
        Assert.Equal(-1881014294, OkxChecksum.Compute(["3366.1:7", "3366:6"], ["3366.8:9", "3368:8"]));

        // One bid, three asks: the remaining asks follow.
        string two = OkxChecksum.BuildString(["3366.1:7"], ["3366.8:9", "3368:8", "3372:8"]);
        Assert.Equal("3366.1:7:3366.8:9:3368:8:3372:8", two);
        Assert.Equal(831078360, OkxChecksum.Compute(["3366.1:7"], ["3366.8:9", "3368:8", "3372:8"]));
        Assert.False(OkxChecksum.ShouldVerify(0));
    }

    [Theory]
    [InlineData("swap-books-l2-tbt.ndjson", VenueId.OkxSwap, 1)]
    [InlineData("spot-books-l2-tbt.ndjson", VenueId.OkxSpot, 6)]
    public void Recorded_books_verify_every_checksum_without_a_resync(string file, VenueId venue, int instruments)
    {
        // One sync per instrument (the spot file interleaves six, with prices down to 9 decimals in BTC).
        var normalizer = new OkxNormalizer(venue, _registry, OkxInstruments.FromFile(OkxTestData.Path("test-instruments.json")));
        var syncs = new Dictionary<string, OkxBookSync>();
        int lines = 0;
        foreach (var line in File.ReadLines(OkxTestData.Path(file)))
        {
            lines++;
            Assert.True(normalizer.TryParseBookMessage(Encoding.UTF8.GetBytes(line), lines, out var message, out var result), $"line {lines}: {result}");
            Assert.NotEqual(0, message.Checksum);
            var symbol = message.Update.Instrument.VenueSymbol;
            if (!syncs.TryGetValue(symbol, out var sync))
            {
                syncs[symbol] = sync = new OkxBookSync(message.Update.Instrument, "books-l2-tbt:" + symbol, _sink, _counters, OkxBookSeeding.WebSocketSnapshot);
            }

            sync.OnMessage(message);
            Assert.True(sync.IsSynced, $"line {lines} ({symbol})");
        }

        Assert.Equal(instruments, syncs.Count);
        Assert.Equal(lines, _sink.OfKind(EventKind.BookUpdate).Count());
        Assert.Empty(_sink.OfKind(EventKind.ConnectionStatus));
        Assert.Equal(0, _counters.BookResyncs);
    }

    [Fact]
    public void A_wrong_level_is_caught_by_the_checksum_and_resyncs_as_checksum_mismatch()
    {
        var normalizer = new OkxNormalizer(VenueId.OkxSwap, _registry, OkxInstruments.FromFile(OkxTestData.Path("test-instruments.json")));
        var lines = File.ReadAllLines(OkxTestData.Path("swap-books-l2-tbt.ndjson"));
        Assert.True(normalizer.TryParseBookMessage(Encoding.UTF8.GetBytes(lines[0]), 1, out var snapshot, out _));
        var sync = new OkxBookSync(snapshot.Update.Instrument, Topic, _sink, _counters, OkxBookSeeding.WebSocketSnapshot);
        sync.OnMessage(snapshot);
        // The best ask of the snapshot is "196.11","103": change its size in the next update.
        var tampered = lines[1].Replace("\"asks\":[", "\"asks\":[[\"196.11\",\"104\",\"0\",\"2\"],", StringComparison.Ordinal);
        Assert.True(normalizer.TryParseBookMessage(Encoding.UTF8.GetBytes(tampered), 2, out var bad, out _));
        sync.OnMessage(bad);

        Assert.False(sync.IsSynced);
        Assert.True(sync.SeedWanted); // WebSocket mode: resubscribe
        var status = _sink.OfKind(EventKind.ConnectionStatus).Single().AsConnectionStatus();
        Assert.Equal(ConnectionState.Resyncing, status.State);
        Assert.StartsWith("checksum mismatch", status.Reason, StringComparison.Ordinal);

        sync.OnSeedRequested();
        sync.OnMessage(snapshot with { Update = snapshot.Update with { ReceiveTime = 3 } });
        Assert.True(sync.IsSynced);
        var gap = _sink.OfKind(EventKind.DataGap).Single().AsDataGap();
        Assert.Equal(GapCause.ChecksumMismatch, gap.Cause);
        Assert.Equal(3, gap.End);
    }

    [Fact]
    public void Official_sequence_chain_with_heartbeat_and_maintenance_reset_is_continuous()
    {
        var sync = NewSync(OkxBookSeeding.WebSocketSnapshot);
        sync.OnMessage(Msg(snapshot: true, prev: -1, seq: 10, bids: [("100", "1")], asks: [("101", "1")]));
        sync.OnMessage(Msg(prev: 10, seq: 15, bids: [("100", "2")]));
        sync.OnMessage(Msg(prev: 15, seq: 15)); // heartbeat
        sync.OnMessage(Msg(prev: 15, seq: 3, asks: [("101", "3")])); // maintenance reset: seqId < prevSeqId
        sync.OnMessage(Msg(prev: 3, seq: 5, asks: [("102", "1")]));

        Assert.True(sync.IsSynced);
        Assert.Equal(5, sync.LastSeqId);
        Assert.Equal(4, _sink.OfKind(EventKind.BookUpdate).Count()); // heartbeat not published
        Assert.Equal(2, sync.Book.Bids.BestQuantity);
        Assert.Equal(3, sync.Book.Asks.BestQuantity);
        Assert.Empty(_sink.OfKind(EventKind.ConnectionStatus));
    }

    [Fact]
    public void Rest_seeding_ignores_the_ws_snapshot_buffers_and_applies_from_the_rest_seqId()
    {
        var sync = NewSync(OkxBookSeeding.RestSnapshot);
        sync.OnMessage(Msg(snapshot: true, prev: -1, seq: 8, bids: [("90", "9")], asks: [("91", "9")])); // ignored
        Assert.False(sync.IsSynced);
        Assert.False(sync.SeedWanted);

        sync.OnMessage(Msg(prev: 10, seq: 15, bids: [("100", "2")]));
        sync.OnMessage(Msg(prev: 15, seq: 20, asks: [("101", "4")]));
        Assert.True(sync.SeedWanted);
        sync.OnSeedRequested();
        Assert.False(sync.SeedWanted);

        // A snapshot older than the first buffered prevSeqId: fetch again (step 4).
        Assert.False(sync.OnRestSnapshot(Msg(snapshot: true, prev: -1, seq: 9, bids: [("100", "1")], asks: [("101", "1")]), 1));
        Assert.True(sync.SeedWanted);

        // seqId 12: prevSeqId 10 ≤ 12 < 15 — the first buffered update applies on top of it.
        Assert.True(sync.OnRestSnapshot(Msg(snapshot: true, prev: -1, seq: 12, bids: [("100", "1")], asks: [("101", "1")]), 2));
        Assert.True(sync.IsSynced);
        Assert.Equal(20, sync.LastSeqId);
        Assert.Equal(2, sync.Book.Bids.BestQuantity);
        Assert.Equal(4, sync.Book.Asks.BestQuantity);
        var books = _sink.OfKind(EventKind.BookUpdate).Select(e => e.AsBookUpdate()).ToList();
        Assert.Equal(3, books.Count);
        Assert.True(books[0].IsSnapshot);
        Assert.Equal(12, books[0].LastUpdateId);
    }

    [Fact]
    public void Rest_snapshot_newer_than_buffer_drops_covered_updates_and_checks_the_first_live_one()
    {
        var sync = NewSync(OkxBookSeeding.RestSnapshot);
        sync.OnMessage(Msg(prev: 10, seq: 15, bids: [("100", "2")]));
        Assert.True(sync.OnRestSnapshot(Msg(snapshot: true, prev: -1, seq: 17, bids: [("100", "5")], asks: [("101", "1")]), 1));
        sync.OnMessage(Msg(prev: 15, seq: 19, asks: [("101", "6")])); // 15 ≤ 17 < 19
        Assert.True(sync.IsSynced);
        Assert.Equal(5, sync.Book.Bids.BestQuantity); // the update at 15 was covered by the snapshot
        Assert.Equal(6, sync.Book.Asks.BestQuantity);
        Assert.Equal(19, sync.LastSeqId);
    }

    [Fact]
    public void A_sequence_break_resyncs_asks_for_a_rest_seed_and_closes_a_gap_when_rebuilt()
    {
        var sync = NewSync(OkxBookSeeding.RestSnapshot);
        sync.OnMessage(Msg(prev: 1, seq: 2, time: 100));
        Assert.True(sync.OnRestSnapshot(Msg(snapshot: true, prev: -1, seq: 1, bids: [("100", "1")], asks: [("101", "1")], time: 100), 100));
        sync.OnMessage(Msg(prev: 2, seq: 3, bids: [("99", "1")], time: 200));
        sync.OnMessage(Msg(prev: 5, seq: 7, bids: [("98", "1")], time: 300)); // expected prevSeqId 3

        Assert.False(sync.IsSynced);
        Assert.Equal(1, _counters.SequenceGaps);
        var status = _sink.OfKind(EventKind.ConnectionStatus).Single().AsConnectionStatus();
        Assert.Equal(ConnectionState.Resyncing, status.State);
        Assert.Contains("prevSeqId=5 but the previous seqId was 3", status.Reason, StringComparison.Ordinal);
        Assert.True(sync.SeedWanted);
        int published = _sink.OfKind(EventKind.BookUpdate).Count();

        sync.OnMessage(Msg(prev: 7, seq: 8, bids: [("97", "1")], time: 400));
        Assert.Equal(published, _sink.OfKind(EventKind.BookUpdate).Count()); // nothing published while resyncing
        Assert.True(sync.OnRestSnapshot(Msg(snapshot: true, prev: -1, seq: 7, bids: [("100", "1")], asks: [("101", "1")], time: 500), 500));
        Assert.True(sync.IsSynced);
        Assert.Equal(8, sync.LastSeqId);
        var gap = _sink.OfKind(EventKind.DataGap).Single().AsDataGap();
        Assert.Equal(GapCause.SequenceGap, gap.Cause);
        Assert.Equal(200, gap.Start);
        Assert.Equal(500, gap.End);
    }

    [Fact]
    public void A_crossed_book_resyncs()
    {
        var sync = NewSync(OkxBookSeeding.WebSocketSnapshot);
        sync.OnMessage(Msg(snapshot: true, prev: -1, seq: 1, bids: [("100", "1")], asks: [("101", "1")]));
        sync.OnMessage(Msg(prev: 1, seq: 2, bids: [("102", "1")]));

        Assert.False(sync.IsSynced);
        Assert.Contains("crossed", _sink.OfKind(EventKind.ConnectionStatus).Single().AsConnectionStatus().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_checksum_is_not_verified_and_non_zero_is()
    {
        var sync = NewSync(OkxBookSeeding.WebSocketSnapshot);
        sync.OnMessage(Msg(snapshot: true, prev: -1, seq: 1, bids: [("3366.1", "7"), ("3366", "6")], asks: [("3366.8", "9"), ("3368", "8")], checksum: -1881014294));
        Assert.True(sync.IsSynced);
        Assert.Equal(-1881014294, sync.ComputeChecksum());
        sync.OnMessage(Msg(prev: 1, seq: 2, bids: [("3366", "0")], asks: [("3372", "8")], checksum: 831078360));
        Assert.True(sync.IsSynced);
        sync.OnMessage(Msg(prev: 2, seq: 3, bids: [("3365", "1")], checksum: 0)); // deprecated field: not checked
        Assert.True(sync.IsSynced);
        sync.OnMessage(Msg(prev: 3, seq: 4, bids: [("3364", "1")], checksum: 12345));
        Assert.False(sync.IsSynced);
    }

    private OkxBookSync NewSync(OkxBookSeeding seeding) =>
        new(_registry.GetOrAdd(VenueId.OkxSpot, "BTC", "USDT", "BTC-USDT", 1, 0.1), Topic, _sink, _counters, seeding);

    private OkxBookMessage Msg(long prev, long seq, (string Px, string Sz)[]? bids = null, (string Px, string Sz)[]? asks = null,
        bool snapshot = false, long checksum = 0, long time = 1)
    {
        var instrument = _registry.GetOrAdd(VenueId.OkxSpot, "BTC", "USDT", "BTC-USDT", 1, 0.1);
        static BookLevel[] Levels(Instrument i, (string Px, string Sz)[] l) =>
            l.Select(x => new BookLevel(i.ToTicks(double.Parse(x.Px, System.Globalization.CultureInfo.InvariantCulture)),
                double.Parse(x.Px, System.Globalization.CultureInfo.InvariantCulture), double.Parse(x.Sz, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        bids ??= [];
        asks ??= [];
        var update = new BookUpdate(instrument, time, time, snapshot, seq, seq, prev, Levels(instrument, bids), Levels(instrument, asks));
        return new OkxBookMessage(update, snapshot, true, checksum, bids.Select(b => b.Px + ":" + b.Sz).ToArray(), asks.Select(a => a.Px + ":" + a.Sz).ToArray());
    }
}
