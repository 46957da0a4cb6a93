using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Books;
using Barometer.Venues.Common;

namespace Barometer.Venues.Bybit;

/// <summary>
/// Keeps one Bybit V5 <c>orderbook.{depth}.{symbol}</c> local book by the official rules
/// (../shared/venues/bybit.md §3.2): a <c>snapshot</c> at any time replaces the book — including
/// the <c>u = 1</c> snapshot Bybit sends after a service restart — and <c>delta</c>s apply
/// absolute sizes (0 deletes). Sequence check: a delta's <c>u</c> must be the previous
/// <c>u</c> + 1 (<see cref="StrictContinuity"/>; Bybit documents "+1 per delta" only for the
/// full-depth channel, its 50-level stream behaves the same — UNCONFIRMED, so it can be relaxed
/// to "increasing"); a repeat (<c>u</c> ≤ previous) is dropped. A break, an invalid level or a
/// crossed book resets the book, reports Resyncing and sets <see cref="ResubscribeWanted"/>: the
/// owner unsubscribes and subscribes the topic again, which makes Bybit send a fresh snapshot.
/// When the snapshot arrives a closed DataGap(SequenceGap) covers the time the book was unusable.
/// Pure state, no I/O: owned by the connection's task.
/// </summary>
public sealed class BybitBookSync
{
    private readonly LocalOrderBook _book;
    private readonly IEventSink _sink;
    private readonly StreamCounters _counters;
    private readonly string _topic;
    private long _gapStart;
    private string _gapDetail = string.Empty;
    private long _lastAppliedTime;

    /// <summary>Creates the sync of one book topic.</summary>
    public BybitBookSync(Instrument instrument, string topic, IEventSink sink, StreamCounters counters, bool strictContinuity = true)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(counters);
        _book = new LocalOrderBook(instrument);
        _topic = topic;
        _sink = sink;
        _counters = counters;
        StrictContinuity = strictContinuity;
    }

    /// <summary>True: a delta must carry exactly the previous u + 1.</summary>
    public bool StrictContinuity { get; }

    /// <summary>The local book.</summary>
    public LocalOrderBook Book => _book;

    /// <summary>True between a good snapshot and the next break.</summary>
    public bool IsSynced => _book.IsSynced;

    /// <summary>The book broke: the owner should resubscribe the topic for a new snapshot.</summary>
    public bool ResubscribeWanted { get; private set; }

    /// <summary>Deltas dropped because no snapshot had arrived yet (after subscribe or a break).</summary>
    public long DeltasWithoutSnapshot { get; private set; }

    /// <summary>The owner sent the resubscription.</summary>
    public void OnResubscribed() => ResubscribeWanted = false;

    /// <summary>A new connection: the book waits for the snapshot that follows the subscription.</summary>
    public void Reset()
    {
        _book.Reset();
        ResubscribeWanted = false;
        _gapStart = 0;
    }

    /// <summary>One parsed book message (snapshot or delta), in arrival order.</summary>
    public void OnUpdate(in BookUpdate update)
    {
        if (update.IsSnapshot)
        {
            OnSnapshot(update);
            return;
        }

        if (!_book.IsSynced)
        {
            DeltasWithoutSnapshot++;
            return;
        }

        long last = _book.LastUpdateId;
        if (update.LastUpdateId <= last)
        {
            return; // a repeat of something applied
        }

        if (StrictContinuity && update.LastUpdateId != last + 1)
        {
            BeginResync(update.ReceiveTime, $"sequence gap: u={update.LastUpdateId} but the previous u was {last}", countGap: true);
            return;
        }

        var result = _book.Apply(update);
        if (result != BookApplyResult.Applied)
        {
            BeginResync(update.ReceiveTime, Describe(result), countGap: false);
            return;
        }

        _lastAppliedTime = update.ReceiveTime;
        _sink.Publish(MarketEvent.From(update));
    }

    private void OnSnapshot(in BookUpdate snapshot)
    {
        var result = _book.Apply(snapshot);
        if (result != BookApplyResult.Applied)
        {
            BeginResync(snapshot.ReceiveTime, "snapshot rejected: " + Describe(result), countGap: false);
            return;
        }

        ResubscribeWanted = false;
        _lastAppliedTime = snapshot.ReceiveTime;
        _sink.Publish(MarketEvent.From(snapshot));
        if (_gapStart != 0)
        {
            _counters.State = ConnectionState.Subscribed;
            _sink.Publish(MarketEvent.From(new DataGap(_book.Instrument.Venue, _book.Instrument, _topic, _gapStart, snapshot.ReceiveTime, GapCause.SequenceGap, _gapDetail)));
            _sink.Publish(MarketEvent.From(new ConnectionStatus(_book.Instrument.Venue, _book.Instrument, _topic, snapshot.ReceiveTime, ConnectionState.Subscribed, "book resynced")));
            _gapStart = 0;
        }
    }

    private void BeginResync(long time, string detail, bool countGap)
    {
        if (countGap)
        {
            _counters.OnSequenceGap();
        }

        _counters.OnBookResync();
        _book.Reset();
        ResubscribeWanted = true;
        if (_gapStart == 0)
        {
            _gapStart = _lastAppliedTime != 0 ? _lastAppliedTime : time;
            _gapDetail = detail;
        }

        _counters.State = ConnectionState.Resyncing;
        _sink.Publish(MarketEvent.From(new ConnectionStatus(_book.Instrument.Venue, _book.Instrument, _topic, time, ConnectionState.Resyncing, detail)));
    }

    private static string Describe(BookApplyResult result) => result switch
    {
        BookApplyResult.Crossed => "crossed book (best bid >= best ask)",
        BookApplyResult.InvalidLevel => "invalid level (negative, NaN or infinite size, or bad price)",
        _ => result.ToString(),
    };
}
