using System.Globalization;
using System.Text.Json;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;

namespace Barometer.Tui;

/// <summary>
/// What the dashboards read between frames: the latest snapshot, the data source, per-venue
/// connection state, the newest liquidation prints and alerts. Filled by the embedded pipeline or
/// the WebSocket client from their threads, read by the render loop; every member is thread-safe.
/// </summary>
public sealed class SnapshotFeed
{
    /// <summary>Liquidation prints kept for the tape.</summary>
    public const int TapeCapacity = 200;

    /// <summary>Alerts kept.</summary>
    public const int AlertCapacity = 50;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, VenueStatus> _venues = new(StringComparer.Ordinal);
    private readonly LinkedList<LiquidationPrint> _tape = new();
    private readonly LinkedList<AlertLine> _alerts = new();
    private MetricsSnapshot? _latest;
    private FeedState _state = FeedState.Connecting;
    private string? _error;
    private string? _dataSource;
    private long _version;

    /// <summary>Creates a feed for <paramref name="address"/> ("ws://…" or "embedded").</summary>
    /// <param name="address">Shown on the status line.</param>
    public SnapshotFeed(string address) => Address = address;

    /// <summary>Where the data comes from.</summary>
    public string Address { get; }

    /// <summary>The newest snapshot, or null.</summary>
    public MetricsSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Increases with every change (the render loop redraws when it moved).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Messages that could not be understood (ignored and counted).</summary>
    public long BadMessages { get; private set; }

    /// <summary>Stores a new snapshot.</summary>
    /// <param name="snapshot">The snapshot.</param>
    public void OnSnapshot(MetricsSnapshot snapshot)
    {
        Volatile.Write(ref _latest, snapshot);
        Interlocked.Increment(ref _version);
    }

    /// <summary>Sets the data source ("live", "simulated", "replay").</summary>
    /// <param name="dataSource">The source.</param>
    public void OnDataSource(string? dataSource)
    {
        lock (_gate)
        {
            _dataSource = dataSource;
        }
    }

    /// <summary>Sets the feed's connection state.</summary>
    /// <param name="state">The state.</param>
    /// <param name="error">The last error when unreachable.</param>
    public void OnFeedState(FeedState state, string? error = null)
    {
        lock (_gate)
        {
            _state = state;
            _error = error;
        }

        Interlocked.Increment(ref _version);
    }

    /// <summary>
    /// A connection or stream of a venue changed state. The venue's state on the status line is the
    /// worst over its connections and streams: disconnected, then stale, then resyncing, then
    /// subscribed; "connecting" only while nothing of the venue is subscribed yet (a connection
    /// reports connecting, its streams then report subscribed).
    /// </summary>
    /// <param name="venue">Venue wire name.</param>
    /// <param name="stream">Connection or stream name (with the instrument when it concerns one).</param>
    /// <param name="state">New state.</param>
    /// <param name="time">When, UTC µs.</param>
    public void OnConnectionStatus(string venue, string stream, ConnectionState state, long time)
    {
        lock (_gate)
        {
            _venues[venue + "|" + stream] = new VenueStatus(venue, state, time);
        }

        Interlocked.Increment(ref _version);
    }

    /// <summary>A liquidation for the tape.</summary>
    /// <param name="print">The print.</param>
    public void OnLiquidation(LiquidationPrint print)
    {
        lock (_gate)
        {
            _tape.AddFirst(print);
            if (_tape.Count > TapeCapacity)
            {
                _tape.RemoveLast();
            }
        }

        Interlocked.Increment(ref _version);
    }

    /// <summary>An alert.</summary>
    /// <param name="alert">The alert line.</param>
    public void OnAlert(AlertLine alert)
    {
        lock (_gate)
        {
            _alerts.AddFirst(alert);
            if (_alerts.Count > AlertCapacity)
            {
                _alerts.RemoveLast();
            }
        }

        Interlocked.Increment(ref _version);
    }

    /// <summary>Copies the feed's state into a view state.</summary>
    /// <param name="view">The view state to complete.</param>
    /// <returns>The completed view state.</returns>
    public ViewState Apply(ViewState view)
    {
        ArgumentNullException.ThrowIfNull(view);
        lock (_gate)
        {
            var worst = new SortedDictionary<string, VenueStatus>(StringComparer.Ordinal);
            foreach (var v in _venues.Values)
            {
                if (!worst.TryGetValue(v.Venue, out var w) || Rank(v.State) > Rank(w.State) || (Rank(v.State) == Rank(w.State) && v.Time > w.Time))
                {
                    worst[v.Venue] = v;
                }
            }

            var venues = new List<VenueStatus>(worst.Values);
            return view with
            {
                Address = Address,
                Feed = _state,
                FeedError = _error,
                DataSource = _dataSource ?? view.DataSource,
                Venues = venues,
                Tape = [.. _tape],
                Alerts = [.. _alerts],
            };
        }
    }

    private static int Rank(ConnectionState s) => s switch
    {
        ConnectionState.Disconnected => 4,
        ConnectionState.Stale => 3,
        ConnectionState.Resyncing => 2,
        ConnectionState.Subscribed => 1,
        _ => 0,
    };

    /// <summary>Deserializes one snapshot JSON (SnapshotJson.Options); null when it is not one.</summary>
    /// <param name="json">The snapshot object's JSON.</param>
    /// <returns>The snapshot, or null.</returns>
    public static MetricsSnapshot? ParseSnapshot(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<MetricsSnapshot>(json, SnapshotJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Applies one broadcast message (docs/schema/websocket.md): hello (data source), snapshot, alert,
    /// event (connection_status and liquidation). Anything else is ignored; a malformed message is counted.
    /// </summary>
    /// <param name="json">One text message.</param>
    /// <returns>True when the message was understood.</returns>
    public bool HandleMessage(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type))
            {
                return Bad();
            }

            if (root.TryGetProperty("data_source", out var ds) && ds.ValueKind == JsonValueKind.String)
            {
                OnDataSource(ds.GetString());
            }

            switch (type.GetString())
            {
                case "hello":
                    OnFeedState(FeedState.Connected);
                    return true;
                case "snapshot":
                    if (root.TryGetProperty("snapshot", out var snap) && snap.Deserialize<MetricsSnapshot>(SnapshotJson.Options) is { } s)
                    {
                        OnSnapshot(s);
                        return true;
                    }

                    return Bad();
                case "alert":
                    return root.TryGetProperty("alert", out var alert) ? HandleAlert(alert) : Bad();
                case "event":
                    return root.TryGetProperty("event", out var ev) ? HandleEvent(ev) : Bad();
                default:
                    return true;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return Bad();
        }
    }

    private bool HandleAlert(JsonElement a)
    {
        OnAlert(new AlertLine(
            Long(a, "time"),
            Str(a, "asset"),
            Str(a, "type"),
            Str(a, "phase"),
            Str(a, "severity"),
            Str(a, "message")));
        return true;
    }

    private bool HandleEvent(JsonElement e)
    {
        switch (Str(e, "kind"))
        {
            case "connection_status":
                if (Enum.TryParse<ConnectionState>(Str(e, "state"), ignoreCase: true, out var state))
                {
                    OnConnectionStatus(Str(e, "venue"), Str(e, "stream") + "|" + Str(e, "symbol"), state, Long(e, "exchange_time_us"));
                    return true;
                }

                return Bad();
            case "liquidation":
                double price = Dbl(e, "price");
                string side = Str(e, "liquidated_side");
                if (!double.IsFinite(price) || price <= 0 || side is not ("long" or "short"))
                {
                    return Bad();
                }

                OnLiquidation(new LiquidationPrint(Long(e, "exchange_time_us"), Str(e, "venue"), Str(e, "base"), side == "long", price, Dbl(e, "notional_usd")));
                return true;
            default:
                return true;
        }
    }

    private bool Bad()
    {
        lock (_gate)
        {
            BadMessages++;
        }

        return false;
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : 0;

    private static double Dbl(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : e.TryGetProperty(name, out var s) && s.ValueKind == JsonValueKind.String && double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
        : double.NaN;
}
