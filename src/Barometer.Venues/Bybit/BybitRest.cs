using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;

namespace Barometer.Venues.Bybit;

/// <summary>One instrument of GET /v5/market/instruments-info.</summary>
/// <param name="Category">The response's category: linear, spot (inverse, option).</param>
/// <param name="Symbol">Symbol (BTCUSDT, BTCPERP).</param>
/// <param name="Status">Trading, PreLaunch, Settling, Delivering, Closed …</param>
/// <param name="BaseCoin">Base coin (the unit of linear and spot quantities).</param>
/// <param name="QuoteCoin">Quote coin.</param>
/// <param name="SettleCoin">Settle coin (empty for spot).</param>
/// <param name="ContractType">LinearPerpetual, LinearFutures … (empty for spot).</param>
/// <param name="TickSize">priceFilter.tickSize (0 when absent).</param>
/// <param name="QtyStep">lotSizeFilter.qtyStep, or spot basePrecision (0 when absent).</param>
/// <param name="MinOrderQty">lotSizeFilter.minOrderQty (0 when absent).</param>
/// <param name="FundingIntervalMinutes">fundingInterval in minutes (0 for spot or when absent).</param>
public sealed record BybitInstrumentInfo(string Category, string Symbol, string Status, string BaseCoin, string QuoteCoin,
    string SettleCoin, string ContractType, double TickSize, double QtyStep, double MinOrderQty, int FundingIntervalMinutes);

/// <summary>One page of instruments-info.</summary>
/// <param name="Category">linear or spot.</param>
/// <param name="Instruments">The instruments.</param>
/// <param name="NextPageCursor">Cursor of the next page; empty on the last page (spot never paginates).</param>
public sealed record BybitInstrumentsPage(string Category, IReadOnlyList<BybitInstrumentInfo> Instruments, string NextPageCursor);

/// <summary>One settled funding of GET /v5/market/funding/history.</summary>
/// <param name="Symbol">Symbol.</param>
/// <param name="Rate">Funding rate, fraction per interval.</param>
/// <param name="FundingTime">fundingRateTimestamp, UTC µs.</param>
public readonly record struct BybitFundingRecord(string Symbol, double Rate, long FundingTime);

/// <summary>One row of GET /v5/market/open-interest.</summary>
/// <param name="OpenInterest">openInterest as sent (documented since 2026-06 as the sum of both sides), base coin.</param>
/// <param name="SingleOpenInterest">singleOpenInterest (NaN when absent: older responses).</param>
/// <param name="Time">timestamp, UTC µs.</param>
public readonly record struct BybitOpenInterestRecord(double OpenInterest, double SingleOpenInterest, long Time)
{
    /// <summary>Single-sided open interest: <see cref="SingleOpenInterest"/> when present, else half of <see cref="OpenInterest"/>.</summary>
    public double SingleSided => !double.IsNaN(SingleOpenInterest) ? SingleOpenInterest : OpenInterest * 0.5;
}

/// <summary>One page of open-interest history.</summary>
/// <param name="Category">linear (inverse).</param>
/// <param name="Symbol">Symbol.</param>
/// <param name="Records">Rows in ascending time order (Bybit sends newest first).</param>
/// <param name="NextPageCursor">Cursor of the next page; empty on the last.</param>
public sealed record BybitOpenInterestPage(string Category, string Symbol, IReadOnlyList<BybitOpenInterestRecord> Records, string NextPageCursor);

/// <summary>
/// Parsers of the Bybit V5 REST bodies (envelope <c>{"retCode":0,"retMsg":"OK","result":{…},"time":…}</c>):
/// instruments-info, funding history, open-interest history and the order-book snapshot. They
/// never throw on bad input: they return false (also for <c>retCode ≠ 0</c>; use
/// <see cref="TryParseError"/> to read it).
/// </summary>
public static class BybitRest
{
    /// <summary>True when the body is an envelope with <c>retCode ≠ 0</c>; gives code and message.</summary>
    public static bool TryParseError(ReadOnlySpan<byte> body, out int retCode, out string retMsg)
    {
        retCode = 0;
        retMsg = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool hasCode = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (BybitJson.NameIs(ref reader, "retCode"u8))
                {
                    reader.Read();
                    hasCode = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out retCode);
                }
                else if (BybitJson.NameIs(ref reader, "retMsg"u8))
                {
                    reader.Read();
                    retMsg = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return hasCode && retCode != 0;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Parses an instruments-info page (linear or spot).</summary>
    public static bool TryParseInstruments(ReadOnlySpan<byte> body, out BybitInstrumentsPage page)
    {
        page = null!;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!EnterResult(ref reader))
            {
                return false;
            }

            string category = string.Empty, cursor = string.Empty;
            var list = new List<BybitInstrumentInfo>();
            bool sawList = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "category": category = StringOrEmpty(ref reader); break;
                    case "nextPageCursor": cursor = StringOrEmpty(ref reader); break;
                    case "list":
                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            return false;
                        }

                        sawList = true;
                        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                        {
                            if (!TryReadInstrument(ref reader, out var info))
                            {
                                return false;
                            }

                            list.Add(info);
                        }

                        break;
                    default: reader.Skip(); break;
                }
            }

            if (!sawList || reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }

            for (int i = 0; i < list.Count; i++)
            {
                list[i] = list[i] with { Category = category };
            }

            page = new BybitInstrumentsPage(category, list, cursor);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Registers instruments in the registry with their tick size (first registration wins, as
    /// everywhere in the registry). Instruments of a category that does not belong to
    /// <paramref name="venue"/> (spot vs linear) are skipped. Returns the registered instruments.
    /// </summary>
    public static IReadOnlyList<Instrument> Register(InstrumentRegistry registry, VenueId venue, IEnumerable<BybitInstrumentInfo> instruments)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(instruments);
        string expected = venue == VenueId.BybitSpot ? "spot" : venue == VenueId.BybitLinear ? "linear" : throw new ArgumentOutOfRangeException(nameof(venue), venue, "not a Bybit venue");
        var result = new List<Instrument>();
        foreach (var info in instruments)
        {
            if ((info.Category.Length > 0 && info.Category != expected) || info.BaseCoin.Length == 0 || info.QuoteCoin.Length == 0)
            {
                continue;
            }

            result.Add(registry.GetOrAdd(venue, info.BaseCoin, info.QuoteCoin, info.Symbol, 1.0, info.TickSize > 0 ? info.TickSize : 1e-8));
        }

        return result;
    }

    /// <summary>Parses a funding-history body into records in <b>ascending</b> time order (Bybit sends newest first).</summary>
    public static bool TryParseFundingHistory(ReadOnlySpan<byte> body, out List<BybitFundingRecord> records)
    {
        records = [];
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!EnterResult(ref reader))
            {
                return false;
            }

            bool sawList = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!BybitJson.NameIs(ref reader, "list"u8))
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

                sawList = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    string? symbol = null;
                    double rate = double.NaN;
                    long time = -1;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (BybitJson.NameIs(ref reader, "symbol"u8))
                        {
                            reader.Read();
                            symbol = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        }
                        else if (BybitJson.NameIs(ref reader, "fundingRate"u8))
                        {
                            reader.Read();
                            if (!BybitJson.TryDouble(ref reader, out rate))
                            {
                                return false;
                            }
                        }
                        else if (BybitJson.NameIs(ref reader, "fundingRateTimestamp"u8))
                        {
                            reader.Read();
                            if (!BybitJson.TryLong(ref reader, out time))
                            {
                                return false;
                            }
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }

                    if (reader.TokenType != JsonTokenType.EndObject || string.IsNullOrEmpty(symbol) || double.IsNaN(rate) || time < 0)
                    {
                        return false;
                    }

                    records.Add(new BybitFundingRecord(symbol, rate, UnixMicros.FromMilliseconds(time)));
                }

                if (reader.TokenType != JsonTokenType.EndArray)
                {
                    return false;
                }
            }

            if (!sawList)
            {
                return false;
            }

            records.Sort(static (a, b) => a.FundingTime.CompareTo(b.FundingTime));
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Parses an open-interest history body; rows come back in ascending time order.</summary>
    public static bool TryParseOpenInterestHistory(ReadOnlySpan<byte> body, out BybitOpenInterestPage page)
    {
        page = null!;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!EnterResult(ref reader))
            {
                return false;
            }

            string category = string.Empty, symbol = string.Empty, cursor = string.Empty;
            var rows = new List<BybitOpenInterestRecord>();
            bool sawList = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "category": category = StringOrEmpty(ref reader); break;
                    case "symbol": symbol = StringOrEmpty(ref reader); break;
                    case "nextPageCursor": cursor = StringOrEmpty(ref reader); break;
                    case "list":
                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            return false;
                        }

                        sawList = true;
                        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                        {
                            double oi = double.NaN, single = double.NaN;
                            long time = -1;
                            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                            {
                                if (BybitJson.NameIs(ref reader, "openInterest"u8))
                                {
                                    reader.Read();
                                    if (!BybitJson.TryDouble(ref reader, out oi))
                                    {
                                        return false;
                                    }
                                }
                                else if (BybitJson.NameIs(ref reader, "singleOpenInterest"u8))
                                {
                                    reader.Read();
                                    if (!BybitJson.TryOptionalDouble(ref reader, ref single))
                                    {
                                        return false;
                                    }
                                }
                                else if (BybitJson.NameIs(ref reader, "timestamp"u8))
                                {
                                    reader.Read();
                                    if (!BybitJson.TryLong(ref reader, out time))
                                    {
                                        return false;
                                    }
                                }
                                else
                                {
                                    reader.Read();
                                    reader.Skip();
                                }
                            }

                            if (reader.TokenType != JsonTokenType.EndObject || !(oi >= 0) || single < 0 || time < 0)
                            {
                                return false;
                            }

                            rows.Add(new BybitOpenInterestRecord(oi, single, UnixMicros.FromMilliseconds(time)));
                        }

                        break;
                    default: reader.Skip(); break;
                }
            }

            if (!sawList || symbol.Length == 0 || reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }

            rows.Sort(static (a, b) => a.Time.CompareTo(b.Time));
            page = new BybitOpenInterestPage(category, symbol, rows, cursor);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses GET /v5/market/orderbook (<c>result</c>: s, b, a, ts, u, seq, cts) into a snapshot
    /// <see cref="BookUpdate"/> (First = Last = u, whose sequence is that of the 1000-level stream)
    /// and its cross sequence <paramref name="seq"/>.
    /// </summary>
    public static bool TryParseOrderbookSnapshot(ReadOnlySpan<byte> body, Instrument instrument, long receiveTime, out BookUpdate snapshot, out long seq)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        snapshot = default;
        seq = -1;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!EnterResult(ref reader))
            {
                return false;
            }

            long u = -1, ts = -1;
            bool symbolMatches = true, hasBids = false, hasAsks = false;
            Utf8JsonReader bidsAt = default, asksAt = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (BybitJson.NameIs(ref reader, "s"u8))
                {
                    reader.Read();
                    symbolMatches = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(instrument.VenueSymbol);
                }
                else if (BybitJson.NameIs(ref reader, "b"u8) || BybitJson.NameIs(ref reader, "a"u8))
                {
                    bool isBid = reader.ValueSpan[0] == (byte)'b';
                    reader.Read();
                    if (isBid)
                    {
                        bidsAt = reader;
                        hasBids = true;
                    }
                    else
                    {
                        asksAt = reader;
                        hasAsks = true;
                    }

                    reader.Skip();
                }
                else if (BybitJson.NameIs(ref reader, "u"u8))
                {
                    reader.Read();
                    if (!BybitJson.TryLong(ref reader, out u))
                    {
                        return false;
                    }
                }
                else if (BybitJson.NameIs(ref reader, "ts"u8))
                {
                    reader.Read();
                    if (!BybitJson.TryLong(ref reader, out ts))
                    {
                        return false;
                    }
                }
                else if (BybitJson.NameIs(ref reader, "seq"u8))
                {
                    reader.Read();
                    if (!BybitJson.TryLong(ref reader, out seq))
                    {
                        return false;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || !symbolMatches || u < 0 || !hasBids || !hasAsks
                || !BybitJson.TryLevels(bidsAt, instrument, out var bids) || !BybitJson.TryLevels(asksAt, instrument, out var asks))
            {
                return false;
            }

            snapshot = new BookUpdate(instrument, ts >= 0 ? UnixMicros.FromMilliseconds(ts) : receiveTime, receiveTime, true, u, u, -1, bids, asks);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Reads the envelope up to the start of <c>result</c> (reader then inside that object); false unless retCode is 0.</summary>
    private static bool EnterResult(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool codeOk = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (BybitJson.NameIs(ref reader, "retCode"u8))
            {
                reader.Read();
                codeOk = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int code) && code == 0;
                if (!codeOk)
                {
                    return false;
                }
            }
            else if (BybitJson.NameIs(ref reader, "result"u8))
            {
                reader.Read();
                // retCode comes first in every Bybit response; a body without it is not an envelope.
                return codeOk && reader.TokenType == JsonTokenType.StartObject;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return false;
    }

    private static string StringOrEmpty(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString() ?? string.Empty;
        }

        reader.Skip();
        return string.Empty;
    }

    private static bool TryReadInstrument(ref Utf8JsonReader reader, out BybitInstrumentInfo info)
    {
        info = null!;
        string symbol = string.Empty, status = string.Empty, baseCoin = string.Empty, quoteCoin = string.Empty,
            settleCoin = string.Empty, contractType = string.Empty;
        double tick = 0, qtyStep = 0, basePrecision = 0, minQty = 0;
        int fundingInterval = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string? name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "symbol": symbol = StringOrEmpty(ref reader); break;
                case "status": status = StringOrEmpty(ref reader); break;
                case "baseCoin": baseCoin = StringOrEmpty(ref reader); break;
                case "quoteCoin": quoteCoin = StringOrEmpty(ref reader); break;
                case "settleCoin": settleCoin = StringOrEmpty(ref reader); break;
                case "contractType": contractType = StringOrEmpty(ref reader); break;
                case "fundingInterval":
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int minutes))
                    {
                        fundingInterval = minutes;
                    }
                    else
                    {
                        reader.Skip();
                    }

                    break;
                case "priceFilter":
                case "lotSizeFilter":
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        break;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        string? field = reader.GetString();
                        reader.Read();
                        bool ok = field switch
                        {
                            "tickSize" => BybitJson.TryOptionalDouble(ref reader, ref tick),
                            "qtyStep" => BybitJson.TryOptionalDouble(ref reader, ref qtyStep),
                            "basePrecision" => BybitJson.TryOptionalDouble(ref reader, ref basePrecision),
                            "minOrderQty" => BybitJson.TryOptionalDouble(ref reader, ref minQty),
                            _ => SkipValue(ref reader),
                        };
                        if (!ok)
                        {
                            return false;
                        }
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (symbol.Length == 0 || tick < 0)
        {
            return false;
        }

        info = new BybitInstrumentInfo(string.Empty, symbol, status, baseCoin, quoteCoin, settleCoin, contractType, tick,
            qtyStep > 0 ? qtyStep : basePrecision, minQty, fundingInterval);
        return true;
    }

    private static bool SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }
}
