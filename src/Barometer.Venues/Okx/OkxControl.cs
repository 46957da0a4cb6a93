using System.Text;
using System.Text.Json;

namespace Barometer.Venues.Okx;

/// <summary>
/// An OKX v5 WebSocket event reply (../shared/venues/okx.md §1–2):
/// <c>{"id":"1512","event":"subscribe","arg":{"channel":"tickers","instId":"BTC-USDT"},"connId":"…"}</c>,
/// <c>{"id":"1512","event":"error","code":"60012","msg":"Invalid request: …","connId":"…"}</c>,
/// <c>{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. …"}</c>.
/// </summary>
/// <param name="Event">subscribe, unsubscribe, error, notice …</param>
/// <param name="Id">The request id echoed back (empty when absent).</param>
/// <param name="Code">The code (error, notice), empty when absent.</param>
/// <param name="Message">The msg, empty when absent.</param>
/// <param name="Channel">arg.channel (empty when absent).</param>
/// <param name="Target">arg.instId, or arg.instType when there is no instId (empty when absent).</param>
public sealed record OkxEvent(string Event, string Id, string Code, string Message, string Channel, string Target)
{
    /// <summary>The stream key of the arg, "channel:instId" (as the connector names streams).</summary>
    public string StreamKey => OkxControl.StreamKey(Channel, Target);
}

/// <summary>Builds OKX v5 public requests and parses event replies (control path; allocates).</summary>
public static class OkxControl
{
    /// <summary>OKX's service-upgrade notice: the connection closes in about 60 s.</summary>
    public const string UpgradeNoticeCode = "64008";

    /// <summary>The connector's name of a channel stream: "books:BTC-USDT-SWAP", "liquidation-orders:SWAP".</summary>
    public static string StreamKey(string channel, string target) => channel + ":" + target;

    /// <summary>Parses an event reply; false for data frames, "pong" and anything without <c>event</c>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out OkxEvent reply)
    {
        reply = null!;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? ev = null;
            string id = string.Empty, code = string.Empty, msg = string.Empty, channel = string.Empty, instId = string.Empty, instType = string.Empty;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? name = reader.GetString();
                if (!reader.Read())
                {
                    return false;
                }

                switch (name)
                {
                    case "event": ev = Text(ref reader); break;
                    case "id": id = Text(ref reader); break;
                    case "code": code = Text(ref reader); break;
                    case "msg": msg = Text(ref reader); break;
                    case "arg" when reader.TokenType == JsonTokenType.StartObject:
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            string? key = reader.GetString();
                            reader.Read();
                            switch (key)
                            {
                                case "channel": channel = Text(ref reader); break;
                                case "instId": instId = Text(ref reader); break;
                                case "instType": instType = Text(ref reader); break;
                                default: reader.Skip(); break;
                            }
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (ev is null)
            {
                return false;
            }

            reply = new OkxEvent(ev, id, code, msg, channel, instId.Length > 0 ? instId : instType);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary><c>{"id":"…","op":"subscribe|unsubscribe","args":[{"channel":…,"instId|instType":…},…]}</c>.</summary>
    public static string Request(string op, string id, IEnumerable<(string Channel, string Field, string Target)> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("op", op);
            w.WriteStartArray("args");
            foreach (var (channel, field, target) in args)
            {
                w.WriteStartObject();
                w.WriteString("channel", channel);
                w.WriteString(field, target);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString() ?? string.Empty,
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        _ => SkipEmpty(ref reader),
    };

    private static string SkipEmpty(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return string.Empty;
    }
}
