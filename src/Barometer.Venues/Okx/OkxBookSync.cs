using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Books;
using Barometer.Venues.Common;

namespace Barometer.Venues.Okx;

/// <summary>How an OKX incremental book is seeded (../shared/venues/okx.md §3.3).</summary>
public enum OkxBookSeeding : byte
{
    /// <summary>
    /// From REST GET /api/v5/market/books (has seqId): OKX's procedure after it removed the initial
    /// WebSocket snapshot (announced for early August 2026). WebSocket "snapshot" messages are ignored.
    /// Works whether or not the WebSocket snapshot is still sent.
    /// </summary>
    RestSnapshot = 0,

    /// <summary>From the WebSocket <c>action:"snapshot"</c> message (the pre-2026 procedure and recorded data); a resubscribe gets a new one.</summary>
    WebSocketSnapshot = 1,
}

/// <summary>
/// Keeps one OKX local order book (books, books-l2-tbt, books50-l2-tbt) consistent with OKX's
/// sequence rules: every update's prevSeqId must equal the previous message's seqId (increments
/// are not +1; a maintenance reset may bring seqId &lt; prevSeqId and is still continuous; a
/// keep-alive has prevSeqId == seqId and no levels). Seeding follows <see cref="Seeding"/>:
/// REST: buffer updates, ask for a REST snapshot (<see cref="SeedWanted"/>); a snapshot older than
/// the first buffered prevSeqId is fetched again; buffered updates with seqId ≤ snapshot seqId are
/// dropped; the first kept one must satisfy prevSeqId ≤ snapshot seqId &lt; seqId. WebSocket: an
/// <c>action:"snapshot"</c> message resets the book. On a break (or an invalid or crossed book)
/// the book is reset, Resyncing is published, and <see cref="SeedWanted"/> tells the owner to
/// fetch a REST snapshot (REST mode) or to resubscribe (WebSocket mode). A non-zero checksum is
/// verified after each message (<see cref="OkxChecksum"/>, original level texts kept here); a
/// mismatch resyncs with <see cref="GapCause.ChecksumMismatch"/>. Once rebuilt, a closed
/// <see cref="DataGap"/> covers the time the book was unusable. Only consistent book events are
/// published (keep-alives are not). Pure state, no I/O, no clock: owned by the connection's task.
/// </summary>
public sealed class OkxBookSync
{
    private readonly List<OkxBookMessage> _buffer = [];
    private readonly LocalOrderBook _book;
    private readonly Dictionary<long, string> _bidText = [];
    private readonly Dictionary<long, string> _askText = [];
    private readonly IEventSink _sink;
    private readonly StreamCounters _counters;
    private readonly VenueId _venue;
    private readonly string _topic;
    private readonly int _maxBuffered;
    private bool _synced;
    private bool _awaitFirst;
    private bool _seedRequested;
    private long _lastSeqId = -1;
    private long _gapStart;
    private GapCause _gapCause;
    private string _gapDetail = string.Empty;
    private long _lastAppliedTime;

    /// <summary>Creates the sync of one instrument's incremental book channel.</summary>
    /// <param name="instrument">The instrument (swap: ContractMultiplier = ctVal × ctMult).</param>
    /// <param name="topic">Stream name (e.g. "books:BTC-USDT-SWAP") for status and gap events.</param>
    /// <param name="sink">Where book events, statuses and gaps go.</param>
    /// <param name="counters">The stream's counters (sequence gaps, resyncs).</param>
    /// <param name="seeding">REST (default) or WebSocket snapshot seeding.</param>
    /// <param name="maxBuffered">Updates buffered while waiting for a seed; the oldest half is dropped beyond it.</param>
    public OkxBookSync(Instrument instrument, string topic, IEventSink sink, StreamCounters counters,
        OkxBookSeeding seeding = OkxBookSeeding.RestSnapshot, int maxBuffered = 2000)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuffered, 2);
        _book = new LocalOrderBook(instrument);
        _venue = instrument.Venue;
        _topic = topic;
        _sink = sink;
        _counters = counters;
        Seeding = seeding;
        _maxBuffered = maxBuffered;
    }

    /// <summary>How the book is seeded.</summary>
    public OkxBookSeeding Seeding { get; }

    /// <summary>The local book (only meaningful while <see cref="IsSynced"/>).</summary>
    public LocalOrderBook Book => _book;

    /// <summary>The instrument.</summary>
    public Instrument Instrument => _book.Instrument;

    /// <summary>True once seeded, until a break or reset.</summary>
    public bool IsSynced => _synced;

    /// <summary>seqId of the last message applied (−1 before any).</summary>
    public long LastSeqId => _lastSeqId;

    /// <summary>Updates waiting for a REST seed.</summary>
    public int Buffered => _buffer.Count;

    /// <summary>
    /// True when the owner should act now: REST mode — fetch GET /api/v5/market/books?instId=…&amp;sz=400
    /// and pass it to <see cref="OnRestSnapshot"/> (updates are buffered, none in flight);
    /// WebSocket mode — unsubscribe and subscribe the channel again for a new snapshot.
    /// Call <see cref="OnSeedRequested"/> when doing so.
    /// </summary>
    public bool SeedWanted => !_synced && !_seedRequested && (Seeding == OkxBookSeeding.WebSocketSnapshot ? _gapStart != 0 : _buffer.Count > 0);

    /// <summary>The owner started a REST request or a resubscribe.</summary>
    public void OnSeedRequested() => _seedRequested = true;

    /// <summary>The REST request or resubscribe failed; <see cref="SeedWanted"/> asks again.</summary>
    public void OnSeedFailed() => _seedRequested = false;

    /// <summary>A new connection: the book is dropped (the disconnect is reported by the connection, so no gap opens here).</summary>
    public void Reset()
    {
        ClearBook();
        _buffer.Clear();
        _synced = false;
        _awaitFirst = false;
        _seedRequested = false;
        _gapStart = 0;
    }

    /// <summary>One parsed WebSocket book message (<see cref="OkxNormalizer.TryParseBookMessage"/>), in arrival order.</summary>
    public void OnMessage(in OkxBookMessage message)
    {
        if (message.SnapshotAction)
        {
            if (Seeding == OkxBookSeeding.WebSocketSnapshot)
            {
                Seed(message, message.Update.ReceiveTime);
            }

            // REST mode: "ignore the first event received (action is snapshot)" — OKX's new procedure.
            return;
        }

        if (_synced)
        {
            ApplyLive(message);
            return;
        }

        if (Seeding == OkxBookSeeding.WebSocketSnapshot)
        {
            return; // nothing to match an update against until the next snapshot
        }

        if (_buffer.Count >= _maxBuffered)
        {
            _buffer.RemoveRange(0, _buffer.Count / 2);
        }

        _buffer.Add(message);
    }

    /// <summary>
    /// A REST snapshot arrived (<see cref="OkxRest.TryParseBooks"/>, with keepText for checksums).
    /// Applies it with the buffered updates, or, when it is older than the buffered stream, keeps the
    /// updates and asks for another one. Returns true when the book is synced afterwards.
    /// </summary>
    public bool OnRestSnapshot(in OkxBookMessage snapshot, long time)
    {
        _seedRequested = false;
        if (_synced)
        {
            return true;
        }

        long seq = snapshot.SeqId;
        if (_buffer.Count > 0 && seq < _buffer[0].PrevSeqId)
        {
            return false; // step 4: snapshot older than the stream start — fetch again
        }

        int first = 0;
        while (first < _buffer.Count && _buffer[first].SeqId <= seq)
        {
            first++; // step 5
        }

        if (first < _buffer.Count && !(_buffer[first].PrevSeqId <= seq && seq < _buffer[first].SeqId))
        {
            _buffer.RemoveRange(0, first);
            return false; // step 6 fails: a hole between snapshot and stream — fetch again
        }

        var pending = _buffer.GetRange(first, _buffer.Count - first);
        _buffer.Clear();
        if (!Seed(snapshot, time))
        {
            return false;
        }

        _awaitFirst = true;
        foreach (var m in pending)
        {
            if (!_synced)
            {
                break;
            }

            ApplyLive(m);
        }

        return _synced;
    }

    private bool Seed(in OkxBookMessage snapshot, long time)
    {
        ClearBook();
        var result = _book.Apply(snapshot.Update);
        if (result != BookApplyResult.Applied)
        {
            BeginResync(time, "snapshot rejected: " + Describe(result), GapCause.SequenceGap, countGap: false);
            return false;
        }

        SetTexts(snapshot);
        if (!ChecksumOk(snapshot, out string detail))
        {
            BeginResync(time, detail, GapCause.ChecksumMismatch, countGap: false);
            return false;
        }

        _synced = true;
        _awaitFirst = false;
        _lastSeqId = snapshot.SeqId;
        _lastAppliedTime = time;
        _sink.Publish(MarketEvent.From(snapshot.Update));
        _counters.State = ConnectionState.Subscribed;
        if (_gapStart != 0)
        {
            _sink.Publish(MarketEvent.From(new DataGap(_venue, _book.Instrument, _topic, _gapStart, time, _gapCause, _gapDetail)));
            _sink.Publish(MarketEvent.From(new ConnectionStatus(_venue, _book.Instrument, _topic, time, ConnectionState.Subscribed, "book resynced")));
            _gapStart = 0;
        }

        return true;
    }

    private void ApplyLive(in OkxBookMessage m)
    {
        if (m.HasSeqId)
        {
            if (_awaitFirst)
            {
                if (m.SeqId <= _lastSeqId && m.PrevSeqId <= m.SeqId)
                {
                    return; // already covered by the REST snapshot
                }

                if (!(m.PrevSeqId <= _lastSeqId && _lastSeqId < m.SeqId))
                {
                    Gap(m, $"first update prevSeqId={m.PrevSeqId} seqId={m.SeqId} does not follow snapshot seqId={_lastSeqId}");
                    return;
                }
            }
            else if (m.PrevSeqId != _lastSeqId)
            {
                Gap(m, $"prevSeqId={m.PrevSeqId} but the previous seqId was {_lastSeqId}");
                return;
            }

            if (m.IsHeartbeat)
            {
                _awaitFirst = false;
                _lastAppliedTime = m.Update.ReceiveTime;
                return;
            }
        }

        var result = _book.Apply(m.Update);
        if (result != BookApplyResult.Applied)
        {
            _buffer.Clear();
            BeginResync(m.Update.ReceiveTime, Describe(result), GapCause.SequenceGap, countGap: false);
            return;
        }

        SetTexts(m);
        if (!ChecksumOk(m, out string detail))
        {
            _buffer.Clear();
            BeginResync(m.Update.ReceiveTime, detail, GapCause.ChecksumMismatch, countGap: false);
            return;
        }

        _awaitFirst = false;
        if (m.HasSeqId)
        {
            _lastSeqId = m.SeqId;
        }

        _lastAppliedTime = m.Update.ReceiveTime;
        _sink.Publish(MarketEvent.From(m.Update));
    }

    private bool ChecksumOk(in OkxBookMessage m, out string detail)
    {
        detail = string.Empty;
        if (!OkxChecksum.ShouldVerify(m.Checksum))
        {
            return true;
        }

        int expected = unchecked((int)m.Checksum);
        int actual = ComputeChecksum();
        if (actual == expected)
        {
            return true;
        }

        detail = $"checksum mismatch: venue {expected}, local {actual} at seqId {m.SeqId}";
        return false;
    }

    /// <summary>The checksum of the current local book (top 25 per side, original texts).</summary>
    public int ComputeChecksum()
    {
        var bids = _book.Bids;
        var asks = _book.Asks;
        return OkxChecksum.Compute(bids.Count, i => Text(_bidText, bids.Level(i).Ticks), asks.Count, i => Text(_askText, asks.Level(i).Ticks));
    }

    private static string Text(Dictionary<long, string> texts, long ticks) => texts.TryGetValue(ticks, out var t) ? t : string.Empty;

    private void SetTexts(in OkxBookMessage m)
    {
        if (m.Update.IsSnapshot)
        {
            _bidText.Clear();
            _askText.Clear();
        }

        SetSide(_bidText, m.Update.Bids, m.BidText);
        SetSide(_askText, m.Update.Asks, m.AskText);
    }

    private static void SetSide(Dictionary<long, string> texts, BookLevel[] levels, string[]? text)
    {
        if (text is null || text.Length != levels.Length)
        {
            return;
        }

        for (int i = 0; i < levels.Length; i++)
        {
            if (levels[i].Quantity == 0)
            {
                texts.Remove(levels[i].PriceTicks);
            }
            else
            {
                texts[levels[i].PriceTicks] = text[i];
            }
        }
    }

    private void ClearBook()
    {
        _book.Reset();
        _bidText.Clear();
        _askText.Clear();
        _lastSeqId = -1;
    }

    private void Gap(in OkxBookMessage m, string detail)
    {
        _buffer.Clear();
        if (Seeding == OkxBookSeeding.RestSnapshot)
        {
            _buffer.Add(m); // newer than the book: the REST snapshot is checked against it
        }

        BeginResync(m.Update.ReceiveTime, "sequence gap: " + detail, GapCause.SequenceGap, countGap: true);
    }

    private void BeginResync(long time, string detail, GapCause cause, bool countGap)
    {
        if (countGap)
        {
            _counters.OnSequenceGap();
        }

        _counters.OnBookResync();
        ClearBook();
        _synced = false;
        _awaitFirst = false;
        _seedRequested = false;
        if (_gapStart == 0)
        {
            _gapStart = _lastAppliedTime != 0 ? _lastAppliedTime : time;
            _gapCause = cause;
            _gapDetail = detail;
        }

        _counters.State = ConnectionState.Resyncing;
        _sink.Publish(MarketEvent.From(new ConnectionStatus(_venue, _book.Instrument, _topic, time, ConnectionState.Resyncing, detail)));
    }

    private static string Describe(BookApplyResult result) => result switch
    {
        BookApplyResult.Crossed => "crossed book (best bid >= best ask)",
        BookApplyResult.InvalidLevel => "invalid level (negative, NaN or infinite size, or bad price)",
        _ => result.ToString(),
    };
}
