using System.Net.WebSockets;
using System.Text.Json;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;

namespace Barometer.Server.Broadcast;

/// <summary>
/// Fans normalized events, alerts and metric snapshots out to every connected broadcast client
/// (docs/schema/websocket.md). Fed from ONE producer thread — the serve pipeline's consumer task —
/// through <see cref="Publish"/>, <see cref="PublishAlert"/> and <see cref="PublishSnapshot"/>;
/// those calls must not run concurrently with each other.
/// </summary>
/// <remarks>
/// Per published event: the client list is read once (copy-on-write array), each client's filter
/// is checked (bit masks and a per-instrument cache), and the event is serialized ONCE, on the
/// first client that wants it, into a pooled reference-counted UTF-8 frame that every client
/// queue shares — no per-client serialization, no lock, no allocation in steady state (frames
/// come from a pool; the JSON writer is reused). Queues (see <see cref="BroadcastClient"/>):
/// ordinary events skip the oldest when full (the client then gets a <c>lag</c> message);
/// liquidations, alerts, status and gap events go to a reliable lane that is never skipped;
/// snapshots coalesce to the latest. A slow client never blocks the producer or another client.
/// Bad input (unknown kind, missing instrument, non-finite or non-positive price or size, unknown
/// side) is ignored and counted in <see cref="BroadcastTotals.Rejected"/>.
/// </remarks>
public sealed class BroadcastHub : IEventSink
{
    private readonly Lock _clientsGate = new();
    private readonly FramePool _pool = new();
    private readonly Utf8JsonWriter _writer;
    private readonly JsonEncodedText _dataSource;
    private BroadcastClient[] _clients = [];
    private long _seq;
    private long _nextClientId;
    private long _published;
    private long _rejected;
    private long _serialized;
    private long _connections;
    private long _retiredSent;
    private long _retiredSkipped;
    private long _closedByClient;
    private long _lost;
    private long _reliableOverflows;
    private long _tooBig;

    /// <summary>Creates a hub; <paramref name="time"/> gives server_time in hello/ping/pong (default: the system clock).</summary>
    public BroadcastHub(BroadcastOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ClientQueueCapacity is < 1 or > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ClientQueueCapacity, "ClientQueueCapacity must be between 1 and 16,777,216");
        }

        if (options.ReliableQueueCapacity is < 1 or > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReliableQueueCapacity, "ReliableQueueCapacity must be between 1 and 16,777,216");
        }

        Options = options;
        Time = time ?? TimeProvider.System;
        _dataSource = JsonEncodedText.Encode(options.DataSource.ToWireName());
        _writer = new Utf8JsonWriter(new System.Buffers.ArrayBufferWriter<byte>(1));
    }

    /// <summary>Settings.</summary>
    public BroadcastOptions Options { get; }

    /// <summary>Clients connected now.</summary>
    public int ClientCount => Volatile.Read(ref _clients).Length;

    internal TimeProvider Time { get; }

    internal JsonEncodedText DataSourceText => _dataSource;

    internal FramePool Pool => _pool;

    /// <summary>Publishes one normalized event (alerts too: Kind Alert goes out as an "alert" message). Producer thread only.</summary>
    public void Publish(in MarketEvent e)
    {
        if (!IsValid(e))
        {
            _rejected++;
            return;
        }

        _published++;
        var clients = Volatile.Read(ref _clients);
        if (e.Kind == EventKind.Alert)
        {
            OfferAlert(e, clients);
            return;
        }

        bool reliable = e.Kind.IsReliable();
        BroadcastFrame? frame = null;
        int taken = 0;
        for (int i = 0; i < clients.Length; i++)
        {
            var client = clients[i];
            if (client.IsClosing || !client.Filter.MatchesEvent(e.Kind, e.Venue, e.Instrument))
            {
                continue;
            }

            if (frame is null)
            {
                frame = SerializeEvent(e);
                if (frame is null)
                {
                    return;
                }
            }

            if (reliable)
            {
                if (!client.OfferReliable(frame))
                {
                    continue;
                }
            }
            else
            {
                client.OfferOrdinary(frame);
            }

            client.Touched = true;
            taken++;
        }

        Finish(frame, taken, clients);
    }

    /// <summary>Publishes an alert (the same as <see cref="Publish"/> with <see cref="MarketEvent.From(Alert, VenueId)"/>).</summary>
    public void PublishAlert(Alert alert)
    {
        if (alert is null)
        {
            _rejected++;
            return;
        }

        Publish(MarketEvent.From(alert));
    }

    /// <summary>
    /// Publishes a metric snapshot: each client that wants snapshots and whose
    /// <c>snapshot_every_ms</c> has elapsed in event time since its previous one gets it; a client
    /// that has not sent the previous one yet gets only this one (coalescing). Producer thread only.
    /// </summary>
    public void PublishSnapshot(MetricsSnapshot snapshot)
    {
        if (snapshot is null)
        {
            _rejected++;
            return;
        }

        _published++;
        var clients = Volatile.Read(ref _clients);
        BroadcastFrame? frame = null;
        int taken = 0;
        for (int i = 0; i < clients.Length; i++)
        {
            var client = clients[i];
            var filter = client.Filter;
            if (client.IsClosing || !filter.WantsSnapshots)
            {
                continue;
            }

            long every = filter.SnapshotEveryMs * 1000L;
            if (every > 0 && client.LastSnapshotTime != long.MinValue && snapshot.Time - client.LastSnapshotTime < every)
            {
                continue;
            }

            if (frame is null)
            {
                frame = SerializeSnapshot(snapshot);
                if (frame is null)
                {
                    return;
                }
            }

            client.LastSnapshotTime = snapshot.Time;
            client.OfferSnapshot(frame);
            client.Touched = true;
            taken++;
        }

        Finish(frame, taken, clients);
    }

    /// <summary>Every connected client's counters.</summary>
    public IReadOnlyList<ClientStats> Clients()
    {
        var clients = Volatile.Read(ref _clients);
        var stats = new ClientStats[clients.Length];
        for (int i = 0; i < clients.Length; i++)
        {
            stats[i] = clients[i].Stats();
        }

        return stats;
    }

    /// <summary>The deepest ordinary queue of any client now (allocation-free; for health and load tools).</summary>
    public int MaxQueueDepth()
    {
        int max = 0;
        foreach (var client in Volatile.Read(ref _clients))
        {
            max = Math.Max(max, client.QueueDepth);
        }

        return max;
    }

    /// <summary>Hub-wide counters.</summary>
    public BroadcastTotals Totals()
    {
        var clients = Volatile.Read(ref _clients);
        long sent = Interlocked.Read(ref _retiredSent);
        long skipped = Interlocked.Read(ref _retiredSkipped);
        foreach (var client in clients)
        {
            sent += client.Sent;
            skipped += client.Skipped;
        }

        return new BroadcastTotals(clients.Length, Interlocked.Read(ref _connections), Volatile.Read(ref _published), Volatile.Read(ref _rejected),
            Volatile.Read(ref _serialized), sent, skipped, Interlocked.Read(ref _closedByClient), Interlocked.Read(ref _lost),
            Interlocked.Read(ref _reliableOverflows), Interlocked.Read(ref _tooBig));
    }

    /// <summary>Runs one accepted WebSocket until it ends (the server calls this per connection).</summary>
    internal async Task<CloseCause> RunClientAsync(WebSocket socket, BatchingStream stream, string remoteAddress)
    {
        var client = new BroadcastClient(this, socket, stream, Interlocked.Increment(ref _nextClientId), remoteAddress, NowMicros());
        Add(client);
        try
        {
            await client.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Remove(client);
        }

        return client.Cause;
    }

    /// <summary>Asks every client to close (1001 going away on shutdown).</summary>
    internal void CloseAll(WebSocketCloseStatus status, string description)
    {
        foreach (var client in Volatile.Read(ref _clients))
        {
            client.RequestClose(status, description, CloseCause.ServerShutdown);
        }
    }

    /// <summary>Queues the same control message to every client (the keep-alive ping message).</summary>
    internal void Broadcast(byte[] message)
    {
        foreach (var client in Volatile.Read(ref _clients))
        {
            client.Enqueue(message);
        }
    }

    /// <summary>The client object (tests: the send hold).</summary>
    internal BroadcastClient? Client(long id)
    {
        foreach (var client in Volatile.Read(ref _clients))
        {
            if (client.Id == id)
            {
                return client;
            }
        }

        return null;
    }

    internal long NowMicros() => (Time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private void Add(BroadcastClient client)
    {
        lock (_clientsGate)
        {
            var old = _clients;
            var next = new BroadcastClient[old.Length + 1];
            old.CopyTo(next, 0);
            next[^1] = client;
            Volatile.Write(ref _clients, next);
        }

        Interlocked.Increment(ref _connections);
    }

    private void Remove(BroadcastClient client)
    {
        lock (_clientsGate)
        {
            var old = _clients;
            int index = Array.IndexOf(old, client);
            if (index >= 0)
            {
                var next = new BroadcastClient[old.Length - 1];
                Array.Copy(old, 0, next, 0, index);
                Array.Copy(old, index + 1, next, index, old.Length - index - 1);
                Volatile.Write(ref _clients, next);
            }
        }

        Interlocked.Add(ref _retiredSent, client.Sent);
        Interlocked.Add(ref _retiredSkipped, client.Skipped);
        switch (client.Cause)
        {
            case CloseCause.ClientClosed:
                Interlocked.Increment(ref _closedByClient);
                break;
            case CloseCause.ReliableOverflow:
                Interlocked.Increment(ref _reliableOverflows);
                break;
            case CloseCause.MessageTooBig:
                Interlocked.Increment(ref _tooBig);
                break;
            case CloseCause.ConnectionLost:
                Interlocked.Increment(ref _lost);
                break;
        }
    }

    private void OfferAlert(in MarketEvent e, BroadcastClient[] clients)
    {
        var alert = e.AsAlert();
        BroadcastFrame? frame = null;
        int taken = 0;
        for (int i = 0; i < clients.Length; i++)
        {
            var client = clients[i];
            if (client.IsClosing || !client.Filter.MatchesAlert(alert.Asset))
            {
                continue;
            }

            if (frame is null)
            {
                frame = SerializeAlert(alert);
                if (frame is null)
                {
                    return;
                }
            }

            if (client.OfferReliable(frame))
            {
                client.Touched = true;
                taken++;
            }
        }

        Finish(frame, taken, clients);
    }

    /// <summary>One fence for the whole publish, then wake the clients that took the frame, then settle its count.</summary>
    private static void Finish(BroadcastFrame? frame, int taken, BroadcastClient[] clients)
    {
        if (frame is null)
        {
            return;
        }

        Interlocked.MemoryBarrier();
        for (int i = 0; i < clients.Length; i++)
        {
            var client = clients[i];
            if (client.Touched)
            {
                client.Touched = false;
                client.Wake();
            }
        }

        frame.Settle(taken);
    }

    private BroadcastFrame? SerializeEvent(in MarketEvent e)
    {
        var frame = _pool.Rent();
        frame.Begin(++_seq, e.Kind, false, e.Venue, true, e.Instrument, null);
        try
        {
            _writer.Reset(frame);
            _writer.WriteStartObject();
            _writer.WriteString(WireMessages.Names.Type, WireMessages.Names.Event);
            _writer.WriteString(WireMessages.Names.DataSource, _dataSource);
            _writer.WriteNumber(WireMessages.Names.Seq, frame.Seq);
            _writer.WritePropertyName(WireMessages.Names.Event);
            NormalizedEventJson.Write(_writer, e);
            _writer.WriteEndObject();
            _writer.Flush();
            frame.Seal();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NullReferenceException or IndexOutOfRangeException or InvalidCastException)
        {
            return Failed(frame);
        }

        _serialized++;
        return frame;
    }

    private BroadcastFrame? SerializeAlert(Alert alert)
    {
        var frame = _pool.Rent();
        frame.Begin(++_seq, EventKind.Alert, false, default, false, null, alert.Asset);
        try
        {
            _writer.Reset(frame);
            _writer.WriteStartObject();
            _writer.WriteString(WireMessages.Names.Type, WireMessages.Names.Alert);
            _writer.WriteString(WireMessages.Names.DataSource, _dataSource);
            _writer.WriteNumber(WireMessages.Names.Seq, frame.Seq);
            _writer.WritePropertyName(WireMessages.Names.Alert);
            // The runtime type: specific alerts derive from Alert and add their fields.
            JsonSerializer.Serialize(_writer, alert, alert.GetType(), SnapshotJson.Options);
            _writer.WriteEndObject();
            _writer.Flush();
            frame.Seal();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException or JsonException)
        {
            return Failed(frame);
        }

        _serialized++;
        return frame;
    }

    private BroadcastFrame? SerializeSnapshot(MetricsSnapshot snapshot)
    {
        var frame = _pool.Rent();
        frame.Begin(++_seq, EventKind.None, true, default, false, null, null);
        try
        {
            _writer.Reset(frame);
            _writer.WriteStartObject();
            _writer.WriteString(WireMessages.Names.Type, WireMessages.Names.Snapshot);
            _writer.WriteString(WireMessages.Names.DataSource, _dataSource);
            _writer.WriteNumber(WireMessages.Names.Seq, frame.Seq);
            _writer.WritePropertyName(WireMessages.Names.Snapshot);
            JsonSerializer.Serialize(_writer, snapshot, SnapshotJson.Options);
            _writer.WriteEndObject();
            _writer.Flush();
            frame.Seal();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException or JsonException)
        {
            return Failed(frame);
        }

        _serialized++;
        return frame;
    }

    private BroadcastFrame? Failed(BroadcastFrame frame)
    {
        _published--;
        _rejected++;
        _writer.Reset(frame); // drop the writer's partial state
        frame.Settle(0);
        return null;
    }

    private static bool IsValid(in MarketEvent e)
    {
        if ((uint)e.Venue >= VenueIds.Count)
        {
            return false;
        }

        switch (e.Kind)
        {
            case EventKind.Trade:
                if (e.Instrument is null)
                {
                    return false;
                }

                var trade = e.AsTrade();
                return Positive(trade.Price) && Positive(trade.Quantity) && trade.AggressorSide is Side.Buy or Side.Sell;
            case EventKind.Liquidation:
                if (e.Instrument is null)
                {
                    return false;
                }

                var liquidation = e.AsLiquidation();
                return Positive(liquidation.Price) && Positive(liquidation.Quantity) && liquidation.OrderSide is Side.Buy or Side.Sell;
            case EventKind.BookTop:
                if (e.Instrument is null)
                {
                    return false;
                }

                var top = e.AsBookTop();
                return NotNegative(top.BidSize) && NotNegative(top.AskSize) && !double.IsNaN(top.BidPrice) && !double.IsNaN(top.AskPrice);
            case EventKind.BookUpdate:
                if (e.Instrument is null)
                {
                    return false;
                }

                var book = e.AsBookUpdate();
                return book.Bids is not null && book.Asks is not null;
            case EventKind.Funding:
                return e.Instrument is not null && double.IsFinite(e.AsFunding().Rate);
            case EventKind.OpenInterest:
                return e.Instrument is not null && NotNegative(e.AsOpenInterest().Quantity);
            case EventKind.ConnectionStatus:
            case EventKind.DataGap:
                return true;
            case EventKind.Alert:
                return e.AsAlert() is not null;
            default:
                return false;
        }
    }

    private static bool Positive(double value) => double.IsFinite(value) && value > 0;

    private static bool NotNegative(double value) => double.IsFinite(value) && value >= 0;
}
