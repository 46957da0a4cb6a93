using System.Globalization;
using System.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;

namespace Barometer.Venues.Okx;

/// <summary>One channel subscription of a connection (index = its index in the connection's <see cref="StreamSubscriptions"/>).</summary>
internal sealed class OkxStream(string channel, string field, string target, Instrument? instrument)
{
    public string Channel { get; } = channel;

    /// <summary>"instId" or "instType".</summary>
    public string Field { get; } = field;

    public string Target { get; } = target;

    public string Name { get; } = OkxControl.StreamKey(channel, target);

    public Instrument? Instrument { get; } = instrument;

    public OkxBookSync? Book { get; set; }

    public Task<RestResponse>? SeedTask { get; set; }

    public long NextSeedAttempt { get; set; }

    public int SeedFailures { get; set; }

    public long LastResubscribe { get; set; } = long.MinValue / 2;
}

/// <summary>
/// The handler of one OKX <c>/ws/v5/public</c> connection. Subscribes its channels in paced
/// requests with an id; each arg's <c>subscribe</c> event confirms its channel; an <c>error</c>
/// event (code and msg, no arg) refuses its whole request, so a multi-arg request is asked again
/// arg by arg and the refused channel is reported with OKX's code and message. Routes each data
/// frame by its <c>arg</c> (channel + instId/instType), runs <c>books</c> through
/// <see cref="OkxBookSync"/> (seeded from REST /api/v5/market/books, or by resubscribing in
/// WebSocket-snapshot mode), publishes everything else through this connection's
/// <see cref="OkxNormalizer"/> (which keeps the latest mark for funding events), recycles the
/// connection on a stale channel or OKX's 64008 upgrade notice, and publishes book checkpoints.
/// The "ping" text keepalive is sent by the <see cref="WebSocketConnection"/>. One task only.
/// </summary>
internal sealed class OkxStreamHandler : IWebSocketHandler
{
    private readonly OkxConnector _owner;
    private readonly StreamSubscriptions _subs;
    private readonly List<OkxStream> _streams = [];
    private readonly StreamIndex _index = new();
    private readonly Dictionary<string, int[]> _pending = new(StringComparer.Ordinal);
    private CancellationTokenSource? _connectionStop;
    private long _lastStaleRecycle = long.MinValue / 2; // half: "now - it" must not overflow
    private long _nextCheckpoint;
    private long _nextId;

    public OkxStreamHandler(OkxConnector owner, string name, OkxNormalizer normalizer)
    {
        _owner = owner;
        Name = name;
        Normalizer = normalizer;
        _subs = new StreamSubscriptions(owner.Venue, owner.Sink);
    }

    public string Name { get; }

    public int Count => _streams.Count;

    public StreamSubscriptions Subscriptions => _subs;

    /// <summary>This connection's parser (it keeps the latest mark per instrument).</summary>
    public OkxNormalizer Normalizer { get; }

    public void Add(string channel, string field, string target, Instrument? instrument, TimeSpan maxSilence, string note = "")
    {
        var s = new OkxStream(channel, field, target, instrument);
        int index = _subs.Add(s.Name, instrument, maxSilence, note);
        if (channel == "books" && instrument is not null)
        {
            s.Book = new OkxBookSync(instrument, s.Name, _owner.Sink, _subs.Counters(index), _owner.Options.BookSeeding, _owner.Options.MaxBufferedUpdates);
        }

        _streams.Add(s);
        _index.Add(s.Name, index);
    }

    public async ValueTask OnConnectedAsync(WebSocketConnection connection, long time, CancellationToken cancellationToken)
    {
        _connectionStop?.Dispose();
        _connectionStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _subs.OnConnected(time);
        _pending.Clear();
        _nextCheckpoint = time + HandlerSupport.Micros(_owner.Options.BookCheckpointInterval);
        foreach (var s in _streams)
        {
            s.Book?.Reset();
            if (s.Book is not null && s.SeedTask is not null)
            {
                s.Book.OnSeedRequested();
            }
        }

        int perRequest = _owner.Options.ArgsPerSubscribe;
        for (int start = 0; start < _streams.Count; start += perRequest)
        {
            if (start > 0)
            {
                await Task.Delay(Pace(), _owner.Clock, cancellationToken).ConfigureAwait(false);
            }

            int count = Math.Min(perRequest, _streams.Count - start);
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
        Span<char> key = stackalloc char[160];
        if (TryReadArgKey(frame, key, out int length, out bool isData))
        {
            if (isData)
            {
                if (!_index.TryFind(key[..length], out int index))
                {
                    connection.Counters.OnUnknownMessage();
                    _owner.Log.Warn(Name + ":unrouted", "frame of a channel this connection did not subscribe", frame);
                    return;
                }

                _subs.OnData(index, frame.Length, receiveTime);
                var stream = _streams[index];
                if (stream.Book is { } book)
                {
                    OnBook(connection, stream, book, index, frame, receiveTime);
                    return;
                }

                var result = Normalizer.Normalize(frame, receiveTime, _owner.Sink);
                if (stream.Field == "instType" && result.Outcome == NormalizeOutcome.Unknown && result.Reason == OkxNormalizer.NotFollowedReason)
                {
                    return; // the instType-wide liquidation feed also carries instruments not followed
                }

                HandlerSupport.Tally(result, _subs.Counters(index), stream.Name, frame, _owner.Log);
                return;
            }
        }

        if (frame.SequenceEqual("pong"u8))
        {
            return;
        }

        if (OkxControl.TryParse(frame, out var reply))
        {
            OnEvent(connection, reply, frame, receiveTime);
            return;
        }

        var r = Normalizer.Normalize(frame, receiveTime, NullEventSink.Instance);
        HandlerSupport.Tally(r.Outcome == NormalizeOutcome.Data ? NormalizeResult.Unknown("data without an arg") : r, connection.Counters, Name, frame, _owner.Log);
    }

    public ValueTask OnTickAsync(WebSocketConnection connection, long now, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _streams.Count; i++)
        {
            if (_streams[i].Book is { } book)
            {
                PumpSeed(connection, _streams[i], book, i, now);
            }
        }

        if (now >= _nextCheckpoint)
        {
            _nextCheckpoint = now + HandlerSupport.Micros(_owner.Options.BookCheckpointInterval);
            foreach (var s in _streams)
            {
                if (s.Book is { IsSynced: true } book)
                {
                    _owner.Sink.Publish(MarketEvent.From(book.Book.ToSnapshot(now, book.Book.MaxLevelsPerSide)));
                }
            }
        }

        if (_subs.Check(now) > 0 && now - _lastStaleRecycle >= HandlerSupport.Micros(_owner.Options.StaleRecycleInterval))
        {
            _lastStaleRecycle = now;
            connection.RequestRecycle("channel " + _subs.FirstStaleTopic() + " stale (subscribed, but silent beyond its cadence)");
        }

        return ValueTask.CompletedTask;
    }

    public void OnDisconnected(string reason, long time)
    {
        _connectionStop?.Cancel();
        foreach (var s in _streams)
        {
            s.Book?.Reset();
        }
    }

    private void OnBook(WebSocketConnection connection, OkxStream stream, OkxBookSync book, int index, ReadOnlySpan<byte> frame, long receiveTime)
    {
        if (!Normalizer.TryParseBookMessage(frame, receiveTime, out var message, out var result))
        {
            HandlerSupport.Tally(result.Outcome == NormalizeOutcome.Data ? NormalizeResult.Unknown("books frame without a book") : result, _subs.Counters(index), stream.Name, frame, _owner.Log);
            return;
        }

        book.OnMessage(message);
        PumpSeed(connection, stream, book, index, receiveTime);
    }

    /// <summary>REST seeding (or, in WebSocket-snapshot mode, a resubscription) when the book asks for it.</summary>
    private void PumpSeed(WebSocketConnection connection, OkxStream stream, OkxBookSync book, int index, long now)
    {
        if (stream.SeedTask is { IsCompleted: true } task)
        {
            stream.SeedTask = null;
            if (task.IsCompletedSuccessfully && task.Result.IsSuccess
                && OkxRest.TryParseBooks(task.Result.Body, stream.Instrument!, task.Result.ReceiveTime, keepText: true, out var snapshot))
            {
                stream.SeedFailures = 0;
                if (!book.OnRestSnapshot(snapshot, task.Result.ReceiveTime) && !book.IsSynced)
                {
                    // Older than the buffered stream (step 4 of OKX's procedure): fetch again.
                    stream.NextSeedAttempt = now + (250 * UnixMicros.PerMillisecond);
                }
            }
            else
            {
                book.OnSeedFailed();
                stream.SeedFailures++;
                long delaySeconds = Math.Min(30, 1L << Math.Min(stream.SeedFailures, 5));
                stream.NextSeedAttempt = now + (delaySeconds * UnixMicros.PerSecond);
                string why = task.IsCompletedSuccessfully ? (task.Result.IsSuccess ? "unparseable books response" : task.Result.Error) : "request failed";
                _owner.Log.Warn(stream.Name + ":seed", $"book seed for {stream.Target} failed ({why}); retrying in {delaySeconds} s",
                    task.IsCompletedSuccessfully ? task.Result.Body : []);
            }
        }

        if (!book.SeedWanted || stream.SeedTask is not null || now < stream.NextSeedAttempt || _connectionStop is not { } stop)
        {
            return;
        }

        if (book.Seeding == OkxBookSeeding.RestSnapshot)
        {
            book.OnSeedRequested();
            stream.SeedTask = _owner.FetchBooksAsync(stream.Target, stop.Token);
            return;
        }

        if (now - stream.LastResubscribe >= UnixMicros.PerSecond)
        {
            stream.LastResubscribe = now;
            book.OnSeedRequested();
            _ = HandlerSupport.SendPacedAsync(connection, [Request("unsubscribe", [index], track: false), Request("subscribe", [index])], Pace(), _owner.Clock, delayFirst: false, stop.Token);
        }
    }

    private void OnEvent(WebSocketConnection connection, OkxEvent reply, ReadOnlySpan<byte> frame, long time)
    {
        switch (reply.Event)
        {
            case "subscribe":
                if (_index.TryFind(reply.StreamKey, out int index))
                {
                    _subs.Confirm(index, time);
                }

                return;
            case "unsubscribe":
                return;
            case "notice" when reply.Code == OkxControl.UpgradeNoticeCode:
                connection.RequestRecycle($"venue notice {reply.Code}: {reply.Message}");
                return;
            case "error":
                OnError(connection, reply, frame, time);
                return;
            default:
                connection.Counters.OnUnknownMessage();
                _owner.Log.Warn(Name + ":event", $"unexpected event '{reply.Event}' {reply.Code} {reply.Message}", frame);
                return;
        }
    }

    private void OnError(WebSocketConnection connection, OkxEvent reply, ReadOnlySpan<byte> frame, long time)
    {
        string reason = $"code {reply.Code}: {reply.Message}";
        // Requests are kept until the next connection: acks (one per arg) and an error may share an id.
        if (!_pending.TryGetValue(reply.Id, out var indices))
        {
            connection.Counters.OnUnknownMessage();
            _owner.Log.Warn(Name + ":error", "venue error: " + reason, frame);
            return;
        }

        var waiting = new List<int>(indices.Length);
        foreach (int i in indices)
        {
            if (_subs.State(i) == SubscriptionState.Pending)
            {
                waiting.Add(i);
            }
        }

        if (waiting.Count == 1 || indices.Length == 1)
        {
            foreach (int i in waiting)
            {
                _subs.Reject(i, time, reason);
                _owner.Log.Warn(Name + ":rejected", $"subscription {_streams[i].Name} rejected: {reason}", frame);
            }

            return;
        }

        // One bad arg fails the request: ask for the unconfirmed ones one by one.
        var retry = new List<byte[]>(waiting.Count);
        foreach (int i in waiting)
        {
            retry.Add(Request("subscribe", [i]));
        }

        if (_connectionStop is { } stop)
        {
            _ = HandlerSupport.SendPacedAsync(connection, retry, Pace(), _owner.Clock, delayFirst: true, stop.Token);
        }
    }

    private TimeSpan Pace() => TimeSpan.FromSeconds(1.0 / _owner.Options.SubscribeMessagesPerSecond);

    private byte[] Request(string op, int[] indices, bool track = true)
    {
        string id = (++_nextId).ToString(CultureInfo.InvariantCulture);
        if (track)
        {
            _pending[id] = indices;
        }

        var args = new (string, string, string)[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            var s = _streams[indices[i]];
            args[i] = (s.Channel, s.Field, s.Target);
        }

        return Encoding.UTF8.GetBytes(OkxControl.Request(op, id, args));
    }

    /// <summary>
    /// Reads the frame's <c>arg</c> into "channel:instId" (or "channel:instType"); isData is true
    /// when the frame has no <c>event</c> before the arg (event replies also carry an arg).
    /// </summary>
    internal static bool TryReadArgKey(ReadOnlySpan<byte> frame, Span<char> key, out int length, out bool isData)
    {
        length = 0;
        isData = false;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("event"u8))
                {
                    return false;
                }

                if (!reader.ValueTextEquals("arg"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                ReadOnlySpan<byte> channel = default, instId = default, instType = default;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isChannel = reader.ValueTextEquals("channel"u8);
                    bool isInstId = !isChannel && reader.ValueTextEquals("instId"u8);
                    bool isInstType = !isChannel && !isInstId && reader.ValueTextEquals("instType"u8);
                    if (!reader.Read())
                    {
                        return false;
                    }

                    if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                    {
                        if (isChannel)
                        {
                            channel = reader.ValueSpan;
                        }
                        else if (isInstId)
                        {
                            instId = reader.ValueSpan;
                        }
                        else if (isInstType)
                        {
                            instType = reader.ValueSpan;
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                var target = instId.IsEmpty ? instType : instId;
                if (channel.IsEmpty || target.IsEmpty || channel.Length + 1 + target.Length > key.Length)
                {
                    return false;
                }

                for (int i = 0; i < channel.Length; i++)
                {
                    key[i] = (char)channel[i];
                }

                key[channel.Length] = ':';
                for (int i = 0; i < target.Length; i++)
                {
                    key[channel.Length + 1 + i] = (char)target[i];
                }

                length = channel.Length + 1 + target.Length;

                // An event reply that lists its arg first: the next key says so.
                isData = !(reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("event"u8));
                return isData;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

}
