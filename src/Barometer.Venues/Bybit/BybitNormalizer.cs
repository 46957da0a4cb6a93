using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;

namespace Barometer.Venues.Bybit;

/// <summary>
/// A parsed <c>orderbook.{depth}.{symbol}</c> frame with the sequence fields the book sequencer
/// needs beyond <see cref="BookUpdate"/>.
/// </summary>
/// <param name="Update">The book message (IsSnapshot for type "snapshot"; First = Last = u; Previous = -1).</param>
/// <param name="Depth">The topic's depth (1, 50, 200, 1000; 0 for orderbook.full).</param>
/// <param name="Seq">Cross sequence <c>seq</c> (-1 when absent): smaller = generated earlier, comparable across depths.</param>
/// <param name="MatchingEngineTime"><c>cts</c>, UTC µs (0 when absent); correlates with trade <c>T</c>.</param>
public readonly record struct BybitBookMessage(BookUpdate Update, int Depth, long Seq, long MatchingEngineTime);

/// <summary>
/// The frame normalizer of Bybit V5 public market data for bybit-linear (USDT/USDC perpetuals
/// and futures, <c>/v5/public/linear</c>) and bybit-spot (<c>/v5/public/spot</c>). Parses UTF-8
/// frames with <see cref="Utf8JsonReader"/>; the whole frame is validated before anything is
/// published, so a truncated or partly invalid batch publishes nothing.
/// publicTrade.{sym} → one <see cref="Trade"/> per element (S = taker side; i → <see cref="TradeId"/>, UUID on linear);
/// orderbook.1.{sym} → <see cref="BookTop"/> (level 1 is snapshot-only, re-sent unchanged with the same u);
/// orderbook.{50,200,1000,full}.{sym} → <see cref="BookUpdate"/> (snapshot/delta, First = Last = u, Previous = -1);
/// allLiquidation.{sym} → one <see cref="Liquidation"/> per element (S is the <b>position</b> side: Buy ⇒ long
/// liquidated; Complete: Bybit documents the topic as all liquidations, batched every 500 ms);
/// tickers.{sym} (linear) → merged per instrument in <see cref="TickerStates"/> → <see cref="Funding"/> and
/// <see cref="OpenInterest"/> (single-sided) on change; spot tickers carry none of those (Unknown);
/// op replies (subscribe acks, pongs) → Control; <c>success:false</c> → VenueError.
/// Never throws: bad JSON, missing fields, NaN or negative values are Malformed.
/// No allocation for trades, tops, liquidations and tickers once the instrument is registered.
/// Thread-safety: trades, books and liquidations are stateless; ticker frames of one instrument
/// must be normalized on one thread at a time (its <see cref="BybitTickerState"/> is not locked).
/// </summary>
public sealed class BybitNormalizer : IRestFrameNormalizer
{
    private const long Missing = long.MinValue;

    private readonly InstrumentRegistry _registry;
    private readonly bool _registerUnknown;

    /// <summary>Creates the normalizer for <paramref name="venue"/> (BybitLinear or BybitSpot).</summary>
    /// <param name="venue">bybit-linear or bybit-spot.</param>
    /// <param name="registry">Instrument registry.</param>
    /// <param name="registerUnknownSymbols">True (normalize, replay): unknown symbols are registered on first sight.</param>
    public BybitNormalizer(VenueId venue, InstrumentRegistry registry, bool registerUnknownSymbols = true)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (venue is not (VenueId.BybitLinear or VenueId.BybitSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "not a Bybit venue");
        }

        Venue = venue;
        _registry = registry;
        _registerUnknown = registerUnknownSymbols;
    }

    /// <inheritdoc />
    public VenueId Venue { get; }

    /// <summary>The merged linear ticker state per instrument (reset it on reconnect).</summary>
    public BybitTickerStates TickerStates { get; } = new();

    /// <summary>
    /// Creates the normalizer, registering the instruments of a saved instruments-info response
    /// first (tick sizes, base and quote coins) when <paramref name="options"/> names one.
    /// Throws <see cref="InvalidDataException"/> when that file cannot be read or parsed.
    /// </summary>
    public static BybitNormalizer Create(VenueId venue, InstrumentRegistry registry, NormalizerOptions? options)
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

            if (!BybitRest.TryParseInstruments(body, out var page))
            {
                throw new InvalidDataException($"'{path}' is not a Bybit /v5/market/instruments-info response");
            }

            BybitRest.Register(registry, venue, page.Instruments);
        }

        return new BybitNormalizer(venue, registry);
    }

    /// <inheritdoc />
    public NormalizeResult Normalize(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        try
        {
            return NormalizeCore(frame, receiveTime, sink);
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

    /// <summary>
    /// Parses an <c>orderbook.{depth}.{symbol}</c> frame with its sequence fields (for the
    /// connector's book sync). Level 1 frames parse too (as a one-level book message). False for
    /// anything else or a bad frame (use <see cref="Normalize"/> to learn why).
    /// </summary>
    public bool TryParseBook(ReadOnlySpan<byte> frame, long receiveTime, out BybitBookMessage message)
    {
        message = default;
        try
        {
            var e = new Envelope();
            if (ReadEnvelope(frame, ref e) is not null || !e.Topic.StartsWith("orderbook."u8) || !e.HasData)
            {
                return false;
            }

            return ParseBook(ref e, receiveTime, wantLevels: true, out message, out _) is null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// A recorded REST body: funding history → settled <see cref="Funding"/> records (next funding
    /// time 0); open-interest history → single-sided <see cref="OpenInterest"/> (NotionalUsd NaN);
    /// order-book snapshot (symbol from the query) → snapshot <see cref="BookUpdate"/>;
    /// instruments-info registers its instruments (Control); <c>retCode ≠ 0</c> → VenueError.
    /// </summary>
    public NormalizeResult NormalizeRest(string pathAndQuery, ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        ArgumentNullException.ThrowIfNull(sink);
        var path = pathAndQuery.AsSpan();
        int q = path.IndexOf('?');
        var route = q < 0 ? path : path[..q];
        var query = q < 0 ? ReadOnlySpan<char>.Empty : path[(q + 1)..];
        if (!route.StartsWith("/v5/"))
        {
            return Normalize(body, receiveTime, sink);
        }

        if (BybitRest.TryParseError(body, out _, out _))
        {
            return NormalizeResult.VenueError("REST error reply");
        }

        if (route.SequenceEqual("/v5/market/funding/history"))
        {
            return EmitFundingHistory(body, receiveTime, sink);
        }

        if (route.SequenceEqual("/v5/market/open-interest"))
        {
            return EmitOpenInterestHistory(body, receiveTime, sink);
        }

        if (route.SequenceEqual("/v5/market/instruments-info"))
        {
            if (!BybitRest.TryParseInstruments(body, out var page))
            {
                return NormalizeResult.Malformed("bad instruments-info");
            }

            BybitRest.Register(_registry, Venue, page.Instruments);
            return NormalizeResult.Control;
        }

        if (route.SequenceEqual("/v5/market/orderbook"))
        {
            var symbol = QueryValue(query, "symbol");
            Span<byte> utf8 = stackalloc byte[64];
            if (symbol.IsEmpty || symbol.Length > utf8.Length || System.Text.Encoding.ASCII.GetBytes(symbol, utf8) != symbol.Length)
            {
                return NormalizeResult.Malformed("orderbook request without a valid symbol");
            }

            if (!BybitSymbols.TryResolve(_registry, Venue, utf8[..symbol.Length], _registerUnknown, out var instrument))
            {
                return NormalizeResult.Unknown("symbol not registered");
            }

            if (!BybitRest.TryParseOrderbookSnapshot(body, instrument, receiveTime, out var snapshot, out _))
            {
                return NormalizeResult.Malformed("bad orderbook snapshot");
            }

            sink.Publish(MarketEvent.From(snapshot));
            return NormalizeResult.Data(1);
        }

        return NormalizeResult.Unknown("unknown REST route");
    }

    private NormalizeResult EmitFundingHistory(ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        if (!BybitRest.TryParseFundingHistory(body, out var records))
        {
            return NormalizeResult.Malformed("bad funding history");
        }

        int events = 0;
        Span<byte> utf8 = stackalloc byte[64];
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (r.Symbol.Length > utf8.Length || System.Text.Encoding.ASCII.GetBytes(r.Symbol, utf8) != r.Symbol.Length
                || !BybitSymbols.TryResolve(_registry, Venue, utf8[..r.Symbol.Length], _registerUnknown, out var instrument))
            {
                continue;
            }

            long spacing = i > 0 && records[i - 1].Symbol == r.Symbol ? r.FundingTime - records[i - 1].FundingTime
                : i + 1 < records.Count && records[i + 1].Symbol == r.Symbol ? records[i + 1].FundingTime - r.FundingTime : 0;
            double hours = spacing > 0 ? Math.Round(spacing / (double)UnixMicros.PerHour) : 0;
            sink.Publish(MarketEvent.From(new Funding(instrument, r.FundingTime, receiveTime, r.Rate,
                hours > 0 ? hours : BybitTickerState.DefaultFundingIntervalHours, 0, double.NaN, double.NaN)));
            events++;
        }

        return events > 0 || records.Count == 0 ? NormalizeResult.Data(events) : NormalizeResult.Unknown("symbol not registered");
    }

    private NormalizeResult EmitOpenInterestHistory(ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        if (!BybitRest.TryParseOpenInterestHistory(body, out var page))
        {
            return NormalizeResult.Malformed("bad open-interest history");
        }

        Span<byte> utf8 = stackalloc byte[64];
        if (page.Symbol.Length > utf8.Length || System.Text.Encoding.ASCII.GetBytes(page.Symbol, utf8) != page.Symbol.Length
            || !BybitSymbols.TryResolve(_registry, Venue, utf8[..page.Symbol.Length], _registerUnknown, out var instrument))
        {
            return NormalizeResult.Unknown("symbol not registered");
        }

        foreach (var r in page.Records)
        {
            sink.Publish(MarketEvent.From(new OpenInterest(instrument, r.Time, receiveTime, r.SingleSided, double.NaN)));
        }

        return NormalizeResult.Data(page.Records.Count);
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

    private NormalizeResult NormalizeCore(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink)
    {
        var e = new Envelope();
        if (ReadEnvelope(frame, ref e) is { } error)
        {
            return NormalizeResult.Malformed(error);
        }

        if (e.Topic.IsEmpty)
        {
            if (e.HasSuccess && !e.Success)
            {
                return NormalizeResult.VenueError(e.Op.SequenceEqual("subscribe"u8) ? "subscribe rejected"
                    : e.Op.SequenceEqual("unsubscribe"u8) ? "unsubscribe rejected" : "request rejected");
            }

            if (e.HasSuccess || !e.Op.IsEmpty)
            {
                return NormalizeResult.Control;
            }

            return NormalizeResult.Unknown("no topic");
        }

        if (!e.HasData)
        {
            return NormalizeResult.Malformed("no data");
        }

        var topic = e.Topic;
        if (topic.StartsWith("publicTrade."u8))
        {
            return EmitTrades(ref e, receiveTime, sink);
        }

        if (topic.StartsWith("orderbook."u8))
        {
            if (ParseBook(ref e, receiveTime, wantLevels: false, out var book, out var top) is { } bookError)
            {
                return bookError == EmptyTop ? NormalizeResult.Data(0)
                    : bookError == Unregistered ? NormalizeResult.Unknown(bookError) : NormalizeResult.Malformed(bookError);
            }

            if (book.Depth == 1)
            {
                sink.Publish(MarketEvent.From(top));
            }
            else
            {
                sink.Publish(MarketEvent.From(book.Update));
            }

            return NormalizeResult.Data(1);
        }

        if (topic.StartsWith("allLiquidation."u8))
        {
            return EmitLiquidations(ref e, receiveTime, sink);
        }

        if (topic.StartsWith("tickers."u8))
        {
            return EmitTicker(ref e, receiveTime, sink);
        }

        if (topic.StartsWith("liquidation."u8))
        {
            return NormalizeResult.Unknown("deprecated liquidation topic (use allLiquidation)");
        }

        return NormalizeResult.Unknown("unknown topic");
    }

    /// <summary>Reads the top-level object; null when well-formed (the whole frame has been validated as JSON), else the reason.</summary>
    private static string? ReadEnvelope(ReadOnlySpan<byte> frame, ref Envelope e)
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read())
        {
            return "empty frame";
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "not a JSON object";
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueIsEscaped)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("topic"u8))
            {
                if (!BybitJson.TryString(ref reader, out e.Topic))
                {
                    return "topic is not a string";
                }
            }
            else if (name.SequenceEqual("type"u8))
            {
                if (!BybitJson.TryString(ref reader, out e.Type))
                {
                    return "type is not a string";
                }
            }
            else if (name.SequenceEqual("ts"u8))
            {
                if (!BybitJson.TryLong(ref reader, out e.Ts) || e.Ts < 0)
                {
                    return "bad ts";
                }
            }
            else if (name.SequenceEqual("cts"u8))
            {
                if (!BybitJson.TryLong(ref reader, out e.Cts) || e.Cts < 0)
                {
                    return "bad cts";
                }
            }
            else if (name.SequenceEqual("cs"u8))
            {
                if (!BybitJson.TryLong(ref reader, out e.Cs))
                {
                    return "bad cs";
                }
            }
            else if (name.SequenceEqual("data"u8))
            {
                if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                {
                    return "data is not an object or array";
                }

                e.Data = reader;
                e.HasData = true;
                reader.Skip();
            }
            else if (name.SequenceEqual("success"u8))
            {
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return "success is not a boolean";
                }

                e.HasSuccess = true;
                e.Success = reader.TokenType == JsonTokenType.True;
            }
            else if (name.SequenceEqual("op"u8))
            {
                if (!BybitJson.TryString(ref reader, out e.Op))
                {
                    return "op is not a string";
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return "truncated frame";
        }

        // Anything after the top-level value makes the reader throw (caught as invalid JSON) or return true.
        return reader.Read() ? "trailing data" : null;
    }

    private static ReadOnlySpan<byte> TopicSymbol(ReadOnlySpan<byte> topic)
    {
        int dot = topic.LastIndexOf((byte)'.');
        return dot < 0 ? default : topic[(dot + 1)..];
    }

    private bool Resolve(ReadOnlySpan<byte> symbol, out Instrument instrument) =>
        BybitSymbols.TryResolve(_registry, Venue, symbol, _registerUnknown, out instrument);

    private NormalizeResult EmitTrades(ref Envelope e, long receiveTime, IEventSink sink)
    {
        if (e.Data.TokenType != JsonTokenType.StartArray)
        {
            return NormalizeResult.Malformed("publicTrade: data is not an array");
        }

        // Pass 1 validates every element, so that a bad element publishes nothing of the batch.
        var reader = e.Data;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var f = new Element();
            if (reader.TokenType != JsonTokenType.StartObject || !ReadElement(ref reader, ref f) || !f.IsValid)
            {
                return NormalizeResult.Malformed("publicTrade: missing or invalid field");
            }
        }

        var topicSymbol = TopicSymbol(e.Topic);
        reader = e.Data;
        int events = 0;
        bool unresolved = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var f = new Element();
            ReadElement(ref reader, ref f);
            if (!Resolve(f.HasSymbol ? f.Symbol : topicSymbol, out var instrument))
            {
                unresolved = true;
                continue;
            }

            var trade = new Trade(instrument, UnixMicros.FromMilliseconds(f.Time), receiveTime, f.Price, f.Size, f.Side,
                f.HasId ? TradeId.Parse(f.Id) : TradeId.None);
            sink.Publish(MarketEvent.From(trade));
            events++;
        }

        return events == 0 && unresolved ? NormalizeResult.Unknown(Unregistered) : NormalizeResult.Data(events);
    }

    private NormalizeResult EmitLiquidations(ref Envelope e, long receiveTime, IEventSink sink)
    {
        if (e.Data.TokenType != JsonTokenType.StartArray)
        {
            return NormalizeResult.Malformed("allLiquidation: data is not an array");
        }

        var reader = e.Data;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var f = new Element();
            if (reader.TokenType != JsonTokenType.StartObject || !ReadElement(ref reader, ref f) || !f.IsValid)
            {
                return NormalizeResult.Malformed("allLiquidation: missing or invalid field");
            }
        }

        var topicSymbol = TopicSymbol(e.Topic);
        reader = e.Data;
        int events = 0;
        bool unresolved = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var f = new Element();
            ReadElement(ref reader, ref f);
            if (!Resolve(f.HasSymbol ? f.Symbol : topicSymbol, out var instrument))
            {
                unresolved = true;
                continue;
            }

            // Bybit S is the liquidated position's side: "Buy" ⇒ a long was liquidated (its order sells).
            var liquidated = f.Side == Side.Buy ? PositionSide.Long : PositionSide.Short;
            var liquidation = new Liquidation(instrument, UnixMicros.FromMilliseconds(f.Time), receiveTime, f.Price, f.Size,
                liquidated, Liquidation.OrderSideFor(liquidated), FeedCompleteness.Complete);
            sink.Publish(MarketEvent.From(liquidation));
            events++;
        }

        return events == 0 && unresolved ? NormalizeResult.Unknown(Unregistered) : NormalizeResult.Data(events);
    }

    private const string EmptyTop = "level-1 book with an empty side";
    private const string Unregistered = "symbol not registered";

    /// <summary>Parses an orderbook frame; null on success, else the reason (<see cref="EmptyTop"/>, <see cref="Unregistered"/> or a malformation).</summary>
    private string? ParseBook(ref Envelope e, long receiveTime, bool wantLevels, out BybitBookMessage message, out BookTop top)
    {
        message = default;
        top = default;
        var topic = e.Topic["orderbook."u8.Length..];
        int dot = topic.IndexOf((byte)'.');
        if (dot <= 0)
        {
            return "orderbook: bad topic";
        }

        var depthText = topic[..dot];
        int depth;
        if (depthText.SequenceEqual("full"u8))
        {
            depth = 0;
        }
        else if (!BybitJson.TryParseLong(depthText, out long d) || d <= 0 || d > 100_000)
        {
            return "orderbook: bad depth";
        }
        else
        {
            depth = (int)d;
        }

        bool isSnapshot;
        if (e.Type.SequenceEqual("snapshot"u8))
        {
            isSnapshot = true;
        }
        else if (e.Type.SequenceEqual("delta"u8))
        {
            isSnapshot = false;
        }
        else
        {
            return "orderbook: type is neither snapshot nor delta";
        }

        if (e.Data.TokenType != JsonTokenType.StartObject || e.Ts == Missing)
        {
            return "orderbook: missing data or ts";
        }

        var reader = e.Data;
        ReadOnlySpan<byte> symbol = default;
        Utf8JsonReader bidsAt = default, asksAt = default;
        bool hasBids = false, hasAsks = false;
        long u = Missing, seq = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("s"u8))
            {
                if (!BybitJson.TryString(ref reader, out symbol))
                {
                    return "orderbook: bad symbol";
                }
            }
            else if (name.SequenceEqual("b"u8) || name.SequenceEqual("a"u8))
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return "orderbook: levels are not an array";
                }

                if (name[0] == (byte)'b')
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
            else if (name.SequenceEqual("u"u8))
            {
                if (!BybitJson.TryLong(ref reader, out u))
                {
                    return "orderbook: bad u";
                }
            }
            else if (name.SequenceEqual("seq"u8))
            {
                if (!BybitJson.TryLong(ref reader, out seq))
                {
                    return "orderbook: bad seq";
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (u == Missing || u < 0 || !hasBids || !hasAsks)
        {
            return "orderbook: missing or invalid field";
        }

        if (!Resolve(symbol.IsEmpty ? TopicSymbol(e.Topic) : symbol, out var instrument))
        {
            return Unregistered;
        }

        long time = UnixMicros.FromMilliseconds(e.Ts);
        long cts = e.Cts == Missing ? 0 : UnixMicros.FromMilliseconds(e.Cts);
        if (depth == 1 && !wantLevels)
        {
            // Normalize path: level 1 becomes a BookTop, read without allocating level arrays.
            if (!BybitJson.TryFirstLevel(bidsAt, out double bid, out double bidSize, out bool noBid)
                || !BybitJson.TryFirstLevel(asksAt, out double ask, out double askSize, out bool noAsk))
            {
                return "orderbook: invalid level";
            }

            if (noBid || noAsk)
            {
                return EmptyTop;
            }

            top = new BookTop(instrument, time, receiveTime, bid, bidSize, ask, askSize, u);
            message = new BybitBookMessage(default, 1, seq, cts);
            return null;
        }

        if (!BybitJson.TryLevels(bidsAt, instrument, out var bids) || !BybitJson.TryLevels(asksAt, instrument, out var asks))
        {
            return "orderbook: invalid level";
        }

        message = new BybitBookMessage(new BookUpdate(instrument, time, receiveTime, isSnapshot, u, u, -1, bids, asks), depth, seq, cts);
        return null;
    }

    private NormalizeResult EmitTicker(ref Envelope e, long receiveTime, IEventSink sink)
    {
        if (Venue == VenueId.BybitSpot)
        {
            return NormalizeResult.Unknown("spot ticker (no bid/ask, funding or open interest)");
        }

        bool isSnapshot;
        if (e.Type.SequenceEqual("snapshot"u8))
        {
            isSnapshot = true;
        }
        else if (e.Type.SequenceEqual("delta"u8))
        {
            isSnapshot = false;
        }
        else
        {
            return NormalizeResult.Malformed("tickers: type is neither snapshot nor delta");
        }

        if (e.Data.TokenType != JsonTokenType.StartObject || e.Ts == Missing)
        {
            return NormalizeResult.Malformed("tickers: missing data or ts");
        }

        var reader = e.Data;
        ReadOnlySpan<byte> symbol = default;
        double mark = double.NaN, index = double.NaN, rate = double.NaN, interval = double.NaN;
        double oi = double.NaN, oiValue = double.NaN, single = double.NaN, singleValue = double.NaN;
        long next = Missing;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
            reader.Read();
            bool ok = true;
            switch (name.Length)
            {
                case 6 when name.SequenceEqual("symbol"u8):
                    ok = BybitJson.TryString(ref reader, out symbol);
                    break;
                case 9 when name.SequenceEqual("markPrice"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref mark);
                    break;
                case 10 when name.SequenceEqual("indexPrice"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref index);
                    break;
                case 11 when name.SequenceEqual("fundingRate"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref rate);
                    break;
                case 15 when name.SequenceEqual("nextFundingTime"u8):
                    ok = BybitJson.TryOptionalLong(ref reader, ref next);
                    break;
                case 19 when name.SequenceEqual("fundingIntervalHour"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref interval);
                    break;
                case 12 when name.SequenceEqual("openInterest"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref oi);
                    break;
                case 17 when name.SequenceEqual("openInterestValue"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref oiValue);
                    break;
                case 18 when name.SequenceEqual("singleOpenInterest"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref single);
                    break;
                case 23 when name.SequenceEqual("singleOpenInterestValue"u8):
                    ok = BybitJson.TryOptionalDouble(ref reader, ref singleValue);
                    break;
                default:
                    reader.Skip();
                    break;
            }

            if (!ok)
            {
                return NormalizeResult.Malformed("tickers: bad field value");
            }
        }

        if (mark <= 0 || index <= 0 || oi < 0 || oiValue < 0 || single < 0 || singleValue < 0 || (next != Missing && next < 0) || interval <= 0)
        {
            return NormalizeResult.Malformed("tickers: invalid field");
        }

        if (!Resolve(symbol.IsEmpty ? TopicSymbol(e.Topic) : symbol, out var instrument))
        {
            return NormalizeResult.Unknown(Unregistered);
        }

        var ticker = new BybitTicker
        {
            IsSnapshot = isSnapshot,
            Time = UnixMicros.FromMilliseconds(e.Ts),
            CrossSequence = e.Cs,
            MarkPrice = mark,
            IndexPrice = index,
            FundingRate = rate,
            NextFundingTime = next == Missing ? BybitTicker.Missing : UnixMicros.FromMilliseconds(next),
            FundingIntervalHours = interval,
            OpenInterest = oi,
            OpenInterestValue = oiValue,
            SingleOpenInterest = single,
            SingleOpenInterestValue = singleValue,
        };
        return NormalizeResult.Data(TickerStates.GetOrCreate(instrument).Merge(ticker, receiveTime, sink));
    }

    /// <summary>Reads one trade or liquidation element (reader at StartObject): T, s, S, v, p, i.</summary>
    private static bool ReadElement(ref Utf8JsonReader reader, ref Element f)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
            reader.Read();
            if (name.Length != 1)
            {
                reader.Skip();
                continue;
            }

            switch (name[0])
            {
                case (byte)'T':
                    if (!BybitJson.TryLong(ref reader, out f.Time))
                    {
                        return false;
                    }

                    break;
                case (byte)'s':
                    if (!BybitJson.TryString(ref reader, out f.Symbol))
                    {
                        return false;
                    }

                    f.HasSymbol = true;
                    break;
                case (byte)'S':
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    f.Side = reader.ValueTextEquals("Buy"u8) ? Side.Buy : reader.ValueTextEquals("Sell"u8) ? Side.Sell : Side.Unknown;
                    break;
                case (byte)'v':
                    if (!BybitJson.TryDouble(ref reader, out f.Size))
                    {
                        return false;
                    }

                    break;
                case (byte)'p':
                    if (!BybitJson.TryDouble(ref reader, out f.Price))
                    {
                        return false;
                    }

                    break;
                case (byte)'i':
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped)
                    {
                        return false;
                    }

                    f.Id = reader.ValueSpan;
                    f.HasId = true;
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>The top-level fields of a Bybit frame.</summary>
    private ref struct Envelope
    {
        public ReadOnlySpan<byte> Topic;
        public ReadOnlySpan<byte> Type;
        public ReadOnlySpan<byte> Op;
        public Utf8JsonReader Data;
        public long Ts = Missing;
        public long Cts = Missing;
        public long Cs = Missing;
        public bool HasData;
        public bool HasSuccess;
        public bool Success;

        public Envelope()
        {
        }
    }

    /// <summary>One element of a publicTrade or allLiquidation batch.</summary>
    private ref struct Element
    {
        public ReadOnlySpan<byte> Symbol;
        public ReadOnlySpan<byte> Id;
        public long Time = Missing;
        public double Price = double.NaN;
        public double Size = double.NaN;
        public Side Side;
        public bool HasSymbol;
        public bool HasId;

        public Element()
        {
        }

        public readonly bool IsValid => Time >= 0 && Side != Side.Unknown && Price > 0 && Size > 0;
    }
}
