using System.Text;

namespace Barometer.Venues.Okx;

/// <summary>
/// The OKX order-book checksum (pre-deprecation rule, ../shared/venues/okx.md §3.3 [CK-OLD]):
/// take the best 25 bids and best 25 asks, build "bidPx:bidSz:askPx:askSz:…" alternating bid and
/// ask (when one side runs out, the remaining levels of the other follow), using the price and
/// size strings exactly as received, and take the CRC-32 (IEEE, as zlib) as a signed 32-bit
/// integer. Since 2026-06-23 OKX sends checksum 0 on the JSON channels and says it must no longer be
/// used; <see cref="ShouldVerify"/> is false for 0 (verify only non-zero values: replays of older data).
/// </summary>
public static class OkxChecksum
{
    /// <summary>Levels per side that enter the checksum.</summary>
    public const int Depth = 25;

    private static readonly uint[] Table = BuildTable();

    /// <summary>
    /// True when a message's checksum should be compared: a non-zero value (OKX fixed the field to 0
    /// when it deprecated it; a real CRC of 0 is a 1-in-2³² case that is then simply not checked).
    /// </summary>
    public static bool ShouldVerify(long checksum) => checksum != 0;

    /// <summary>
    /// The checksum over levels given best first as "price:size" text pairs (only the first
    /// <see cref="Depth"/> of each side are used).
    /// </summary>
    public static int Compute(IReadOnlyList<string> bidsBestFirst, IReadOnlyList<string> asksBestFirst)
    {
        ArgumentNullException.ThrowIfNull(bidsBestFirst);
        ArgumentNullException.ThrowIfNull(asksBestFirst);
        return Compute(bidsBestFirst.Count, i => bidsBestFirst[i], asksBestFirst.Count, i => asksBestFirst[i]);
    }

    /// <summary>The checksum string itself ("3366.1:7:3366.8:9:…"), for diagnostics and tests.</summary>
    public static string BuildString(IReadOnlyList<string> bidsBestFirst, IReadOnlyList<string> asksBestFirst)
    {
        ArgumentNullException.ThrowIfNull(bidsBestFirst);
        ArgumentNullException.ThrowIfNull(asksBestFirst);
        var sb = new StringBuilder();
        int nb = Math.Min(Depth, bidsBestFirst.Count), na = Math.Min(Depth, asksBestFirst.Count);
        for (int i = 0; i < Math.Max(nb, na); i++)
        {
            if (i < nb)
            {
                sb.Append(sb.Length > 0 ? ":" : string.Empty).Append(bidsBestFirst[i]);
            }

            if (i < na)
            {
                sb.Append(sb.Length > 0 ? ":" : string.Empty).Append(asksBestFirst[i]);
            }
        }

        return sb.ToString();
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of ASCII text, as a signed int.</summary>
    public static int Crc32(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        uint crc = 0xFFFFFFFFu;
        crc = Update(crc, text);
        return unchecked((int)~crc);
    }

    internal static int Compute(int bidCount, Func<int, string> bid, int askCount, Func<int, string> ask)
    {
        uint crc = 0xFFFFFFFFu;
        bool first = true;
        int nb = Math.Min(Depth, bidCount), na = Math.Min(Depth, askCount);
        for (int i = 0; i < Math.Max(nb, na); i++)
        {
            if (i < nb)
            {
                crc = Append(crc, bid(i), ref first);
            }

            if (i < na)
            {
                crc = Append(crc, ask(i), ref first);
            }
        }

        return unchecked((int)~crc);
    }

    private static uint Append(uint crc, string pair, ref bool first)
    {
        if (!first)
        {
            crc = Table[(crc ^ ':') & 0xFF] ^ (crc >> 8);
        }

        first = false;
        return Update(crc, pair);
    }

    private static uint Update(uint crc, string text)
    {
        foreach (char c in text)
        {
            crc = Table[(crc ^ (byte)c) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
