using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;

namespace Barometer.Venues.Binance;

/// <summary>
/// The frame normalizer of Binance USD-M futures (binance-futures) and spot (binance-spot).
/// Parses UTF-8 frames in one pass with <see cref="Utf8JsonReader"/>, in the combined-stream
/// envelope <c>{"stream":…,"data":…}</c> or raw:
/// aggTrade → <see cref="Trade"/> (m:true = buyer is maker ⇒ Sell aggressor);
/// bookTicker (futures with e/E/T, spot without) → <see cref="BookTop"/>;
/// depthUpdate (futures U/u/pu, spot U/u) → <see cref="BookUpdate"/> delta;
/// forceOrder → <see cref="Liquidation"/> (order side SELL ⇒ long liquidated; sampled feed);
/// markPriceUpdate (also arrays of it) → <see cref="Funding"/>;
/// REST /fapi/v1/openInterest body → <see cref="OpenInterest"/>;
/// subscribe acks <c>{"result":…,"id":N}</c> and spot's <c>serverShutdown</c> notice → Control;
/// <c>{"code":…,"msg":…}</c> and <c>{"error":{"code":…,"msg":…},"id":N}</c> → VenueError;
/// COIN-M entries ("st":2) of the merged all-market streams → Unknown.
/// Never throws: bad JSON, missing fields, NaN or negative values, negative or overflowing
/// times are Malformed. Unknown fields are ignored.
/// No allocation for trades, tops, liquidations and funding once the instrument is registered.
/// </summary>
public sealed class BinanceNormalizer : IRestFrameNormalizer
{
    /// <summary>Funding interval assumed when the stream does not say (markPriceUpdate has no interval field).</summary>
    public const double DefaultFundingIntervalHours = 8;

    /// <summary>The "st" value of COIN-M symbols in the merged UM+CM all-market streams (USD-M is 1).</summary>
    private const long CoinMarginedSymbolType = 2;

    private readonly InstrumentRegistry _registry;
    private readonly bool _registerUnknown;

    /// <summary>Creates the normalizer for <paramref name="venue"/> (BinanceFutures or BinanceSpot).</summary>
    /// <param name="venue">binance-futures or binance-spot.</param>
    /// <param name="registry">Instrument registry.</param>
    /// <param name="registerUnknownSymbols">True (normalize, replay): unknown symbols are registered on first sight.</param>
    public BinanceNormalizer(VenueId venue, InstrumentRegistry registry, bool registerUnknownSymbols = true)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (venue is not (VenueId.BinanceFutures or VenueId.BinanceSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "not a Binance venue");
        }

        Venue = venue;
        _registry = registry;
        _registerUnknown = registerUnknownSymbols;
    }

    /// <inheritdoc />
    public VenueId Venue { get; }

    /// <summary>
    /// Creates the normalizer, registering the symbols of a saved exchangeInfo response first
    /// (tick sizes, base and quote) when <paramref name="options"/> names one.
    /// Throws <see cref="InvalidDataException"/> when that file cannot be read or parsed.
    /// </summary>
    public static BinanceNormalizer Create(VenueId venue, InstrumentRegistry registry, NormalizerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (options?.InstrumentsFile is { } path)
        {
            byte[] body;
            try
            {
                body = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"cannot read '{path}': {ex.Message}", ex);
            }

            if (!BinanceRest.TryParseExchangeInfo(body, out var symbols))
            {
                throw new InvalidDataException($"'{path}' is not a Binance exchangeInfo response");
            }

            foreach (var s in symbols)
            {
                registry.GetOrAdd(venue, s.BaseAsset, s.QuoteAsset, s.Symbol, 1.0, s.TickSize > 0 ? s.TickSize : 1e-8);
            }
        }

        return new BinanceNormalizer(venue, registry);
    }

    /// <summary>
    /// A recorded REST body: depth snapshots (/fapi/v1/depth, /api/v3/depth; the symbol comes from
    /// the query) → a snapshot <see cref="BookUpdate"/>; open interest → <see cref="OpenInterest"/>;
    /// funding history → settled <see cref="Funding"/> records; instruments carry no event (Control).
    /// </summary>
    public NormalizeResult NormalizeRest(string pathAndQuery, ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        ArgumentNullException.ThrowIfNull(sink);
        var path = pathAndQuery.AsSpan();
        int q = path.IndexOf('?');
        var route = q < 0 ? path : path[..q];
        var query = q < 0 ? ReadOnlySpan<char>.Empty : path[(q + 1)..];
        if (route.SequenceEqual("/fapi/v1/depth") || route.SequenceEqual("/api/v3/depth"))
        {
            var symbol = QueryValue(query, "symbol");
            if (symbol.IsEmpty)
            {
                return NormalizeResult.Malformed("depth request without symbol");
            }

            Span<byte> utf8 = stackalloc byte[32];
            if (symbol.Length > utf8.Length || System.Text.Encoding.ASCII.GetBytes(symbol, utf8) != symbol.Length)
            {
                return NormalizeResult.Malformed("bad symbol in depth request");
            }

            if (!BinanceSymbols.TryResolve(_registry, Venue, utf8[..symbol.Length], _registerUnknown, out var instrument))
            {
                return NormalizeResult.Unknown("unknown symbol");
            }

            if (!BinanceRest.TryParseDepthSnapshot(body, instrument, receiveTime, out var snapshot))
            {
                return NormalizeResult.Malformed("bad depth snapshot");
            }

            sink.Publish(MarketEvent.From(snapshot));
            return NormalizeResult.Data(1);
        }

        if (route.SequenceEqual("/fapi/v1/fundingRate"))
        {
            return EmitFundingHistory(body, receiveTime, sink);
        }

        if (route.SequenceEqual("/fapi/v1/exchangeInfo") || route.SequenceEqual("/api/v3/exchangeInfo"))
        {
            return NormalizeResult.Control;
        }

        return Normalize(body, receiveTime, sink);
    }

    /// <summary>
    /// Settled funding history (GET /fapi/v1/fundingRate, ascending) → one <see cref="Funding"/>
    /// per record: exchange time = fundingTime, mark price from the record, index NaN, next
    /// funding time 0 (a settled record), interval from the spacing of successive records (8 h
    /// when a single record).
    /// </summary>
    private NormalizeResult EmitFundingHistory(ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        if (!BinanceRest.TryParseFundingHistory(body, out var records))
        {
            return NormalizeResult.Malformed("bad funding history");
        }

        int events = 0;
        Span<byte> utf8 = stackalloc byte[64];
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (r.Symbol.Length > utf8.Length || System.Text.Encoding.ASCII.GetBytes(r.Symbol, utf8) != r.Symbol.Length
                || !BinanceSymbols.TryResolve(_registry, Venue, utf8[..r.Symbol.Length], _registerUnknown, out var instrument))
            {
                continue;
            }

            long spacing = i > 0 && records[i - 1].Symbol == r.Symbol ? r.FundingTime - records[i - 1].FundingTime
                : i + 1 < records.Count && records[i + 1].Symbol == r.Symbol ? records[i + 1].FundingTime - r.FundingTime : 0;
            double hours = spacing > 0 ? Math.Round(spacing / (double)UnixMicros.PerSecond / 3600.0) : DefaultFundingIntervalHours;
            sink.Publish(MarketEvent.From(new Funding(instrument, r.FundingTime, receiveTime, r.Rate, hours > 0 ? hours : DefaultFundingIntervalHours,
                0, r.MarkPrice, double.NaN)));
            events++;
        }

        return events > 0 || records.Count == 0 ? NormalizeResult.Data(events) : NormalizeResult.Unknown("symbol not registered");
    }

    private static ReadOnlySpan<char> QueryValue(ReadOnlySpan<char> query, ReadOnlySpan<char> name)
    {
        while (!query.IsEmpty)
        {
            int amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? ReadOnlySpan<char>.Empty : query[(amp + 1)..];
            int eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq].SequenceEqual(name))
            {
                return pair[(eq + 1)..];
            }
        }

        return ReadOnlySpan<char>.Empty;
    }

    /// <inheritdoc />
    public NormalizeResult Normalize(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        try
        {
            var result = NormalizeCore(frame, receiveTime, sink);

            // The shutdown notice in a wrapper this parser does not model (e.g. {"event":{…}}).
            return result.Outcome == NormalizeOutcome.Unknown && BinanceControl.IsServerShutdown(frame) ? NormalizeResult.Control : result;
        }
        catch (JsonException)
        {
            return NormalizeResult.Malformed("invalid JSON");
        }
        catch (InvalidOperationException)
        {
            return NormalizeResult.Malformed("unexpected JSON token");
        }
    }

    private NormalizeResult NormalizeCore(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink)
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read())
        {
            return NormalizeResult.Malformed("empty frame");
        }

        if (reader.TokenType == JsonTokenType.StartArray)
        {
            // Arrays (the all-market mark price stream) emit element by element, so validate the
            // whole frame first: a truncated or trailing-garbage frame must publish nothing.
            if (!IsSingleCompleteValue(frame))
            {
                return NormalizeResult.Malformed("truncated frame or trailing data");
            }

            return EmitArrayValidated(ref reader, receiveTime, sink);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return NormalizeResult.Malformed("not a JSON object");
        }

        var f = new Fields();
        var o = new Fields();
        var inner = new Fields();
        var innerOrder = new Fields();
        bool hasDataObject = false;
        bool hasDataArray = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (BinanceJson.NameIs(ref reader, "data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!ReadObject(ref reader, ref inner, ref innerOrder))
                    {
                        return NormalizeResult.Malformed("bad field value");
                    }

                    hasDataObject = true;
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    hasDataArray = true;
                    reader.Skip();
                }
                else
                {
                    return NormalizeResult.Malformed("data is not an object");
                }

                continue;
            }

            if (!ReadProperty(ref reader, ref f, ref o))
            {
                return NormalizeResult.Malformed("bad field value");
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return NormalizeResult.Malformed("truncated frame");
        }

        // Anything after the top-level value makes the reader throw (caught as invalid JSON) or return true.
        if (reader.Read())
        {
            return NormalizeResult.Malformed("trailing data");
        }

        if (hasDataArray)
        {
            // Combined-stream wrapper around an array: the frame is complete, re-read the array and emit.
            return EmitDataArray(frame, receiveTime, sink);
        }

        return hasDataObject ? Emit(ref inner, ref innerOrder, receiveTime, sink) : Emit(ref f, ref o, receiveTime, sink);
    }

    private static bool IsSingleCompleteValue(ReadOnlySpan<byte> frame)
    {
        try
        {
            var probe = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
            if (!probe.Read())
            {
                return false;
            }

            probe.Skip();
            return !probe.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private NormalizeResult EmitDataArray(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink)
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (BinanceJson.NameIs(ref reader, "data"u8))
            {
                reader.Read();
                return EmitArrayValidated(ref reader, receiveTime, sink);
            }

            reader.Read();
            reader.Skip();
        }

        return NormalizeResult.Malformed("data is not an object");
    }

    /// <summary>
    /// Emits an array (reader at StartArray) only when every element is valid: a first pass into a
    /// discarding sink finds a malformed element before anything is published, so a Malformed
    /// result never comes with published events.
    /// </summary>
    private NormalizeResult EmitArrayValidated(ref Utf8JsonReader reader, long receiveTime, IEventSink sink)
    {
        var probe = reader;
        var check = EmitArray(ref probe, receiveTime, DiscardSink.Instance);
        return check.Outcome == NormalizeOutcome.Malformed ? check : EmitArray(ref reader, receiveTime, sink);
    }

    private NormalizeResult EmitArray(ref Utf8JsonReader reader, long receiveTime, IEventSink sink)
    {
        int events = 0;
        NormalizeResult last = NormalizeResult.Data(0);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return NormalizeResult.Malformed("array element is not an object");
            }

            var f = new Fields();
            var o = new Fields();
            if (!ReadObject(ref reader, ref f, ref o))
            {
                return NormalizeResult.Malformed("bad field value");
            }

            last = Emit(ref f, ref o, receiveTime, sink);
            if (last.Outcome == NormalizeOutcome.Data)
            {
                events += last.EventCount;
            }
            else if (last.Outcome == NormalizeOutcome.Malformed)
            {
                return last;
            }
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            return NormalizeResult.Malformed("truncated frame");
        }

        return events > 0 || last.Outcome == NormalizeOutcome.Data ? NormalizeResult.Data(events) : last;
    }

    /// <summary>Reads one object (reader at StartObject) into <paramref name="f"/>; "o" goes to <paramref name="o"/>.</summary>
    private static bool ReadObject(ref Utf8JsonReader reader, ref Fields f, ref Fields o)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!ReadProperty(ref reader, ref f, ref o))
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>Reader at a property name: reads its value into the fields (unknown properties are skipped).</summary>
    private static bool ReadProperty(ref Utf8JsonReader reader, ref Fields f, ref Fields o)
    {
        var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
        reader.Read();
        if (name.Length == 1)
        {
            switch (name[0])
            {
                case (byte)'e':
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    f.EventType = reader.ValueSpan;
                    f.HasEventType = true;
                    return true;
                case (byte)'E': return ReadTime(ref reader, ref f.EventTime);
                case (byte)'T': return ReadTime(ref reader, ref f.TransactTime);
                case (byte)'s':
                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                    {
                        return false;
                    }

                    f.Symbol = reader.ValueSpan;
                    f.HasSymbol = true;
                    return true;
                case (byte)'S':
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        f.Side = reader.ValueSpan.SequenceEqual("SELL"u8) ? Side.Sell : reader.ValueSpan.SequenceEqual("BUY"u8) ? Side.Buy : Side.Unknown;
                    }
                    else
                    {
                        reader.Skip();
                    }

                    return true;
                case (byte)'U': return ReadLong(ref reader, ref f.FirstId);
                case (byte)'u': return ReadLong(ref reader, ref f.LastId);
                case (byte)'p': return ReadDouble(ref reader, ref f.P);
                case (byte)'q': return ReadDouble(ref reader, ref f.Q);
                case (byte)'B': return ReadDouble(ref reader, ref f.BigB);
                case (byte)'A': return ReadDouble(ref reader, ref f.BigA);
                case (byte)'i': return ReadDouble(ref reader, ref f.I);
                case (byte)'P':
                    reader.Skip(); // estimated settle price: not used
                    return true;
                case (byte)'r':
                    if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.IsEmpty)
                    {
                        return true; // delivery symbols send "" (no funding)
                    }

                    return ReadDouble(ref reader, ref f.R);
                case (byte)'z': return ReadDouble(ref reader, ref f.Z);
                case (byte)'m':
                    if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                    {
                        f.BuyerIsMaker = reader.TokenType == JsonTokenType.True;
                        f.HasMaker = true;
                        return true;
                    }

                    return false;
                case (byte)'a':
                case (byte)'b':
                {
                    bool isA = name[0] == (byte)'a';
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        if (isA)
                        {
                            f.AskArray = reader;
                            f.HasAskArray = true;
                        }
                        else
                        {
                            f.BidArray = reader;
                            f.HasBidArray = true;
                        }

                        reader.Skip();
                        return true;
                    }

                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        // aggTrade "a" is the aggregate trade id.
                        if (isA && reader.TryGetInt64(out long id))
                        {
                            f.AggId = id;
                            f.HasAggId = true;
                            return true;
                        }

                        return !isA;
                    }

                    return isA ? ReadDouble(ref reader, ref f.SmallA) : ReadDouble(ref reader, ref f.SmallB);
                }

                case (byte)'o':
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        var unused = new Fields();
                        if (!ReadObject(ref reader, ref o, ref unused))
                        {
                            return false;
                        }

                        f.HasOrder = true;
                    }
                    else
                    {
                        reader.Skip(); // inside the order object "o" is the order type (a string)
                    }

                    return true;
                default:
                    reader.Skip();
                    return true;
            }
        }

        if (name.SequenceEqual("pu"u8))
        {
            return ReadLong(ref reader, ref f.PrevId);
        }

        if (name.SequenceEqual("ap"u8))
        {
            return ReadDouble(ref reader, ref f.AvgPrice);
        }

        if (name.SequenceEqual("st"u8))
        {
            // UM/CM flag (1/2); anything else is ignored rather than failing the frame.
            if (BinanceJson.TryLong(ref reader, out long symbolType))
            {
                f.SymbolType = symbolType;
            }
            else
            {
                reader.Skip();
            }

            return true;
        }

        if (name.SequenceEqual("error"u8))
        {
            f.HasError = reader.TokenType == JsonTokenType.StartObject;
            reader.Skip();
            return true;
        }

        if (name.SequenceEqual("result"u8))
        {
            f.HasResult = true;
            reader.Skip();
            return true;
        }

        if (name.SequenceEqual("id"u8))
        {
            f.HasId = true;
            reader.Skip();
            return true;
        }

        if (name.SequenceEqual("code"u8))
        {
            f.HasCode = true;
            reader.Skip();
            return true;
        }

        if (name.SequenceEqual("msg"u8))
        {
            f.HasMsg = true;
            reader.Skip();
            return true;
        }

        if (name.SequenceEqual("symbol"u8))
        {
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
            {
                return false;
            }

            f.Symbol = reader.ValueSpan;
            f.HasSymbol = true;
            return true;
        }

        if (name.SequenceEqual("openInterest"u8))
        {
            return ReadDouble(ref reader, ref f.OpenInterest);
        }

        if (name.SequenceEqual("time"u8))
        {
            return ReadTime(ref reader, ref f.Time);
        }

        if (name.SequenceEqual("lastUpdateId"u8))
        {
            f.HasLastUpdateId = true;
            reader.Skip();
            return true;
        }

        reader.Skip();
        return true;
    }

    private static bool ReadLong(ref Utf8JsonReader reader, ref long target)
    {
        if (!BinanceJson.TryLong(ref reader, out long value))
        {
            return false;
        }

        target = value;
        return true;
    }

    /// <summary>A Unix-ms time: ≥ 0 and small enough that the µs value fits a long.</summary>
    private static bool ReadTime(ref Utf8JsonReader reader, ref long target) =>
        ReadLong(ref reader, ref target) && IsTime(target);

    private static bool IsTime(long unixMilliseconds) => unixMilliseconds is >= 0 and <= long.MaxValue / UnixMicros.PerMillisecond;

    private static bool ReadDouble(ref Utf8JsonReader reader, ref double target)
    {
        if (!BinanceJson.TryDouble(ref reader, out double value))
        {
            return false;
        }

        target = value;
        return true;
    }

    private NormalizeResult Emit(ref Fields f, ref Fields o, long receiveTime, IEventSink sink)
    {
        if (!f.HasEventType)
        {
            if ((f.HasCode && f.HasMsg) || f.HasError)
            {
                return NormalizeResult.VenueError("error reply");
            }

            if (f.HasResult && f.HasId)
            {
                return NormalizeResult.Control;
            }

            if (f.HasSymbol && f.LastId != Fields.Missing && !double.IsNaN(f.SmallB) && !double.IsNaN(f.SmallA))
            {
                return EmitBookTicker(ref f, receiveTime, sink); // spot bookTicker has no "e"
            }

            if (f.HasSymbol && !double.IsNaN(f.OpenInterest))
            {
                return EmitOpenInterest(ref f, receiveTime, sink);
            }

            if (f.HasLastUpdateId)
            {
                return NormalizeResult.Unknown("depth snapshot (no symbol in body)");
            }

            return NormalizeResult.Unknown("no event type");
        }

        var type = f.EventType;
        if (f.SymbolType == CoinMarginedSymbolType)
        {
            // Since the 2026-06-30 UM/CM integration the all-market streams (!markPrice@arr,
            // !forceOrder@arr, !bookTicker) also carry COIN-M symbols, tagged "st":2; their sizes
            // are contracts, not base asset, and they are not instruments of this venue.
            return NormalizeResult.Unknown("COIN-M symbol (st=2) in a merged all-market stream");
        }

        if (type.SequenceEqual("aggTrade"u8))
        {
            return EmitTrade(ref f, receiveTime, sink);
        }

        if (type.SequenceEqual("depthUpdate"u8))
        {
            return EmitDepth(ref f, receiveTime, sink);
        }

        if (type.SequenceEqual("bookTicker"u8))
        {
            return EmitBookTicker(ref f, receiveTime, sink);
        }

        if (type.SequenceEqual("markPriceUpdate"u8))
        {
            return EmitMarkPrice(ref f, receiveTime, sink);
        }

        if (type.SequenceEqual("forceOrder"u8))
        {
            return EmitForceOrder(ref f, ref o, receiveTime, sink);
        }

        if (type.SequenceEqual(BinanceControl.ServerShutdownEventType))
        {
            return NormalizeResult.Control; // spot: reconnect soon (the stream handler recycles the connection)
        }

        return NormalizeResult.Unknown("unknown event type");
    }

    private bool Resolve(ref Fields f, out Instrument instrument) =>
        BinanceSymbols.TryResolve(_registry, Venue, f.Symbol, _registerUnknown, out instrument);

    private NormalizeResult EmitTrade(ref Fields f, long receiveTime, IEventSink sink)
    {
        if (!f.HasSymbol || !f.HasMaker || !(f.P > 0) || !(f.Q > 0) || f.TransactTime == Fields.Missing)
        {
            return NormalizeResult.Malformed("aggTrade: missing or invalid field");
        }

        if (!Resolve(ref f, out var instrument))
        {
            return NormalizeResult.Unknown("symbol not registered");
        }

        var trade = new Trade(instrument, UnixMicros.FromMilliseconds(f.TransactTime), receiveTime, f.P, f.Q,
            f.BuyerIsMaker ? Side.Sell : Side.Buy, f.HasAggId ? TradeId.FromNumber(f.AggId) : TradeId.None);
        sink.Publish(MarketEvent.From(trade));
        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitBookTicker(ref Fields f, long receiveTime, IEventSink sink)
    {
        if (!f.HasSymbol || !(f.SmallB > 0) || !(f.SmallA > 0) || !(f.BigB >= 0) || !(f.BigA >= 0))
        {
            return NormalizeResult.Malformed("bookTicker: missing or invalid field");
        }

        if (!Resolve(ref f, out var instrument))
        {
            return NormalizeResult.Unknown("symbol not registered");
        }

        long time = f.TransactTime != Fields.Missing ? UnixMicros.FromMilliseconds(f.TransactTime)
            : f.EventTime != Fields.Missing ? UnixMicros.FromMilliseconds(f.EventTime) : receiveTime;
        var top = new BookTop(instrument, time, receiveTime, f.SmallB, f.BigB, f.SmallA, f.BigA, f.LastId == Fields.Missing ? 0 : f.LastId);
        sink.Publish(MarketEvent.From(top));
        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitDepth(ref Fields f, long receiveTime, IEventSink sink)
    {
        if (!f.HasSymbol || f.FirstId == Fields.Missing || f.LastId == Fields.Missing || f.FirstId < 0 || f.LastId < f.FirstId
            || !f.HasBidArray || !f.HasAskArray)
        {
            return NormalizeResult.Malformed("depthUpdate: missing or invalid field");
        }

        if (!Resolve(ref f, out var instrument))
        {
            return NormalizeResult.Unknown("symbol not registered");
        }

        if (!BinanceJson.TryLevels(f.BidArray, instrument, out var bids) || !BinanceJson.TryLevels(f.AskArray, instrument, out var asks))
        {
            return NormalizeResult.Malformed("depthUpdate: invalid level");
        }

        long time = f.TransactTime != Fields.Missing ? UnixMicros.FromMilliseconds(f.TransactTime)
            : f.EventTime != Fields.Missing ? UnixMicros.FromMilliseconds(f.EventTime) : receiveTime;
        var update = new BookUpdate(instrument, time, receiveTime, false, f.FirstId, f.LastId,
            f.PrevId == Fields.Missing ? -1 : f.PrevId, bids, asks);
        sink.Publish(MarketEvent.From(update));
        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitMarkPrice(ref Fields f, long receiveTime, IEventSink sink)
    {
        if (!f.HasSymbol || !(f.P > 0) || f.EventTime == Fields.Missing || (!double.IsNaN(f.I) && !(f.I > 0)))
        {
            return NormalizeResult.Malformed("markPriceUpdate: missing or invalid field");
        }

        if (double.IsNaN(f.R))
        {
            return NormalizeResult.Unknown("markPriceUpdate without funding rate");
        }

        if (!Resolve(ref f, out var instrument))
        {
            return NormalizeResult.Unknown("symbol not registered");
        }

        long next = f.TransactTime != Fields.Missing && f.TransactTime > 0 ? UnixMicros.FromMilliseconds(f.TransactTime) : 0;
        var funding = new Funding(instrument, UnixMicros.FromMilliseconds(f.EventTime), receiveTime, f.R,
            DefaultFundingIntervalHours, next, f.P, f.I);
        sink.Publish(MarketEvent.From(funding));
        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitForceOrder(ref Fields f, ref Fields o, long receiveTime, IEventSink sink)
    {
        if (!f.HasOrder || !o.HasSymbol || o.Side == Side.Unknown)
        {
            return NormalizeResult.Malformed("forceOrder: missing or invalid field");
        }

        if (o.SymbolType == CoinMarginedSymbolType)
        {
            return NormalizeResult.Unknown("COIN-M symbol (st=2) in a merged all-market stream");
        }

        double price = o.AvgPrice > 0 ? o.AvgPrice : o.P;
        double quantity = o.Z > 0 ? o.Z : o.Q;
        long t = o.TransactTime != Fields.Missing ? o.TransactTime : f.EventTime;
        if (!(price > 0) || !(quantity > 0) || !IsTime(t) || o.AvgPrice < 0 || o.P < 0 || o.Z < 0 || o.Q < 0)
        {
            return NormalizeResult.Malformed("forceOrder: missing or invalid field");
        }

        if (!BinanceSymbols.TryResolve(_registry, Venue, o.Symbol, _registerUnknown, out var instrument))
        {
            return NormalizeResult.Unknown("symbol not registered");
        }

        var liquidation = new Liquidation(instrument, UnixMicros.FromMilliseconds(t), receiveTime, price, quantity,
            Liquidation.LiquidatedSideFor(o.Side), o.Side, FeedCompleteness.Sampled);
        sink.Publish(MarketEvent.From(liquidation));
        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitOpenInterest(ref Fields f, long receiveTime, IEventSink sink)
    {
        if (!(f.OpenInterest >= 0) || f.Time == Fields.Missing)
        {
            return NormalizeResult.Malformed("openInterest: missing or invalid field");
        }

        if (!Resolve(ref f, out var instrument))
        {
            return NormalizeResult.Unknown("symbol not registered");
        }

        sink.Publish(MarketEvent.From(new OpenInterest(instrument, UnixMicros.FromMilliseconds(f.Time), receiveTime, f.OpenInterest, double.NaN)));
        return NormalizeResult.Data(1);
    }

    private sealed class DiscardSink : IEventSink
    {
        public static readonly DiscardSink Instance = new();

        public void Publish(in MarketEvent e)
        {
        }
    }

    /// <summary>Every field any Binance market event may carry; numbers default to "missing".</summary>
    private ref struct Fields
    {
        public const long Missing = long.MinValue;

        public ReadOnlySpan<byte> EventType;
        public ReadOnlySpan<byte> Symbol;
        public Utf8JsonReader BidArray;
        public Utf8JsonReader AskArray;
        public long EventTime = Missing;
        public long TransactTime = Missing;
        public long FirstId = Missing;
        public long LastId = Missing;
        public long PrevId = Missing;
        public long AggId;
        public long Time = Missing;
        public long SymbolType = Missing;
        public double P = double.NaN;
        public double Q = double.NaN;
        public double SmallA = double.NaN;
        public double SmallB = double.NaN;
        public double BigA = double.NaN;
        public double BigB = double.NaN;
        public double I = double.NaN;
        public double R = double.NaN;
        public double Z = double.NaN;
        public double AvgPrice = double.NaN;
        public double OpenInterest = double.NaN;
        public Side Side;
        public bool HasEventType;
        public bool HasSymbol;
        public bool HasMaker;
        public bool BuyerIsMaker;
        public bool HasAggId;
        public bool HasBidArray;
        public bool HasAskArray;
        public bool HasOrder;
        public bool HasResult;
        public bool HasId;
        public bool HasCode;
        public bool HasMsg;
        public bool HasError;
        public bool HasLastUpdateId;

        public Fields()
        {
        }
    }
}
