using Barometer.Core.Bus;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Storage.Sqlite;
using Barometer.Venues.Common;

namespace Barometer.Server.Api;

/// <summary>Health of the whole process at one moment (GET /api/health, /metrics).</summary>
/// <param name="Time">When the report was taken, UTC µs (the pipeline's clock).</param>
/// <param name="Venues">Per venue connection, in venue order.</param>
/// <param name="Consumers">Per event-bus consumer (analytics, storage, broadcast …): depth, drops, gaps.</param>
/// <param name="Clients">Per broadcast WebSocket client: queue and lag drops (empty when none).</param>
/// <param name="Storage">The storage writer, or null when nothing is stored.</param>
public sealed record HealthReport(
    long Time,
    IReadOnlyList<VenueHealth> Venues,
    IReadOnlyList<ConsumerHealth> Consumers,
    IReadOnlyList<ClientHealth> Clients,
    StorageHealth? Storage)
{
    /// <summary>
    /// "ok" when every venue and stream is subscribed, no consumer or client is lagging and storage
    /// writes succeed; otherwise "degraded".
    /// </summary>
    public string Status
    {
        get
        {
            foreach (var venue in Venues)
            {
                if (venue.State != ConnectionState.Subscribed)
                {
                    return "degraded";
                }

                foreach (var stream in venue.Streams)
                {
                    if (stream.State != ConnectionState.Subscribed)
                    {
                        return "degraded";
                    }
                }
            }

            foreach (var consumer in Consumers)
            {
                if (consumer.IsLagging)
                {
                    return "degraded";
                }
            }

            foreach (var client in Clients)
            {
                if (client.Lagging)
                {
                    return "degraded";
                }
            }

            return Storage is { Healthy: false } ? "degraded" : "ok";
        }
    }
}

/// <summary>Health of one venue connection set.</summary>
/// <param name="Venue">Venue wire name, e.g. "okx-swap".</param>
/// <param name="State">The connection's state: that of the stream named "connection", else the worst stream's.</param>
/// <param name="Streams">Per stream (and the connection itself), as the connector counts them.</param>
public sealed record VenueHealth(string Venue, ConnectionState State, IReadOnlyList<StreamHealth> Streams)
{
    /// <summary>Reads a connector's live counters at <paramref name="now"/> (UTC µs, the clock the connector stamps receive times with).</summary>
    public static VenueHealth From(VenueId venue, IReadOnlyList<StreamCounters> streams, long now)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var rows = new StreamHealth[streams.Count];
        ConnectionState? connection = null;
        var worst = ConnectionState.Subscribed;
        for (int i = 0; i < streams.Count; i++)
        {
            rows[i] = StreamHealth.From(streams[i], now);
            if (string.Equals(rows[i].Name, "connection", StringComparison.Ordinal))
            {
                connection = rows[i].State;
            }

            if (Severity(rows[i].State) > Severity(worst))
            {
                worst = rows[i].State;
            }
        }

        return new VenueHealth(venue.ToWireName(), connection ?? (streams.Count == 0 ? ConnectionState.Connecting : worst), rows);
    }

    /// <summary>Reads a connector's counters.</summary>
    public static VenueHealth From(IVenueConnector connector, long now)
    {
        ArgumentNullException.ThrowIfNull(connector);
        return From(connector.Venue, connector.Streams, now);
    }

    private static int Severity(ConnectionState state) => state switch
    {
        ConnectionState.Subscribed => 0,
        ConnectionState.Resyncing => 1,
        ConnectionState.Stale => 2,
        ConnectionState.Connecting => 3,
        _ => 4,
    };
}

/// <summary>Health of one stream (or the connection) of a venue.</summary>
/// <param name="Name">Stream name, e.g. "btcusdt@aggTrade" or "connection".</param>
/// <param name="State">Current state.</param>
/// <param name="LastMessageAgeSeconds">Seconds since the last message was received (null/NaN when none yet).</param>
/// <param name="Frames">Frames received.</param>
/// <param name="Bytes">Bytes received.</param>
/// <param name="ParseErrors">Frames that failed to parse.</param>
/// <param name="UnknownMessages">Well-formed frames of an unknown kind.</param>
/// <param name="SequenceGaps">Sequence gaps detected.</param>
/// <param name="BookResyncs">Book resyncs started.</param>
/// <param name="Reconnects">Reconnects.</param>
/// <param name="Note">What to know about the stream's data (e.g. a sampled liquidation feed), or empty.</param>
public sealed record StreamHealth(
    string Name,
    ConnectionState State,
    double LastMessageAgeSeconds,
    long Frames,
    long Bytes,
    long ParseErrors,
    long UnknownMessages,
    long SequenceGaps,
    long BookResyncs,
    long Reconnects,
    string Note)
{
    /// <summary>Reads live counters at <paramref name="now"/>, UTC µs.</summary>
    public static StreamHealth From(StreamCounters counters, long now)
    {
        ArgumentNullException.ThrowIfNull(counters);
        long last = counters.LastMessageTime;
        double age = last == 0 ? double.NaN : Math.Max(0, now - last) / 1e6;
        return new StreamHealth(counters.Name, counters.State, age, counters.Frames, counters.Bytes, counters.ParseErrors, counters.UnknownMessages,
            counters.SequenceGaps, counters.BookResyncs, counters.Reconnects, counters.Note);
    }
}

/// <summary>One broadcast WebSocket client.</summary>
/// <param name="Name">Client name, e.g. "ws-client-17 127.0.0.1:50412".</param>
/// <param name="Queued">Messages waiting to be sent to it now.</param>
/// <param name="Sent">Messages sent to it.</param>
/// <param name="Dropped">Messages dropped for it because it was too slow (lag drops).</param>
/// <param name="Lagging">True while it is losing messages.</param>
public sealed record ClientHealth(string Name, int Queued, long Sent, long Dropped, bool Lagging);
