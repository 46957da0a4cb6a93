using System.Buffers.Text;
using System.Text.Json;

namespace Barometer.Venues.Okx;

/// <summary>Small Utf8JsonReader helpers shared by the OKX parsers (no allocation).</summary>
internal static class OkxJson
{
    /// <summary>
    /// Reads the current string or number token as a finite double. OKX sends every number as a
    /// string and uses "" for "not applicable": an empty string leaves <paramref name="value"/> NaN
    /// and succeeds; any other non-number fails.
    /// </summary>
    public static bool TryOptionalDouble(ref Utf8JsonReader reader, out double value)
    {
        value = double.NaN;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped)
        {
            return reader.TokenType == JsonTokenType.Null;
        }

        var span = reader.ValueSpan;
        if (span.IsEmpty)
        {
            return true;
        }

        return Utf8Parser.TryParse(span, out value, out int consumed) && consumed == span.Length && double.IsFinite(value);
    }

    /// <summary>Reads the current number (or numeric string) token as a long; "" leaves <paramref name="value"/> unchanged.</summary>
    public static bool TryOptionalLong(ref Utf8JsonReader reader, ref long value)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out value);
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            if (span.IsEmpty)
            {
                return true;
            }

            return Utf8Parser.TryParse(span, out value, out int consumed) && consumed == span.Length;
        }

        return reader.TokenType == JsonTokenType.Null;
    }

    /// <summary>The current string token's raw bytes (unescaped strings only).</summary>
    public static bool TryString(scoped ref Utf8JsonReader reader, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return false;
        }

        value = reader.ValueSpan;
        return true;
    }

    /// <summary>True when the current property name equals <paramref name="name"/>.</summary>
    public static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(name);
}
