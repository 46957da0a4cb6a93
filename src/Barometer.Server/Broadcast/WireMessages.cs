using System.Buffers;
using System.Text.Json;

namespace Barometer.Server.Broadcast;

/// <summary>
/// The per-connection control messages of the broadcast protocol (docs/schema/websocket.md):
/// hello, subscribed, error, pong, ping. Built once per occasion (connection, client message,
/// keep-alive tick), never per event.
/// </summary>
internal static class WireMessages
{
    /// <summary>Protocol version in hello.</summary>
    public const int SchemaVersion = 1;

    public static byte[] Hello(DataSource source, long serverTimeUs, long clientId, BroadcastOptions options) => Build(source, "hello", w =>
    {
        w.WriteNumber("schema_version", SchemaVersion);
        w.WriteNumber("server_time", serverTimeUs);
        w.WriteNumber("client_id", clientId);
        w.WriteStartArray("kinds");
        foreach (string kind in SubscriptionFilter.KindNames)
        {
            w.WriteStringValue(kind);
        }

        w.WriteEndArray();
        w.WriteNumber("queue_capacity", options.ClientQueueCapacity);
        w.WriteNumber("reliable_queue_capacity", options.ReliableQueueCapacity);
        w.WriteNumber("max_message_bytes", options.MaxClientMessageBytes);
    });

    public static byte[] Subscribed(DataSource source, SubscriptionFilter filter) => Build(source, "subscribed", filter.WriteFields);

    public static byte[] Error(DataSource source, string? field, string message) => Build(source, "error", w =>
    {
        if (field is null)
        {
            w.WriteNull("field");
        }
        else
        {
            w.WriteString("field", field);
        }

        w.WriteString("message", message);
    });

    public static byte[] Pong(DataSource source, long serverTimeUs) => Build(source, "pong", w => w.WriteNumber("server_time", serverTimeUs));

    public static byte[] Ping(DataSource source, long serverTimeUs) => Build(source, "ping", w => w.WriteNumber("server_time", serverTimeUs));

    /// <summary>Writes a lag message into a reusable buffer (the client's sender owns both).</summary>
    public static ReadOnlyMemory<byte> Lag(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, JsonEncodedText source, long skipped, long skippedTotal, int capacity)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString(Names.Type, Names.Lag);
        writer.WriteString(Names.DataSource, source);
        writer.WriteNumber(Names.Skipped, skipped);
        writer.WriteNumber(Names.SkippedTotal, skippedTotal);
        writer.WriteNumber(Names.QueueCapacity, capacity);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    private static byte[] Build(DataSource source, string type, Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(Names.Type, type);
            writer.WriteString(Names.DataSource, source.ToWireName());
            fields(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Pre-encoded property names and values of the hot messages.</summary>
    internal static class Names
    {
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText DataSource = JsonEncodedText.Encode("data_source");
        public static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
        public static readonly JsonEncodedText Event = JsonEncodedText.Encode("event");
        public static readonly JsonEncodedText Snapshot = JsonEncodedText.Encode("snapshot");
        public static readonly JsonEncodedText Alert = JsonEncodedText.Encode("alert");
        public static readonly JsonEncodedText Lag = JsonEncodedText.Encode("lag");
        public static readonly JsonEncodedText Skipped = JsonEncodedText.Encode("skipped");
        public static readonly JsonEncodedText SkippedTotal = JsonEncodedText.Encode("skipped_total");
        public static readonly JsonEncodedText QueueCapacity = JsonEncodedText.Encode("queue_capacity");
        public static readonly JsonEncodedText Venue = JsonEncodedText.Encode("venue");
    }
}
