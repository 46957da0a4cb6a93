using System.Globalization;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// Bybit V5 public market data for one category (<see cref="VenueId.BybitLinear"/> on
/// <c>/v5/public/linear</c>, <see cref="VenueId.BybitSpot"/> on <c>/v5/public/spot</c>) and the
/// matching <c>/v5/market/*</c> REST endpoints. Topics: <c>publicTrade.{sym}</c>,
/// <c>orderbook.{1,50,200,1000}.{sym}</c> (snapshot on subscribe, then deltas; level 1 is
/// snapshot-only), <c>allLiquidation.{sym}</c> and <c>tickers.{sym}</c> (linear: snapshot, then
/// deltas on funding and open-interest changes; spot: snapshots on trades). The emulator keeps
/// its own book per instrument and assigns its own <c>u</c> (per depth stream, +1 per message)
/// and <c>seq</c> (cross sequence, per instrument); REST <c>u</c> is the 1000-level stream's.
/// Frame shapes follow the official docs and recorded frames (linear: <c>topic,type,ts</c>;
/// spot: <c>topic,ts,type</c>; linear prices with the tick's decimals, spot trimmed).
/// </summary>
public sealed class BybitEmulator : VenueEmulator
{
    private static readonly int[] Depths = [1, 50, 200, 1000];
    private const int FullDepthIndex = 3;
    private const int HistoryCap = 100_000;

    private readonly Lock _gate = new();
    private readonly bool _linear;
    private readonly string _category;
    private readonly Dictionary<string, Market> _bySymbol = new(StringComparer.Ordinal);
    private readonly Dictionary<Instrument, Market> _byInstrument = new();
    private readonly FrameWriter _frame = new();
    private readonly List<KeyValuePair<long, double>> _bidChanges = new();
    private readonly List<KeyValuePair<long, double>> _askChanges = new();

    /// <summary>Creates the emulator for <see cref="VenueId.BybitLinear"/> or <see cref="VenueId.BybitSpot"/>.</summary>
    public BybitEmulator(VenueId venue, IReadOnlyList<Instrument> instruments, TimeProvider clock)
        : base(venue, instruments, clock)
    {
        if (venue is not (VenueId.BybitLinear or VenueId.BybitSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "Bybit emulator serves bybit-linear or bybit-spot");
        }

        _linear = venue == VenueId.BybitLinear;
        _category = _linear ? "linear" : "spot";
        foreach (var instrument in instruments)
        {
            if (instrument.Venue != venue)
            {
                continue;
            }

            var market = new Market(instrument);
            _bySymbol[instrument.VenueSymbol] = market;
            _byInstrument[instrument] = market;
        }
    }

    /// <summary>WebSocket path of this category: /v5/public/linear or /v5/public/spot.</summary>
    public string WebSocketPath => "/v5/public/" + _category;

    /// <summary>
    /// Quantity step per symbol (instruments-info <c>qtyStep</c>; linear sizes are written with its
    /// decimals, as Bybit does: "0.100"). Default 0.001 for linear; spot sizes are written trimmed.
    /// Set before the first event.
    /// </summary>
    public IDictionary<string, double> QuantitySteps { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.Map(WebSocketPath, RunWebSocketAsync);
        endpoints.MapGet("/v5/market/orderbook", OrderBookAsync);
        endpoints.MapGet("/v5/market/open-interest", OpenInterestAsync);
        endpoints.MapGet("/v5/market/funding/history", FundingHistoryAsync);
        endpoints.MapGet("/v5/market/instruments-info", InstrumentsAsync);
    }

    /// <summary>
    /// How a scripted rate limit (<c>FailNextRest(429)</c> or <c>FailNextRest(403)</c>) is answered.
    /// False (default): the documented IP limit, which is what public market endpoints hit (they
    /// carry no UID): HTTP 403 "access too frequent". True: the per-UID API limit, HTTP 200 with
    /// <c>retCode</c> 10006 "Too many visits!".
    /// </summary>
    public bool ApiRateLimitReplies { get; set; }

    /// <inheritdoc />
    public override RestFault RestError(int statusCode)
    {
        if (statusCode is 429 or 403)
        {
            return ApiRateLimitReplies
                ? new RestFault(StatusCodes.Status200OK, "application/json", RestErrorBody(429))
                : new RestFault(StatusCodes.Status403Forbidden, "text/plain", "access too frequent");
        }

        return base.RestError(statusCode);
    }

    /// <inheritdoc />
    public override string RestErrorBody(int statusCode)
    {
        long now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        return statusCode is 429 or 403
            ? "{\"retCode\":10006,\"retMsg\":\"Too many visits!\",\"result\":{},\"retExtInfo\":{},\"time\":" + WireNumber.Integer(now) + "}"
            : "{\"retCode\":10016,\"retMsg\":\"Internal system error.\",\"result\":{},\"retExtInfo\":{},\"time\":" + WireNumber.Integer(now) + "}";
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
            case EventKind.Liquidation when _linear:
                PublishLiquidation(market, e.AsLiquidation(), ms);
                break;
            case EventKind.Funding when _linear:
                PublishFunding(market, e.AsFunding(), ms);
                break;
            case EventKind.OpenInterest when _linear:
                PublishOpenInterest(market, e.AsOpenInterest(), ms);
                break;
        }
    }

    // ---------------------------------------------------------------- publish

    private bool TryGetMarket(Instrument instrument, out Market market)
    {
        if (_byInstrument.TryGetValue(instrument, out market!))
        {
            return true;
        }

        return _bySymbol.TryGetValue(instrument.VenueSymbol, out market!);
    }

    private void PublishTrade(Market m, in Trade trade, long ms)
    {
        lock (_gate)
        {
            m.Seq++;
            string tick = m.NextTickDirection(trade.Price);
            m.LastPrice = trade.Price;
            m.TradeCount++;
            if (HasDeliverable(m.Trades))
            {
                var w = _frame.Json;
                StartData(w, m.TradeTopic, "snapshot", ms);
                w.WriteStartArray("data");
                w.WriteStartObject();
                w.WriteNumber("T", ms);
                w.WriteString("s", m.Symbol);
                w.WriteString("S", trade.AggressorSide == Side.Sell ? "Sell" : "Buy");
                w.WriteString("v", Size(m, trade.Quantity));
                w.WriteString("p", Price(m, trade.Price));
                if (_linear)
                {
                    w.WriteString("L", tick);
                }

                w.WriteString("i", TradeIdText(m, trade.Id));
                w.WriteBoolean("BT", false);
                w.WriteNumber("seq", m.Seq);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                SendAll(m.Trades, _frame.ToArray());
            }

            if (!_linear && m.Tickers.Count > 0)
            {
                m.TickerTimeMs = ms;
                SendTickerSnapshots(m, primedToo: true);
            }
        }
    }

    private void PublishLiquidation(Market m, in Liquidation liquidation, long ms)
    {
        lock (_gate)
        {
            m.Seq++;
            if (!HasDeliverable(m.Liquidations))
            {
                return;
            }

            var side = liquidation.LiquidatedSide != PositionSide.Unknown
                ? liquidation.LiquidatedSide
                : Liquidation.LiquidatedSideFor(liquidation.OrderSide);
            var w = _frame.Json;
            StartData(w, m.LiquidationTopic, "snapshot", ms);
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteNumber("T", ms);
            w.WriteString("s", m.Symbol);
            // Bybit S is the liquidated POSITION's side: Buy = a long was liquidated.
            w.WriteString("S", side == PositionSide.Short ? "Sell" : "Buy");
            w.WriteString("v", Size(m, liquidation.Quantity));
            w.WriteString("p", Price(m, liquidation.Price));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            SendAll(m.Liquidations, _frame.ToArray());
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

            m.Seq++;
            m.BookSeq = m.Seq;
            bool gapChecked = false;
            bool gap = false;
            for (int i = 0; i < m.Streams.Length; i++)
            {
                var stream = m.Streams[i];
                if (!stream.View.Valid)
                {
                    if (stream.Subs.Count == 0 && i != FullDepthIndex)
                    {
                        continue;
                    }

                    stream.View.Rebuild(m.Book);
                    stream.U++;
                    byte[]? snapshot = null;
                    foreach (var sub in stream.Subs)
                    {
                        sub.Primed = true;
                        if (!IsSilent(sub.Topic))
                        {
                            snapshot ??= BookSnapshotFrame(m, stream);
                            sub.Session.Send(snapshot);
                        }
                    }

                    continue;
                }

                if (!stream.View.Diff(m.Book, _bidChanges, _askChanges))
                {
                    continue;
                }

                if (!gapChecked)
                {
                    gap = Faults.TryTakeSequenceGap();
                    gapChecked = true;
                }

                stream.U += gap ? 2 : 1;
                if (!HasDeliverable(stream.Subs))
                {
                    continue;
                }

                byte[] frame = stream.Depth == 1 ? BookSnapshotFrame(m, stream) : BookDeltaFrame(m, stream);
                foreach (var sub in stream.Subs)
                {
                    if (!IsSilent(sub.Topic))
                    {
                        sub.Session.Send(frame);
                    }
                }
            }
        }
    }

    private void PublishFunding(Market m, in Funding funding, long ms)
    {
        lock (_gate)
        {
            long nextMs = funding.NextFundingTime / 1000;
            if (m.HasRate && m.NextFundingMs > 0 && nextMs > m.NextFundingMs)
            {
                AddCapped(m.FundingHistory, (m.NextFundingMs, m.FundingRate));
            }

            m.HasRate = true;
            m.FundingRate = funding.Rate;
            if (nextMs > 0)
            {
                m.NextFundingMs = nextMs;
            }

            if (funding.IntervalHours > 0)
            {
                m.FundingIntervalHours = funding.IntervalHours;
            }

            bool hasMark = !double.IsNaN(funding.MarkPrice);
            bool hasIndex = !double.IsNaN(funding.IndexPrice);
            if (hasMark)
            {
                m.MarkPrice = funding.MarkPrice;
            }

            if (hasIndex)
            {
                m.IndexPrice = funding.IndexPrice;
            }

            m.Seq++;
            m.TickerTimeMs = ms;
            if (!SendTickerSnapshots(m, primedToo: false))
            {
                return;
            }

            var w = StartTickerDelta(m);
            if (hasMark)
            {
                w.WriteString("markPrice", Price(m, m.MarkPrice));
            }

            if (hasIndex)
            {
                w.WriteString("indexPrice", Price(m, m.IndexPrice));
            }

            w.WriteString("fundingIntervalHour", WireNumber.Trim(m.FundingIntervalHours, 2));
            w.WriteString("nextFundingTime", WireNumber.Integer(m.NextFundingMs));
            w.WriteString("fundingRate", WireNumber.Trim(m.FundingRate, 8));
            FinishTickerDelta(m);
        }
    }

    private void PublishOpenInterest(Market m, in OpenInterest oi, long ms)
    {
        lock (_gate)
        {
            m.HasOpenInterest = true;
            m.OpenInterest = oi.Quantity;
            m.OpenInterestValue = oi.NotionalUsd;
            AddCapped(m.OpenInterestHistory, (ms, oi.Quantity));
            m.Seq++;
            m.TickerTimeMs = ms;
            if (!SendTickerSnapshots(m, primedToo: false))
            {
                return;
            }

            var w = StartTickerDelta(m);
            WriteOpenInterestFields(w, m);
            FinishTickerDelta(m);
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

    private void StartData(Utf8JsonWriter w, string topic, string type, long ms)
    {
        w.WriteStartObject();
        w.WriteString("topic", topic);
        if (_linear)
        {
            w.WriteString("type", type);
            w.WriteNumber("ts", ms);
        }
        else
        {
            w.WriteNumber("ts", ms);
            w.WriteString("type", type);
        }
    }

    private byte[] BookSnapshotFrame(Market m, BookStream stream)
    {
        var w = _frame.Json;
        StartData(w, stream.Topic, "snapshot", m.Book.LastTimeMs);
        w.WriteStartObject("data");
        w.WriteString("s", m.Symbol);
        WriteTop(w, "b", m, m.Book.Bids, stream.Depth);
        WriteTop(w, "a", m, m.Book.Asks, stream.Depth);
        w.WriteNumber("u", stream.U);
        w.WriteNumber("seq", m.BookSeq);
        w.WriteEndObject();
        w.WriteNumber("cts", m.Book.LastTimeMs);
        w.WriteEndObject();
        return _frame.ToArray();
    }

    private byte[] BookDeltaFrame(Market m, BookStream stream)
    {
        var w = _frame.Json;
        StartData(w, stream.Topic, "delta", m.Book.LastTimeMs);
        w.WriteStartObject("data");
        w.WriteString("s", m.Symbol);
        WriteChanges(w, "b", m, _bidChanges);
        WriteChanges(w, "a", m, _askChanges);
        w.WriteNumber("u", stream.U);
        w.WriteNumber("seq", m.BookSeq);
        w.WriteEndObject();
        w.WriteNumber("cts", m.Book.LastTimeMs);
        w.WriteEndObject();
        return _frame.ToArray();
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

            w.WriteStartArray();
            w.WriteStringValue(PriceTicks(m, level.Key));
            w.WriteStringValue(Size(m, level.Value));
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private void WriteChanges(Utf8JsonWriter w, string name, Market m, List<KeyValuePair<long, double>> changes)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < changes.Count; i++)
        {
            w.WriteStartArray();
            w.WriteStringValue(PriceTicks(m, changes[i].Key));
            w.WriteStringValue(changes[i].Value > 0 ? Size(m, changes[i].Value) : "0");
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    /// <summary>Sends a snapshot to unprimed (or, for spot, all) ticker subscribers; true when primed ones remain for a delta.</summary>
    private bool SendTickerSnapshots(Market m, bool primedToo)
    {
        byte[]? snapshot = null;
        bool deltaWanted = false;
        foreach (var sub in m.Tickers)
        {
            if (sub.Primed && !primedToo)
            {
                deltaWanted |= !IsSilent(sub.Topic);
                continue;
            }

            if (!m.HasTickerData)
            {
                continue;
            }

            sub.Primed = true;
            if (!IsSilent(sub.Topic))
            {
                snapshot ??= TickerSnapshotFrame(m);
                sub.Session.Send(snapshot);
            }
        }

        return deltaWanted;
    }

    private byte[] TickerSnapshotFrame(Market m)
    {
        var w = _frame.Json;
        w.WriteStartObject();
        w.WriteString("topic", m.TickerTopic);
        if (_linear)
        {
            w.WriteString("type", "snapshot");
            w.WriteStartObject("data");
            w.WriteString("symbol", m.Symbol);
            w.WriteString("tickDirection", m.LastTick);
            w.WriteString("lastPrice", OptionalPrice(m, m.LastPrice));
            w.WriteString("markPrice", OptionalPrice(m, m.MarkPrice));
            w.WriteString("indexPrice", OptionalPrice(m, m.IndexPrice));
            WriteOpenInterestFields(w, m);
            w.WriteString("fundingIntervalHour", WireNumber.Trim(m.FundingIntervalHours, 2));
            w.WriteString("nextFundingTime", m.NextFundingMs > 0 ? WireNumber.Integer(m.NextFundingMs) : "");
            w.WriteString("fundingRate", m.HasRate ? WireNumber.Trim(m.FundingRate, 8) : "");
            WriteBestLevels(w, m);
            w.WriteString("preOpenPrice", "");
            w.WriteString("preQty", "");
            w.WriteString("curPreListingPhase", "");
            w.WriteEndObject();
            w.WriteNumber("cs", m.Seq);
            w.WriteNumber("ts", m.TickerTimeMs);
        }
        else
        {
            w.WriteNumber("ts", m.TickerTimeMs);
            w.WriteString("type", "snapshot");
            w.WriteNumber("cs", m.Seq);
            w.WriteStartObject("data");
            w.WriteString("symbol", m.Symbol);
            w.WriteString("lastPrice", OptionalPrice(m, m.LastPrice));
            w.WriteEndObject();
        }

        w.WriteEndObject();
        return _frame.ToArray();
    }

    private void WriteBestLevels(Utf8JsonWriter w, Market m)
    {
        bool hasBid = TryBest(m.Book.Bids, out var bid);
        bool hasAsk = TryBest(m.Book.Asks, out var ask);
        w.WriteString("bid1Price", hasBid ? PriceTicks(m, bid.Key) : "");
        w.WriteString("bid1Size", hasBid ? Size(m, bid.Value) : "");
        w.WriteString("ask1Price", hasAsk ? PriceTicks(m, ask.Key) : "");
        w.WriteString("ask1Size", hasAsk ? Size(m, ask.Value) : "");
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

    private void WriteOpenInterestFields(Utf8JsonWriter w, Market m)
    {
        // Bybit's openInterest(Value) counts both sides; singleOpenInterest(Value) one side (truth is one-sided).
        if (!m.HasOpenInterest)
        {
            w.WriteString("openInterest", "");
            w.WriteString("openInterestValue", "");
            w.WriteString("singleOpenInterest", "");
            w.WriteString("singleOpenInterestValue", "");
            return;
        }

        w.WriteString("openInterest", Size(m, 2 * m.OpenInterest));
        w.WriteString("openInterestValue", WireNumber.Fixed(2 * m.OpenInterestValue, 2));
        w.WriteString("singleOpenInterest", Size(m, m.OpenInterest));
        w.WriteString("singleOpenInterestValue", WireNumber.Fixed(m.OpenInterestValue, 2));
    }

    private Utf8JsonWriter StartTickerDelta(Market m)
    {
        var w = _frame.Json;
        w.WriteStartObject();
        w.WriteString("topic", m.TickerTopic);
        w.WriteString("type", "delta");
        w.WriteStartObject("data");
        w.WriteString("symbol", m.Symbol);
        return w;
    }

    private void FinishTickerDelta(Market m)
    {
        var w = _frame.Json;
        w.WriteEndObject();
        w.WriteNumber("cs", m.Seq);
        w.WriteNumber("ts", m.TickerTimeMs);
        w.WriteEndObject();
        byte[] frame = _frame.ToArray();
        foreach (var sub in m.Tickers)
        {
            if (sub.Primed && !IsSilent(sub.Topic))
            {
                sub.Session.Send(frame);
            }
        }
    }

    private string Price(Market m, double price) =>
        _linear ? WireNumber.Fixed(price, m.PriceDecimals) : WireNumber.Trim(price, m.PriceDecimals);

    private string PriceTicks(Market m, long ticks) => Price(m, m.Instrument.FromTicks(ticks));

    private string OptionalPrice(Market m, double price) => double.IsNaN(price) ? "" : Price(m, price);

    private string Size(Market m, double quantity)
    {
        if (_linear)
        {
            if (m.QuantityDecimals < 0)
            {
                m.QuantityDecimals = WireNumber.DecimalsOf(QuantitySteps.TryGetValue(m.Symbol, out double step) ? step : 0.001);
            }

            return WireNumber.Fixed(quantity, m.QuantityDecimals);
        }

        return WireNumber.Trim(quantity, 8);
    }

    private string TradeIdText(Market m, TradeId id)
    {
        if (id.Format == TradeIdFormat.None)
        {
            id = TradeId.FromNumber(m.TradeCount);
        }

        if (_linear && id.Format == TradeIdFormat.Number)
        {
            // Linear trade ids are UUIDs: embed the number so it round-trips.
            id = new TradeId(TradeIdFormat.Uuid, 0, id.Low);
        }

        return id.Format == TradeIdFormat.Hash ? id.Low.ToString(CultureInfo.InvariantCulture) : id.ToString();
    }

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

    private async Task RunWebSocketAsync(HttpContext context)
    {
        EmulatorSession? opened = null;
        await RunSessionAsync(context, OnMessageAsync, session =>
        {
            session.State = new Connection(Guid.NewGuid().ToString("D"));
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

        string? op = null;
        string? reqId = null;
        List<string> topics = new();
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("op", out var opElement) && opElement.ValueKind == JsonValueKind.String)
                {
                    op = opElement.GetString();
                }

                if (root.TryGetProperty("req_id", out var idElement))
                {
                    reqId = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : idElement.GetRawText();
                }

                if (root.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Array)
                {
                    foreach (var arg in args.EnumerateArray())
                    {
                        topics.Add(arg.ValueKind == JsonValueKind.String ? arg.GetString() ?? "" : arg.GetRawText());
                    }
                }
            }
        }
        catch (JsonException)
        {
            // UNCONFIRMED reply text for malformed JSON.
            session.Send(Ack(connection, false, "error:request not json", reqId, ""));
            return ValueTask.CompletedTask;
        }

        switch (op)
        {
            case "ping":
                session.Send(Ack(connection, true, "pong", reqId, "ping"));
                break;
            case "subscribe":
                Subscribe(session, connection, topics, reqId);
                break;
            case "unsubscribe":
                Unsubscribe(session, connection, topics, reqId);
                break;
            default:
                // UNCONFIRMED reply text for an unknown op.
                session.Send(Ack(connection, false, "error:request not support,op:" + op, reqId, op ?? ""));
                break;
        }

        return ValueTask.CompletedTask;
    }

    private byte[] Ack(Connection connection, bool success, string retMsg, string? reqId, string op)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        w.Json.WriteBoolean("success", success);
        w.Json.WriteString("ret_msg", retMsg);
        w.Json.WriteString("conn_id", connection.ConnId);
        // Linear always echoes req_id ("" when absent); spot only when the client sent one.
        if (_linear)
        {
            w.Json.WriteString("req_id", reqId ?? "");
        }
        else if (reqId is not null)
        {
            w.Json.WriteString("req_id", reqId);
        }

        w.Json.WriteString("op", op);
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    private void Subscribe(EmulatorSession session, Connection connection, List<string> topics, string? reqId)
    {
        lock (_gate)
        {
            string? error = null;
            var added = new List<Sub>();
            foreach (string topic in topics)
            {
                if (!TryResolve(topic, out var market, out var kind, out int depthIndex, out string? problem))
                {
                    error ??= problem;
                    continue;
                }

                if (Faults.RejectedTopics.ContainsKey(topic))
                {
                    error ??= "error:handler not found,topic:" + topic;
                    continue;
                }

                if (connection.Subs.ContainsKey(topic))
                {
                    error ??= "error:already subscribed,topic:" + topic;
                    continue;
                }

                var sub = new Sub(session, topic, market, kind, depthIndex);
                connection.Subs[topic] = sub;
                Attach(sub);
                added.Add(sub);
            }

            session.Send(Ack(connection, error is null, error ?? (_linear ? "" : "subscribe"), reqId, "subscribe"));
            foreach (var sub in added)
            {
                Prime(sub);
            }
        }
    }

    private void Unsubscribe(EmulatorSession session, Connection connection, List<string> topics, string? reqId)
    {
        lock (_gate)
        {
            string? error = null;
            foreach (string topic in topics)
            {
                if (connection.Subs.Remove(topic, out var sub))
                {
                    Detach(sub);
                }
                else if (!TryResolve(topic, out _, out _, out _, out string? problem))
                {
                    error ??= problem;
                }
            }

            session.Send(Ack(connection, error is null, error ?? (_linear ? "" : "unsubscribe"), reqId, "unsubscribe"));
        }
    }

    private bool TryResolve(string topic, out Market market, out TopicKind kind, out int depthIndex, out string? problem)
    {
        market = null!;
        kind = default;
        depthIndex = -1;
        problem = "error:handler not found,topic:" + topic;
        int dot = topic.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        string head = topic[..dot];
        string rest = topic[(dot + 1)..];
        switch (head)
        {
            case "publicTrade":
                kind = TopicKind.Trade;
                break;
            case "tickers":
                kind = TopicKind.Ticker;
                break;
            case "allLiquidation" when _linear:
                kind = TopicKind.Liquidation;
                break;
            case "orderbook":
                int dot2 = rest.IndexOf('.', StringComparison.Ordinal);
                if (dot2 <= 0 || !int.TryParse(rest.AsSpan(0, dot2), NumberStyles.None, CultureInfo.InvariantCulture, out int depth))
                {
                    return false;
                }

                depthIndex = Array.IndexOf(Depths, depth);
                if (depthIndex < 0)
                {
                    return false;
                }

                kind = TopicKind.Book;
                rest = rest[(dot2 + 1)..];
                break;
            default:
                return false;
        }

        if (!_bySymbol.TryGetValue(rest, out market!))
        {
            // UNCONFIRMED wording; Bybit rejects unknown symbols with success:false.
            problem = "Invalid symbol :[" + topic + "]";
            return false;
        }

        problem = null;
        return true;
    }

    private static void Attach(Sub sub)
    {
        var m = sub.Market;
        switch (sub.Kind)
        {
            case TopicKind.Trade:
                m.Trades.Add(sub);
                break;
            case TopicKind.Liquidation:
                m.Liquidations.Add(sub);
                break;
            case TopicKind.Ticker:
                m.Tickers.Add(sub);
                break;
            default:
                m.Streams[sub.DepthIndex].Subs.Add(sub);
                break;
        }
    }

    private static void Detach(Sub sub)
    {
        var m = sub.Market;
        switch (sub.Kind)
        {
            case TopicKind.Trade:
                m.Trades.Remove(sub);
                break;
            case TopicKind.Liquidation:
                m.Liquidations.Remove(sub);
                break;
            case TopicKind.Ticker:
                m.Tickers.Remove(sub);
                break;
            default:
                var stream = m.Streams[sub.DepthIndex];
                stream.Subs.Remove(sub);
                if (stream.Subs.Count == 0 && sub.DepthIndex != FullDepthIndex)
                {
                    stream.View.Invalidate();
                }

                break;
        }
    }

    private void Prime(Sub sub)
    {
        var m = sub.Market;
        switch (sub.Kind)
        {
            case TopicKind.Book:
                if (!m.Book.Ready)
                {
                    return; // the first truth snapshot primes it
                }

                var stream = m.Streams[sub.DepthIndex];
                if (!stream.View.Valid)
                {
                    stream.View.Rebuild(m.Book);
                    stream.U++;
                }

                sub.Primed = true;
                if (!IsSilent(sub.Topic))
                {
                    sub.Session.Send(BookSnapshotFrame(m, stream));
                }

                break;
            case TopicKind.Ticker:
                if (m.HasTickerData)
                {
                    sub.Primed = true;
                    if (!IsSilent(sub.Topic))
                    {
                        sub.Session.Send(TickerSnapshotFrame(m));
                    }
                }

                break;
            default:
                sub.Primed = true;
                break;
        }
    }

    // ---------------------------------------------------------------- REST

    private async Task OrderBookAsync(HttpContext context)
    {
        var q = context.Request.Query;
        byte[] body;
        lock (_gate)
        {
            if (!CheckCategory(q, out body) || !CheckSymbol(q, out var m, out body))
            {
                goto Write;
            }

            int limit = _linear ? 25 : 1;
            if (q.TryGetValue("limit", out var limitText) &&
                (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 1000))
            {
                body = Error(10001, "params error: limit invalid");
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            w.Json.WriteStartObject("result");
            w.Json.WriteString("s", m.Symbol);
            long ts = m.Book.Ready ? m.Book.LastTimeMs : Now();
            WriteRestLevels(w.Json, "a", m, m.Book.Asks, limit);
            WriteRestLevels(w.Json, "b", m, m.Book.Bids, limit);
            w.Json.WriteNumber("ts", ts);
            w.Json.WriteNumber("u", m.Streams[FullDepthIndex].U);
            w.Json.WriteNumber("seq", m.BookSeq);
            w.Json.WriteNumber("cts", ts);
            w.Json.WriteEndObject();
            body = EndEnvelope(w);
        }

    Write:
        await WriteAsync(context, body).ConfigureAwait(false);
    }

    private void WriteRestLevels(Utf8JsonWriter w, string name, Market m, SortedDictionary<long, double> side, int limit) =>
        WriteTop(w, name, m, side, limit);

    private async Task OpenInterestAsync(HttpContext context)
    {
        var q = context.Request.Query;
        byte[] body;
        lock (_gate)
        {
            if (!_linear)
            {
                body = Error(10001, "Illegal category");
                goto Write;
            }

            if (!CheckCategory(q, out body) || !CheckSymbol(q, out var m, out body))
            {
                goto Write;
            }

            long interval = q["intervalTime"].ToString() switch
            {
                "5min" => 300_000,
                "15min" => 900_000,
                "30min" => 1_800_000,
                "1h" => 3_600_000,
                "4h" => 14_400_000,
                "1d" => 86_400_000,
                _ => 0,
            };
            if (interval == 0)
            {
                body = Error(10001, "params error: intervalTime invalid");
                goto Write;
            }

            if (!TryLimit(q, 50, 200, out int limit, out body) || !TryRange(q, out long start, out long end, out body))
            {
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            w.Json.WriteStartObject("result");
            w.Json.WriteString("symbol", m.Symbol);
            w.Json.WriteString("category", _category);
            w.Json.WriteStartArray("list");
            long lastBucket = long.MinValue;
            int rows = 0;
            for (int i = m.OpenInterestHistory.Count - 1; i >= 0 && rows < limit; i--)
            {
                var (time, qty) = m.OpenInterestHistory[i];
                long bucket = time / interval * interval;
                if (bucket == lastBucket || bucket > end || bucket < start)
                {
                    continue;
                }

                lastBucket = bucket;
                rows++;
                w.Json.WriteStartObject();
                w.Json.WriteString("openInterest", WireNumber.Fixed(2 * qty, 8));
                w.Json.WriteString("singleOpenInterest", WireNumber.Trim(qty, 8));
                w.Json.WriteString("timestamp", WireNumber.Integer(bucket));
                w.Json.WriteEndObject();
            }

            w.Json.WriteEndArray();
            w.Json.WriteString("nextPageCursor", "");
            w.Json.WriteEndObject();
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
            if (!_linear)
            {
                body = Error(10001, "Illegal category");
                goto Write;
            }

            if (!CheckCategory(q, out body) || !CheckSymbol(q, out var m, out body))
            {
                goto Write;
            }

            if (q.ContainsKey("startTime") && !q.ContainsKey("endTime"))
            {
                // Documented: startTime alone is an error (wording UNCONFIRMED).
                body = Error(10001, "params error: endTime is required when startTime is set");
                goto Write;
            }

            if (!TryLimit(q, 200, 200, out int limit, out body) || !TryRange(q, out long start, out long end, out body))
            {
                goto Write;
            }

            var w = new FrameWriter();
            StartEnvelope(w.Json);
            w.Json.WriteStartObject("result");
            w.Json.WriteString("category", _category);
            w.Json.WriteStartArray("list");
            int rows = 0;
            for (int i = m.FundingHistory.Count - 1; i >= 0 && rows < limit; i--)
            {
                var (time, rate) = m.FundingHistory[i];
                if (time > end || time < start)
                {
                    continue;
                }

                rows++;
                w.Json.WriteStartObject();
                w.Json.WriteString("symbol", m.Symbol);
                w.Json.WriteString("fundingRate", WireNumber.Trim(rate, 8));
                w.Json.WriteString("fundingRateTimestamp", WireNumber.Integer(time));
                w.Json.WriteEndObject();
            }

            w.Json.WriteEndArray();
            w.Json.WriteEndObject();
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
            if (!CheckCategory(q, out body))
            {
                goto Write;
            }

            string? symbol = q.TryGetValue("symbol", out var s) ? s.ToString() : null;
            var w = new FrameWriter();
            StartEnvelope(w.Json);
            w.Json.WriteStartObject("result");
            w.Json.WriteString("category", _category);
            w.Json.WriteStartArray("list");
            foreach (var instrument in Instruments)
            {
                if (instrument.Venue != Venue || (symbol is not null && symbol != instrument.VenueSymbol) ||
                    !_bySymbol.TryGetValue(instrument.VenueSymbol, out var m))
                {
                    continue;
                }

                WriteInstrument(w.Json, m);
            }

            w.Json.WriteEndArray();
            w.Json.WriteString("nextPageCursor", "");
            w.Json.WriteEndObject();
            body = EndEnvelope(w);
        }

    Write:
        await WriteAsync(context, body).ConfigureAwait(false);
    }

    private void WriteInstrument(Utf8JsonWriter w, Market m)
    {
        var instrument = m.Instrument;
        string tick = WireNumber.Fixed(instrument.TickSize, m.PriceDecimals);
        double step = QuantitySteps.TryGetValue(m.Symbol, out double st) ? st : _linear ? 0.001 : 0.000001;
        string stepText = WireNumber.Fixed(step, WireNumber.DecimalsOf(step));
        w.WriteStartObject();
        w.WriteString("symbol", m.Symbol);
        if (_linear)
        {
            w.WriteString("contractType", "LinearPerpetual");
            w.WriteString("status", "Trading");
            w.WriteString("baseCoin", instrument.Base);
            w.WriteString("quoteCoin", instrument.Quote);
            w.WriteString("launchTime", "0");
            w.WriteString("deliveryTime", "0");
            w.WriteString("deliveryFeeRate", "");
            w.WriteString("priceScale", WireNumber.Integer(m.PriceDecimals));
            w.WriteStartObject("priceFilter");
            w.WriteString("minPrice", tick);
            w.WriteString("maxPrice", WireNumber.Fixed(instrument.TickSize * 1e9, m.PriceDecimals));
            w.WriteString("tickSize", tick);
            w.WriteEndObject();
            w.WriteStartObject("lotSizeFilter");
            w.WriteString("maxOrderQty", WireNumber.Fixed(step * 1e6, WireNumber.DecimalsOf(step)));
            w.WriteString("minOrderQty", stepText);
            w.WriteString("qtyStep", stepText);
            w.WriteString("postOnlyMaxOrderQty", WireNumber.Fixed(step * 1e6, WireNumber.DecimalsOf(step)));
            w.WriteString("maxMktOrderQty", WireNumber.Fixed(step * 1e5, WireNumber.DecimalsOf(step)));
            w.WriteString("minNotionalValue", "5");
            w.WriteEndObject();
            w.WriteBoolean("unifiedMarginTrade", true);
            w.WriteNumber("fundingInterval", (int)Math.Round(m.FundingIntervalHours * 60));
            w.WriteString("settleCoin", instrument.Quote);
            w.WriteString("copyTrading", "both");
            w.WriteString("upperFundingRate", "0.005");
            w.WriteString("lowerFundingRate", "-0.005");
            w.WriteBoolean("isPreListing", false);
            w.WriteNull("preListingInfo");
            w.WriteString("displayName", "");
            w.WriteString("symbolType", "");
        }
        else
        {
            w.WriteString("baseCoin", instrument.Base);
            w.WriteString("quoteCoin", instrument.Quote);
            w.WriteString("innovation", "0");
            w.WriteString("status", "Trading");
            w.WriteString("marginTrading", "none");
            w.WriteString("stTag", "0");
            w.WriteStartObject("lotSizeFilter");
            w.WriteString("basePrecision", stepText);
            w.WriteString("quotePrecision", "0.00000001");
            w.WriteString("minOrderQty", stepText);
            w.WriteString("maxOrderQty", WireNumber.Fixed(step * 1e8, WireNumber.DecimalsOf(step)));
            w.WriteString("minOrderAmt", "5");
            w.WriteString("maxOrderAmt", "8000000");
            w.WriteEndObject();
            w.WriteStartObject("priceFilter");
            w.WriteString("tickSize", WireNumber.Trim(instrument.TickSize, m.PriceDecimals));
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private bool CheckCategory(IQueryCollection q, out byte[] error)
    {
        if (q["category"].ToString() == _category)
        {
            error = [];
            return true;
        }

        error = Error(10001, "Illegal category");
        return false;
    }

    private bool CheckSymbol(IQueryCollection q, out Market market, out byte[] error)
    {
        if (_bySymbol.TryGetValue(q["symbol"].ToString(), out market!))
        {
            error = [];
            return true;
        }

        error = Error(10001, "params error: symbol invalid");
        return false;
    }

    private bool TryLimit(IQueryCollection q, int fallback, int max, out int limit, out byte[] error)
    {
        error = [];
        limit = fallback;
        if (!q.TryGetValue("limit", out var text))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max)
        {
            return true;
        }

        error = Error(10001, "params error: limit invalid");
        return false;
    }

    private bool TryRange(IQueryCollection q, out long start, out long end, out byte[] error)
    {
        error = [];
        start = long.MinValue;
        end = long.MaxValue;
        if (q.TryGetValue("startTime", out var s) && !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            error = Error(10001, "params error: startTime invalid");
            return false;
        }

        if (q.TryGetValue("endTime", out var e) && !long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out end))
        {
            error = Error(10001, "params error: endTime invalid");
            return false;
        }

        return true;
    }

    private long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static void StartEnvelope(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("retCode", 0);
        w.WriteString("retMsg", "OK");
    }

    private byte[] EndEnvelope(FrameWriter w)
    {
        w.Json.WriteStartObject("retExtInfo");
        w.Json.WriteEndObject();
        w.Json.WriteNumber("time", Now());
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    private byte[] Error(int code, string message)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        w.Json.WriteNumber("retCode", code);
        w.Json.WriteString("retMsg", message);
        w.Json.WriteStartObject("result");
        w.Json.WriteEndObject();
        return EndEnvelope(w);
    }

    private static Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    // ---------------------------------------------------------------- state

    private enum TopicKind : byte
    {
        Trade,
        Book,
        Liquidation,
        Ticker,
    }

    private sealed class Connection(string connId)
    {
        public string ConnId { get; } = connId;

        public Dictionary<string, Sub> Subs { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Sub(EmulatorSession session, string topic, Market market, TopicKind kind, int depthIndex)
    {
        public EmulatorSession Session { get; } = session;

        public string Topic { get; } = topic;

        public Market Market { get; } = market;

        public TopicKind Kind { get; } = kind;

        public int DepthIndex { get; } = depthIndex;

        public bool Primed { get; set; }
    }

    private sealed class BookStream(int depth, string topic)
    {
        public int Depth { get; } = depth;

        public string Topic { get; } = topic;

        public DepthView View { get; } = new(depth);

        public List<Sub> Subs { get; } = new();

        public long U { get; set; }
    }

    private sealed class Market
    {
        public Market(Instrument instrument)
        {
            Instrument = instrument;
            Symbol = instrument.VenueSymbol;
            TradeTopic = "publicTrade." + Symbol;
            LiquidationTopic = "allLiquidation." + Symbol;
            TickerTopic = "tickers." + Symbol;
            PriceDecimals = WireNumber.DecimalsOf(instrument.TickSize);
            Streams = new BookStream[Depths.Length];
            for (int i = 0; i < Depths.Length; i++)
            {
                Streams[i] = new BookStream(Depths[i], "orderbook." + Depths[i].ToString(CultureInfo.InvariantCulture) + "." + Symbol);
            }
        }

        public Instrument Instrument { get; }

        public string Symbol { get; }

        public string TradeTopic { get; }

        public string LiquidationTopic { get; }

        public string TickerTopic { get; }

        public int PriceDecimals { get; }

        public int QuantityDecimals { get; set; } = -1;

        public TickBook Book { get; } = new();

        public BookStream[] Streams { get; }

        public List<Sub> Trades { get; } = new();

        public List<Sub> Liquidations { get; } = new();

        public List<Sub> Tickers { get; } = new();

        public long Seq { get; set; } = 1_000_000;

        public long BookSeq { get; set; }

        public long TradeCount { get; set; }

        public double LastPrice { get; set; } = double.NaN;

        public string LastTick { get; private set; } = "ZeroPlusTick";

        public double MarkPrice { get; set; } = double.NaN;

        public double IndexPrice { get; set; } = double.NaN;

        public bool HasRate { get; set; }

        public double FundingRate { get; set; }

        public long NextFundingMs { get; set; }

        public double FundingIntervalHours { get; set; } = 8;

        public bool HasOpenInterest { get; set; }

        public double OpenInterest { get; set; }

        public double OpenInterestValue { get; set; }

        public long TickerTimeMs { get; set; }

        public bool HasTickerData => HasRate || HasOpenInterest || !double.IsNaN(LastPrice) || !double.IsNaN(MarkPrice);

        public List<(long Time, double Rate)> FundingHistory { get; } = new();

        public List<(long Time, double Quantity)> OpenInterestHistory { get; } = new();

        public string NextTickDirection(double price)
        {
            if (!double.IsNaN(LastPrice))
            {
                LastTick = price > LastPrice ? "PlusTick"
                    : price < LastPrice ? "MinusTick"
                    : LastTick is "PlusTick" or "ZeroPlusTick" ? "ZeroPlusTick" : "ZeroMinusTick";
            }

            return LastTick;
        }
    }
}
