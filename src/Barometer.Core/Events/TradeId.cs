using System.Buffers.Text;
using System.Globalization;

namespace Barometer.Core.Events;

/// <summary>
/// A venue trade id without a string allocation. Binance and OKX ids are integers; Bybit linear
/// ids are UUIDs ("20f43950-d8dd-5b31-9112-a178eb6023af"). Anything else is kept as a 64-bit
/// FNV-1a hash of its bytes (stable, for de-duplication only).
/// </summary>
public readonly record struct TradeId(TradeIdFormat Format, ulong High, ulong Low)
{
    /// <summary>No id.</summary>
    public static TradeId None => default;

    /// <summary>A numeric id.</summary>
    public static TradeId FromNumber(long value) => new(TradeIdFormat.Number, 0, unchecked((ulong)value));

    /// <summary>Parses UTF-8 id text: an integer, a UUID, or anything else (hashed).</summary>
    public static TradeId Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0)
        {
            return None;
        }

        if (Utf8Parser.TryParse(utf8, out long number, out int consumed) && consumed == utf8.Length)
        {
            return FromNumber(number);
        }

        if (utf8.Length == 36 && Utf8Parser.TryParse(utf8, out Guid guid, out consumed, 'D') && consumed == 36)
        {
            Span<byte> bytes = stackalloc byte[16];
            guid.TryWriteBytes(bytes, bigEndian: true, out _);
            return new(TradeIdFormat.Uuid,
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        }

        ulong hash = 14695981039346656037UL;
        foreach (byte b in utf8)
        {
            hash = unchecked((hash ^ b) * 1099511628211UL);
        }

        return new(TradeIdFormat.Hash, 0, hash);
    }

    /// <summary>Longest text <see cref="TryFormatUtf8"/> writes (a UUID: 36 bytes).</summary>
    public const int MaxUtf8Length = 36;

    /// <summary>
    /// Writes the same text as <see cref="ToString"/> as UTF-8 without allocating (for serializers
    /// on the hot path). False when <paramref name="destination"/> is too short.
    /// </summary>
    public bool TryFormatUtf8(Span<byte> destination, out int bytesWritten)
    {
        switch (Format)
        {
            case TradeIdFormat.Number:
                return Utf8Formatter.TryFormat(unchecked((long)Low), destination, out bytesWritten);
            case TradeIdFormat.Uuid:
                Span<byte> bytes = stackalloc byte[16];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
                return Utf8Formatter.TryFormat(new Guid(bytes, bigEndian: true), destination, out bytesWritten, 'D');
            case TradeIdFormat.Hash:
                if (destination.Length < 17)
                {
                    bytesWritten = 0;
                    return false;
                }

                destination[0] = (byte)'h';
                bool ok = Utf8Formatter.TryFormat(Low, destination[1..], out int hex, new System.Buffers.StandardFormat('x', 16));
                bytesWritten = ok ? hex + 1 : 0;
                return ok;
            default:
                bytesWritten = 0;
                return true;
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        switch (Format)
        {
            case TradeIdFormat.Number:
                return unchecked((long)Low).ToString(CultureInfo.InvariantCulture);
            case TradeIdFormat.Uuid:
                Span<byte> bytes = stackalloc byte[16];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
                return new Guid(bytes, bigEndian: true).ToString("D");
            case TradeIdFormat.Hash:
                return "h" + Low.ToString("x16", CultureInfo.InvariantCulture);
            default:
                return string.Empty;
        }
    }
}

/// <summary>How a <see cref="TradeId"/> was written by the venue.</summary>
public enum TradeIdFormat : byte
{
    /// <summary>No id.</summary>
    None = 0,

    /// <summary>An integer.</summary>
    Number = 1,

    /// <summary>A UUID.</summary>
    Uuid = 2,

    /// <summary>Other text, kept as a hash.</summary>
    Hash = 3,
}
