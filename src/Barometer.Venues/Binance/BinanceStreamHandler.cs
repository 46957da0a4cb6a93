using System.Globalization;
using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;

namespace Barometer.Venues.Binance;

/// <summary>A stream's channel.</summary>
internal enum BinanceChannel : byte
{
    AggTrade,
    BookTicker,
    Depth,
    MarkPrice,
    ForceOrder,
}

/// <summary>One stream of a connection (index = its index in the connection's <see cref="StreamSubscriptions"/>).</summary>
internal sealed class BinanceStream(string name, BinanceChannel channel, Instrument instrument)
{
    public string Name { get; } = name;

    public BinanceChannel Channel { get; } = channel;

    public Instrument Instrument { get; } = instrument;

    public BinanceBookSync? Book { get; set; }

    public Task<RestResponse>? SnapshotTask { get; set; }

    public long NextSnapshotAttempt { get; set; }

    public int SnapshotFailures { get; set; }
}

/// <summary>
/// The handler of one Binance combined-stream connection (/public/stream, /market/stream or spot
/// /stream). Subscribes its streams with paced SUBSCRIBE messages (a rejected batch is retried
/// stream by stream so the venue's reason lands on the stream it concerns), routes each frame by
/// its envelope's stream name (per-stream counters and liveness), runs depth streams through
/// <see cref="BinanceBookSync"/> with REST snapshots, publishes everything else through the
/// shared <see cref="BinanceNormalizer"/>, recycles the connection on a stale stream (at most
/// once per <see cref="BinanceConnectorOptions.StaleRecycleInterval"/>) or a serverShutdown
/// notice, and publishes periodic book checkpoints. Runs on the connection's task only.
/// </summary>
internal sealed class BinanceStreamHandler : IWebSocketHandler
{
    private readonly BinanceConnector _owner;
    private readonly StreamSubscriptions _subs;
    private readonly List<BinanceStream> _streams = [];
    private readonly StreamIndex _index = new();
    private readonly Dictionary<long, int[]> _pending = [];
    private readonly CaptureSink _capture = new();
    private CancellationTokenSource? _connectionStop;
    private long _lastStaleRecycle = long.MinValue / 2; // half: "now - it" must not overflow
    private long _nextCheckpoint;
    private long _nextId;

    public BinanceStreamHandler(BinanceConnector owner, string name)
    {
        _owner = owner;
        Name = name;
        _subs = new StreamSubscriptions(owner.Venue, owner.Sink);
    }

    public string Name { get; }

    public int Count => _streams.Count;

    public StreamSubscriptions Subscriptions => _subs;

    public IReadOnlyList<BinanceStream> Streams => _streams;

    public void Add(BinanceChannel channel, Instrument instrument, string stream, TimeSpan maxSilence, string note = "")
    {
        int index = _subs.Add(stream, instrument, maxSilence, note);
        var s = new BinanceStream(stream, channel, instrument);
        if (channel == BinanceChannel.Depth)
        {
            s.Book = new BinanceBookSync(instrument, _owner.Venue == VenueId.BinanceFutures, stream, _owner.Sink, _subs.Counters(index),
                _owner.Options.MaxBufferedDiffs);
        }

        _streams.Add(s);
        _index.Add(stream, index);
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
            if (s.Book is { } book)
            {
                book.Reset();
                if (s.SnapshotTask is not null)
                {
                    book.OnSnapshotRequested();
                }
            }
        }

        var pace = TimeSpan.FromSeconds(1.0 / _owner.Options.MessagesPerSecondFor(_owner.Venue));
        int perMessage = _owner.Options.StreamsPerSubscribeMessage;
        for (int start = 0; start < _streams.Count; start += perMessage)
        {
            if (start > 0)
            {
                await Task.Delay(pace, _owner.Clock, cancellationToken).ConfigureAwait(false);
            }

            int count = Math.Min(perMessage, _streams.Count - start);
            var indices = new int[count];
            for (int i = 0; i < count; i++)
            {
                indices[i] = start + i;
            }

            long id = ++_nextId;
            _pending[id] = indices;
            await connection.SendAsync(SubscribeMessage(indices, id), cancellationToken).ConfigureAwait(false);
        }
    }

    public void OnMessage(WebSocketConnection connection, ReadOnlySpan<byte> frame, long receiveTime)
    {
        if (BinanceControl.TryGetStreamName(frame, out var name))
        {
            if (!_index.TryFind(name, out int index))
            {
                if (BinanceControl.IsServerShutdown(frame))
                {
                    connection.RequestRecycle("venue announced a server shutdown (serverShutdown event)");
                    return;
                }

                connection.Counters.OnUnknownMessage();
                _owner.Log.Warn(Name + ":unrouted", "frame of a stream this connection did not subscribe", frame);
                return;
            }

            _subs.OnData(index, frame.Length, receiveTime);
            var stream = _streams[index];
            if (stream.Book is { } book)
            {
                OnDepth(stream, book, index, frame, receiveTime);
                return;
            }

            var result = _owner.Normalizer.Normalize(frame, receiveTime, _owner.Sink);
            HandlerSupport.Tally(result, _subs.Counters(index), stream.Name, frame, _owner.Log);
            return;
        }

        var kind = BinanceControl.Parse(frame, out long id, out string message);
        switch (kind)
        {
            case BinanceControlKind.Result:
                if (_pending.Remove(id, out var acked))
                {
                    foreach (int i in acked)
                    {
                        _subs.Confirm(i, receiveTime);
                    }
                }

                return;
            case BinanceControlKind.Error:
                OnError(connection, id, message, frame, receiveTime);
                return;
        }

        if (BinanceControl.IsServerShutdown(frame))
        {
            connection.RequestRecycle("venue announced a server shutdown (serverShutdown event)");
            return;
        }

        // A bare payload on a combined connection, or something new: the normalizer says which.
        var r = _owner.Normalizer.Normalize(frame, receiveTime, NullEventSink.Instance);
        HandlerSupport.Tally(r.Outcome == NormalizeOutcome.Data ? NormalizeResult.Unknown("payload without stream envelope") : r, connection.Counters, Name, frame, _owner.Log);
    }

    public ValueTask OnTickAsync(WebSocketConnection connection, long now, CancellationToken cancellationToken)
    {
        foreach (var s in _streams)
        {
            if (s.Book is { } book)
            {
                PumpSnapshot(s, book, now);
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
            connection.RequestRecycle("stream " + _subs.FirstStaleTopic() + " stale (acknowledged or subscribed, but silent beyond its cadence)");
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

    private void OnDepth(BinanceStream stream, BinanceBookSync book, int index, ReadOnlySpan<byte> frame, long receiveTime)
    {
        _capture.Clear();
        var result = _owner.Normalizer.Normalize(frame, receiveTime, _capture);
        if (result.Outcome != NormalizeOutcome.Data || !_capture.HasBook)
        {
            HandlerSupport.Tally(result.Outcome == NormalizeOutcome.Data ? NormalizeResult.Unknown("depth stream without depthUpdate") : result,
                _subs.Counters(index), stream.Name, frame, _owner.Log);
            return;
        }

        book.OnDiff(_capture.Book);
        PumpSnapshot(stream, book, receiveTime);
    }

    private void PumpSnapshot(BinanceStream stream, BinanceBookSync book, long now)
    {
        if (stream.SnapshotTask is { IsCompleted: true } task)
        {
            stream.SnapshotTask = null;
            if (task.IsCompletedSuccessfully && task.Result.IsSuccess
                && BinanceRest.TryParseDepthSnapshot(task.Result.Body, stream.Instrument, task.Result.ReceiveTime, out var snapshot))
            {
                stream.SnapshotFailures = 0;
                if (!book.OnSnapshot(snapshot, task.Result.ReceiveTime) && !book.IsSynced)
                {
                    // Older than the buffered stream: Binance's procedure says fetch again.
                    stream.NextSnapshotAttempt = now + (250 * UnixMicros.PerMillisecond);
                }
            }
            else
            {
                book.OnSnapshotFailed();
                stream.SnapshotFailures++;
                long delaySeconds = Math.Min(30, 1L << Math.Min(stream.SnapshotFailures, 5));
                stream.NextSnapshotAttempt = now + (delaySeconds * UnixMicros.PerSecond);
                string why = task.IsCompletedSuccessfully ? (task.Result.IsSuccess ? "unparseable snapshot" : task.Result.Error) : "request failed";
                _owner.Log.Warn(stream.Name + ":snapshot", $"depth snapshot for {stream.Instrument.VenueSymbol} failed ({why}); retrying in {delaySeconds} s",
                    task.IsCompletedSuccessfully ? task.Result.Body : []);
            }
        }

        if (book.SnapshotWanted && stream.SnapshotTask is null && now >= stream.NextSnapshotAttempt && _connectionStop is { } stop)
        {
            book.OnSnapshotRequested();
            stream.SnapshotTask = _owner.FetchDepthAsync(stream.Instrument, stop.Token);
        }
    }

    private void OnError(WebSocketConnection connection, long id, string message, ReadOnlySpan<byte> frame, long time)
    {
        if (!_pending.Remove(id, out var indices))
        {
            connection.Counters.OnUnknownMessage();
            _owner.Log.Warn(Name + ":error", "venue error reply: " + message, frame);
            return;
        }

        if (indices.Length == 1)
        {
            _subs.Reject(indices[0], time, message);
            _owner.Log.Warn(Name + ":rejected", $"subscription {_streams[indices[0]].Name} rejected: {message}", frame);
            return;
        }

        // Binance rejects a whole SUBSCRIBE when one name is bad: find it by asking stream by stream.
        var messages = new List<byte[]>(indices.Length);
        foreach (int index in indices)
        {
            long single = ++_nextId;
            _pending[single] = [index];
            messages.Add(SubscribeMessage([index], single));
        }

        if (_connectionStop is { } stop)
        {
            _ = HandlerSupport.SendPacedAsync(connection, messages, TimeSpan.FromSeconds(1.0 / _owner.Options.MessagesPerSecondFor(_owner.Venue)), _owner.Clock,
                delayFirst: true, stop.Token);
        }
    }

    private byte[] SubscribeMessage(int[] indices, long id)
    {
        var sb = new StringBuilder("{\"method\":\"SUBSCRIBE\",\"params\":[");
        for (int i = 0; i < indices.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append('"').Append(_streams[indices[i]].Name).Append('"');
        }

        sb.Append("],\"id\":").Append(id.ToString(CultureInfo.InvariantCulture)).Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Keeps the one BookUpdate a depth frame produces.</summary>
    private sealed class CaptureSink : IEventSink
    {
        public bool HasBook { get; private set; }

        public BookUpdate Book { get; private set; }

        public void Clear() => HasBook = false;

        public void Publish(in MarketEvent e)
        {
            if (e.Kind == EventKind.BookUpdate)
            {
                Book = e.AsBookUpdate();
                HasBook = true;
            }
        }
    }

}
