using System.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Common;

namespace Barometer.Venues.Bybit;

/// <summary>A topic's channel.</summary>
internal enum BybitChannel : byte
{
    Trade,
    Book,
    Top,
    Liquidation,
    Ticker,
}

/// <summary>One topic of a connection (index = its index in the connection's <see cref="StreamSubscriptions"/>).</summary>
internal sealed class BybitTopic(string name, BybitChannel channel, Instrument instrument)
{
    public string Name { get; } = name;

    public BybitChannel Channel { get; } = channel;

    public Instrument Instrument { get; } = instrument;

    public BybitBookSync? Book { get; set; }

    public long LastResubscribe { get; set; } = long.MinValue / 2;
}

/// <summary>
/// The handler of one Bybit V5 public connection (<c>/v5/public/linear</c> or <c>/spot</c>).
/// Subscribes its topics in requests of at most <see cref="BybitConnectorOptions.TopicsPerSubscribe"/>
/// args, paced; an ack confirms its request's topics; a failed request names (or is asked again
/// topic by topic to find) the refused topic, which is reported with Bybit's <c>ret_msg</c>.
/// Routes each data frame by its <c>topic</c> (per-topic counters and liveness), runs book topics
/// through <see cref="BybitBookSync"/> (a broken book is resubscribed for a fresh snapshot),
/// publishes everything else through the shared <see cref="BybitNormalizer"/>, recycles the
/// connection on a stale topic (at most once per <see cref="BybitConnectorOptions.StaleRecycleInterval"/>)
/// and publishes periodic book checkpoints. The <c>{"op":"ping"}</c> keepalive is sent by the
/// <see cref="WebSocketConnection"/>. Runs on the connection's task only.
/// </summary>
internal sealed class BybitStreamHandler : IWebSocketHandler
{
    private readonly BybitConnector _owner;
    private readonly StreamSubscriptions _subs;
    private readonly List<BybitTopic> _topics = [];
    private readonly StreamIndex _index = new();
    private readonly Dictionary<string, int[]> _pending = new(StringComparer.Ordinal);
    private CancellationTokenSource? _connectionStop;
    private long _lastStaleRecycle = long.MinValue / 2; // half: "now - it" must not overflow
    private long _nextCheckpoint;
    private long _nextId;

    public BybitStreamHandler(BybitConnector owner, string name)
    {
        _owner = owner;
        Name = name;
        _subs = new StreamSubscriptions(owner.Venue, owner.Sink);
        Normalizer = new BybitNormalizer(owner.Venue, owner.Registry, registerUnknownSymbols: false);
    }

    public string Name { get; }

    public int Count => _topics.Count;

    public StreamSubscriptions Subscriptions => _subs;

    /// <summary>This connection's parser (it holds the merged ticker state, so one per connection task).</summary>
    public BybitNormalizer Normalizer { get; }

    public void Add(BybitChannel channel, Instrument instrument, string topic, TimeSpan maxSilence, string note = "")
    {
        int index = _subs.Add(topic, instrument, maxSilence, note);
        var t = new BybitTopic(topic, channel, instrument);
        if (channel == BybitChannel.Book)
        {
            t.Book = new BybitBookSync(instrument, topic, _owner.Sink, _subs.Counters(index), _owner.Options.StrictBookContinuity);
        }

        _topics.Add(t);
        _index.Add(topic, index);
    }

    public async ValueTask OnConnectedAsync(WebSocketConnection connection, long time, CancellationToken cancellationToken)
    {
        _connectionStop?.Dispose();
        _connectionStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _subs.OnConnected(time);
        _pending.Clear();
        Normalizer.TickerStates.ResetAll();
        _nextCheckpoint = time + HandlerSupport.Micros(_owner.Options.BookCheckpointInterval);
        foreach (var t in _topics)
        {
            t.Book?.Reset();
        }

        var pace = Pace();
        int perRequest = _owner.Options.TopicsPerSubscribe;
        for (int start = 0; start < _topics.Count; start += perRequest)
        {
            if (start > 0)
            {
                await Task.Delay(pace, _owner.Clock, cancellationToken).ConfigureAwait(false);
            }

            int count = Math.Min(perRequest, _topics.Count - start);
            var indices = new int[count];
            for (int i = 0; i < count; i++)
            {
                indices[i] = start + i;
            }

            await connection.SendAsync(Request("subscribe", indices), cancellationToken).ConfigureAwait(false);
        }
    }

    public void OnMessage(WebSocketConnection connection, ReadOnlySpan<byte> frame, long receiveTime)
    {
        if (TryReadTopic(frame, out var name))
        {
            if (!_index.TryFind(name, out int index))
            {
                connection.Counters.OnUnknownMessage();
                _owner.Log.Warn(Name + ":unrouted", "frame of a topic this connection did not subscribe", frame);
                return;
            }

            _subs.OnData(index, frame.Length, receiveTime);
            var topic = _topics[index];
            if (topic.Book is { } book)
            {
                if (Normalizer.TryParseBook(frame, receiveTime, out var message))
                {
                    book.OnUpdate(message.Update);
                    if (book.ResubscribeWanted)
                    {
                        Resubscribe(connection, topic, index, receiveTime);
                    }
                }
                else
                {
                    HandlerSupport.Tally(Normalizer.Normalize(frame, receiveTime, NullEventSink.Instance), _subs.Counters(index), topic.Name, frame, _owner.Log);
                }

                return;
            }

            HandlerSupport.Tally(Normalizer.Normalize(frame, receiveTime, _owner.Sink), _subs.Counters(index), topic.Name, frame, _owner.Log);
            return;
        }

        if (BybitControl.TryParse(frame, out var ack))
        {
            OnAck(connection, ack, frame, receiveTime);
            return;
        }

        var r = Normalizer.Normalize(frame, receiveTime, NullEventSink.Instance);
        HandlerSupport.Tally(r.Outcome == NormalizeOutcome.Data ? NormalizeResult.Unknown("data without a topic") : r, connection.Counters, Name, frame, _owner.Log);
    }

    public ValueTask OnTickAsync(WebSocketConnection connection, long now, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _topics.Count; i++)
        {
            if (_topics[i].Book is { ResubscribeWanted: true })
            {
                Resubscribe(connection, _topics[i], i, now);
            }
        }

        if (now >= _nextCheckpoint)
        {
            _nextCheckpoint = now + HandlerSupport.Micros(_owner.Options.BookCheckpointInterval);
            foreach (var t in _topics)
            {
                if (t.Book is { IsSynced: true } book)
                {
                    _owner.Sink.Publish(MarketEvent.From(book.Book.ToSnapshot(now, book.Book.MaxLevelsPerSide)));
                }
            }
        }

        if (_subs.Check(now) > 0 && now - _lastStaleRecycle >= HandlerSupport.Micros(_owner.Options.StaleRecycleInterval))
        {
            _lastStaleRecycle = now;
            connection.RequestRecycle("topic " + _subs.FirstStaleTopic() + " stale (subscribed, but silent beyond its cadence)");
        }

        return ValueTask.CompletedTask;
    }

    public void OnDisconnected(string reason, long time)
    {
        _connectionStop?.Cancel();
        foreach (var t in _topics)
        {
            t.Book?.Reset();
        }
    }

    /// <summary>
    /// A broken book: unsubscribe and subscribe again, which makes Bybit send a new snapshot
    /// (at most once per <see cref="BybitConnectorOptions.BookResubscribeInterval"/> per topic).
    /// </summary>
    private void Resubscribe(WebSocketConnection connection, BybitTopic topic, int index, long now)
    {
        if (now - topic.LastResubscribe < HandlerSupport.Micros(_owner.Options.BookResubscribeInterval) || _connectionStop is not { } stop)
        {
            return;
        }

        topic.LastResubscribe = now;
        topic.Book!.OnResubscribed();
        var messages = new List<byte[]> { Request("unsubscribe", [index], track: false), Request("subscribe", [index]) };
        _ = HandlerSupport.SendPacedAsync(connection, messages, Pace(), _owner.Clock, delayFirst: false, stop.Token);
    }

    private void OnAck(WebSocketConnection connection, BybitAck ack, ReadOnlySpan<byte> frame, long time)
    {
        if (ack.IsPong || ack.Op == "unsubscribe")
        {
            return;
        }

        if (ack.Op != "subscribe" || !_pending.Remove(ack.ReqId, out var indices))
        {
            if (!ack.Success)
            {
                connection.Counters.OnUnknownMessage();
                _owner.Log.Warn(Name + ":error", "venue error reply: " + ack.RetMsg, frame);
            }

            return;
        }

        if (ack.Success)
        {
            foreach (int i in indices)
            {
                _subs.Confirm(i, time);
            }

            return;
        }

        if (indices.Length == 1)
        {
            OnRefused(indices[0], ack.RetMsg, frame, time);
            return;
        }

        // Bybit subscribes the valid topics of a request and names one refused topic; which ones
        // took is not documented, so each of the others is asked again alone ("already
        // subscribed" then counts as a confirmation).
        var retry = new List<byte[]>(indices.Length);
        foreach (int index in indices)
        {
            if (ack.RetMsg.Contains(_topics[index].Name, StringComparison.Ordinal) && EndsWithTopic(ack.RetMsg, _topics[index].Name))
            {
                OnRefused(index, ack.RetMsg, frame, time);
            }
            else
            {
                retry.Add(Request("subscribe", [index]));
            }
        }

        if (_connectionStop is { } stop && retry.Count > 0)
        {
            _ = HandlerSupport.SendPacedAsync(connection, retry, Pace(), _owner.Clock, delayFirst: true, stop.Token);
        }
    }

    private void OnRefused(int index, string reason, ReadOnlySpan<byte> frame, long time)
    {
        if (reason.Contains("already subscribed", StringComparison.OrdinalIgnoreCase))
        {
            _subs.Confirm(index, time);
            return;
        }

        _subs.Reject(index, time, reason.Length > 0 ? reason : "refused without a reason");
        _owner.Log.Warn(Name + ":rejected", $"subscription {_topics[index].Name} rejected: {reason}", frame);
    }

    private static bool EndsWithTopic(string retMsg, string topic) =>
        retMsg.EndsWith(topic, StringComparison.Ordinal) || retMsg.Contains("topic:" + topic, StringComparison.Ordinal);

    private TimeSpan Pace() => TimeSpan.FromSeconds(1.0 / _owner.Options.SubscribeMessagesPerSecond);

    private byte[] Request(string op, int[] indices, bool track = true)
    {
        string reqId = Name + "-" + (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (track)
        {
            _pending[reqId] = indices;
        }

        var topics = new string[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            topics[i] = _topics[indices[i]].Name;
        }

        string text = op == "subscribe" ? BybitControl.Subscribe(reqId, topics) : BybitControl.Unsubscribe(reqId, topics);
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The <c>topic</c> of a data frame (Bybit puts it first; other keys are skipped).</summary>
    internal static bool TryReadTopic(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> topic)
    {
        topic = default;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("topic"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                    {
                        return false;
                    }

                    topic = reader.ValueSpan;
                    return true;
                }

                if (!reader.Read())
                {
                    return false;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

}
