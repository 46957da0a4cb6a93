using System.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;

namespace Barometer.Venues.Okx;

/// <summary>
/// The frame normalizer of OKX v5 public market data for okx-swap (USDT/USDC-margined linear
/// perpetuals) and okx-spot. Frames are <c>{"arg":{"channel":…,"instId":…},"action":…,"data":[…]}</c>:
/// trades → <see cref="Trade"/> (side = taker side; swap sz contracts × ctVal × ctMult);
/// books / books-l2-tbt / books50-l2-tbt / books-elp → <see cref="BookUpdate"/> (snapshot when
/// action is "snapshot"; First = Last = seqId, Previous = prevSeqId);
/// books5 / bbo-tbt → <see cref="BookTop"/> only (a top, not a book to replace);
/// liquidation-orders (instType SWAP, data[].details[]) → <see cref="Liquidation"/> (sampled feed;
/// posSide long/short is the liquidated position, else order side buy ⇒ short);
/// funding-rate → <see cref="Funding"/> (NextFundingTime = fundingTime, interval = nextFundingTime −
/// fundingTime, mark = latest mark-price of the instrument);
/// mark-price → no event: the mark is kept per instrument and carried by the next Funding and
/// used for open interest without oiUsd;
/// open-interest → <see cref="OpenInterest"/> (oi contracts → base, oiUsd as USD notional).
/// {"event":"subscribe"|"unsubscribe"|"notice"…} and the text "pong" → Control;
/// {"event":"error","code":…,"msg":…} → VenueError with "code: msg". A swap whose contract value
/// is unknown (not registered, not in the instruments table) is skipped as Unknown with a reason,
/// never converted with a guessed size. Never throws: bad JSON, missing fields, NaN or negative
/// values are Malformed, and a frame with one bad element publishes nothing.
/// No allocation for trades, tops, liquidations, funding and open interest once the instrument is registered.
/// </summary>
public sealed class OkxNormalizer : IRestFrameNormalizer
{
    /// <summary>Reason of a swap skipped because ctVal/ctMult are unknown.</summary>
    public const string ContractValueUnknown = "contract value unknown: instId not registered and not in the OKX instruments (pass --instruments)";

    /// <summary>Reason of a frame whose instrument is not registered (live connector: not followed).</summary>
    public const string NotFollowedReason = NotRegistered;

    /// <summary>Reason of <see cref="TryParseBookMessage"/> for a frame that is not an incremental book.</summary>
    public const string NotIncrementalBook = "not an incremental book channel";

    private const string NotRegistered = "instrument not registered";
    private const int MaxDataElements = 1024;

    private readonly InstrumentRegistry _registry;
    private readonly OkxInstruments _instruments;
    private readonly bool _registerUnknown;
    private double[] _marks = [];

    /// <summary>Creates the normalizer for <paramref name="venue"/> (OkxSwap or OkxSpot).</summary>
    /// <param name="venue">okx-swap or okx-spot.</param>
    /// <param name="registry">Instrument registry.</param>
    /// <param name="instruments">Contract metadata for registering swaps on first sight; null = the bundled snapshot.</param>
    /// <param name="registerUnknownSymbols">True (normalize, replay): unknown instruments are registered on first sight.</param>
    public OkxNormalizer(VenueId venue, InstrumentRegistry registry, OkxInstruments? instruments = null, bool registerUnknownSymbols = true)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (venue is not (VenueId.OkxSwap or VenueId.OkxSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "not an OKX venue");
        }

        Venue = venue;
        _registry = registry;
        _instruments = instruments ?? OkxInstruments.Bundled;
        _registerUnknown = registerUnknownSymbols;
    }

    /// <inheritdoc />
    public VenueId Venue { get; }

    /// <summary>
    /// Creates the normalizer with the instruments of <see cref="NormalizerOptions.InstrumentsFile"/>
    /// (a saved /api/v5/public/instruments response) or, without one, the bundled snapshot.
    /// Throws <see cref="InvalidDataException"/> when that file cannot be read or parsed.
    /// </summary>
    public static OkxNormalizer Create(VenueId venue, InstrumentRegistry registry, NormalizerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var instruments = options?.InstrumentsFile is { } path ? OkxInstruments.FromFile(path) : OkxInstruments.Bundled;
        return new OkxNormalizer(venue, registry, instruments);
    }

    /// <summary>The latest mark price seen on the mark-price channel, NaN before any.</summary>
    public double LatestMark(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return instrument.Id < _marks.Length ? _marks[instrument.Id] : double.NaN;
    }

    /// <summary>
    /// A recorded REST body: /api/v5/market/books?instId= → snapshot <see cref="BookUpdate"/>
    /// (LastUpdateId = seqId); /api/v5/public/funding-rate-history → settled <see cref="Funding"/>
    /// (rate = realizedRate, NextFundingTime 0, interval from successive records);
    /// /api/v5/public/open-interest → <see cref="OpenInterest"/>; /api/v5/public/instruments → Control.
    /// </summary>
    public NormalizeResult NormalizeRest(string pathAndQuery, ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        ArgumentNullException.ThrowIfNull(sink);
        var path = pathAndQuery.AsSpan();
        int q = path.IndexOf('?');
        var route = q < 0 ? path : path[..q];
        var query = q < 0 ? ReadOnlySpan<char>.Empty : path[(q + 1)..];
        if (route.SequenceEqual("/api/v5/market/books"))
        {
            var instId = QueryValue(query, "instId");
            if (instId.IsEmpty || instId.Length > 64)
            {
                return NormalizeResult.Malformed("books request without instId");
            }

            Span<byte> utf8 = stackalloc byte[64];
            int n = Encoding.ASCII.GetBytes(instId, utf8);
            if (!TryResolve(utf8[..n], out var instrument, out string reason))
            {
                return NormalizeResult.Unknown(reason);
            }

            if (!OkxRest.TryParseBooks(body, instrument, receiveTime, keepText: false, out var snapshot))
            {
                return NormalizeResult.Malformed("bad order-book snapshot");
            }

            sink.Publish(MarketEvent.From(snapshot.Update));
            return NormalizeResult.Data(1);
        }

        if (route.SequenceEqual("/api/v5/public/funding-rate-history"))
        {
            return EmitFundingHistory(body, receiveTime, sink);
        }

        if (route.SequenceEqual("/api/v5/public/open-interest"))
        {
            return EmitOpenInterestRest(body, receiveTime, sink);
        }

        if (route.SequenceEqual("/api/v5/public/instruments"))
        {
            return NormalizeResult.Control;
        }

        return Normalize(body, receiveTime, sink);
    }

    /// <inheritdoc />
    public NormalizeResult Normalize(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        try
        {
            return NormalizeCore(frame, receiveTime, sink, null, booksOnly: false);
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
    /// The live path in one pass: like <see cref="Normalize(ReadOnlySpan{byte}, long, IEventSink)"/>, but
    /// incremental book messages (books, books-l2-tbt, books50-l2-tbt, books-elp) are not published:
    /// they go to <paramref name="books"/> with their original level texts (for
    /// <see cref="OkxBookSync"/>, which publishes consistent book events itself). Their result is Data(0).
    /// </summary>
    public NormalizeResult Normalize(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink, IOkxBookMessageHandler books)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(books);
        try
        {
            return NormalizeCore(frame, receiveTime, sink, books, booksOnly: false);
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
    /// For the live book sequencer: parses a books / books-l2-tbt / books50-l2-tbt / books-elp frame
    /// (one data element) into an <see cref="OkxBookMessage"/> keeping the original level texts for
    /// the checksum. Publishes nothing. Any other frame returns false with its result (Control,
    /// VenueError …) in <paramref name="result"/>; use <see cref="Normalize"/> for those.
    /// </summary>
    public bool TryParseBookMessage(ReadOnlySpan<byte> frame, long receiveTime, out OkxBookMessage message, out NormalizeResult result)
    {
        var holder = new BookHolder();
        try
        {
            result = NormalizeCore(frame, receiveTime, NullEventSink.Instance, holder, booksOnly: true);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            result = NormalizeResult.Malformed("invalid JSON");
        }

        message = holder.Message;
        return holder.Has && result.Outcome == NormalizeOutcome.Data;
    }

    private NormalizeResult NormalizeCore(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink, IOkxBookMessageHandler? bookOut, bool booksOnly)
    {
        if (frame.SequenceEqual("pong"u8))
        {
            return NormalizeResult.Control;
        }

        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read())
        {
            return NormalizeResult.Malformed("empty frame");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return NormalizeResult.Malformed("not a JSON object");
        }

        ReadOnlySpan<byte> channel = default, argInstId = default, action = default, evt = default, code = default, msg = default;
        bool hasArg = false, hasData = false, hasEvent = false;
        int elementCount = 0;
        Utf8JsonReader data = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (OkxJson.NameIs(ref reader, "arg"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return NormalizeResult.Malformed("arg is not an object");
                }

                hasArg = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isChannel = OkxJson.NameIs(ref reader, "channel"u8);
                    bool isInstId = !isChannel && OkxJson.NameIs(ref reader, "instId"u8);
                    reader.Read();
                    if (isChannel && !OkxJson.TryString(ref reader, out channel))
                    {
                        return NormalizeResult.Malformed("bad channel");
                    }

                    if (isInstId && !OkxJson.TryString(ref reader, out argInstId))
                    {
                        return NormalizeResult.Malformed("bad instId");
                    }

                    reader.Skip();
                }

                continue;
            }

            if (OkxJson.NameIs(ref reader, "data"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return NormalizeResult.Malformed("data is not an array");
                }

                data = reader;
                hasData = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    reader.Skip();
                    elementCount++;
                }

                continue;
            }

            ref ReadOnlySpan<byte> target = ref action;
            bool known = true;
            if (OkxJson.NameIs(ref reader, "action"u8))
            {
                target = ref action;
            }
            else if (OkxJson.NameIs(ref reader, "event"u8))
            {
                target = ref evt;
                hasEvent = true;
            }
            else if (OkxJson.NameIs(ref reader, "code"u8))
            {
                target = ref code;
            }
            else if (OkxJson.NameIs(ref reader, "msg"u8))
            {
                target = ref msg;
            }
            else
            {
                known = false;
            }

            reader.Read();
            if (known && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
            {
                target = reader.ValueSpan;
            }

            reader.Skip();
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return NormalizeResult.Malformed("truncated frame");
        }

        if (reader.Read())
        {
            return NormalizeResult.Malformed("trailing data");
        }

        if (hasEvent)
        {
            if (evt.SequenceEqual("error"u8))
            {
                return NormalizeResult.VenueError(Encoding.UTF8.GetString(code) + ": " + Encoding.UTF8.GetString(msg));
            }

            if (evt.SequenceEqual("subscribe"u8) || evt.SequenceEqual("unsubscribe"u8) || evt.SequenceEqual("notice"u8)
                || evt.SequenceEqual("channel-conn-count"u8) || evt.SequenceEqual("login"u8))
            {
                return NormalizeResult.Control;
            }

            return NormalizeResult.Unknown("unknown event");
        }

        if (!hasArg || !hasData || channel.IsEmpty)
        {
            return NormalizeResult.Unknown("no arg.channel or data");
        }

        var kind = ChannelKind(channel);
        if (kind == Channel.Unknown)
        {
            return NormalizeResult.Unknown("unhandled channel");
        }

        if (booksOnly && kind != Channel.Book)
        {
            return NormalizeResult.Unknown(NotIncrementalBook);
        }

        if (Venue == VenueId.OkxSpot && kind is Channel.Liquidation or Channel.Funding or Channel.OpenInterest)
        {
            return NormalizeResult.Unknown("derivatives channel on okx-spot");
        }

        bool snapshotAction = action.SequenceEqual("snapshot"u8);
        var args = new FrameArgs(kind, argInstId, snapshotAction, receiveTime);

        // Several elements: validate every one first, so a frame with one bad element publishes
        // nothing. The usual single-element frame needs no second pass.
        if (elementCount > 1)
        {
            var check = EmitAll(data, in args, null, null);
            if (check.Outcome == NormalizeOutcome.Malformed)
            {
                return check;
            }
        }

        return EmitAll(data, in args, sink, bookOut);
    }

    private enum Channel : byte
    {
        Unknown,
        Trades,
        Book,
        SnapshotBook,
        Liquidation,
        Funding,
        Mark,
        OpenInterest,
    }

    private static Channel ChannelKind(ReadOnlySpan<byte> channel)
    {
        if (channel.SequenceEqual("trades"u8) || channel.SequenceEqual("trades-all"u8))
        {
            return Channel.Trades;
        }

        if (channel.SequenceEqual("books"u8) || channel.SequenceEqual("books-l2-tbt"u8) || channel.SequenceEqual("books50-l2-tbt"u8)
            || channel.SequenceEqual("books-elp"u8))
        {
            return Channel.Book;
        }

        if (channel.SequenceEqual("books5"u8) || channel.SequenceEqual("bbo-tbt"u8))
        {
            return Channel.SnapshotBook;
        }

        if (channel.SequenceEqual("liquidation-orders"u8))
        {
            return Channel.Liquidation;
        }

        if (channel.SequenceEqual("funding-rate"u8))
        {
            return Channel.Funding;
        }

        if (channel.SequenceEqual("mark-price"u8))
        {
            return Channel.Mark;
        }

        return channel.SequenceEqual("open-interest"u8) ? Channel.OpenInterest : Channel.Unknown;
    }

    private readonly ref struct FrameArgs(Channel kind, ReadOnlySpan<byte> argInstId, bool snapshotAction, long receiveTime)
    {
        public readonly Channel Kind = kind;
        public readonly ReadOnlySpan<byte> ArgInstId = argInstId;
        public readonly bool SnapshotAction = snapshotAction;
        public readonly long ReceiveTime = receiveTime;
    }

    /// <summary>Processes every data element; a null sink is the validation pass (no publishing, no state change).</summary>
    private NormalizeResult EmitAll(Utf8JsonReader data, in FrameArgs args, IEventSink? sink, IOkxBookMessageHandler? bookOut)
    {
        int events = 0, elements = 0;
        NormalizeResult last = NormalizeResult.Data(0);
        bool anyData = false;
        while (data.Read() && data.TokenType != JsonTokenType.EndArray)
        {
            if (data.TokenType != JsonTokenType.StartObject || ++elements > MaxDataElements)
            {
                return NormalizeResult.Malformed("data element is not an object");
            }

            if (bookOut is not null && args.Kind == Channel.Book && elements > 1)
            {
                return NormalizeResult.Malformed("book frame with several data elements");
            }

            last = args.Kind switch
            {
                Channel.Trades => EmitTrade(ref data, in args, sink),
                Channel.Book or Channel.SnapshotBook => EmitBook(ref data, in args, sink, bookOut),
                Channel.Liquidation => EmitLiquidations(ref data, in args, sink),
                Channel.Funding => EmitFunding(ref data, in args, sink),
                Channel.Mark => EmitMark(ref data, in args, sink),
                _ => EmitOpenInterest(ref data, in args, sink),
            };
            if (last.Outcome == NormalizeOutcome.Malformed)
            {
                return last;
            }

            if (last.Outcome == NormalizeOutcome.Data)
            {
                anyData = true;
                events += last.EventCount;
            }
        }

        return anyData || elements == 0 ? NormalizeResult.Data(events) : last;
    }

    private NormalizeResult EmitTrade(ref Utf8JsonReader reader, in FrameArgs args, IEventSink? sink)
    {
        var f = new Fields();
        if (!ReadObject(ref reader, ref f))
        {
            return NormalizeResult.Malformed("trades: bad field value");
        }

        var instId = f.InstId.IsEmpty ? args.ArgInstId : f.InstId;
        if (instId.IsEmpty || !(f.Px > 0) || !(f.Sz > 0) || f.Side == Side.Unknown || f.Ts < 0)
        {
            return NormalizeResult.Malformed("trades: missing or invalid field");
        }

        if (!TryResolve(instId, out var instrument, out string reason))
        {
            return NormalizeResult.Unknown(reason);
        }

        if (sink is not null)
        {
            var trade = new Trade(instrument, UnixMicros.FromMilliseconds(f.Ts), args.ReceiveTime, f.Px, f.Sz * instrument.ContractMultiplier,
                f.Side, TradeId.Parse(f.TradeId));
            sink.Publish(MarketEvent.From(trade));
        }

        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitBook(ref Utf8JsonReader reader, in FrameArgs args, IEventSink? sink, IOkxBookMessageHandler? bookOut)
    {
        var f = new OkxBookFields();
        if (!OkxBookFields.Read(ref reader, ref f))
        {
            return NormalizeResult.Malformed("books: bad field value");
        }

        if (args.ArgInstId.IsEmpty)
        {
            return NormalizeResult.Malformed("books: no arg.instId");
        }

        if (!TryResolve(args.ArgInstId, out var instrument, out string reason))
        {
            return NormalizeResult.Unknown(reason);
        }

        bool snapshotOnly = args.Kind == Channel.SnapshotBook;
        bool isSnapshot = snapshotOnly || args.SnapshotAction;
        bool toHandler = bookOut is not null && !snapshotOnly;
        bool keepText = toHandler && sink is not null;
        if (!OkxBookFields.TryBuild(ref f, instrument, args.ReceiveTime, isSnapshot, isSnapshot, keepText, out var message))
        {
            return NormalizeResult.Malformed("books: missing or invalid field");
        }

        var u = message.Update;
        bool hasTop = u.Bids.Length > 0 && u.Asks.Length > 0;
        if (sink is null)
        {
            return NormalizeResult.Data(snapshotOnly ? (hasTop ? 1 : 0) : 1);
        }

        if (toHandler)
        {
            bookOut!.OnBookMessage(message);
            return NormalizeResult.Data(0);
        }

        if (snapshotOnly)
        {
            // bbo-tbt / books5 are a top of book, not the book: publishing them as a BookUpdate
            // snapshot would make every consumer replace its 400-level book with 1 or 5 levels.
            if (!hasTop)
            {
                return NormalizeResult.Data(0);
            }

            var top = new BookTop(instrument, u.ExchangeTime, u.ReceiveTime, u.Bids[0].Price, u.Bids[0].Quantity, u.Asks[0].Price, u.Asks[0].Quantity,
                message.HasSeqId ? message.SeqId : 0);
            sink.Publish(MarketEvent.From(top));
            return NormalizeResult.Data(1);
        }

        sink.Publish(MarketEvent.From(u));
        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitLiquidations(ref Utf8JsonReader reader, in FrameArgs args, IEventSink? sink)
    {
        var f = new Fields();
        if (!ReadObject(ref reader, ref f))
        {
            return NormalizeResult.Malformed("liquidation-orders: bad field value");
        }

        if (f.InstId.IsEmpty || !f.HasDetails)
        {
            return NormalizeResult.Malformed("liquidation-orders: missing instId or details");
        }

        // Validate all details before looking the instrument up, so bad data is Malformed even for an unknown contract.
        var details = f.Details;
        int count = 0;
        while (details.Read() && details.TokenType != JsonTokenType.EndArray)
        {
            var d = new Fields();
            if (details.TokenType != JsonTokenType.StartObject || !ReadObject(ref details, ref d) || !TryLiquidationSides(ref d, out _, out _)
                || !(d.BkPx > 0) || !(d.Sz > 0) || d.Ts < 0)
            {
                return NormalizeResult.Malformed("liquidation-orders: missing or invalid detail");
            }

            count++;
        }

        if (!f.InstType.IsEmpty && !f.InstType.SequenceEqual("SWAP"u8))
        {
            return NormalizeResult.Unknown("liquidation of a non-SWAP instrument");
        }

        if (!TryResolve(f.InstId, out var instrument, out string reason))
        {
            return NormalizeResult.Unknown(reason);
        }

        if (sink is not null)
        {
            details = f.Details;
            while (details.Read() && details.TokenType != JsonTokenType.EndArray)
            {
                var d = new Fields();
                ReadObject(ref details, ref d);
                TryLiquidationSides(ref d, out var liquidated, out var orderSide);
                var liquidation = new Liquidation(instrument, UnixMicros.FromMilliseconds(d.Ts), args.ReceiveTime, d.BkPx,
                    d.Sz * instrument.ContractMultiplier, liquidated, orderSide, FeedCompleteness.Sampled);
                sink.Publish(MarketEvent.From(liquidation));
            }
        }

        return NormalizeResult.Data(count);
    }

    /// <summary>posSide long/short names the liquidated position; net (or absent) falls back to the order side (buy closes a short).</summary>
    private static bool TryLiquidationSides(ref Fields d, out PositionSide liquidated, out Side orderSide)
    {
        orderSide = d.Side;
        liquidated = d.PosSide != PositionSide.Unknown ? d.PosSide : Liquidation.LiquidatedSideFor(orderSide);
        if (orderSide == Side.Unknown)
        {
            orderSide = Liquidation.OrderSideFor(liquidated);
        }

        // A long is closed by a sell, a short by a buy: anything else is contradictory.
        return liquidated != PositionSide.Unknown && orderSide == Liquidation.OrderSideFor(liquidated);
    }

    private NormalizeResult EmitFunding(ref Utf8JsonReader reader, in FrameArgs args, IEventSink? sink)
    {
        var f = new Fields();
        if (!ReadObject(ref reader, ref f))
        {
            return NormalizeResult.Malformed("funding-rate: bad field value");
        }

        var instId = f.InstId.IsEmpty ? args.ArgInstId : f.InstId;
        if (instId.IsEmpty || double.IsNaN(f.FundingRate) || !(f.FundingTime > 0) || f.Ts < 0 || (f.NextFundingTime != Fields.Missing && f.NextFundingTime < 0))
        {
            return NormalizeResult.Malformed("funding-rate: missing or invalid field");
        }

        if (!TryResolve(instId, out var instrument, out string reason))
        {
            return NormalizeResult.Unknown(reason);
        }

        if (sink is not null)
        {
            double hours = f.NextFundingTime > f.FundingTime ? (f.NextFundingTime - f.FundingTime) / 3_600_000.0 : double.NaN;
            var funding = new Funding(instrument, UnixMicros.FromMilliseconds(f.Ts), args.ReceiveTime, f.FundingRate, hours,
                UnixMicros.FromMilliseconds(f.FundingTime), LatestMark(instrument), double.NaN);
            sink.Publish(MarketEvent.From(funding));
        }

        return NormalizeResult.Data(1);
    }

    private NormalizeResult EmitMark(ref Utf8JsonReader reader, in FrameArgs args, IEventSink? sink)
    {
        var f = new Fields();
        if (!ReadObject(ref reader, ref f))
        {
            return NormalizeResult.Malformed("mark-price: bad field value");
        }

        var instId = f.InstId.IsEmpty ? args.ArgInstId : f.InstId;
        if (instId.IsEmpty || !(f.MarkPx > 0) || f.Ts < 0)
        {
            return NormalizeResult.Malformed("mark-price: missing or invalid field");
        }

        if (!TryResolve(instId, out var instrument, out string reason))
        {
            return NormalizeResult.Unknown(reason);
        }

        if (sink is not null)
        {
            if (instrument.Id >= _marks.Length)
            {
                int old = _marks.Length;
                Array.Resize(ref _marks, Math.Max(instrument.Id + 1, old * 2));
                _marks.AsSpan(old).Fill(double.NaN);
            }

            _marks[instrument.Id] = f.MarkPx;
        }

        return NormalizeResult.Data(0);
    }

    private NormalizeResult EmitOpenInterest(ref Utf8JsonReader reader, in FrameArgs args, IEventSink? sink)
    {
        var f = new Fields();
        if (!ReadObject(ref reader, ref f))
        {
            return NormalizeResult.Malformed("open-interest: bad field value");
        }

        var instId = f.InstId.IsEmpty ? args.ArgInstId : f.InstId;
        if (instId.IsEmpty || !(f.Oi >= 0) || f.Ts < 0 || f.OiCcy < 0 || f.OiUsd < 0)
        {
            return NormalizeResult.Malformed("open-interest: missing or invalid field");
        }

        if (!TryResolve(instId, out var instrument, out string reason))
        {
            return NormalizeResult.Unknown(reason);
        }

        if (sink is not null)
        {
            sink.Publish(MarketEvent.From(ToOpenInterest(instrument, f.Oi, f.OiUsd, UnixMicros.FromMilliseconds(f.Ts), args.ReceiveTime)));
        }

        return NormalizeResult.Data(1);
    }

    private OpenInterest ToOpenInterest(Instrument instrument, double contracts, double oiUsd, long time, long receiveTime)
    {
        double quantity = contracts * instrument.ContractMultiplier;
        double mark = LatestMark(instrument);
        double usd = !double.IsNaN(oiUsd) ? oiUsd : instrument.QuoteIsUsd && mark > 0 ? quantity * mark : double.NaN;
        return new OpenInterest(instrument, time, receiveTime, quantity, usd);
    }

    private NormalizeResult EmitFundingHistory(ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        if (!OkxRest.TryParseFundingHistory(body, out var records))
        {
            return NormalizeResult.Malformed("bad funding-rate history");
        }

        int events = 0;
        string reason = NotRegistered;
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (!TryResolve(r.InstId, out var instrument, out reason))
            {
                continue;
            }

            // Interval from the spacing to the neighbouring record of the same instrument (either order).
            long spacing = i + 1 < records.Count && records[i + 1].InstId == r.InstId ? Math.Abs(r.FundingTime - records[i + 1].FundingTime)
                : i > 0 && records[i - 1].InstId == r.InstId ? Math.Abs(r.FundingTime - records[i - 1].FundingTime) : 0;
            double hours = spacing > 0 ? spacing / (double)UnixMicros.PerHour : double.NaN;
            sink.Publish(MarketEvent.From(new Funding(instrument, r.FundingTime, receiveTime, r.Rate, hours, 0, double.NaN, double.NaN)));
            events++;
        }

        return events > 0 || records.Count == 0 ? NormalizeResult.Data(events) : NormalizeResult.Unknown(reason);
    }

    private NormalizeResult EmitOpenInterestRest(ReadOnlySpan<byte> body, long receiveTime, IEventSink sink)
    {
        if (Venue != VenueId.OkxSwap)
        {
            return NormalizeResult.Unknown("open interest on okx-spot");
        }

        if (!OkxRest.TryParseOpenInterest(body, out var records))
        {
            return NormalizeResult.Malformed("bad open-interest response");
        }

        int events = 0;
        string reason = NotRegistered;
        foreach (var r in records)
        {
            if (!TryResolve(r.InstId, out var instrument, out reason))
            {
                continue;
            }

            sink.Publish(MarketEvent.From(ToOpenInterest(instrument, r.Contracts, r.NotionalUsd, r.Time, receiveTime)));
            events++;
        }

        return events > 0 || records.Count == 0 ? NormalizeResult.Data(events) : NormalizeResult.Unknown(reason);
    }

    private bool TryResolve(string instId, out Instrument instrument, out string reason)
    {
        Span<byte> utf8 = stackalloc byte[64];
        if (instId.Length > utf8.Length)
        {
            instrument = null!;
            reason = "instId too long";
            return false;
        }

        int n = Encoding.ASCII.GetBytes(instId, utf8);
        return TryResolve(utf8[..n], out instrument, out reason);
    }

    /// <summary>
    /// The registered instrument, or (when registering on first sight) a spot pair BASE-QUOTE, or a
    /// swap found in the instruments table. Allocation-free when already registered.
    /// </summary>
    private bool TryResolve(ReadOnlySpan<byte> instId, out Instrument instrument, out string reason)
    {
        reason = string.Empty;
        if (_registry.TryGet(Venue, instId, out instrument))
        {
            return true;
        }

        if (!_registerUnknown)
        {
            reason = NotRegistered;
            return false;
        }

        if (instId.IsEmpty || instId.Length > 64)
        {
            reason = "bad instId";
            return false;
        }

        Span<char> chars = stackalloc char[64];
        int dashes = 0;
        for (int i = 0; i < instId.Length; i++)
        {
            byte b = instId[i];
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_'))
            {
                reason = "bad instId";
                return false;
            }

            dashes += b == (byte)'-' ? 1 : 0;
            chars[i] = (char)b;
        }

        var id = chars[..instId.Length];
        bool isSwap = id.EndsWith("-SWAP", StringComparison.Ordinal);
        if (Venue == VenueId.OkxSwap)
        {
            if (!isSwap)
            {
                reason = "not a perpetual swap instId";
                return false;
            }

            if (!_instruments.TryGet(id, out var info))
            {
                reason = ContractValueUnknown;
                return false;
            }

            if (!OkxInstruments.TryRegister(_registry, Venue, info, out instrument))
            {
                reason = "contract value not usable (inverse or missing ctVal/ctMult)";
                return false;
            }

            return true;
        }

        if (isSwap || dashes != 1)
        {
            reason = "not a spot instId";
            return false;
        }

        int dash = id.IndexOf('-');
        double tick = _instruments.TryGet(id, out var spotInfo) && spotInfo.TickSize > 0 ? spotInfo.TickSize : OkxInstruments.DefaultTickSize;
        instrument = _registry.GetOrAdd(Venue, new string(id[..dash]), new string(id[(dash + 1)..]), new string(id), 1.0, tick);
        return true;
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

    private static bool ReadObject(ref Utf8JsonReader reader, ref Fields f)
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

    private static bool ReadProperty(ref Utf8JsonReader reader, ref Fields f)
    {
        var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
        reader.Read();
        switch (name.Length)
        {
            case 2:
                if (name.SequenceEqual("px"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.Px);
                }

                if (name.SequenceEqual("sz"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.Sz);
                }

                if (name.SequenceEqual("ts"u8))
                {
                    return OkxJson.TryOptionalLong(ref reader, ref f.Ts);
                }

                if (name.SequenceEqual("oi"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.Oi);
                }

                break;
            case 4:
                if (name.SequenceEqual("side"u8))
                {
                    if (!OkxJson.TryString(ref reader, out var side))
                    {
                        return false;
                    }

                    f.Side = side.SequenceEqual("buy"u8) ? Side.Buy : side.SequenceEqual("sell"u8) ? Side.Sell : Side.Unknown;
                    return true;
                }

                if (name.SequenceEqual("bkPx"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.BkPx);
                }

                break;
            case 5:
                if (name.SequenceEqual("oiCcy"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.OiCcy);
                }

                if (name.SequenceEqual("oiUsd"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.OiUsd);
                }

                break;
            case 6:
                if (name.SequenceEqual("instId"u8))
                {
                    return OkxJson.TryString(ref reader, out f.InstId);
                }

                if (name.SequenceEqual("markPx"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.MarkPx);
                }

                break;
            case 7:
                if (name.SequenceEqual("tradeId"u8))
                {
                    return OkxJson.TryString(ref reader, out f.TradeId);
                }

                if (name.SequenceEqual("posSide"u8))
                {
                    if (!OkxJson.TryString(ref reader, out var pos))
                    {
                        return false;
                    }

                    f.PosSide = pos.SequenceEqual("long"u8) ? PositionSide.Long : pos.SequenceEqual("short"u8) ? PositionSide.Short : PositionSide.Unknown;
                    return true;
                }

                if (name.SequenceEqual("details"u8))
                {
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return false;
                    }

                    f.Details = reader;
                    f.HasDetails = true;
                    reader.Skip();
                    return true;
                }

                break;
            case 8:
                if (name.SequenceEqual("instType"u8))
                {
                    return OkxJson.TryString(ref reader, out f.InstType);
                }

                break;
            case 11:
                if (name.SequenceEqual("fundingRate"u8))
                {
                    return OkxJson.TryOptionalDouble(ref reader, out f.FundingRate);
                }

                if (name.SequenceEqual("fundingTime"u8))
                {
                    return OkxJson.TryOptionalLong(ref reader, ref f.FundingTime);
                }

                break;
            case 15:
                if (name.SequenceEqual("nextFundingTime"u8))
                {
                    return OkxJson.TryOptionalLong(ref reader, ref f.NextFundingTime);
                }

                break;
        }

        reader.Skip();
        return true;
    }

    /// <summary>Every field an OKX data element (or liquidation detail) may carry; numbers default to missing.</summary>
    private ref struct Fields
    {
        public const long Missing = -1;

        public ReadOnlySpan<byte> InstId;
        public ReadOnlySpan<byte> InstType;
        public ReadOnlySpan<byte> TradeId;
        public Utf8JsonReader Details;
        public bool HasDetails;
        public double Px = double.NaN;
        public double Sz = double.NaN;
        public double BkPx = double.NaN;
        public double FundingRate = double.NaN;
        public double MarkPx = double.NaN;
        public double Oi = double.NaN;
        public double OiCcy = double.NaN;
        public double OiUsd = double.NaN;
        public long Ts = Missing;
        public long FundingTime = Missing;
        public long NextFundingTime = Missing;
        public Side Side;
        public PositionSide PosSide;

        public Fields()
        {
        }
    }

    private sealed class BookHolder : IOkxBookMessageHandler
    {
        public OkxBookMessage Message;
        public bool Has;

        public void OnBookMessage(in OkxBookMessage message)
        {
            Message = message;
            Has = true;
        }
    }

}
