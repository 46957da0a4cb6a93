using System.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;

namespace Barometer.Venues.Okx;

/// <summary>
/// One parsed OKX order-book message (WebSocket <c>books*</c> data element, or the REST
/// /api/v5/market/books body) as <see cref="OkxBookSync"/> consumes it: the normalized update plus
/// what the sequencer needs beyond it.
/// </summary>
/// <param name="Update">The book update: sizes in base units; First = Last = seqId, Previous = prevSeqId (-1 when absent).</param>
/// <param name="SnapshotAction">True for <c>action:"snapshot"</c> (and for the REST body).</param>
/// <param name="HasSeqId">False for frames recorded before OKX added seqId/prevSeqId (2021 data): continuity cannot be checked.</param>
/// <param name="Checksum">The message's checksum, 0 when absent (OKX sends 0 since 2026-06-23).</param>
/// <param name="BidText">"price:size" exactly as received, aligned with <see cref="BookUpdate.Bids"/>; null when not kept.</param>
/// <param name="AskText">"price:size" exactly as received, aligned with <see cref="BookUpdate.Asks"/>; null when not kept.</param>
public readonly record struct OkxBookMessage(BookUpdate Update, bool SnapshotAction, bool HasSeqId, long Checksum, string[]? BidText, string[]? AskText)
{
    /// <summary>seqId (−1 when absent).</summary>
    public long SeqId => Update.LastUpdateId;

    /// <summary>prevSeqId (−1 for snapshots and when absent).</summary>
    public long PrevSeqId => Update.PreviousUpdateId;

    /// <summary>A keep-alive: no levels and prevSeqId == seqId.</summary>
    public bool IsHeartbeat => HasSeqId && Update.Bids.Length == 0 && Update.Asks.Length == 0 && PrevSeqId == SeqId;
}

/// <summary>Receives incremental book messages from <see cref="OkxNormalizer.Normalize(ReadOnlySpan{byte}, long, Barometer.Core.Events.IEventSink, IOkxBookMessageHandler)"/>.</summary>
public interface IOkxBookMessageHandler
{
    /// <summary>One parsed incremental book message (with original level texts), in arrival order.</summary>
    void OnBookMessage(in OkxBookMessage message);
}

/// <summary>The fields of one book data element.</summary>
internal ref struct OkxBookFields
{
    public const long Missing = long.MinValue;

    public Utf8JsonReader Bids;
    public Utf8JsonReader Asks;
    public bool HasBids;
    public bool HasAsks;
    public long Ts = Missing;
    public long SeqId = Missing;
    public long PrevSeqId = Missing;
    public long Checksum = Missing;

    public OkxBookFields()
    {
    }

    /// <summary>Reads one object (reader at StartObject).</summary>
    public static bool Read(ref Utf8JsonReader reader, ref OkxBookFields f)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!ReadProperty(ref reader, ref f))
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>Reader at a property name: reads its value (unknown properties are skipped).</summary>
    public static bool ReadProperty(ref Utf8JsonReader reader, ref OkxBookFields f)
    {
        var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
        reader.Read();
        if (name.SequenceEqual("asks"u8) || name.SequenceEqual("bids"u8))
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            if (name[0] == (byte)'a')
            {
                f.Asks = reader;
                f.HasAsks = true;
            }
            else
            {
                f.Bids = reader;
                f.HasBids = true;
            }

            reader.Skip();
            return true;
        }

        if (name.SequenceEqual("ts"u8))
        {
            return OkxJson.TryOptionalLong(ref reader, ref f.Ts);
        }

        if (name.SequenceEqual("seqId"u8))
        {
            return OkxJson.TryOptionalLong(ref reader, ref f.SeqId);
        }

        if (name.SequenceEqual("prevSeqId"u8))
        {
            return OkxJson.TryOptionalLong(ref reader, ref f.PrevSeqId);
        }

        if (name.SequenceEqual("checksum"u8))
        {
            return OkxJson.TryOptionalLong(ref reader, ref f.Checksum);
        }

        reader.Skip();
        return true;
    }

    /// <summary>Builds the message; false when a level or the time is invalid.</summary>
    public static bool TryBuild(ref OkxBookFields f, Instrument instrument, long receiveTime, bool isSnapshot, bool snapshotAction, bool keepText,
        out OkxBookMessage message)
    {
        message = default;
        if (!f.HasBids || !f.HasAsks || f.Ts == Missing || f.Ts < 0 || (f.SeqId != Missing && f.SeqId < 0)
            || (f.PrevSeqId != Missing && f.PrevSeqId < -1) || (f.Checksum != Missing && (f.Checksum < int.MinValue || f.Checksum > uint.MaxValue)))
        {
            return false;
        }

        double perUnit = instrument.ContractMultiplier;
        if (!TryLevels(f.Bids, instrument, perUnit, keepText, out var bids, out var bidText)
            || !TryLevels(f.Asks, instrument, perUnit, keepText, out var asks, out var askText))
        {
            return false;
        }

        bool hasSeq = f.SeqId != Missing;
        long seq = hasSeq ? f.SeqId : -1;
        long prev = f.PrevSeqId != Missing ? f.PrevSeqId : -1;
        var update = new BookUpdate(instrument, UnixMicros.FromMilliseconds(f.Ts), receiveTime, isSnapshot, seq, seq, prev, bids, asks);
        long checksum = f.Checksum == Missing ? 0 : f.Checksum > int.MaxValue ? unchecked((int)(uint)f.Checksum) : f.Checksum;
        message = new OkxBookMessage(update, snapshotAction, hasSeq, checksum, bidText, askText);
        return true;
    }

    /// <summary>[[px, sz, "0", numOrders], …]: px &gt; 0, sz ≥ 0, finite; sz × perUnit = base quantity.</summary>
    public static bool TryLevels(Utf8JsonReader reader, Instrument instrument, double perUnit, bool keepText, out BookLevel[] levels, out string[]? text)
    {
        levels = [];
        text = null;
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
            text = keepText ? [] : null;
            return true;
        }

        var result = new BookLevel[count];
        var texts = keepText ? new string[count] : null;
        Span<byte> pair = stackalloc byte[80];
        for (int i = 0; i < count; i++)
        {
            reader.Read(); // StartArray of the level
            if (!reader.Read() || !OkxJson.TryString(ref reader, out var pxText) || !OkxJson.TryOptionalDouble(ref reader, out double price) || !(price > 0))
            {
                return false;
            }

            int pxLength = pxText.Length;
            if (keepText && pxLength < pair.Length)
            {
                pxText.CopyTo(pair);
            }

            if (!reader.Read() || !OkxJson.TryString(ref reader, out var szText) || !OkxJson.TryOptionalDouble(ref reader, out double size) || !(size >= 0))
            {
                return false;
            }

            if (texts is not null)
            {
                if (pxLength + 1 + szText.Length > pair.Length)
                {
                    return false;
                }

                pair[pxLength] = (byte)':';
                szText.CopyTo(pair[(pxLength + 1)..]);
                texts[i] = Encoding.ASCII.GetString(pair[..(pxLength + 1 + szText.Length)]);
            }

            result[i] = new BookLevel(instrument.ToTicks(price), price, size * perUnit);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip();
            }
        }

        levels = result;
        text = texts;
        return true;
    }
}
