using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;

namespace Barometer.Venues.Binance;

/// <summary>One symbol of a Binance exchangeInfo response.</summary>
/// <param name="Symbol">Symbol as Binance spells it (BTCUSDT).</param>
/// <param name="Status">Trading status (TRADING, BREAK, SETTLING …).</param>
/// <param name="BaseAsset">Base asset.</param>
/// <param name="QuoteAsset">Quote asset.</param>
/// <param name="TickSize">PRICE_FILTER tickSize (0 when absent).</param>
/// <param name="ContractType">USD-M contractType (PERPETUAL, CURRENT_QUARTER …); empty for spot.</param>
public sealed record BinanceSymbolInfo(string Symbol, string Status, string BaseAsset, string QuoteAsset, double TickSize, string ContractType);

/// <summary>One row of GET /fapi/v1/fundingRate.</summary>
/// <param name="Symbol">Symbol.</param>
/// <param name="Rate">Funding rate of the settlement, as a fraction.</param>
/// <param name="FundingTime">Settlement time, UTC µs.</param>
/// <param name="MarkPrice">Mark price at settlement (NaN when absent or empty).</param>
public readonly record struct BinanceFundingRecord(string Symbol, double Rate, long FundingTime, double MarkPrice);

/// <summary>
/// Parsers of the Binance REST bodies the connectors use: depth snapshots (/fapi/v1/depth,
/// /api/v3/depth), open interest (/fapi/v1/openInterest), funding history (/fapi/v1/fundingRate)
/// and exchangeInfo (/fapi/v1/exchangeInfo, /api/v3/exchangeInfo). They never throw on bad input:
/// they return false.
/// </summary>
public static class BinanceRest
{
    /// <summary>
    /// Parses a depth snapshot body <c>{"lastUpdateId":…,"E":…,"T":…,"bids":[…],"asks":[…]}</c>
    /// (spot has no E/T) into a snapshot <see cref="BookUpdate"/> with First = Last = lastUpdateId.
    /// </summary>
    public static bool TryParseDepthSnapshot(ReadOnlySpan<byte> body, Instrument instrument, long receiveTime, out BookUpdate snapshot)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        snapshot = default;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            long lastUpdateId = -1, time = -1;
            Utf8JsonReader bidsAt = default, asksAt = default;
            bool hasBids = false, hasAsks = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (BinanceJson.NameIs(ref reader, "lastUpdateId"u8))
                {
                    reader.Read();
                    if (!BinanceJson.TryLong(ref reader, out lastUpdateId))
                    {
                        return false;
                    }
                }
                else if (BinanceJson.NameIs(ref reader, "T"u8) || (BinanceJson.NameIs(ref reader, "E"u8) && time < 0))
                {
                    reader.Read();
                    if (!BinanceJson.TryLong(ref reader, out time))
                    {
                        return false;
                    }
                }
                else if (BinanceJson.NameIs(ref reader, "bids"u8))
                {
                    reader.Read();
                    bidsAt = reader;
                    hasBids = true;
                    reader.Skip();
                }
                else if (BinanceJson.NameIs(ref reader, "asks"u8))
                {
                    reader.Read();
                    asksAt = reader;
                    hasAsks = true;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || lastUpdateId < 0 || !hasBids || !hasAsks
                || !BinanceJson.TryLevels(bidsAt, instrument, out var bids) || !BinanceJson.TryLevels(asksAt, instrument, out var asks))
            {
                return false;
            }

            long exchangeTime = time >= 0 ? UnixMicros.FromMilliseconds(time) : receiveTime;
            snapshot = new BookUpdate(instrument, exchangeTime, receiveTime, true, lastUpdateId, lastUpdateId, -1, bids, asks);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Parses <c>{"openInterest":"10659.509","symbol":"BTCUSDT","time":1589437530011}</c>.</summary>
    public static bool TryParseOpenInterest(ReadOnlySpan<byte> body, Instrument instrument, long receiveTime, out OpenInterest openInterest)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        openInterest = default;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            double quantity = double.NaN;
            long time = -1;
            bool symbolMatches = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (BinanceJson.NameIs(ref reader, "openInterest"u8))
                {
                    reader.Read();
                    if (!BinanceJson.TryDouble(ref reader, out quantity))
                    {
                        return false;
                    }
                }
                else if (BinanceJson.NameIs(ref reader, "time"u8))
                {
                    reader.Read();
                    if (!BinanceJson.TryLong(ref reader, out time))
                    {
                        return false;
                    }
                }
                else if (BinanceJson.NameIs(ref reader, "symbol"u8))
                {
                    reader.Read();
                    symbolMatches = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(instrument.VenueSymbol);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || !symbolMatches || !(quantity >= 0) || time < 0)
            {
                return false;
            }

            openInterest = new OpenInterest(instrument, UnixMicros.FromMilliseconds(time), receiveTime, quantity, double.NaN);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Parses a /fapi/v1/fundingRate array (ascending by fundingTime).</summary>
    public static bool TryParseFundingHistory(ReadOnlySpan<byte> body, out List<BinanceFundingRecord> records)
    {
        records = [];
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? symbol = null;
                double rate = double.NaN, mark = double.NaN;
                long time = -1;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (BinanceJson.NameIs(ref reader, "symbol"u8))
                    {
                        reader.Read();
                        symbol = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else if (BinanceJson.NameIs(ref reader, "fundingRate"u8))
                    {
                        reader.Read();
                        if (!BinanceJson.TryDouble(ref reader, out rate))
                        {
                            return false;
                        }
                    }
                    else if (BinanceJson.NameIs(ref reader, "fundingTime"u8))
                    {
                        reader.Read();
                        if (!BinanceJson.TryLong(ref reader, out time))
                        {
                            return false;
                        }
                    }
                    else if (BinanceJson.NameIs(ref reader, "markPrice"u8))
                    {
                        reader.Read();
                        if (!BinanceJson.TryDouble(ref reader, out mark))
                        {
                            mark = double.NaN; // "" on some historical rows
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

                records.Add(new BinanceFundingRecord(symbol, rate, UnixMicros.FromMilliseconds(time), mark));
            }

            return reader.TokenType == JsonTokenType.EndArray;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Parses an exchangeInfo response (USD-M or spot) into its symbols.</summary>
    public static bool TryParseExchangeInfo(ReadOnlySpan<byte> body, out List<BinanceSymbolInfo> symbols)
    {
        symbols = [];
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool sawSymbols = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!BinanceJson.NameIs(ref reader, "symbols"u8))
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

                sawSymbols = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!TryReadSymbol(ref reader, out var info))
                    {
                        return false;
                    }

                    symbols.Add(info);
                }

                if (reader.TokenType != JsonTokenType.EndArray)
                {
                    return false;
                }
            }

            return sawSymbols && reader.TokenType == JsonTokenType.EndObject;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryReadSymbol(ref Utf8JsonReader reader, out BinanceSymbolInfo info)
    {
        info = null!;
        string symbol = string.Empty, status = string.Empty, baseAsset = string.Empty, quoteAsset = string.Empty, contractType = string.Empty;
        double tick = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string? name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "symbol": symbol = reader.GetString() ?? string.Empty; break;
                case "status": status = reader.GetString() ?? string.Empty; break;
                case "baseAsset": baseAsset = reader.GetString() ?? string.Empty; break;
                case "quoteAsset": quoteAsset = reader.GetString() ?? string.Empty; break;
                case "contractType": contractType = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty; break;
                case "filters":
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return false;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        bool isPrice = false;
                        double filterTick = 0;
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            if (BinanceJson.NameIs(ref reader, "filterType"u8))
                            {
                                reader.Read();
                                isPrice = reader.ValueTextEquals("PRICE_FILTER"u8);
                            }
                            else if (BinanceJson.NameIs(ref reader, "tickSize"u8))
                            {
                                reader.Read();
                                if (!BinanceJson.TryDouble(ref reader, out filterTick))
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

                        if (isPrice)
                        {
                            tick = filterTick;
                        }
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (symbol.Length == 0 || baseAsset.Length == 0 || quoteAsset.Length == 0)
        {
            return false;
        }

        info = new BinanceSymbolInfo(symbol, status, baseAsset, quoteAsset, tick, contractType);
        return true;
    }
}
