using System.Globalization;
using System.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// OKX v5 public market data for one instrument type (<see cref="VenueId.OkxSwap"/> or
/// <see cref="VenueId.OkxSpot"/>) on <c>/ws/v5/public</c> (<c>trades</c>, <c>books</c>,
/// <c>bbo-tbt</c>, and for SWAP <c>liquidation-orders</c>, <c>funding-rate</c>, <c>mark-price</c>,
/// <c>open-interest</c>) and <c>/ws/v5/business</c> (<c>trades-all</c>), plus the matching REST
/// endpoints. The emulator keeps its own 400-level book per instrument and assigns its own
/// <c>seqId</c>/<c>prevSeqId</c> (not +1: trades share the per-instrument sequence), so REST
/// <c>/api/v5/market/books</c> <c>seqId</c> lines up with the stream. SWAP sizes are contracts:
/// truth base quantity ÷ <see cref="Instrument.ContractMultiplier"/> (ctVal × ctMult).
/// Since August 2026 OKX sends no initial book snapshot and a checksum fixed at 0; both old
/// behaviours can be switched on (<see cref="SendInitialBookSnapshot"/>, <see cref="EmitRealChecksum"/>).
/// </summary>
public sealed class OkxEmulator : VenueEmulator
{
    private const int BookDepth = 400;
    private const int ChecksumDepth = 25;
    private const int HistoryCap = 100_000;
    private const string PublicPath = "/ws/v5/public";
    private const string BusinessPath = "/ws/v5/business";

    private readonly Lock _gate = new();
    private readonly bool _swap;
    private readonly string _instType;
    private readonly Dictionary<string, Market> _byInstId = new(StringComparer.Ordinal);
    private readonly Dictionary<Instrument, Market> _byInstrument = new();
    private readonly List<Sub> _liquidationSubs = new();
    private readonly FrameWriter _frame = new();
    private readonly List<KeyValuePair<long, double>> _bidChanges = new();
    private readonly List<KeyValuePair<long, double>> _askChanges = new();
    private readonly StringBuilder _checksumText = new(2048);

    /// <summary>Creates the emulator for <see cref="VenueId.OkxSwap"/> or <see cref="VenueId.OkxSpot"/>.</summary>
    public OkxEmulator(VenueId venue, IReadOnlyList<Instrument> instruments, TimeProvider clock)
        : base(venue, instruments, clock)
    {
        if (venue is not (VenueId.OkxSwap or VenueId.OkxSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "OKX emulator serves okx-swap or okx-spot");
        }

        _swap = venue == VenueId.OkxSwap;
        _instType = _swap ? "SWAP" : "SPOT";
        foreach (var instrument in instruments)
        {
            if (instrument.Venue != venue)
            {
                continue;
            }

            var market = new Market(instrument, _swap);
            _byInstId[instrument.VenueSymbol] = market;
            _byInstrument[instrument] = market;
        }
    }

    /// <summary>
    /// Send an <c>action:"snapshot"</c> (prevSeqId −1) as the first <c>books</c> message after
    /// subscribing, as OKX did before August 2026. Default false: updates only, seed from REST.
    /// </summary>
    public bool SendInitialBookSnapshot { get; set; }

    /// <summary>
    /// Put the real CRC32 checksum (top 25 levels, pre-June-2026 algorithm) in <c>books</c>
    /// messages instead of the 0 OKX sends today; <see cref="EmulatorFaults.CorruptNextChecksum"/>
    /// then corrupts the next one.
    /// </summary>
    public bool EmitRealChecksum { get; set; }

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.Map(PublicPath, context => RunWebSocketAsync(context, business: false));
        endpoints.Map(BusinessPath, context => RunWebSocketAsync(context, business: true));
        endpoints.MapGet("/api/v5/market/books", BooksAsync);
        endpoints.MapGet("/api/v5/public/open-interest", OpenInterestAsync);
        endpoints.MapGet("/api/v5/public/funding-rate", FundingRateAsync);
        endpoints.MapGet("/api/v5/public/funding-rate-history", FundingHistoryAsync);
        endpoints.MapGet("/api/v5/public/instruments", InstrumentsAsync);
    }

    /// <summary>
    /// OKX error bodies (general REST codes): 429 → 50011 in the gateway's short form
    /// <c>{"msg":"Too Many Requests","code":"50011"}</c> (no <c>data</c>, as observed on the wire);
    /// 503 → 50001 "Service temporarily unavailable"; other 5xx → 50026 "System error".
    /// </summary>
    public override string RestErrorBody(int statusCode) => statusCode switch
    {
        429 => "{\"msg\":\"Too Many Requests\",\"code\":\"50011\"}",
        503 => "{\"code\":\"50001\",\"msg\":\"Service temporarily unavailable. Please try again later.\",\"data\":[]}",
        _ => "{\"code\":\"50026\",\"msg\":\"System error. Try again later.\",\"data\":[]}",
    };

    /// <summary>
    /// OKX's (pre-2026-06-23) book checksum: the first 25 bids and asks as <c>price:size</c>
    /// alternating bid, ask, … (the longer side's remaining levels follow), joined by ':', CRC32
    /// (IEEE) read as a signed 32-bit integer. Strings exactly as sent.
    /// </summary>
    public static int Checksum(IReadOnlyList<KeyValuePair<string, string>> bids, IReadOnlyList<KeyValuePair<string, string>> asks)
    {
        ArgumentNullException.ThrowIfNull(bids);
        ArgumentNullException.ThrowIfNull(asks);
        var text = new StringBuilder();
        int n = Math.Max(Math.Min(bids.Count, ChecksumDepth), Math.Min(asks.Count, ChecksumDepth));
        for (int i = 0; i < n; i++)
        {
            if (i < bids.Count)
            {
                Append(text, bids[i].Key, bids[i].Value);
            }

            if (i < asks.Count)
            {
                Append(text, asks[i].Key, asks[i].Value);
            }
        }

        return Crc32.Signed(text.ToString());

        static void Append(StringBuilder text, string price, string size)
        {
            if (text.Length > 0)
            {
                text.Append(':');
            }

            text.Append(price).Append(':').Append(size);
        }
    }

    /// <inheritdoc />
    public override void Publish(in MarketEvent e)
    {
        if (e.Venue != Venue || e.Instrument is null || !TryGetMarket(e.Instrument, out var market))
        {
            return;
        }

        long ms = e.ExchangeTime / 1000;
        switch (e.Kind)
        {
            case EventKind.Trade:
                PublishTrade(market, e.AsTrade(), ms);
                break;
            case EventKind.BookUpdate:
                PublishBook(market, e.AsBookUpdate(), ms);
                break;
            case EventKind.Liquidation when _swap:
                PublishLiquidation(market, e.AsLiquidation(), ms);
                break;
            case EventKind.Funding when _swap:
                PublishFunding(market, e.AsFunding(), ms);
                break;
            case EventKind.OpenInterest when _swap:
                PublishOpenInterest(market, e.AsOpenInterest(), ms);
                break;
        }
    }

    // ---------------------------------------------------------------- publish

    private bool TryGetMarket(Instrument instrument, out Market market) =>
        _byInstrument.TryGetValue(instrument, out market!) || _byInstId.TryGetValue(instrument.VenueSymbol, out market!);

    private void PublishTrade(Market m, in Trade trade, long ms)
    {
        lock (_gate)
        {
            m.Seq++;
            m.TradeCount++;
            string tradeId = trade.Id.Format == TradeIdFormat.Number
                ? unchecked((long)trade.Id.Low).ToString(CultureInfo.InvariantCulture)
                : WireNumber.Integer(m.TradeCount);
            string side = trade.AggressorSide == Side.Sell ? "sell" : "buy";
            if (HasDeliverable(m.Trades))
            {
                var w = StartPush("trades", m.InstId);
                w.WriteStartObject();
                w.WriteString("instId", m.InstId);
                w.WriteString("tradeId", tradeId);
                w.WriteString("px", Price(m, trade.Price));
                w.WriteString("sz", Size(m, trade.Quantity));
                w.WriteString("side", side);
                w.WriteString("ts", WireNumber.Integer(ms));
                w.WriteString("count", "1");
                w.WriteString("source", "0");
                w.WriteNumber("seqId", m.Seq);
                w.WriteEndObject();
                SendAll(m.Trades, EndPush());
            }

            if (HasDeliverable(m.TradesAll))
            {
                var w = StartPush("trades-all", m.InstId);
                w.WriteStartObject();
                w.WriteString("instId", m.InstId);
                w.WriteString("tradeId", tradeId);
                w.WriteString("px", Price(m, trade.Price));
                w.WriteString("sz", Size(m, trade.Quantity));
                w.WriteString("side", side);
                w.WriteString("source", "0");
                w.WriteString("ts", WireNumber.Integer(ms));
                w.WriteEndObject();
                SendAll(m.TradesAll, EndPush());
            }
        }
    }

    private void PublishBook(Market m, in BookUpdate update, long ms)
    {
        lock (_gate)
        {
            if (!m.Book.Apply(update, ms))
            {
                return;
            }

            if (!m.View.Valid)
            {
                m.View.Rebuild(m.Book);
                m.BookSeqId = ++m.Seq;
                foreach (var sub in m.Books)
                {
                    if (!sub.Primed)
                    {
                        SendBookSnapshot(m, sub);
                    }
                }

                PublishBbo(m);
                return;
            }

            if (!m.View.Diff(m.Book, _bidChanges, _askChanges))
            {
                return;
            }

            if (Faults.TryTakeSequenceGap())
            {
                m.BookSeqId = ++m.Seq; // a message nobody receives: the next prevSeqId skips
            }

            long prev = m.BookSeqId;
            m.BookSeqId = ++m.Seq;
            if (HasDeliverable(m.Books))
            {
                int checksum = 0;
                if (EmitRealChecksum)
                {
                    checksum = BookChecksum(m);
                    if (Faults.TryTakeBadChecksum())
                    {
                        checksum ^= 0x2A2A2A2A;
                    }
                }

                var w = StartPush("books", m.InstId, "update");
                w.WriteStartObject();
                WriteChanges(w, "asks", m, _askChanges);
                WriteChanges(w, "bids", m, _bidChanges);
                w.WriteString("ts", WireNumber.Integer(ms));
                w.WriteNumber("checksum", checksum);
                w.WriteNumber("prevSeqId", prev);
                w.WriteNumber("seqId", m.BookSeqId);
                w.WriteEndObject();
                byte[] frame = EndPush();
                foreach (var sub in m.Books)
                {
                    if (!sub.Primed)
                    {
                        SendBookSnapshot(m, sub); // subscribed (with snapshots on) before the book existed
                    }
                    else if (!IsSilent(sub.Topic))
                    {
                        sub.Session.Send(frame);
                    }
                }
            }

            PublishBbo(m);
        }
    }

    private void PublishBbo(Market m)
    {
        bool hasBid = TryBest(m.Book.Bids, out var bid);
        bool hasAsk = TryBest(m.Book.Asks, out var ask);
        var top = (hasBid ? bid.Key : long.MinValue, hasBid ? bid.Value : 0, hasAsk ? ask.Key : long.MinValue, hasAsk ? ask.Value : 0);
        if (top == m.LastTop)
        {
            return;
        }

        m.LastTop = top;
        if (HasDeliverable(m.Bbo))
        {
            SendAll(m.Bbo, BboFrame(m));
        }
    }

    private void PublishLiquidation(Market m, in Liquidation liquidation, long ms)
    {
        lock (_gate)
        {
            if (!HasDeliverable(_liquidationSubs))
            {
                return;
            }

            var orderSide = liquidation.OrderSide != Side.Unknown
                ? liquidation.OrderSide
                : Liquidation.OrderSideFor(liquidation.LiquidatedSide);
            var position = liquidation.LiquidatedSide != PositionSide.Unknown
                ? liquidation.LiquidatedSide
                : Liquidation.LiquidatedSideFor(orderSide);
            var w = _frame.Json;
            w.WriteStartObject();
            w.WriteStartObject("arg");
            w.WriteString("channel", "liquidation-orders");
            w.WriteString("instType", _instType);
            w.WriteEndObject();
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteStartArray("details");
            w.WriteStartObject();
            w.WriteString("bkLoss", "0");
            w.WriteString("bkPx", Price(m, liquidation.Price));
            w.WriteString("ccy", "");
            w.WriteString("posSide", position == PositionSide.Short ? "short" : "long");
            // OKX side is the liquidation ORDER's side: sell closes a long.
            w.WriteString("side", orderSide == Side.Buy ? "buy" : "sell");
            w.WriteString("sz", Size(m, liquidation.Quantity));
            w.WriteString("ts", WireNumber.Integer(ms));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("instFamily", m.Family);
            w.WriteString("instId", m.InstId);
            w.WriteString("instType", _instType);
            w.WriteString("uly", m.Family);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            SendAll(_liquidationSubs, _frame.ToArray());
        }
    }

    private void PublishFunding(Market m, in Funding funding, long ms)
    {
        lock (_gate)
        {
            long fundingTime = funding.NextFundingTime / 1000;
            if (m.HasRate && m.FundingTimeMs > 0 && fundingTime > m.FundingTimeMs)
            {
                AddCapped(m.FundingHistory, (m.FundingTimeMs, m.FundingRate));
                m.SettledRate = m.FundingRate;
                m.HasSettled = true;
            }

            m.HasRate = true;
            m.FundingRate = funding.Rate;
            if (fundingTime > 0)
            {
                m.FundingTimeMs = fundingTime;
            }

            if (funding.IntervalHours > 0)
            {
                m.IntervalHours = funding.IntervalHours;
            }

            if (!double.IsNaN(funding.IndexPrice))
            {
                m.IndexPrice = funding.IndexPrice;
            }

            m.FundingTs = ms;
            if (HasDeliverable(m.Funding))
            {
                SendAll(m.Funding, FundingFrame(m));
            }

            if (!double.IsNaN(funding.MarkPrice))
            {
                m.MarkPrice = funding.MarkPrice;
                m.MarkTs = ms;
                if (HasDeliverable(m.Mark))
                {
                    SendAll(m.Mark, MarkFrame(m));
                }
            }
        }
    }

    private void PublishOpenInterest(Market m, in OpenInterest oi, long ms)
    {
        lock (_gate)
        {
            m.HasOpenInterest = true;
            m.OpenInterest = oi.Quantity;
            m.OpenInterestUsd = oi.NotionalUsd;
            m.OpenInterestTs = ms;
            if (HasDeliverable(m.OpenInterestSubs))
            {
                SendAll(m.OpenInterestSubs, OpenInterestFrame(m));
            }
        }
    }

    private static void AddCapped<T>(List<T> list, T item)
    {
        if (list.Count >= HistoryCap)
        {
            list.RemoveRange(0, HistoryCap / 10);
        }

        list.Add(item);
    }

    // ---------------------------------------------------------------- frames

    /// <summary>Starts <c>{"arg":{…},["action":…,]"data":[</c>; the caller writes one data object.</summary>
    private Utf8JsonWriter StartPush(string channel, string instId, string? action = null)
    {
        var w = _frame.Json;
        w.WriteStartObject();
        w.WriteStartObject("arg");
        w.WriteString("channel", channel);
        w.WriteString("instId", instId);
        w.WriteEndObject();
        if (action is not null)
        {
            w.WriteString("action", action);
        }

        w.WriteStartArray("data");
        return w;
    }

    private byte[] EndPush()
    {
        var w = _frame.Json;
        w.WriteEndArray();
        w.WriteEndObject();
        return _frame.ToArray();
    }

    private void SendBookSnapshot(Market m, Sub sub)
    {
        if (!m.Book.Ready)
        {
            return;
        }

        sub.Primed = true;
        if (IsSilent(sub.Topic))
        {
            return;
        }

        var w = StartPush("books", m.InstId, "snapshot");
        w.WriteStartObject();
        WriteTop(w, "asks", m, m.Book.Asks, BookDepth);
        WriteTop(w, "bids", m, m.Book.Bids, BookDepth);
        w.WriteString("ts", WireNumber.Integer(m.Book.LastTimeMs));
        w.WriteNumber("checksum", EmitRealChecksum ? BookChecksum(m) : 0);
        w.WriteNumber("prevSeqId", -1);
        w.WriteNumber("seqId", m.BookSeqId);
        w.WriteEndObject();
        sub.Session.Send(EndPush());
    }

    private byte[] BboFrame(Market m)
    {
        var w = StartPush("bbo-tbt", m.InstId);
        w.WriteStartObject();
        WriteTop(w, "asks", m, m.Book.Asks, 1);
        WriteTop(w, "bids", m, m.Book.Bids, 1);
        w.WriteString("ts", WireNumber.Integer(m.Book.LastTimeMs));
        w.WriteNumber("seqId", m.BookSeqId);
        w.WriteEndObject();
        return EndPush();
    }

    private byte[] FundingFrame(Market m)
    {
        var w = StartPush("funding-rate", m.InstId);
        WriteFundingObject(w, m, m.FundingTs);
        return EndPush();
    }

    private void WriteFundingObject(Utf8JsonWriter w, Market m, long ts)
    {
        long intervalMs = (long)Math.Round(m.IntervalHours * 3_600_000);
        string premium = !double.IsNaN(m.MarkPrice) && !double.IsNaN(m.IndexPrice) && m.IndexPrice != 0
            ? WireNumber.Trim((m.MarkPrice - m.IndexPrice) / m.IndexPrice, 16)
            : "0";
        w.WriteStartObject();
        w.WriteString("formulaType", "noRate");
        w.WriteString("fundingRate", Rate(m.FundingRate));
        w.WriteString("fundingTime", WireNumber.Integer(m.FundingTimeMs));
        w.WriteString("impactValue", "");
        w.WriteString("instId", m.InstId);
        w.WriteString("instType", _instType);
        w.WriteString("interestRate", "");
        w.WriteString("method", "current_period");
        w.WriteString("maxFundingRate", "0.00375");
        w.WriteString("minFundingRate", "-0.00375");
        w.WriteString("nextFundingRate", "");
        w.WriteString("nextFundingTime", WireNumber.Integer(m.FundingTimeMs > 0 ? m.FundingTimeMs + intervalMs : 0));
        w.WriteString("premium", premium);
        w.WriteString("settFundingRate", Rate(m.HasSettled ? m.SettledRate : m.FundingRate));
        w.WriteString("settState", "settled");
        w.WriteString("ts", WireNumber.Integer(ts));
        w.WriteEndObject();
    }

    private byte[] MarkFrame(Market m)
    {
        var w = StartPush("mark-price", m.InstId);
        w.WriteStartObject();
        w.WriteString("instType", _instType);
        w.WriteString("instId", m.InstId);
        w.WriteString("markPx", Price(m, m.MarkPrice));
        w.WriteString("ts", WireNumber.Integer(m.MarkTs));
        w.WriteEndObject();
        return EndPush();
    }

    private byte[] OpenInterestFrame(Market m)
    {
        var w = StartPush("open-interest", m.InstId);
        WriteOpenInterestObject(w, m);
        return EndPush();
    }

    private void WriteOpenInterestObject(Utf8JsonWriter w, Market m)
    {
        w.WriteStartObject();
        w.WriteString("instId", m.InstId);
        w.WriteString("instType", _instType);
        w.WriteString("oi", Size(m, m.OpenInterest));
        w.WriteString("oiCcy", WireNumber.Trim(m.OpenInterest, 8));
        w.WriteString("oiUsd", WireNumber.Trim(m.OpenInterestUsd, 8));
        w.WriteString("ts", WireNumber.Integer(m.OpenInterestTs));
        w.WriteEndObject();
    }

    private void WriteTop(Utf8JsonWriter w, string name, Market m, SortedDictionary<long, double> side, int depth)
    {
        w.WriteStartArray(name);
        int n = 0;
        foreach (var level in side)
        {
            if (n++ == depth)
            {
                break;
            }

            WriteLevel(w, m, level.Key, level.Value);
        }

        w.WriteEndArray();
    }

    private void WriteChanges(Utf8JsonWriter w, string name, Market m, List<KeyValuePair<long, double>> changes)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < changes.Count; i++)
        {
            WriteLevel(w, m, changes[i].Key, changes[i].Value);
        }

        w.WriteEndArray();
    }

    private void WriteLevel(Utf8JsonWriter w, Market m, long ticks, double quantity)
    {
        w.WriteStartArray();
        w.WriteStringValue(PriceTicks(m, ticks));
        w.WriteStringValue(quantity > 0 ? Size(m, quantity) : "0");
        w.WriteStringValue("0");
        w.WriteStringValue(quantity > 0 ? "1" : "0");
        w.WriteEndArray();
    }

    private int BookChecksum(Market m)
    {
        var text = _checksumText.Clear();
        using var bids = m.Book.Bids.GetEnumerator();
        using var asks = m.Book.Asks.GetEnumerator();
        for (int i = 0; i < ChecksumDepth; i++)
        {
            if (bids.MoveNext())
            {
                AppendLevel(text, m, bids.Current);
            }

            if (asks.MoveNext())
            {
                AppendLevel(text, m, asks.Current);
            }
        }

        return Crc32.Signed(text.ToString());
    }

    private void AppendLevel(StringBuilder text, Market m, KeyValuePair<long, double> level)
    {
        if (text.Length > 0)
        {
            text.Append(':');
        }

        text.Append(PriceTicks(m, level.Key)).Append(':').Append(Size(m, level.Value));
    }

    private static bool TryBest(SortedDictionary<long, double> side, out KeyValuePair<long, double> best)
    {
        foreach (var level in side)
        {
            best = level;
            return true;
        }

        best = default;
        return false;
    }

    private static string Price(Market m, double price) => WireNumber.Trim(price, m.PriceDecimals);

    private static string PriceTicks(Market m, long ticks) => Price(m, m.Instrument.FromTicks(ticks));

    /// <summary>Venue size: contracts for SWAP (base ÷ ctVal), base for SPOT; trailing zeros dropped.</summary>
    private static string Size(Market m, double baseQuantity) => WireNumber.Trim(baseQuantity / m.ContractValue, 8);

    private static string Rate(double rate) => WireNumber.Trim(rate, 16);

    // ---------------------------------------------------------------- delivery helpers

    private bool IsSilent(string topic) => !Faults.SilentTopics.IsEmpty && Faults.SilentTopics.ContainsKey(topic);

    private bool HasDeliverable(List<Sub> subs)
    {
        for (int i = 0; i < subs.Count; i++)
        {
            if (!IsSilent(subs[i].Topic))
            {
                return true;
            }
        }

        return false;
    }

    private void SendAll(List<Sub> subs, byte[] frame)
    {
        for (int i = 0; i < subs.Count; i++)
        {
            if (!IsSilent(subs[i].Topic))
            {
                subs[i].Session.Send(frame);
            }
        }
    }

    // ---------------------------------------------------------------- WebSocket control

    private async Task RunWebSocketAsync(HttpContext context, bool business)
    {
        EmulatorSession? opened = null;
        await RunSessionAsync(context, OnMessageAsync, session =>
        {
            session.State = new Connection(Guid.NewGuid().ToString("N")[..8], business);
            opened = session;
        }).ConfigureAwait(false);

        if (opened?.State is Connection connection)
        {
            lock (_gate)
            {
                foreach (var sub in connection.Subs.Values)
                {
                    Detach(sub);
                }

                connection.Subs.Clear();
            }
        }
    }

    private ValueTask OnMessageAsync(EmulatorSession session, string text)
    {
        if (session.State is not Connection connection)
        {
            return ValueTask.CompletedTask;
        }

        if (text == "ping")
        {
            session.Send("pong");
            return ValueTask.CompletedTask;
        }

        string? id = null;
        string? op = null;
        var args = new List<(string? Channel, string? InstId, string? InstType)>();
        bool valid = true;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                valid = false;
            }
            else
            {
                if (root.TryGetProperty("id", out var idElement))
                {
                    id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : idElement.GetRawText();
                }

                if (root.TryGetProperty("op", out var opElement) && opElement.ValueKind == JsonValueKind.String)
                {
                    op = opElement.GetString();
                }

                if (root.TryGetProperty("args", out var argsElement) && argsElement.ValueKind == JsonValueKind.Array)
                {
                    foreach (var arg in argsElement.EnumerateArray())
                    {
                        if (arg.ValueKind != JsonValueKind.Object)
                        {
                            valid = false;
                            break;
                        }

                        args.Add((Text(arg, "channel"), Text(arg, "instId"), Text(arg, "instType")));
                    }
                }
                else if (op is "subscribe" or "unsubscribe")
                {
                    valid = false;
                }
            }
        }
        catch (JsonException)
        {
            valid = false;
        }

        if (!valid)
        {
            session.Send(ErrorReply(connection, id, "60012", "Invalid request: " + text));
            return ValueTask.CompletedTask;
        }

        switch (op)
        {
            case "subscribe":
            case "unsubscribe":
                lock (_gate)
                {
                    foreach (var arg in args)
                    {
                        HandleArg(session, connection, id, op, arg.Channel, arg.InstId, arg.InstType);
                    }
                }

                break;
            default:
                session.Send(ErrorReply(connection, id, "60019", "Invalid op: " + (op ?? "")));
                break;
        }

        return ValueTask.CompletedTask;

        static string? Text(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private void HandleArg(EmulatorSession session, Connection connection, string? id, string op,
        string? channel, string? instId, string? instType)
    {
        bool byType = channel == "liquidation-orders";
        string target = byType ? instType ?? "" : instId ?? "";
        string topic = (channel ?? "") + ":" + target;
        if (op == "unsubscribe")
        {
            if (connection.Subs.Remove(topic, out var old))
            {
                Detach(old);
            }

            session.Send(AckReply(connection, id, "unsubscribe", channel ?? "", byType, target));
            return;
        }

        if (!TryResolve(connection, channel, byType, target, out var market, out var kind, out string? code, out string? message)
            || Faults.RejectedTopics.ContainsKey(topic))
        {
            session.Send(ErrorReply(connection, id, code ?? "60018", message ?? NotFound(channel, byType, target)));
            return;
        }

        session.Send(AckReply(connection, id, "subscribe", channel!, byType, target));
        if (connection.Subs.ContainsKey(topic))
        {
            return; // OKX acks a repeated subscription again
        }

        var sub = new Sub(session, topic, market, kind);
        connection.Subs[topic] = sub;
        Attach(sub);
        Prime(sub);
    }

    private bool TryResolve(Connection connection, string? channel, bool byType, string target,
        out Market? market, out Channel kind, out string? code, out string? message)
    {
        market = null;
        code = null;
        message = null;
        kind = channel switch
        {
            "trades" => Channel.Trades,
            "trades-all" => Channel.TradesAll,
            "books" => Channel.Books,
            "bbo-tbt" => Channel.Bbo,
            "funding-rate" when _swap => Channel.Funding,
            "mark-price" when _swap => Channel.Mark,
            "open-interest" when _swap => Channel.OpenInterest,
            "liquidation-orders" => Channel.Liquidations,
            _ => Channel.None,
        };

        if (kind == Channel.None)
        {
            return false;
        }

        if (kind == Channel.TradesAll && !connection.Business)
        {
            code = "64001";
            message = "This channel has been migrated to the '/business' URL. Please subscribe using the new URL.";
            return false;
        }

        if (kind != Channel.TradesAll && connection.Business)
        {
            code = "64002";
            message = "This channel is not supported by \"business\" URL. Please use \"public\" URL.";
            return false;
        }

        if (byType)
        {
            return _swap && target == _instType;
        }

        if (!_byInstId.TryGetValue(target, out var found))
        {
            return false;
        }

        market = found;
        return true;
    }

    private static string NotFound(string? channel, bool byType, string target) =>
        "Wrong URL or channel:" + channel + (byType ? ",instType:" : ",instId:") + target +
        " doesn't exist. Please use the correct URL, channel and parameters referring to API document.";

    private static byte[] AckReply(Connection connection, string? id, string @event, string channel, bool byType, string target)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        if (id is not null)
        {
            w.Json.WriteString("id", id);
        }

        w.Json.WriteString("event", @event);
        w.Json.WriteStartObject("arg");
        w.Json.WriteString("channel", channel);
        w.Json.WriteString(byType ? "instType" : "instId", target);
        w.Json.WriteEndObject();
        w.Json.WriteString("connId", connection.ConnId);
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    private static byte[] ErrorReply(Connection connection, string? id, string code, string message)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        if (id is not null)
        {
            w.Json.WriteString("id", id);
        }

        w.Json.WriteString("event", "error");
        w.Json.WriteString("code", code);
        w.Json.WriteString("msg", message);
        w.Json.WriteString("connId", connection.ConnId);
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    private void Attach(Sub sub)
    {
        GetList(sub)?.Add(sub);
    }

    private void Detach(Sub sub)
    {
        GetList(sub)?.Remove(sub);
    }

    private List<Sub>? GetList(Sub sub)
    {
        if (sub.Kind == Channel.Liquidations)
        {
            return _liquidationSubs;
        }

        var m = sub.Market!;
        return sub.Kind switch
        {
            Channel.Trades => m.Trades,
            Channel.TradesAll => m.TradesAll,
            Channel.Books => m.Books,
            Channel.Bbo => m.Bbo,
            Channel.Funding => m.Funding,
            Channel.Mark => m.Mark,
            Channel.OpenInterest => m.OpenInterestSubs,
            _ => null,
        };
    }

    private void Prime(Sub sub)
    {
        var m = sub.Market;
        if (m is null)
        {
            sub.Primed = true;
            return;
        }

        switch (sub.Kind)
        {
            case Channel.Books:
                if (SendInitialBookSnapshot)
                {
                    SendBookSnapshot(m, sub); // or on the first truth snapshot
                }
                else
                {
                    sub.Primed = true;
                }

                break;
            case Channel.Bbo:
                sub.Primed = true;
                if (m.Book.Ready && !IsSilent(sub.Topic))
                {
                    sub.Session.Send(BboFrame(m));
                }

                break;
            case Channel.Funding:
                sub.Primed = true;
                if (m.HasRate && !IsSilent(sub.Topic))
                {
                    sub.Session.Send(FundingFrame(m));
                }

                break;
            case Channel.Mark:
                sub.Primed = true;
                if (!double.IsNaN(m.MarkPrice) && !IsSilent(sub.Topic))
                {
                    sub.Session.Send(MarkFrame(m));
                }

                break;
            case Channel.OpenInterest:
                sub.Primed = true;
                if (m.HasOpenInterest && !IsSilent(sub.Topic))
                {
                    sub.Session.Send(OpenInterestFrame(m));
                }

                break;
            default:
                sub.Primed = true;
                break;
        }
    }

    // ---------------------------------------------------------------- REST

    private async Task BooksAsync(HttpContext context)
    {
        var q = context.Request.Query;
        byte[] body;
        lock (_gate)
        {
            if (!CheckInstId(q, required: true, out var m, out body))
            {
                goto Write;
            }

            int size = 1;
            if (q.TryGetValue("sz", out var szText) &&
                (!int.TryParse(szText, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > BookDepth))
            {
                body = Error("51000", "Parameter sz error");
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            w.Json.WriteStartObject();
            WriteTop(w.Json, "asks", m!, m!.Book.Asks, size);
            WriteTop(w.Json, "bids", m, m.Book.Bids, size);
            w.Json.WriteString("ts", WireNumber.Integer(m.Book.Ready ? m.Book.LastTimeMs : Clock.GetUtcNow().ToUnixTimeMilliseconds()));
            w.Json.WriteNumber("seqId", m.BookSeqId);
            w.Json.WriteEndObject();
            body = EndEnvelope(w);
        }

    Write:
        await WriteAsync(context, body).ConfigureAwait(false);
    }

    private async Task OpenInterestAsync(HttpContext context)
    {
        var q = context.Request.Query;
        byte[] body;
        lock (_gate)
        {
            string instType = q["instType"].ToString();
            if (instType.Length == 0)
            {
                body = Error("50014", "Parameter instType can not be empty.");
                goto Write;
            }

            if (instType is not ("SWAP" or "FUTURES" or "OPTION" or "EVENTS"))
            {
                body = Error("51000", "Parameter instType error");
                goto Write;
            }

            if (!CheckInstId(q, required: false, out var only, out body))
            {
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            if (_swap && instType == _instType)
            {
                foreach (var m in MarketsInOrder(only))
                {
                    if (m.HasOpenInterest)
                    {
                        WriteOpenInterestObject(w.Json, m);
                    }
                }
            }

            body = EndEnvelope(w);
        }

    Write:
        await WriteAsync(context, body).ConfigureAwait(false);
    }

    private async Task FundingRateAsync(HttpContext context)
    {
        var q = context.Request.Query;
        byte[] body;
        lock (_gate)
        {
            if (!CheckInstId(q, required: true, out var m, out body))
            {
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            if (_swap && m!.HasRate)
            {
                WriteFundingObject(w.Json, m, Clock.GetUtcNow().ToUnixTimeMilliseconds());
            }

            body = EndEnvelope(w);
        }

    Write:
        await WriteAsync(context, body).ConfigureAwait(false);
    }

    private async Task FundingHistoryAsync(HttpContext context)
    {
        var q = context.Request.Query;
        byte[] body;
        lock (_gate)
        {
            if (!CheckInstId(q, required: true, out var m, out body))
            {
                goto Write;
            }

            int limit = 400;
            long before = long.MinValue;
            long after = long.MaxValue;
            if ((q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 400))
                || (q.TryGetValue("before", out var b) && !long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out before))
                || (q.TryGetValue("after", out var a) && !long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
            {
                body = Error("51000", "Parameter limit, before or after error");
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            int rows = 0;
            for (int i = m!.FundingHistory.Count - 1; i >= 0 && rows < limit; i--)
            {
                var (time, rate) = m.FundingHistory[i];
                if (time >= after || time <= before)
                {
                    continue;
                }

                rows++;
                w.Json.WriteStartObject();
                w.Json.WriteString("formulaType", "noRate");
                w.Json.WriteString("fundingRate", Rate(rate));
                w.Json.WriteString("fundingTime", WireNumber.Integer(time));
                w.Json.WriteString("instId", m.InstId);
                w.Json.WriteString("instType", _instType);
                w.Json.WriteString("method", "current_period");
                w.Json.WriteString("realizedRate", Rate(rate));
                w.Json.WriteEndObject();
            }

            body = EndEnvelope(w);
        }

    Write:
        await WriteAsync(context, body).ConfigureAwait(false);
    }

    private async Task InstrumentsAsync(HttpContext context)
    {
        var q = context.Request.Query;
        byte[] body;
        lock (_gate)
        {
            string instType = q["instType"].ToString();
            if (instType.Length == 0)
            {
                body = Error("50014", "Parameter instType can not be empty.");
                goto Write;
            }

            if (instType is not ("SPOT" or "MARGIN" or "SWAP" or "FUTURES" or "OPTION" or "EVENTS"))
            {
                body = Error("51000", "Parameter instType error");
                goto Write;
            }

            if (!CheckInstId(q, required: false, out var only, out body))
            {
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            if (instType == _instType)
            {
                foreach (var m in MarketsInOrder(only))
                {
                    WriteInstrument(w.Json, m);
                }
            }

            body = EndEnvelope(w);
        }

    Write:
        await WriteAsync(context, body).ConfigureAwait(false);
    }

    private List<Market> MarketsInOrder(Market? only)
    {
        var list = new List<Market>();
        if (only is not null)
        {
            list.Add(only);
            return list;
        }

        foreach (var instrument in Instruments)
        {
            if (instrument.Venue == Venue && _byInstId.TryGetValue(instrument.VenueSymbol, out var m) && !list.Contains(m))
            {
                list.Add(m);
            }
        }

        return list;
    }

    private void WriteInstrument(Utf8JsonWriter w, Market m)
    {
        var instrument = m.Instrument;
        w.WriteStartObject();
        w.WriteString("alias", "");
        w.WriteString("baseCcy", _swap ? "" : instrument.Base);
        w.WriteString("category", "1");
        w.WriteString("ctMult", _swap ? "1" : "");
        w.WriteString("ctType", _swap ? "linear" : "");
        w.WriteString("ctVal", _swap ? WireNumber.Trim(m.ContractValue, 12) : "");
        w.WriteString("ctValCcy", _swap ? instrument.Base : "");
        w.WriteString("expTime", "");
        w.WriteString("instFamily", _swap ? m.Family : "");
        w.WriteString("instId", m.InstId);
        w.WriteString("instType", _instType);
        w.WriteString("lever", _swap ? "100" : "10");
        w.WriteString("listTime", "1606468572000");
        w.WriteString("lotSz", _swap ? "0.01" : "0.00000001");
        w.WriteString("maxLmtSz", _swap ? "100000000" : "10000000");
        w.WriteString("maxMktSz", _swap ? "12000" : "1000000");
        w.WriteString("minSz", _swap ? "0.01" : "0.00001");
        w.WriteString("quoteCcy", _swap ? "" : instrument.Quote);
        w.WriteString("settleCcy", _swap ? instrument.Quote : "");
        w.WriteString("state", "live");
        w.WriteString("tickSz", WireNumber.Trim(instrument.TickSize, m.PriceDecimals));
        w.WriteString("uly", _swap ? m.Family : "");
        w.WriteEndObject();
    }

    private bool CheckInstId(IQueryCollection q, bool required, out Market? market, out byte[] error)
    {
        market = null;
        error = [];
        string instId = q["instId"].ToString();
        if (instId.Length == 0)
        {
            if (!required)
            {
                return true;
            }

            error = Error("50014", "Parameter instId can not be empty.");
            return false;
        }

        if (_byInstId.TryGetValue(instId, out market))
        {
            return true;
        }

        error = Error("51001", "Instrument ID, Instrument ID code, or Spread ID doesn't exist.");
        return false;
    }

    private static void StartEnvelope(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("code", "0");
        w.WriteString("msg", "");
        w.WriteStartArray("data");
    }

    private static byte[] EndEnvelope(FrameWriter w)
    {
        w.Json.WriteEndArray();
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    private static byte[] Error(string code, string message)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        w.Json.WriteString("code", code);
        w.Json.WriteString("msg", message);
        w.Json.WriteStartArray("data");
        return EndEnvelope(w);
    }

    private static Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    // ---------------------------------------------------------------- state

    private enum Channel : byte
    {
        None,
        Trades,
        TradesAll,
        Books,
        Bbo,
        Liquidations,
        Funding,
        Mark,
        OpenInterest,
    }

    private sealed class Connection(string connId, bool business)
    {
        public string ConnId { get; } = connId;

        public bool Business { get; } = business;

        public Dictionary<string, Sub> Subs { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Sub(EmulatorSession session, string topic, Market? market, Channel kind)
    {
        public EmulatorSession Session { get; } = session;

        public string Topic { get; } = topic;

        public Market? Market { get; } = market;

        public Channel Kind { get; } = kind;

        public bool Primed { get; set; }
    }

    private sealed class Market
    {
        public Market(Instrument instrument, bool swap)
        {
            Instrument = instrument;
            InstId = instrument.VenueSymbol;
            Family = instrument.Base + "-" + instrument.Quote;
            ContractValue = swap ? instrument.ContractMultiplier : 1.0;
            PriceDecimals = WireNumber.DecimalsOf(instrument.TickSize);
        }

        public Instrument Instrument { get; }

        public string InstId { get; }

        public string Family { get; }

        /// <summary>Base quantity per contract (ctVal × ctMult); 1 for SPOT.</summary>
        public double ContractValue { get; }

        public int PriceDecimals { get; }

        public TickBook Book { get; } = new();

        public DepthView View { get; } = new(BookDepth);

        public long Seq { get; set; } = 3_000_000_000;

        public long BookSeqId { get; set; }

        public long TradeCount { get; set; }

        public (long, double, long, double) LastTop { get; set; }

        public List<Sub> Trades { get; } = new();

        public List<Sub> TradesAll { get; } = new();

        public List<Sub> Books { get; } = new();

        public List<Sub> Bbo { get; } = new();

        public List<Sub> Funding { get; } = new();

        public List<Sub> Mark { get; } = new();

        public List<Sub> OpenInterestSubs { get; } = new();

        public bool HasRate { get; set; }

        public double FundingRate { get; set; }

        public long FundingTimeMs { get; set; }

        public double IntervalHours { get; set; } = 8;

        public bool HasSettled { get; set; }

        public double SettledRate { get; set; }

        public long FundingTs { get; set; }

        public double MarkPrice { get; set; } = double.NaN;

        public double IndexPrice { get; set; } = double.NaN;

        public long MarkTs { get; set; }

        public bool HasOpenInterest { get; set; }

        public double OpenInterest { get; set; }

        public double OpenInterestUsd { get; set; }

        public long OpenInterestTs { get; set; }

        public List<(long Time, double Rate)> FundingHistory { get; } = new();
    }
}

/// <summary>CRC32 (IEEE 802.3, as zlib) for OKX book checksums.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>CRC32 of the ASCII text, as a signed 32-bit integer.</summary>
    public static int Signed(string text)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (char c in text)
        {
            crc = Table[(crc ^ (byte)c) & 0xFF] ^ (crc >> 8);
        }

        return unchecked((int)~crc);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
