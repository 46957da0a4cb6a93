using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Barometer.Venues.Bybit;

/// <summary>
/// A Bybit V5 operation reply: subscribe/unsubscribe ack or pong.
/// Linear: <c>{"success":true,"ret_msg":"","conn_id":"…","req_id":"","op":"subscribe"}</c>;
/// spot: <c>{"success":true,"ret_msg":"subscribe","conn_id":"…","op":"subscribe"}</c> (no req_id);
/// pong: <c>{"success":true,"ret_msg":"pong","conn_id":"…","op":"ping"}</c> (spot) or with
/// <c>"req_id":""</c> (linear), or <c>{"op":"pong",…}</c>; failure: <c>"success":false</c> with the
/// reason in <c>ret_msg</c> (observed e.g. "error:handler not found,topic:…"; no official example).
/// </summary>
/// <param name="Success">The <c>success</c> flag; true when absent (a bare <c>{"op":"pong"}</c>).</param>
/// <param name="Op">The operation: subscribe, unsubscribe, ping, pong …</param>
/// <param name="ReqId">The <c>req_id</c> echoed back (empty when absent).</param>
/// <param name="RetMsg">The <c>ret_msg</c> (empty when absent).</param>
/// <param name="ConnId">The <c>conn_id</c> (empty when absent).</param>
public sealed record BybitAck(bool Success, string Op, string ReqId, string RetMsg, string ConnId)
{
    /// <summary>True for a heartbeat reply (<c>op:"pong"</c>, or <c>op:"ping"</c> with <c>ret_msg:"pong"</c>).</summary>
    public bool IsPong => Op == "pong" || (Op == "ping" && RetMsg == "pong");
}

/// <summary>Builds Bybit V5 public requests and parses their replies (control path; allocates).</summary>
public static class BybitControl
{
    /// <summary>Parses an operation reply; false for data frames, non-JSON and anything without <c>op</c>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out BybitAck ack)
    {
        ack = null!;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool success = true, hasTopic = false;
            string? op = null;
            string reqId = string.Empty, retMsg = string.Empty, connId = string.Empty;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "success":
                        if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                        {
                            return false;
                        }

                        success = reader.TokenType == JsonTokenType.True;
                        break;
                    case "op": op = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; break;
                    case "req_id": reqId = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty; break;
                    case "ret_msg": retMsg = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty; break;
                    case "conn_id": connId = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty; break;
                    case "topic": hasTopic = true; reader.Skip(); break;
                    default: reader.Skip(); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || hasTopic || string.IsNullOrEmpty(op))
            {
                return false;
            }

            ack = new BybitAck(success, op, reqId, retMsg, connId);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary><c>{"req_id":"…","op":"subscribe","args":[…]}</c>. Spot accepts at most 10 args per request.</summary>
    public static string Subscribe(string reqId, IEnumerable<string> topics) => Operation("subscribe", reqId, topics);

    /// <summary><c>{"req_id":"…","op":"unsubscribe","args":[…]}</c>.</summary>
    public static string Unsubscribe(string reqId, IEnumerable<string> topics) => Operation("unsubscribe", reqId, topics);

    /// <summary><c>{"req_id":"…","op":"ping"}</c> (Bybit recommends one every 20 s).</summary>
    public static string Ping(string reqId) => Operation("ping", reqId, null);

    private static string Operation(string op, string reqId, IEnumerable<string>? args)
    {
        ArgumentNullException.ThrowIfNull(reqId);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("req_id", reqId);
            writer.WriteString("op", op);
            if (args is not null)
            {
                writer.WriteStartArray("args");
                foreach (string topic in args)
                {
                    writer.WriteStringValue(topic);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
