using System.Buffers.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Venues.Binance;

/// <summary>Small Utf8JsonReader helpers shared by the Binance parsers (no allocation).</summary>
internal static class BinanceJson
{
    private const double MaxTicks = 9e18;

    /// <summary>Reads the current string or number token as a finite double.</summary>
    public static bool TryDouble(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped)
        {
            return false;
        }

        var span = reader.ValueSpan;
        return !span.IsEmpty && Utf8Parser.TryParse(span, out value, out int consumed) && consumed == span.Length && double.IsFinite(value);
    }

    /// <summary>Reads the current number (or numeric string) token as a long.</summary>
    public static bool TryLong(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out value);
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            return Utf8Parser.TryParse(span, out value, out int consumed) && consumed == span.Length;
        }

        return false;
    }

    /// <summary>
    /// Parses an array of [price, quantity] levels starting at the reader's StartArray (a copy is
    /// taken, so two passes cost no allocation besides the result). Prices must be &gt; 0,
    /// quantities ≥ 0, both finite.
    /// </summary>
    public static bool TryLevels(Utf8JsonReader reader, Instrument instrument, out BookLevel[] levels)
    {
        levels = [];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var counting = reader;
        int count = 0;
        while (counting.Read() && counting.TokenType != JsonTokenType.EndArray)
        {
            if (counting.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            counting.Skip();
            count++;
        }

        if (count == 0)
        {
            return true;
        }

        var result = new BookLevel[count];
        for (int i = 0; i < count; i++)
        {
            reader.Read(); // StartArray of the level
            // The tick count must fit a long (a huge price would saturate ToTicks silently).
            if (!reader.Read() || !TryDouble(ref reader, out double price) || !(price > 0) || !(price / instrument.TickSize < MaxTicks))
            {
                return false;
            }

            if (!reader.Read() || !TryDouble(ref reader, out double quantity) || quantity < 0)
            {
                return false;
            }

            result[i] = new BookLevel(instrument.ToTicks(price), price, quantity);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip();
            }
        }

        levels = result;
        return true;
    }

    /// <summary>True when the current property name equals <paramref name="name"/>.</summary>
    public static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(name);
}
