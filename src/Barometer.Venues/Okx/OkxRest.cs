using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;

namespace Barometer.Venues.Okx;

/// <summary>One instrument of GET /api/v5/public/instruments (../shared/venues/okx.md §4 [R-INS]).</summary>
/// <param name="InstId">Instrument id (BTC-USDT-SWAP, BTC-USDT).</param>
/// <param name="InstType">SWAP, SPOT, FUTURES …</param>
/// <param name="CtVal">Contract value (NaN for SPOT or when empty).</param>
/// <param name="CtMult">Contract multiplier (NaN for SPOT or when empty).</param>
/// <param name="CtValCcy">Currency of the contract value (BTC for linear swaps, USD for inverse).</param>
/// <param name="CtType">linear / inverse (empty for SPOT).</param>
/// <param name="TickSize">tickSz (NaN when absent).</param>
/// <param name="LotSize">lotSz: contracts for derivatives, base currency for spot (NaN when absent).</param>
/// <param name="State">live, suspend, preopen, test.</param>
/// <param name="SettleCcy">Settlement currency (USDT, USDC; empty for SPOT).</param>
/// <param name="BaseCcy">Base currency (SPOT only in OKX's response; derived from instId otherwise).</param>
/// <param name="QuoteCcy">Quote currency (SPOT only in OKX's response; derived from instId otherwise).</param>
public sealed record OkxInstrumentInfo(string InstId, string InstType, double CtVal, double CtMult, string CtValCcy, string CtType,
    double TickSize, double LotSize, string State, string SettleCcy, string BaseCcy, string QuoteCcy)
{
    /// <summary>
    /// Base-asset quantity per unit of the size field: 1 for SPOT; ctVal × ctMult for a linear
    /// swap whose contract value is in the base currency; NaN when that cannot be known (inverse
    /// contracts, missing ctVal/ctMult).
    /// </summary>
    public double BasePerUnit
    {
        get
        {
            if (InstType == "SPOT")
            {
                return 1.0;
            }

            if (!(CtVal > 0) || !(CtMult > 0) || CtType == "inverse" || (CtValCcy.Length > 0 && CtValCcy != BaseCcy))
            {
                return double.NaN;
            }

            return CtVal * CtMult;
        }
    }
}

/// <summary>One row of GET /api/v5/public/funding-rate-history.</summary>
/// <param name="InstId">Instrument id.</param>
/// <param name="Rate">realizedRate ("Actual funding rate"); fundingRate (predicted) only when realizedRate is absent.</param>
/// <param name="FundingTime">Settlement time, UTC µs.</param>
public readonly record struct OkxFundingRecord(string InstId, double Rate, long FundingTime);

/// <summary>One row of GET /api/v5/public/open-interest.</summary>
/// <param name="InstId">Instrument id.</param>
/// <param name="Contracts">oi, in contracts.</param>
/// <param name="BaseQuantity">oiCcy, in the base currency (NaN when empty).</param>
/// <param name="NotionalUsd">oiUsd (NaN when empty).</param>
/// <param name="Time">ts, UTC µs.</param>
public readonly record struct OkxOpenInterestRecord(string InstId, double Contracts, double BaseQuantity, double NotionalUsd, long Time);

/// <summary>
/// Parsers of the OKX v5 REST bodies (<c>{"code":"0","msg":"","data":[…]}</c>): instruments,
/// order book (/api/v5/market/books, with seqId), funding-rate history and open interest.
/// They never throw on bad input: they return false (also for a non-zero <c>code</c>).
/// </summary>
public static class OkxRest
{
    /// <summary>Parses an instruments response.</summary>
    public static bool TryParseInstruments(ReadOnlySpan<byte> body, out List<OkxInstrumentInfo> instruments)
    {
        var list = new List<OkxInstrumentInfo>();
        instruments = list;
        return TryForEachDataObject(body, (ref Utf8JsonReader reader) =>
        {
            string instId = string.Empty, instType = string.Empty, ctValCcy = string.Empty, ctType = string.Empty, state = string.Empty,
                settle = string.Empty, baseCcy = string.Empty, quoteCcy = string.Empty;
            double ctVal = double.NaN, ctMult = double.NaN, tick = double.NaN, lot = double.NaN;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? name = reader.GetString();
                reader.Read();
                bool ok = name switch
                {
                    "instId" => Str(ref reader, out instId),
                    "instType" => Str(ref reader, out instType),
                    "ctValCcy" => Str(ref reader, out ctValCcy),
                    "ctType" => Str(ref reader, out ctType),
                    "state" => Str(ref reader, out state),
                    "settleCcy" => Str(ref reader, out settle),
                    "baseCcy" => Str(ref reader, out baseCcy),
                    "quoteCcy" => Str(ref reader, out quoteCcy),
                    "ctVal" => OkxJson.TryOptionalDouble(ref reader, out ctVal),
                    "ctMult" => OkxJson.TryOptionalDouble(ref reader, out ctMult),
                    "tickSz" => OkxJson.TryOptionalDouble(ref reader, out tick),
                    "lotSz" => OkxJson.TryOptionalDouble(ref reader, out lot),
                    _ => Skip(ref reader),
                };
                if (!ok)
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || instId.Length == 0 || instType.Length == 0)
            {
                return false;
            }

            if (baseCcy.Length == 0 || quoteCcy.Length == 0)
            {
                // Derivatives carry no baseCcy/quoteCcy: BTC-USDT-SWAP → BTC, USDT.
                var parts = instId.Split('-');
                if (parts.Length >= 2)
                {
                    baseCcy = baseCcy.Length == 0 ? parts[0] : baseCcy;
                    quoteCcy = quoteCcy.Length == 0 ? parts[1] : quoteCcy;
                }
            }

            list.Add(new OkxInstrumentInfo(instId, instType, ctVal, ctMult, ctValCcy, ctType, tick, lot, state, settle, baseCcy, quoteCcy));
            return true;
        });
    }

    /// <summary>
    /// Parses a GET /api/v5/market/books body into a snapshot message: First = Last = seqId,
    /// previous -1; sizes converted to base units with the instrument's multiplier; the original
    /// "price:size" texts kept when <paramref name="keepText"/> (for checksums).
    /// </summary>
    public static bool TryParseBooks(ReadOnlySpan<byte> body, Instrument instrument, long receiveTime, bool keepText, out OkxBookMessage snapshot)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        OkxBookMessage result = default;
        int count = 0;
        bool ok = TryForEachDataObject(body, (ref Utf8JsonReader reader) =>
        {
            count++;
            var f = new OkxBookFields();
            if (count > 1 || !OkxBookFields.Read(ref reader, ref f) || f.SeqId == OkxBookFields.Missing || f.SeqId < 0)
            {
                return false;
            }

            return OkxBookFields.TryBuild(ref f, instrument, receiveTime, isSnapshot: true, snapshotAction: true, keepText, out result);
        });
        snapshot = result;
        return ok && count == 1;
    }

    /// <summary>Parses a funding-rate-history response into records in ascending settlement order.</summary>
    public static bool TryParseFundingHistory(ReadOnlySpan<byte> body, out List<OkxFundingRecord> records)
    {
        var list = new List<OkxFundingRecord>();
        records = list;
        if (!TryParseFundingRows(body, list))
        {
            return false;
        }

        // OKX sends the newest first; history is published oldest first (event time order).
        list.Sort(static (a, b) => a.FundingTime.CompareTo(b.FundingTime));
        return true;
    }

    private static bool TryParseFundingRows(ReadOnlySpan<byte> body, List<OkxFundingRecord> list) =>
        TryForEachDataObject(body, (ref Utf8JsonReader reader) =>
        {
            string instId = string.Empty;
            double predicted = double.NaN, realized = double.NaN;
            long time = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? name = reader.GetString();
                reader.Read();
                bool ok = name switch
                {
                    "instId" => Str(ref reader, out instId),
                    "fundingRate" => OkxJson.TryOptionalDouble(ref reader, out predicted),
                    "realizedRate" => OkxJson.TryOptionalDouble(ref reader, out realized),
                    "fundingTime" => OkxJson.TryOptionalLong(ref reader, ref time),
                    _ => Skip(ref reader),
                };
                if (!ok)
                {
                    return false;
                }
            }

            double rate = !double.IsNaN(realized) ? realized : predicted;
            if (reader.TokenType != JsonTokenType.EndObject || instId.Length == 0 || double.IsNaN(rate) || time < 0)
            {
                return false;
            }

            list.Add(new OkxFundingRecord(instId, rate, UnixMicros.FromMilliseconds(time)));
            return true;
        });

    /// <summary>Parses an open-interest response.</summary>
    public static bool TryParseOpenInterest(ReadOnlySpan<byte> body, out List<OkxOpenInterestRecord> records)
    {
        var list = new List<OkxOpenInterestRecord>();
        records = list;
        return TryForEachDataObject(body, (ref Utf8JsonReader reader) =>
        {
            string instId = string.Empty;
            double oi = double.NaN, oiCcy = double.NaN, oiUsd = double.NaN;
            long time = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? name = reader.GetString();
                reader.Read();
                bool ok = name switch
                {
                    "instId" => Str(ref reader, out instId),
                    "oi" => OkxJson.TryOptionalDouble(ref reader, out oi),
                    "oiCcy" => OkxJson.TryOptionalDouble(ref reader, out oiCcy),
                    "oiUsd" => OkxJson.TryOptionalDouble(ref reader, out oiUsd),
                    "ts" => OkxJson.TryOptionalLong(ref reader, ref time),
                    _ => Skip(ref reader),
                };
                if (!ok)
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || instId.Length == 0 || !(oi >= 0) || time < 0 || oiCcy < 0 || oiUsd < 0)
            {
                return false;
            }

            list.Add(new OkxOpenInterestRecord(instId, oi, oiCcy, oiUsd, UnixMicros.FromMilliseconds(time)));
            return true;
        });
    }

    private delegate bool ObjectReader(ref Utf8JsonReader reader);

    /// <summary>Walks <c>{"code":"0",…,"data":[{…},…]}</c>, calling <paramref name="onObject"/> at each element's StartObject.</summary>
    private static bool TryForEachDataObject(ReadOnlySpan<byte> body, ObjectReader onObject)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool sawData = false, codeOk = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (OkxJson.NameIs(ref reader, "code"u8))
                {
                    reader.Read();
                    codeOk = reader.TokenType == JsonTokenType.String ? reader.ValueTextEquals("0"u8)
                        : reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int c) && c == 0;
                    continue;
                }

                if (!OkxJson.NameIs(ref reader, "data"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                sawData = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!onObject(ref reader))
                    {
                        return false;
                    }
                }

                if (reader.TokenType != JsonTokenType.EndArray)
                {
                    return false;
                }
            }

            return sawData && codeOk && reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Str(ref Utf8JsonReader reader, out string value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty;
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    private static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }
}
