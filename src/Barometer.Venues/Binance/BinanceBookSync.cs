using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Books;
using Barometer.Venues.Common;

namespace Barometer.Venues.Binance;

/// <summary>
/// Keeps one Binance local order book in sync with Binance's official "How to manage a local
/// order book correctly" procedures, which differ between USD-M futures and spot
/// (../shared/venues/binance.md §3.3):
/// <list type="table">
/// <item><term>stale events</term><description>futures drop u &lt; lastUpdateId; spot drop u ≤ lastUpdateId</description></item>
/// <item><term>first event</term><description>futures U ≤ lastUpdateId ≤ u; spot U ≤ lastUpdateId + 1 ≤ u, and a
/// snapshot older than the first buffered U is fetched again</description></item>
/// <item><term>continuity</term><description>futures pu == previous u; spot U == previous u + 1</description></item>
/// </list>
/// Diffs are buffered until a REST snapshot arrives (the owner fetches it when
/// <see cref="SnapshotWanted"/>). A continuity break, an invalid level or a crossed book resets
/// the book, reports Resyncing (consumers never see a corrupt book), buffers again and asks for a
/// new snapshot; once rebuilt, a closed DataGap(SequenceGap) covers the time the book was unusable.
/// Applied diffs and snapshots are published to the sink as BookUpdate events. Pure state, no I/O,
/// no clock: owned by the connection's task.
/// </summary>
public sealed class BinanceBookSync
{
    private readonly List<BookUpdate> _buffer = [];
    private readonly LocalOrderBook _book;
    private readonly IEventSink _sink;
    private readonly StreamCounters _counters;
    private readonly VenueId _venue;
    private readonly string _topic;
    private readonly bool _futures;
    private readonly int _maxBuffered;
    private bool _synced;
    private bool _awaitFirst;
    private bool _snapshotRequested;
    private long _gapStart;
    private string _gapDetail = string.Empty;
    private long _lastAppliedTime;
    private long _lastSnapshotId = -1;

    /// <summary>Creates the sync of one instrument's depth stream.</summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="futures">True: USD-M rules; false: spot rules.</param>
    /// <param name="topic">Stream name (e.g. "btcusdt@depth@100ms") for status and gap events.</param>
    /// <param name="sink">Where book events, statuses and gaps go.</param>
    /// <param name="counters">The stream's counters (sequence gaps, resyncs).</param>
    /// <param name="maxBuffered">Diffs buffered while waiting for a snapshot; the oldest half is dropped beyond it.</param>
    public BinanceBookSync(Instrument instrument, bool futures, string topic, IEventSink sink, StreamCounters counters, int maxBuffered = 2000)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuffered, 2);
        _book = new LocalOrderBook(instrument);
        _venue = instrument.Venue;
        _futures = futures;
        _topic = topic;
        _sink = sink;
        _counters = counters;
        _maxBuffered = maxBuffered;
    }

    /// <summary>The local book (only meaningful while <see cref="IsSynced"/>).</summary>
    public LocalOrderBook Book => _book;

    /// <summary>The instrument.</summary>
    public Instrument Instrument => _book.Instrument;

    /// <summary>True once a snapshot and the buffered diffs were applied, until a gap or reset.</summary>
    public bool IsSynced => _synced;

    /// <summary>Diffs waiting for a snapshot.</summary>
    public int Buffered => _buffer.Count;

    /// <summary>True when the owner should fetch a REST snapshot now (diffs are buffered and none is in flight).</summary>
    public bool SnapshotWanted => !_synced && !_snapshotRequested && _buffer.Count > 0;

    /// <summary>The owner started a snapshot request.</summary>
    public void OnSnapshotRequested() => _snapshotRequested = true;

    /// <summary>The snapshot request failed; the next diff asks again.</summary>
    public void OnSnapshotFailed() => _snapshotRequested = false;

    /// <summary>
    /// A new connection: the book is dropped and rebuilt from a fresh snapshot. The disconnect
    /// itself is reported by the connection, so no gap is opened here.
    /// </summary>
    public void Reset()
    {
        _book.Reset();
        _buffer.Clear();
        _synced = false;
        _awaitFirst = false;
        _snapshotRequested = false;
        _gapStart = 0;
        _lastSnapshotId = -1;
    }

    /// <summary>One parsed depth diff, in arrival order.</summary>
    public void OnDiff(in BookUpdate diff)
    {
        if (_synced)
        {
            ApplyLive(diff);
            return;
        }

        if (_buffer.Count >= _maxBuffered)
        {
            // The snapshot is not coming (REST down): keep the newest half; a snapshot older than
            // what remains is detected and fetched again.
            _buffer.RemoveRange(0, _buffer.Count / 2);
        }

        _buffer.Add(diff);
    }

    /// <summary>
    /// A REST snapshot arrived (<see cref="BinanceRest.TryParseDepthSnapshot"/>). Applies it with
    /// the buffered diffs, or, when it is older than the buffered stream, asks for another one.
    /// Returns true when the book is synced afterwards.
    /// </summary>
    public bool OnSnapshot(in BookUpdate snapshot, long time)
    {
        _snapshotRequested = false;
        if (_synced)
        {
            return true;
        }

        long last = snapshot.LastUpdateId;
        int first = 0;
        while (first < _buffer.Count && IsStale(_buffer[first], last))
        {
            first++;
        }

        if (first < _buffer.Count && !Brackets(_buffer[first], last))
        {
            // The snapshot predates the buffered diffs (the first kept diff starts after it): fetch
            // again, keeping the diffs (step 4 of the spot procedure; the futures first-event rule).
            _buffer.RemoveRange(0, first);
            _lastSnapshotId = last;
            return false;
        }

        var result = _book.Apply(snapshot);
        if (result != BookApplyResult.Applied)
        {
            _buffer.Clear();
            BeginResync(time, "REST snapshot rejected: " + Describe(result), countGap: false);
            return false;
        }

        _synced = true;
        _awaitFirst = true;
        _lastAppliedTime = time;
        _lastSnapshotId = last;
        _sink.Publish(MarketEvent.From(snapshot));
        for (int i = first; i < _buffer.Count && _synced; i++)
        {
            ApplyLive(_buffer[i]);
        }

        _buffer.Clear();
        if (_synced)
        {
            _counters.State = ConnectionState.Subscribed;
        }

        if (_synced && _gapStart != 0)
        {
            _sink.Publish(MarketEvent.From(new DataGap(_venue, _book.Instrument, _topic, _gapStart, time, GapCause.SequenceGap, _gapDetail)));
            _sink.Publish(MarketEvent.From(new ConnectionStatus(_venue, _book.Instrument, _topic, time, ConnectionState.Subscribed, "book resynced")));
            _gapStart = 0;
        }

        return _synced;
    }

    /// <summary>Last snapshot id seen (applied or found too old), -1 before any.</summary>
    public long LastSnapshotId => _lastSnapshotId;

    private bool IsStale(in BookUpdate diff, long last) =>
        _futures ? diff.LastUpdateId < last : diff.LastUpdateId <= last;

    private bool Brackets(in BookUpdate diff, long last) =>
        _futures ? diff.FirstUpdateId <= last && last <= diff.LastUpdateId
                 : diff.FirstUpdateId <= last + 1 && last + 1 <= diff.LastUpdateId;

    private void ApplyLive(in BookUpdate diff)
    {
        long last = _book.LastUpdateId;
        if (_awaitFirst)
        {
            if (IsStale(diff, last))
            {
                return;
            }

            if (!Brackets(diff, last))
            {
                Gap(diff, $"first diff U={diff.FirstUpdateId} u={diff.LastUpdateId} does not cover snapshot lastUpdateId={last}");
                return;
            }
        }
        else if (_futures)
        {
            if (diff.LastUpdateId <= last)
            {
                return; // a repeat of something applied
            }

            if (diff.PreviousUpdateId != last)
            {
                Gap(diff, $"pu={diff.PreviousUpdateId} but the previous u was {last}");
                return;
            }
        }
        else
        {
            if (diff.LastUpdateId <= last)
            {
                return;
            }

            if (diff.FirstUpdateId > last + 1)
            {
                Gap(diff, $"U={diff.FirstUpdateId} but the previous u was {last}");
                return;
            }
        }

        var result = _book.Apply(diff);
        if (result != BookApplyResult.Applied)
        {
            // The diff itself is unusable: it is not kept (a fresh snapshot's first-event rule
            // picks up from the next one).
            _buffer.Clear();
            BeginResync(diff.ReceiveTime, Describe(result), countGap: false);
            return;
        }

        _awaitFirst = false;
        _lastAppliedTime = diff.ReceiveTime;
        _sink.Publish(MarketEvent.From(diff));
    }

    private void Gap(in BookUpdate diff, string detail)
    {
        _buffer.Clear();
        _buffer.Add(diff); // newer than the book: the next snapshot is checked against it
        BeginResync(diff.ReceiveTime, "sequence gap: " + detail, countGap: true);
    }

    private void BeginResync(long time, string detail, bool countGap)
    {
        if (countGap)
        {
            _counters.OnSequenceGap();
        }

        _counters.OnBookResync();
        _book.Reset();
        _synced = false;
        _awaitFirst = false;
        if (_gapStart == 0)
        {
            _gapStart = _lastAppliedTime != 0 ? _lastAppliedTime : time;
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
