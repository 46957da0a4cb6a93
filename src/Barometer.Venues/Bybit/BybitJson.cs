using System.Buffers.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Binance;

namespace Barometer.Venues.Bybit;

/// <summary>
/// Small Utf8JsonReader helpers for the Bybit parsers (no allocation). Bybit sends every number
/// as a string ("16578.50") except times and ids; optional ticker fields may be the empty string,
/// which means "no value".
/// </summary>
internal static class BybitJson
{
    /// <summary>Reads the current string or number token as a finite double.</summary>
    public static bool TryDouble(ref Utf8JsonReader reader, out double value) => BinanceJson.TryDouble(ref reader, out value);

    /// <summary>Reads the current number (or numeric string) token as a long.</summary>
    public static bool TryLong(ref Utf8JsonReader reader, out long value) => BinanceJson.TryLong(ref reader, out value);

    /// <summary>
    /// Reads an optional number: the empty string (or null) leaves <paramref name="target"/> as is
    /// and succeeds; anything else must be a finite number.
    /// </summary>
    public static bool TryOptionalDouble(ref Utf8JsonReader reader, ref double target)
    {
        if (reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.String && reader.ValueSpan.IsEmpty))
        {
            return true;
        }

        if (!TryDouble(ref reader, out double value))
        {
            return false;
        }

        target = value;
        return true;
    }

    /// <summary>Like <see cref="TryOptionalDouble"/> for integers (times in ms).</summary>
    public static bool TryOptionalLong(ref Utf8JsonReader reader, ref long target)
    {
        if (reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.String && reader.ValueSpan.IsEmpty))
        {
            return true;
        }

        if (!TryLong(ref reader, out long value))
        {
            return false;
        }

        target = value;
        return true;
    }

    /// <summary>Parses an array of [price, size] levels (see <see cref="BinanceJson.TryLevels"/>).</summary>
    public static bool TryLevels(Utf8JsonReader reader, Instrument instrument, out BookLevel[] levels) =>
        BinanceJson.TryLevels(reader, instrument, out levels);

    /// <summary>
    /// Reads the first [price, size] level of a level array (reader at its StartArray, a copy is
    /// taken) without allocating. <paramref name="empty"/> is true for an empty array.
    /// </summary>
    public static bool TryFirstLevel(Utf8JsonReader reader, out double price, out double size, out bool empty)
    {
        price = 0;
        size = 0;
        empty = false;
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            empty = true;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray
            || !reader.Read() || !TryDouble(ref reader, out price) || !(price > 0)
            || !reader.Read() || !TryDouble(ref reader, out size) || size < 0)
        {
            return false;
        }

        return true;
    }

    /// <summary>True when the current property name equals <paramref name="name"/>.</summary>
    public static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(name);

    /// <summary>The current string token's bytes (false for other tokens or escaped strings).</summary>
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

    /// <summary>Parses a whole span as a long (e.g. a number inside a string).</summary>
    public static bool TryParseLong(ReadOnlySpan<byte> span, out long value) =>
        Utf8Parser.TryParse(span, out value, out int consumed) && consumed == span.Length && !span.IsEmpty;
}
