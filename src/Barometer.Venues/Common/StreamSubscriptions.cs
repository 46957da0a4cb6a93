using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Venues.Common;

/// <summary>
/// The streams of one connection with their subscription state and liveness. Subscriptions keep
/// their original request and are replayed after every reconnect (<see cref="OnConnected"/> puts
/// them back to Pending); acknowledgements and rejections are recorded with the venue's reason;
/// data marks the stream alive; <see cref="Check"/> turns silence beyond a stream's limit into a
/// Stale status, and the next data into a closed DataGap(Stale) and a Subscribed status. Owned by
/// the connection's task.
/// </summary>
public sealed class StreamSubscriptions
{
    private readonly VenueId _venue;
    private readonly IEventSink _sink;
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, int> _byTopic = new(StringComparer.Ordinal);
    private readonly StreamLiveness _liveness = new();
    private readonly List<int> _stale = [];

    /// <summary>Creates the set for one connection of <paramref name="venue"/>.</summary>
    public StreamSubscriptions(VenueId venue, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _venue = venue;
        _sink = sink;
    }

    /// <summary>Number of streams.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Adds a stream (topic as the venue names it) expected to deliver within <paramref name="maxSilence"/>
    /// (<see cref="TimeSpan.MaxValue"/> for a stream that may legitimately stay silent, such as
    /// liquidations); <paramref name="note"/> goes to its counters for health screens.
    /// </summary>
    public int Add(string topic, Instrument? instrument, TimeSpan maxSilence, string note = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (_byTopic.TryGetValue(topic, out int existing))
        {
            return existing;
        }

        var entry = new Entry(topic, instrument, maxSilence, new StreamCounters(topic) { Note = note });
        _entries.Add(entry);
        _byTopic[topic] = _entries.Count - 1;
        return _entries.Count - 1;
    }

    /// <summary>The topic of a stream.</summary>
    public string Topic(int index) => _entries[index].Topic;

    /// <summary>The counters of a stream.</summary>
    public StreamCounters Counters(int index) => _entries[index].Counters;

    /// <summary>The state of a stream.</summary>
    public SubscriptionState State(int index) => _entries[index].State;

    /// <summary>The venue's reason for a rejection (empty otherwise).</summary>
    public string RejectReason(int index) => _entries[index].Reason;

    /// <summary>Finds a stream by topic.</summary>
    public bool TryFind(string topic, out int index) => _byTopic.TryGetValue(topic, out index);

    /// <summary>A new connection: every stream is Pending again and its silence clock restarts.</summary>
    public void OnConnected(long time)
    {
        _liveness.Clear();
        foreach (var entry in _entries)
        {
            entry.State = SubscriptionState.Pending;
            entry.Reason = string.Empty;
            entry.Counters.State = ConnectionState.Connecting;
            _liveness.Track(entry.Topic, entry.MaxSilence, time);
        }
    }

    /// <summary>The venue acknowledged a stream.</summary>
    public void Confirm(int index, long time)
    {
        var entry = _entries[index];
        if (entry.State == SubscriptionState.Confirmed)
        {
            return;
        }

        entry.State = SubscriptionState.Confirmed;
        entry.Counters.State = ConnectionState.Subscribed;
        Publish(entry, time, ConnectionState.Subscribed, "subscribed");
    }

    /// <summary>The venue refused a stream; reported with its reason, and never expected to deliver.</summary>
    public void Reject(int index, long time, string reason)
    {
        var entry = _entries[index];
        entry.State = SubscriptionState.Rejected;
        entry.Reason = reason;
        entry.Counters.State = ConnectionState.Disconnected;
        Publish(entry, time, ConnectionState.Disconnected, "subscription rejected: " + reason);
    }

    /// <summary>Data of a stream arrived (frame size for the counters).</summary>
    public void OnData(int index, int bytes, long time)
    {
        var entry = _entries[index];
        entry.Counters.OnFrame(bytes, time);
        if (entry.State == SubscriptionState.Pending)
        {
            // Some venues send data before (or instead of) a per-stream ack.
            Confirm(index, time);
        }

        if (_liveness.OnMessage(index, time, out long since))
        {
            entry.Counters.State = ConnectionState.Subscribed;
            _sink.Publish(MarketEvent.From(new DataGap(_venue, entry.Instrument, entry.Topic, since, time, GapCause.Stale,
                "no data beyond the stream's expected cadence")));
            Publish(entry, time, ConnectionState.Subscribed, "delivering again");
        }
    }

    /// <summary>
    /// Marks streams silent beyond their limit as Stale (status published once per silence) and
    /// returns the number of newly stale streams; the caller usually recycles the connection.
    /// Rejected streams are never stale.
    /// </summary>
    public int Check(long now)
    {
        _stale.Clear();
        _liveness.Check(now, _stale);
        int count = 0;
        foreach (int index in _stale)
        {
            var entry = _entries[index];
            if (entry.State == SubscriptionState.Rejected)
            {
                continue;
            }

            count++;
            entry.Counters.State = ConnectionState.Stale;
            Publish(entry, now, ConnectionState.Stale,
                $"no data for more than {entry.MaxSilence.TotalSeconds:F0} s" + (entry.State == SubscriptionState.Confirmed ? " although acknowledged" : " and no acknowledgement"));
        }

        return count;
    }

    /// <summary>A stale stream's topic from the last <see cref="Check"/> (for the recycle reason).</summary>
    public string? FirstStaleTopic()
    {
        foreach (int index in _stale)
        {
            if (_entries[index].State != SubscriptionState.Rejected)
            {
                return _entries[index].Topic;
            }
        }

        return null;
    }

    private void Publish(Entry entry, long time, ConnectionState state, string reason) =>
        _sink.Publish(MarketEvent.From(new ConnectionStatus(_venue, entry.Instrument, entry.Topic, time, state, reason)));

    private sealed class Entry(string topic, Instrument? instrument, TimeSpan maxSilence, StreamCounters counters)
    {
        public string Topic { get; } = topic;

        public Instrument? Instrument { get; } = instrument;

        public TimeSpan MaxSilence { get; } = maxSilence;

        public StreamCounters Counters { get; } = counters;

        public SubscriptionState State { get; set; }

        public string Reason { get; set; } = string.Empty;
    }
}
