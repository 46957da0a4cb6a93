using System.Text;
using System.Text.Json;

namespace Barometer.Venues.Binance;

/// <summary>What a Binance control reply says.</summary>
public enum BinanceControlKind : byte
{
    /// <summary>Not a control reply.</summary>
    None = 0,

    /// <summary><c>{"result":…,"id":N}</c>: the request succeeded.</summary>
    Result = 1,

    /// <summary><c>{"code":…,"msg":…,"id":N}</c> or <c>{"error":{"code":…,"msg":…},"id":N}</c>: the request failed.</summary>
    Error = 2,
}

/// <summary>
/// Framing helpers of the connector: the combined-stream envelope's stream name, and control
/// replies to SUBSCRIBE (ack or error with the venue's code and message). Allocation-free except
/// for an error's message text.
/// </summary>
public static class BinanceControl
{
    private static readonly byte[] StreamPrefix = "{\"stream\":\""u8.ToArray();

    /// <summary>
    /// The stream name of a combined-stream frame <c>{"stream":"btcusdt@aggTrade","data":…}</c>
    /// (Binance always writes "stream" first); false for anything else.
    /// </summary>
    public static bool TryGetStreamName(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> stream)
    {
        stream = default;
        if (!frame.StartsWith(StreamPrefix))
        {
            return false;
        }

        var rest = frame[StreamPrefix.Length..];
        int end = rest.IndexOf((byte)'"');
        if (end <= 0 || rest[..end].IndexOf((byte)'\\') >= 0)
        {
            return false;
        }

        stream = rest[..end];
        return true;
    }

    /// <summary>The event type ("e") of spot's server shutdown notice.</summary>
    internal static ReadOnlySpan<byte> ServerShutdownEventType => "serverShutdown"u8;

    /// <summary>True for spot's <c>serverShutdown</c> notice (raw or wrapped): reconnect as soon as possible.</summary>
    public static bool IsServerShutdown(ReadOnlySpan<byte> frame) => frame.IndexOf("\"e\":\"serverShutdown\""u8) >= 0;

    /// <summary>
    /// Parses a control reply. <paramref name="id"/> is the numeric request id (-1 when absent or
    /// not a number); <paramref name="message"/> is "code N: msg" for errors, else empty.
    /// </summary>
    public static BinanceControlKind Parse(ReadOnlySpan<byte> frame, out long id, out string message)
    {
        id = -1;
        message = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return BinanceControlKind.None;
            }

            bool hasResult = false, hasError = false;
            long code = long.MinValue;
            ReadOnlySpan<byte> msg = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("result"u8))
                {
                    hasResult = true;
                    reader.Read();
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long n))
                    {
                        id = n;
                    }
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    hasError = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long c))
                    {
                        code = c;
                    }
                }
                else if (reader.ValueTextEquals("msg"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                    {
                        msg = reader.ValueSpan;
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    hasError = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("code"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long c))
                            {
                                code = c;
                            }
                        }
                        else if (reader.ValueTextEquals("msg"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                            {
                                msg = reader.ValueSpan;
                            }
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    // Market data: not a control reply.
                    return BinanceControlKind.None;
                }
            }

            if (hasError)
            {
                message = (code == long.MinValue ? "error" : "code " + code) + ": " + (msg.IsEmpty ? "(no message)" : Encoding.UTF8.GetString(msg));
                return BinanceControlKind.Error;
            }

            return hasResult ? BinanceControlKind.Result : BinanceControlKind.None;
        }
        catch (JsonException)
        {
            return BinanceControlKind.None;
        }
    }
}
