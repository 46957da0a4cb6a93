using System.Globalization;
using System.Text;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;

namespace Barometer.Server.Api;

/// <summary>
/// The Prometheus text exposition format (version 0.0.4), written by hand: no metrics library is
/// served to this project. Each family is a <c># HELP</c> and a <c># TYPE</c> line followed by its
/// samples; label values are escaped (backslash, double quote, line feed); numbers use the
/// invariant culture, non-finite ones are NaN / +Inf / -Inf.
/// </summary>
internal sealed class PrometheusText
{
    /// <summary>The content type Prometheus expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly ConnectionState[] States =
        [ConnectionState.Connecting, ConnectionState.Subscribed, ConnectionState.Stale, ConnectionState.Disconnected, ConnectionState.Resyncing];

    private readonly StringBuilder _text = new(4096);

    public override string ToString() => _text.ToString();

    /// <summary>Every metric the API exposes.</summary>
    public static string Write(HealthReport health, MetricsSnapshot? snapshot, string dataSource, IReadOnlyList<(int Code, long Count)> requests, string version)
    {
        var p = new PrometheusText();
        p.Family("barometer_info", "gauge", "Constant 1, labelled with the version and where the data comes from.");
        p.Sample("barometer_info", 1, ("version", version), ("data_source", dataSource));
        p.Family("barometer_healthy", "gauge", "1 when /api/health reports ok, 0 when degraded.");
        p.Sample("barometer_healthy", health.Status == "ok" ? 1 : 0);

        if (snapshot is not null)
        {
            p.Family("barometer_snapshot_time_seconds", "gauge", "Event time of the latest metric snapshot, Unix seconds.");
            p.Sample("barometer_snapshot_time_seconds", snapshot.Time / 1e6);
            p.Family("barometer_snapshot_events_total", "counter", "Events the analytics engine has consumed.");
            p.Sample("barometer_snapshot_events_total", snapshot.Events);
        }

        p.Family("barometer_venue_up", "gauge", "1 when the venue connection is subscribed, else 0.");
        foreach (var venue in health.Venues)
        {
            p.Sample("barometer_venue_up", venue.State == ConnectionState.Subscribed ? 1 : 0, ("venue", venue.Venue));
        }

        p.Family("barometer_stream_state", "gauge", "1 for the stream's current state, 0 for the others.");
        foreach (var venue in health.Venues)
        {
            foreach (var stream in venue.Streams)
            {
                foreach (var state in States)
                {
                    p.Sample("barometer_stream_state", stream.State == state ? 1 : 0, ("venue", venue.Venue), ("stream", stream.Name), ("state", StateName(state)));
                }
            }
        }

        p.Family("barometer_stream_last_message_age_seconds", "gauge", "Seconds since the stream's last message (absent before the first).");
        foreach (var venue in health.Venues)
        {
            foreach (var stream in venue.Streams)
            {
                if (double.IsFinite(stream.LastMessageAgeSeconds))
                {
                    p.Sample("barometer_stream_last_message_age_seconds", stream.LastMessageAgeSeconds, ("venue", venue.Venue), ("stream", stream.Name));
                }
            }
        }

        p.StreamCounter(health, "barometer_stream_frames_total", "Frames received.", s => s.Frames);
        p.StreamCounter(health, "barometer_stream_bytes_total", "Bytes received.", s => s.Bytes);
        p.StreamCounter(health, "barometer_stream_parse_errors_total", "Frames that failed to parse.", s => s.ParseErrors);
        p.StreamCounter(health, "barometer_stream_unknown_messages_total", "Well-formed frames of an unknown kind.", s => s.UnknownMessages);
        p.StreamCounter(health, "barometer_stream_sequence_gaps_total", "Sequence gaps detected.", s => s.SequenceGaps);
        p.StreamCounter(health, "barometer_stream_book_resyncs_total", "Order-book resyncs started.", s => s.BookResyncs);
        p.StreamCounter(health, "barometer_stream_reconnects_total", "Reconnects.", s => s.Reconnects);

        p.ConsumerMetric(health, "barometer_bus_consumer_depth", "gauge", "Events waiting in the consumer's ring.", c => c.Depth);
        p.ConsumerMetric(health, "barometer_bus_consumer_capacity", "gauge", "Ring capacity, events.", c => c.Capacity);
        p.ConsumerMetric(health, "barometer_bus_consumer_delivered_total", "counter", "Events handed to the consumer.", c => c.Delivered);
        p.ConsumerMetric(health, "barometer_bus_consumer_dropped_total", "counter", "Droppable events dropped because the ring was full.", c => c.Dropped);
        p.ConsumerMetric(health, "barometer_bus_consumer_spilled_total", "counter", "Reliable events that went through the side queue.", c => c.Spilled);
        p.ConsumerMetric(health, "barometer_bus_consumer_gaps_total", "counter", "Overflow gap markers delivered.", c => c.Gaps);
        p.ConsumerMetric(health, "barometer_bus_consumer_lagging", "gauge", "1 while the ring is at least 90% full.", c => c.IsLagging ? 1 : 0);

        p.Family("barometer_ws_client_queued", "gauge", "Messages waiting to be sent to a broadcast client.");
        foreach (var client in health.Clients)
        {
            p.Sample("barometer_ws_client_queued", client.Queued, ("client", client.Name));
        }

        p.Family("barometer_ws_client_dropped_total", "counter", "Messages dropped for a broadcast client that was too slow.");
        foreach (var client in health.Clients)
        {
            p.Sample("barometer_ws_client_dropped_total", client.Dropped, ("client", client.Name));
        }

        if (health.Storage is { } storage)
        {
            p.Family("barometer_storage_pending_rows", "gauge", "Rows accepted and not yet written.");
            p.Sample("barometer_storage_pending_rows", storage.Pending);
            p.Family("barometer_storage_written_rows_total", "counter", "Rows written (including ignored duplicates).");
            p.Sample("barometer_storage_written_rows_total", storage.Written);
            p.Family("barometer_storage_dropped_rows_total", "counter", "Rows dropped because the buffer was full while the database failed.");
            p.Sample("barometer_storage_dropped_rows_total", storage.Dropped);
            p.Family("barometer_storage_failed_batches_total", "counter", "Batches that failed and were retried.");
            p.Sample("barometer_storage_failed_batches_total", storage.FailedBatches);
            p.Family("barometer_storage_healthy", "gauge", "0 while the last write failed.");
            p.Sample("barometer_storage_healthy", storage.Healthy ? 1 : 0);
        }

        p.Family("barometer_http_requests_total", "counter", "HTTP API responses by status code, since start.");
        foreach (var (code, count) in requests)
        {
            p.Sample("barometer_http_requests_total", count, ("code", code.ToString(CultureInfo.InvariantCulture)));
        }

        return p.ToString();
    }

    /// <summary>Escapes a label value: \ → \\, " → \", line feed → \n.</summary>
    public static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A sample value: integers without a fraction, NaN / +Inf / -Inf for non-finite values.</summary>
    public static string Number(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string StateName(ConnectionState state) => state.ToString().ToLowerInvariant();

    private void StreamCounter(HealthReport health, string name, string help, Func<StreamHealth, long> value)
    {
        Family(name, "counter", help);
        foreach (var venue in health.Venues)
        {
            foreach (var stream in venue.Streams)
            {
                Sample(name, value(stream), ("venue", venue.Venue), ("stream", stream.Name));
            }
        }
    }

    private void ConsumerMetric(HealthReport health, string name, string type, string help, Func<Core.Bus.ConsumerHealth, long> value)
    {
        Family(name, type, help);
        foreach (var consumer in health.Consumers)
        {
            Sample(name, value(consumer), ("consumer", consumer.Name), ("mode", consumer.Mode.ToString().ToLowerInvariant()));
        }
    }

    private void Family(string name, string type, string help) =>
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
            .Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private void Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Number(value)).Append('\n');
    }
}
