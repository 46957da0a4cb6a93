using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// Binance public market data for USD-M futures (<see cref="VenueId.BinanceFutures"/>) or spot
/// (<see cref="VenueId.BinanceSpot"/>) and the matching REST endpoints.
/// <para>
/// Futures WebSocket paths are the 2026 routed ones: <c>/public/ws/&lt;stream&gt;</c> and
/// <c>/public/stream?streams=a/b</c> deliver book streams (<c>@depth*</c>, <c>@bookTicker</c>);
/// <c>/market/ws/…</c> and <c>/market/stream?streams=…</c> deliver the rest (<c>@aggTrade</c>,
/// <c>@trade</c>, <c>@markPrice[@1s]</c>, <c>@forceOrder</c>). A stream subscribed on the wrong
/// category, and every stream on the retired legacy <c>/ws</c> and <c>/stream</c>, is acknowledged
/// and listed but never delivers (the 2026 silent-stream behaviour). Spot serves <c>/ws/…</c> and
/// <c>/stream?streams=…</c>. Combined paths wrap payloads in <c>{"stream":…,"data":…}</c>; raw
/// paths send the bare payload.
/// </para>
/// <para>
/// The emulator keeps its own book per instrument and one update id per symbol: every diff event
/// covers ids <c>[U;u]</c> with one id per changed level, <c>U</c> = previous <c>u</c> + 1 and
/// futures <c>pu</c> = previous <c>u</c>; the REST snapshot's <c>lastUpdateId</c> is the <c>u</c> of
/// the last event applied to it. Every truth update is pushed at once (the speed suffix
/// <c>@100ms</c>/<c>@500ms</c> is accepted, not simulated). An unknown symbol in a well-formed
/// stream name is acknowledged and never delivers (what Binance does: it does not validate
/// symbols); a malformed or unknown stream name is rejected with code 2 "Invalid request: invalid
/// stream". Server keepalive: WebSocket Ping frames every <see cref="PingInterval"/>, client cut
/// when no Pong arrives within <see cref="PongTimeout"/>; every connection is closed after
/// <see cref="ConnectionLifetime"/> (24 h) on <see cref="VenueEmulator.Clock"/>.
/// </para>
/// </summary>
public sealed class BinanceEmulator : VenueEmulator
{
    private const int HistoryCap = 100_000;
    private const int SpotDecimals = 8;
    private const long FirstUpdateId = 1_000_000;

    private static readonly string[] NotEmulatedPrefixes =
    [
        "kline_", "continuousKline_", "miniTicker", "ticker", "avgPrice", "rpiDepth", "compositeIndex", "blockTrade",
    ];

    private readonly Lock _gate = new();
    private readonly bool _futures;
    private readonly Dictionary<string, Market> _bySymbol = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Market> _byStreamSymbol = new(StringComparer.Ordinal);
    private readonly Dictionary<Instrument, Market> _byInstrument = new();
    private readonly Dictionary<string, Channel> _channels = new(StringComparer.Ordinal);
    private readonly FrameWriter _frame = new();
    private readonly List<KeyValuePair<long, double>> _bidChanges = new();
    private readonly List<KeyValuePair<long, double>> _askChanges = new();
    private readonly List<long> _oldBidKeys = new();
    private readonly List<long> _oldAskKeys = new();
    private readonly byte[]?[] _partialFrames = new byte[]?[3];
    private int _silentSubscriptions;

    /// <summary>Creates the emulator for <see cref="VenueId.BinanceFutures"/> or <see cref="VenueId.BinanceSpot"/>.</summary>
    public BinanceEmulator(VenueId venue, IReadOnlyList<Instrument> instruments, TimeProvider clock)
        : base(venue, instruments, clock)
    {
        if (venue is not (VenueId.BinanceFutures or VenueId.BinanceSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "Binance emulator serves binance-futures or binance-spot");
        }

        _futures = venue == VenueId.BinanceFutures;
        PingInterval = _futures ? TimeSpan.FromMinutes(3) : TimeSpan.FromSeconds(20);
        PongTimeout = _futures ? TimeSpan.FromMinutes(10) : TimeSpan.FromMinutes(1);
        foreach (var instrument in instruments)
        {
            if (instrument.Venue != venue)
            {
                continue;
            }

            var market = new Market(instrument);
            _bySymbol[instrument.VenueSymbol] = market;
            _byStreamSymbol[market.StreamSymbol] = market;
            _byInstrument[instrument] = market;
        }
    }

    /// <summary>True for USD-M futures, false for spot.</summary>
    public bool IsFutures => _futures;

    /// <summary>Server WebSocket Ping interval (futures 3 min, spot 20 s). Set before the host starts.</summary>
    public TimeSpan PingInterval { get; set; }

    /// <summary>How long the server waits for a Pong before cutting the client (futures 10 min, spot 1 min).</summary>
    public TimeSpan PongTimeout { get; set; }

    /// <summary>Forced disconnect after this long, measured on <see cref="VenueEmulator.Clock"/> (24 h).</summary>
    public TimeSpan ConnectionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Futures quantity step per symbol (exchangeInfo LOT_SIZE <c>stepSize</c>; sizes are written
    /// with its decimals, "0.014"). Default 0.001. Spot writes every number with 8 decimals.
    /// Set before the first event.
    /// </summary>
    public IDictionary<string, double> QuantitySteps { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>
    /// Incoming text messages allowed per second per connection, on <see cref="VenueEmulator.Clock"/>
    /// (Binance: spot 5, futures 10; exceeding disconnects). 0 (default) = not enforced, so tests
    /// may send bursts. The client that exceeds it gets a close frame 1008 (UNCONFIRMED: Binance's
    /// close code). WebSocket Ping/Pong frames are not counted here (Binance counts them).
    /// </summary>
    public int IncomingMessageLimit { get; set; }

    /// <summary>
    /// Live subscriptions that were acknowledged but will never deliver: every stream on a retired
    /// legacy futures path (<c>/ws</c>, <c>/stream</c>), a stream on the wrong futures category
    /// (<c>/public</c> vs <c>/market</c>), an unknown symbol, or a stream kind not emulated. The real
    /// venue gives no sign of this (the 2026 silent-stream behaviour); tests can read it here.
    /// Does not count <see cref="EmulatorFaults.SilentTopics"/>, which is a fault, not routing.
    /// </summary>
    public int SilentSubscriptionCount
    {
        get
        {
            lock (_gate)
            {
                return _silentSubscriptions;
            }
        }
    }

    /// <summary>Liquidations dropped by the 1000 ms per-symbol sampling of <c>@forceOrder</c>.</summary>
    public long LiquidationsSampledOut { get; private set; }

    /// <inheritdoc />
    public override WebSocketAcceptContext? AcceptContext => new()
    {
        KeepAliveInterval = PingInterval,
        KeepAliveTimeout = PongTimeout,
    };

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (_futures)
        {
            MapWebSocket(endpoints, "/public", PathKind.Public);
            MapWebSocket(endpoints, "/market", PathKind.Market);
            MapWebSocket(endpoints, "", PathKind.Legacy);
            endpoints.MapGet("/fapi/v1/depth", DepthAsync);
            endpoints.MapGet("/fapi/v1/openInterest", OpenInterestAsync);
            endpoints.MapGet("/fapi/v1/fundingRate", FundingRateAsync);
            endpoints.MapGet("/fapi/v1/premiumIndex", PremiumIndexAsync);
            endpoints.MapGet("/fapi/v1/exchangeInfo", ExchangeInfoAsync);
        }
        else
        {
            MapWebSocket(endpoints, "", PathKind.Spot);
            endpoints.MapGet("/api/v3/depth", DepthAsync);
            endpoints.MapGet("/api/v3/exchangeInfo", ExchangeInfoAsync);
        }
    }

    /// <inheritdoc />
    public override RestFault RestError(int statusCode)
    {
        if (statusCode == 418)
        {
            return new RestFault(418, "application/json", RestErrorBody(418));
        }

        return new RestFault(statusCode, "application/json", RestErrorBody(statusCode));
    }

    /// <inheritdoc />
    public override string RestErrorBody(int statusCode)
    {
        string limit = _futures ? "2400" : "6000";
        return statusCode switch
        {
            429 => "{\"code\":-1003,\"msg\":\"Too much request weight used; current limit is " + limit +
                   " request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.\"}",
            418 => "{\"code\":-1003,\"msg\":\"Way too much request weight used; IP banned until " +
                   WireNumber.Integer(Now() + 120_000) + ". Please use WebSocket Streams for live updates to avoid bans.\"}",
            503 => "{\"code\":-1001,\"msg\":\"Internal error; unable to process your request. Please try again.\"}",
            _ => "{\"code\":-1000,\"msg\":\"An unknown error occurred while processing the request.\"}",
        };
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
            case EventKind.BookTop:
                PublishTop(market, e.AsBookTop(), ms);
                break;
            case EventKind.Liquidation when _futures:
                PublishLiquidation(market, e.AsLiquidation(), ms);
                break;
            case EventKind.Funding when _futures:
                PublishFunding(market, e.AsFunding(), ms);
                break;
            case EventKind.OpenInterest when _futures:
                lock (_gate)
                {
                    market.HasOpenInterest = true;
                    market.OpenInterest = e.AsOpenInterest().Quantity;
                    market.OpenInterestTimeMs = ms;
                }

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
            m.LastPrice = trade.Price;
            long id = trade.Id.Format == TradeIdFormat.Number ? unchecked((long)trade.Id.Low) : m.NextTradeId;
            m.NextTradeId = id + 1;
            bool buyerIsMaker = trade.AggressorSide == Side.Sell;
            if (HasDeliverable(m.AggTrades))
            {
                var w = _frame.Json;
                w.WriteStartObject();
                w.WriteString("e", "aggTrade");
                w.WriteNumber("E", ms);
                w.WriteString("s", m.Symbol);
                w.WriteNumber("a", id);
                w.WriteString("p", Price(m, trade.Price));
                w.WriteString("q", Size(m, trade.Quantity));
                w.WriteNumber("f", id);
                w.WriteNumber("l", id);
                w.WriteNumber("T", ms);
                w.WriteBoolean("m", buyerIsMaker);
                if (!_futures)
                {
                    w.WriteBoolean("M", true);
                }

                w.WriteEndObject();
                DeliverAll(m.AggTrades, _frame.ToArray());
            }

            if (HasDeliverable(m.RawTrades))
            {
                var w = _frame.Json;
                w.WriteStartObject();
                w.WriteString("e", "trade");
                w.WriteNumber("E", ms);
                if (_futures)
                {
                    // USD-M raw trade stream: UNCONFIRMED shape (not in the official SDK list).
                    w.WriteNumber("T", ms);
                    w.WriteString("s", m.Symbol);
                    w.WriteNumber("t", id);
                    w.WriteString("p", Price(m, trade.Price));
                    w.WriteString("q", Size(m, trade.Quantity));
                    w.WriteString("X", "MARKET");
                    w.WriteBoolean("m", buyerIsMaker);
                }
                else
                {
                    w.WriteString("s", m.Symbol);
                    w.WriteNumber("t", id);
                    w.WriteString("p", Price(m, trade.Price));
                    w.WriteString("q", Size(m, trade.Quantity));
                    w.WriteNumber("T", ms);
                    w.WriteBoolean("m", buyerIsMaker);
                    w.WriteBoolean("M", true);
                }

                w.WriteEndObject();
                DeliverAll(m.RawTrades, _frame.ToArray());
            }
        }
    }

    private void PublishBook(Market m, in BookUpdate update, long ms)
    {
        lock (_gate)
        {
            _bidChanges.Clear();
            _askChanges.Clear();
            if (update.IsSnapshot)
            {
                RememberKeys(m.Book.Bids, _oldBidKeys);
                RememberKeys(m.Book.Asks, _oldAskKeys);
            }

            if (!m.Book.Apply(update, ms))
            {
                return;
            }

            if (update.IsSnapshot)
            {
                CollectRemoved(_oldBidKeys, m.Book.Bids, _bidChanges);
                CollectRemoved(_oldAskKeys, m.Book.Asks, _askChanges);
                // A truth snapshot reaches Binance clients as one diff: removed levels at 0, then the new book.
                AppendSide(m.Book.Bids, _bidChanges);
                AppendSide(m.Book.Asks, _askChanges);
            }
            else
            {
                CopyLevels(update.Bids, _bidChanges);
                CopyLevels(update.Asks, _askChanges);
            }

            int changed = _bidChanges.Count + _askChanges.Count;
            if (changed == 0)
            {
                return;
            }

            if (Faults.TryTakeSequenceGap())
            {
                m.LastUpdateId++; // an event the client never sees: U jumps, pu ≠ the last u delivered
            }

            long pu = m.LastUpdateId;
            long first = pu + 1;
            long last = pu + changed;
            m.LastUpdateId = last;

            if (HasDeliverable(m.Diffs))
            {
                var w = _frame.Json;
                StartDepthEvent(w, m, ms, first, last, pu);
                WriteChanges(w, "b", m, _bidChanges);
                WriteChanges(w, "a", m, _askChanges);
                w.WriteEndObject();
                DeliverAll(m.Diffs, _frame.ToArray());
            }

            if (m.Partials.Count > 0)
            {
                Array.Clear(_partialFrames);
                for (int i = 0; i < m.Partials.Count; i++)
                {
                    var channel = m.Partials[i];
                    if (!IsDeliverable(channel))
                    {
                        continue;
                    }

                    int slot = channel.Depth == 5 ? 0 : channel.Depth == 10 ? 1 : 2;
                    _partialFrames[slot] ??= PartialFrame(m, channel.Depth, ms, first, last, pu);
                    Deliver(channel, _partialFrames[slot]!);
                }
            }

            PublishTickerFromBook(m, ms);
        }
    }

    private static void RememberKeys(SortedDictionary<long, double> side, List<long> keys)
    {
        keys.Clear();
        foreach (long key in side.Keys)
        {
            keys.Add(key);
        }
    }

    private static void CollectRemoved(List<long> oldKeys, SortedDictionary<long, double> side, List<KeyValuePair<long, double>> changes)
    {
        for (int i = 0; i < oldKeys.Count; i++)
        {
            if (!side.ContainsKey(oldKeys[i]))
            {
                changes.Add(new KeyValuePair<long, double>(oldKeys[i], 0));
            }
        }
    }

    private static void AppendSide(SortedDictionary<long, double> side, List<KeyValuePair<long, double>> changes)
    {
        foreach (var level in side)
        {
            changes.Add(level);
        }

        if (changes.Count > 1)
        {
            changes.Sort(static (a, b) => a.Key.CompareTo(b.Key)); // Binance lists both sides by ascending price
        }
    }

    private static void CopyLevels(BookLevel[]? levels, List<KeyValuePair<long, double>> changes)
    {
        if (levels is null)
        {
            return;
        }

        for (int i = 0; i < levels.Length; i++)
        {
            changes.Add(new KeyValuePair<long, double>(levels[i].PriceTicks, levels[i].Quantity > 0 ? levels[i].Quantity : 0));
        }
    }

    private void StartDepthEvent(Utf8JsonWriter w, Market m, long ms, long first, long last, long pu)
    {
        w.WriteStartObject();
        w.WriteString("e", "depthUpdate");
        w.WriteNumber("E", ms);
        if (_futures)
        {
            w.WriteNumber("T", ms);
        }

        w.WriteString("s", m.Symbol);
        w.WriteNumber("U", first);
        w.WriteNumber("u", last);
        if (_futures)
        {
            w.WriteNumber("pu", pu);
        }
    }

    private byte[] PartialFrame(Market m, int depth, long ms, long first, long last, long pu)
    {
        var w = _frame.Json;
        if (_futures)
        {
            StartDepthEvent(w, m, ms, first, last, pu);
            WriteTop(w, "b", m, m.Book.Bids, depth);
            WriteTop(w, "a", m, m.Book.Asks, depth);
        }
        else
        {
            w.WriteStartObject();
            w.WriteNumber("lastUpdateId", last);
            WriteTop(w, "bids", m, m.Book.Bids, depth);
            WriteTop(w, "asks", m, m.Book.Asks, depth);
        }

        w.WriteEndObject();
        return _frame.ToArray();
    }

    private void PublishTickerFromBook(Market m, long ms)
    {
        bool hasBid = TryBest(m.Book.Bids, out var bid);
        bool hasAsk = TryBest(m.Book.Asks, out var ask);
        if (!hasBid || !hasAsk)
        {
            return;
        }

        if (m.HasTop && bid.Key == m.TopBidTicks && bid.Value == m.TopBidSize && ask.Key == m.TopAskTicks && ask.Value == m.TopAskSize)
        {
            return;
        }

        m.HasTop = true;
        m.TopBidTicks = bid.Key;
        m.TopBidSize = bid.Value;
        m.TopAskTicks = ask.Key;
        m.TopAskSize = ask.Value;
        if (HasDeliverable(m.Tickers))
        {
            DeliverAll(m.Tickers, BookTickerFrame(m, ms, m.LastUpdateId, PriceTicks(m, bid.Key), Size(m, bid.Value),
                PriceTicks(m, ask.Key), Size(m, ask.Value)));
        }
    }

    private void PublishTop(Market m, in BookTop top, long ms)
    {
        lock (_gate)
        {
            if (m.Book.Ready)
            {
                return; // bookTicker follows the emulator's own book
            }

            m.LastUpdateId++;
            if (HasDeliverable(m.Tickers))
            {
                DeliverAll(m.Tickers, BookTickerFrame(m, ms, m.LastUpdateId, Price(m, top.BidPrice), Size(m, top.BidSize),
                    Price(m, top.AskPrice), Size(m, top.AskSize)));
            }
        }
    }

    private byte[] BookTickerFrame(Market m, long ms, long updateId, string bid, string bidSize, string ask, string askSize)
    {
        var w = _frame.Json;
        w.WriteStartObject();
        if (_futures)
        {
            w.WriteString("e", "bookTicker");
            w.WriteNumber("u", updateId);
            w.WriteNumber("E", ms);
            w.WriteNumber("T", ms);
        }
        else
        {
            w.WriteNumber("u", updateId);
        }

        w.WriteString("s", m.Symbol);
        w.WriteString("b", bid);
        w.WriteString("B", bidSize);
        w.WriteString("a", ask);
        w.WriteString("A", askSize);
        w.WriteEndObject();
        return _frame.ToArray();
    }

    private void PublishLiquidation(Market m, in Liquidation liquidation, long ms)
    {
        lock (_gate)
        {
            // "only the latest one liquidation order within 1000ms will be pushed": the emulator keeps the first per second.
            long second = ms / 1000;
            if (m.LastForceSecond == second)
            {
                LiquidationsSampledOut++;
                return;
            }

            m.LastForceSecond = second;
            if (!HasDeliverable(m.Forces))
            {
                return;
            }

            var orderSide = liquidation.OrderSide != Side.Unknown
                ? liquidation.OrderSide
                : Liquidation.OrderSideFor(liquidation.LiquidatedSide);
            string qty = Size(m, liquidation.Quantity);
            string price = Price(m, liquidation.Price);
            var w = _frame.Json;
            w.WriteStartObject();
            w.WriteString("e", "forceOrder");
            w.WriteNumber("E", ms);
            w.WriteStartObject("o");
            w.WriteString("s", m.Symbol);
            w.WriteString("S", orderSide == Side.Buy ? "BUY" : "SELL");
            w.WriteString("o", "LIMIT");
            w.WriteString("f", "IOC");
            w.WriteString("q", qty);
            w.WriteString("p", price);
            w.WriteString("ap", price);
            w.WriteString("X", "FILLED");
            w.WriteString("l", qty);
            w.WriteString("z", qty);
            w.WriteNumber("T", ms);
            w.WriteEndObject();
            w.WriteEndObject();
            DeliverAll(m.Forces, _frame.ToArray());
        }
    }

    private void PublishFunding(Market m, in Funding funding, long ms)
    {
        lock (_gate)
        {
            long nextMs = funding.NextFundingTime / 1000;
            if (m.HasRate && m.NextFundingMs > 0 && nextMs > m.NextFundingMs)
            {
                // The previous funding time has passed: it settled at the last rate.
                if (m.FundingHistory.Count >= HistoryCap)
                {
                    m.FundingHistory.RemoveRange(0, HistoryCap / 10);
                }

                m.FundingHistory.Add(new FundingRecord(m.NextFundingMs, m.FundingRate, m.MarkPrice));
            }

            m.HasRate = true;
            m.FundingRate = funding.Rate;
            m.FundingTimeMs = ms;
            if (nextMs > 0)
            {
                m.NextFundingMs = nextMs;
            }

            if (!double.IsNaN(funding.MarkPrice))
            {
                m.MarkPrice = funding.MarkPrice;
            }

            if (!double.IsNaN(funding.IndexPrice))
            {
                m.IndexPrice = funding.IndexPrice;
            }

            double mark = MarkOf(m);
            if (double.IsNaN(mark) || !HasDeliverable(m.Marks))
            {
                return;
            }

            double index = double.IsNaN(m.IndexPrice) ? mark : m.IndexPrice;
            var w = _frame.Json;
            w.WriteStartObject();
            w.WriteString("e", "markPriceUpdate");
            w.WriteNumber("E", ms);
            w.WriteString("s", m.Symbol);
            w.WriteString("p", WireNumber.Fixed(mark, 8));
            w.WriteString("i", WireNumber.Fixed(index, 8));
            w.WriteString("P", WireNumber.Fixed(index, 8));
            w.WriteString("r", WireNumber.Fixed(m.FundingRate, 8));
            w.WriteNumber("T", m.NextFundingMs);
            w.WriteEndObject();
            DeliverAll(m.Marks, _frame.ToArray());
        }
    }

    private static double MarkOf(Market m) => !double.IsNaN(m.MarkPrice) ? m.MarkPrice : m.LastPrice;

    // ---------------------------------------------------------------- frame helpers

    private void WriteChanges(Utf8JsonWriter w, string name, Market m, List<KeyValuePair<long, double>> changes)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < changes.Count; i++)
        {
            w.WriteStartArray();
            w.WriteStringValue(PriceTicks(m, changes[i].Key));
            w.WriteStringValue(Size(m, changes[i].Value));
            w.WriteEndArray();
        }

        w.WriteEndArray();
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

    private string Price(Market m, double price) =>
        WireNumber.Fixed(price, _futures ? m.PriceDecimals : SpotDecimals);

    private string PriceTicks(Market m, long ticks) => Price(m, m.Instrument.FromTicks(ticks));

    private string Size(Market m, double quantity)
    {
        if (!_futures)
        {
            return WireNumber.Fixed(quantity, SpotDecimals);
        }

        if (m.QuantityDecimals < 0)
        {
            m.QuantityDecimals = WireNumber.DecimalsOf(StepOf(m));
        }

        return WireNumber.Fixed(quantity, m.QuantityDecimals);
    }

    private double StepOf(Market m) => QuantitySteps.TryGetValue(m.Symbol, out double step) ? step : _futures ? 0.001 : 0.00001;

    private long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    // ---------------------------------------------------------------- delivery

    private bool IsDeliverable(Channel channel)
    {
        if (channel.Deliverable == 0)
        {
            return false;
        }

        return Faults.SilentTopics.IsEmpty || !Faults.SilentTopics.ContainsKey(channel.Name);
    }

    private bool HasDeliverable(List<Channel> channels)
    {
        for (int i = 0; i < channels.Count; i++)
        {
            if (IsDeliverable(channels[i]))
            {
                return true;
            }
        }

        return false;
    }

    private void DeliverAll(List<Channel> channels, byte[] payload)
    {
        for (int i = 0; i < channels.Count; i++)
        {
            if (IsDeliverable(channels[i]))
            {
                Deliver(channels[i], payload);
            }
        }
    }

    private static void Deliver(Channel channel, byte[] payload)
    {
        byte[]? wrapped = null;
        for (int i = 0; i < channel.Subs.Count; i++)
        {
            var sub = channel.Subs[i];
            if (!sub.Deliver)
            {
                continue;
            }

            if (sub.Connection.Combined)
            {
                if (wrapped is null)
                {
                    wrapped = new byte[channel.Prefix.Length + payload.Length + 1];
                    channel.Prefix.CopyTo(wrapped, 0);
                    payload.CopyTo(wrapped, channel.Prefix.Length);
                    wrapped[^1] = (byte)'}';
                }

                sub.Connection.Session.Send(wrapped);
            }
            else
            {
                sub.Connection.Session.Send(payload);
            }
        }
    }

    // ---------------------------------------------------------------- WebSocket

    private void MapWebSocket(IEndpointRouteBuilder endpoints, string prefix, PathKind kind)
    {
        endpoints.Map(prefix + "/ws/{**streams}", context => RunWebSocketAsync(context, kind, combined: false));
        endpoints.Map(prefix + "/stream", context => RunWebSocketAsync(context, kind, combined: true));
    }

    private async Task RunWebSocketAsync(HttpContext context, PathKind path, bool combined)
    {
        string? list = combined
            ? context.Request.Query["streams"].ToString()
            : context.Request.RouteValues.TryGetValue("streams", out object? value) ? value as string : null;
        string[] names = string.IsNullOrEmpty(list) ? [] : list.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in names)
        {
            if (!TryParseStream(name, out _) || Faults.RejectedTopics.ContainsKey(name))
            {
                // UNCONFIRMED: how Binance answers a bad stream in the URL; the emulator refuses the upgrade.
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"code\":2,\"msg\":\"Invalid request: invalid stream\"}", context.RequestAborted)
                    .ConfigureAwait(false);
                return;
            }
        }

        Connection? opened = null;
        await RunSessionAsync(context, OnMessageAsync, session =>
        {
            var connection = new Connection(session, path, combined);
            session.State = connection;
            opened = connection;
            lock (_gate)
            {
                foreach (string name in names)
                {
                    TryParseStream(name, out var stream);
                    AddSub(connection, name, stream);
                }
            }

            connection.Lifetime = Clock.CreateTimer(static state =>
            {
                var s = (EmulatorSession)state!;
                _ = s.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty);
            }, session, ConnectionLifetime, Timeout.InfiniteTimeSpan);
        }).ConfigureAwait(false);

        if (opened is not null)
        {
            opened.Lifetime?.Dispose();
            lock (_gate)
            {
                foreach (var sub in opened.Subs)
                {
                    Detach(sub);
                }

                opened.Subs.Clear();
            }
        }
    }

    private ValueTask OnMessageAsync(EmulatorSession session, string text)
    {
        if (session.State is not Connection connection)
        {
            return ValueTask.CompletedTask;
        }

        int limit = IncomingMessageLimit;
        if (limit > 0)
        {
            long now = Now();
            if (now - connection.WindowStartMs >= 1000)
            {
                connection.WindowStartMs = now;
                connection.WindowCount = 0;
            }

            if (++connection.WindowCount > limit)
            {
                _ = session.CloseAsync(WebSocketCloseStatus.PolicyViolation, string.Empty);
                return ValueTask.CompletedTask;
            }
        }

        session.Send(HandleControl(connection, text));

        return ValueTask.CompletedTask;
    }

    private byte[] HandleControl(Connection connection, string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        string? method = null;
        int methodEnd = 0;
        string? idRaw = null;
        bool hasId = false;
        bool idValid = false;
        bool hasParams = false;
        JsonElement parameters = default;
        JsonDocument? doc = null;
        try
        {
            try
            {
                doc = JsonDocument.Parse(utf8);
            }
            catch (JsonException ex)
            {
                long line = (ex.LineNumber ?? 0) + 1;
                long column = (ex.BytePositionInLine ?? 0) + 1;
                return Error(3, "Invalid JSON: expected value at line " + WireNumber.Integer(line) + " column " + WireNumber.Integer(column), null);
            }

            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Error(2, "Invalid request: expected an object at line 1 column " + WireNumber.Integer(utf8.Length), null);
            }

            // Where the "method" value ends, for the error text's column.
            var reader = new Utf8JsonReader(utf8);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isMethod = reader.ValueTextEquals("method"u8);
                reader.Read();
                reader.Skip();
                if (isMethod)
                {
                    methodEnd = (int)reader.BytesConsumed;
                }
            }

            if (root.TryGetProperty("id", out var idElement))
            {
                hasId = true;
                switch (idElement.ValueKind)
                {
                    case JsonValueKind.Null:
                        idValid = true;
                        idRaw = "null";
                        break;
                    case JsonValueKind.Number when idElement.TryGetInt64(out _):
                        idValid = true;
                        idRaw = idElement.GetRawText();
                        break;
                    case JsonValueKind.String when IsAlphanumericId(idElement.GetString()!):
                        idValid = true;
                        idRaw = idElement.GetRawText();
                        break;
                }
            }

            if (root.TryGetProperty("method", out var methodElement) && methodElement.ValueKind == JsonValueKind.String)
            {
                method = methodElement.GetString();
            }

            if (root.TryGetProperty("params", out parameters))
            {
                hasParams = true;
                parameters = parameters.Clone();
            }

            if (!hasId || !idValid)
            {
                return Error(2, "Invalid request: request ID must be an unsigned integer", null);
            }

            if (method is null)
            {
                return Error(2, "Invalid request: missing field method at line 1 column " + WireNumber.Integer(utf8.Length), idRaw);
            }

            switch (method)
            {
                case "SUBSCRIBE":
                case "UNSUBSCRIBE":
                    return SubscribeOrUnsubscribe(connection, method == "SUBSCRIBE", hasParams, parameters, idRaw!);
                case "LIST_SUBSCRIPTIONS":
                    if (hasParams && (parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() > 0))
                    {
                        return Error(2, "Invalid request: too many parameters", idRaw);
                    }

                    return ListSubscriptions(connection, idRaw!);
                case "SET_PROPERTY":
                    return SetProperty(connection, hasParams, parameters, idRaw!);
                case "GET_PROPERTY":
                    return GetProperty(connection, hasParams, parameters, idRaw!);
                default:
                    return Error(2, "Invalid request: unknown variant " + method +
                        ", expected one of SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY at line 1 column " +
                        WireNumber.Integer(methodEnd), idRaw);
            }
        }
        finally
        {
            doc?.Dispose();
        }
    }

    private static bool IsAlphanumericId(string id)
    {
        if (id.Length is 0 or > 36)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private byte[] SubscribeOrUnsubscribe(Connection connection, bool subscribe, bool hasParams, JsonElement parameters, string idRaw)
    {
        if (!hasParams || parameters.ValueKind != JsonValueKind.Array)
        {
            // UNCONFIRMED wording (serde's message for a missing/non-array params).
            return Error(2, "Invalid request: missing field params", idRaw);
        }

        var names = new List<string>(parameters.GetArrayLength());
        var streams = new List<StreamName>(parameters.GetArrayLength());
        foreach (var item in parameters.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return Error(2, "Invalid request: invalid stream", idRaw);
            }

            string name = item.GetString()!;
            if (!TryParseStream(name, out var stream) || (subscribe && Faults.RejectedTopics.ContainsKey(name)))
            {
                return Error(2, "Invalid request: invalid stream", idRaw);
            }

            names.Add(name);
            streams.Add(stream);
        }

        lock (_gate)
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (subscribe)
                {
                    AddSub(connection, names[i], streams[i]);
                }
                else
                {
                    RemoveSub(connection, names[i]);
                }
            }

            return Result(idRaw, static w => w.WriteNullValue());
        }
    }

    private byte[] ListSubscriptions(Connection connection, string idRaw)
    {
        lock (_gate)
        {
            var w = new FrameWriter();
            w.Json.WriteStartObject();
            w.Json.WriteStartArray("result");
            foreach (var sub in connection.Subs)
            {
                w.Json.WriteStringValue(sub.Name);
            }

            w.Json.WriteEndArray();
            w.Json.WritePropertyName("id");
            w.Json.WriteRawValue(idRaw);
            w.Json.WriteEndObject();
            return w.ToArray();
        }
    }

    private byte[] SetProperty(Connection connection, bool hasParams, JsonElement parameters, string idRaw)
    {
        if (!hasParams || parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() == 0 ||
            parameters[0].ValueKind != JsonValueKind.String)
        {
            return Error(2, "Invalid request: property name must be a string", idRaw);
        }

        if (parameters.GetArrayLength() > 2)
        {
            return Error(2, "Invalid request: too many parameters", idRaw);
        }

        if (parameters[0].GetString() != "combined")
        {
            return Error(0, "Unknown property", idRaw);
        }

        if (parameters.GetArrayLength() < 2 || parameters[1].ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return Error(1, "Invalid value type: expected Boolean", idRaw);
        }

        lock (_gate)
        {
            connection.Combined = parameters[1].ValueKind == JsonValueKind.True;
        }

        return Result(idRaw, static w => w.WriteNullValue());
    }

    private byte[] GetProperty(Connection connection, bool hasParams, JsonElement parameters, string idRaw)
    {
        if (!hasParams || parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() == 0 ||
            parameters[0].ValueKind != JsonValueKind.String)
        {
            return Error(2, "Invalid request: property name must be a string", idRaw);
        }

        if (parameters.GetArrayLength() > 1)
        {
            return Error(2, "Invalid request: too many parameters", idRaw);
        }

        if (parameters[0].GetString() != "combined")
        {
            return Error(0, "Unknown property", idRaw);
        }

        bool combined;
        lock (_gate)
        {
            combined = connection.Combined;
        }

        return Result(idRaw, w => w.WriteBooleanValue(combined));
    }

    private static byte[] Result(string idRaw, Action<Utf8JsonWriter> writeResult)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        w.Json.WritePropertyName("result");
        writeResult(w.Json);
        w.Json.WritePropertyName("id");
        w.Json.WriteRawValue(idRaw);
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    /// <summary>{"error":{"code":N,"msg":"…"},"id":…} — the wire form of the documented error table.</summary>
    private static byte[] Error(int code, string message, string? idRaw)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        w.Json.WriteStartObject("error");
        w.Json.WriteNumber("code", code);
        w.Json.WriteString("msg", message);
        w.Json.WriteEndObject();
        w.Json.WritePropertyName("id");
        w.Json.WriteRawValue(idRaw ?? "null");
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    /// <summary>Parses a stream name. False when Binance would reject it ("invalid stream").</summary>
    private bool TryParseStream(string name, out StreamName stream)
    {
        stream = default;
        if (name.Length == 0 || name.Length > 200)
        {
            return false;
        }

        if (name[0] == '!')
        {
            // All-market streams (!bookTicker, !markPrice@arr, !forceOrder@arr …): accepted, not emulated.
            stream = new StreamName(null, StreamKind.NotEmulated, 0, Category.Market);
            return true;
        }

        int at = name.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == name.Length - 1)
        {
            return false;
        }

        string symbol = name[..at];
        string rest = name[(at + 1)..];
        _byStreamSymbol.TryGetValue(symbol, out var market); // unknown symbols are accepted and never deliver
        switch (rest)
        {
            case "aggTrade":
                stream = new StreamName(market, StreamKind.AggTrade, 0, Category.Market);
                return true;
            case "trade":
                stream = new StreamName(market, StreamKind.Trade, 0, Category.Market);
                return true;
            case "bookTicker":
                stream = new StreamName(market, StreamKind.BookTicker, 0, Category.Public);
                return true;
            case "markPrice" or "markPrice@1s" when _futures:
                stream = new StreamName(market, StreamKind.MarkPrice, 0, Category.Market);
                return true;
            case "forceOrder" when _futures:
                stream = new StreamName(market, StreamKind.ForceOrder, 0, Category.Market);
                return true;
        }

        if (rest.StartsWith("depth", StringComparison.Ordinal))
        {
            string tail = rest[5..];
            int depth = 0;
            if (tail.StartsWith('5') || tail.StartsWith("10", StringComparison.Ordinal) || tail.StartsWith("20", StringComparison.Ordinal))
            {
                depth = tail[0] == '5' ? 5 : tail[0] == '1' ? 10 : 20;
                tail = tail[(depth == 5 ? 1 : 2)..];
            }

            bool speedOk = tail.Length == 0 || tail == "@100ms" || (_futures ? tail is "@250ms" or "@500ms" : tail == "@1000ms");
            if (!speedOk)
            {
                return false;
            }

            stream = new StreamName(market, depth == 0 ? StreamKind.Diff : StreamKind.Partial, depth, Category.Public);
            return true;
        }

        foreach (string prefix in NotEmulatedPrefixes)
        {
            if (rest.StartsWith(prefix, StringComparison.Ordinal))
            {
                stream = new StreamName(null, StreamKind.NotEmulated, 0,
                    prefix == "rpiDepth" ? Category.Public : Category.Market);
                return true;
            }
        }

        return false;
    }

    private void AddSub(Connection connection, string name, StreamName stream)
    {
        for (int i = 0; i < connection.Subs.Count; i++)
        {
            if (connection.Subs[i].Name == name)
            {
                return;
            }
        }

        bool deliver = stream.Market is not null && stream.Kind != StreamKind.NotEmulated && connection.Path switch
        {
            PathKind.Spot => true,
            PathKind.Public => stream.Category == Category.Public,
            PathKind.Market => stream.Category == Category.Market,
            _ => false, // legacy futures paths: acknowledged, never delivered
        };
        Channel? channel = null;
        if (stream.Market is not null && stream.Kind != StreamKind.NotEmulated)
        {
            if (!_channels.TryGetValue(name, out channel))
            {
                channel = new Channel(name, stream.Market, stream.Kind, stream.Depth);
                _channels[name] = channel;
                ListOf(channel).Add(channel);
            }
        }

        var sub = new Sub(connection, name, channel, deliver);
        connection.Subs.Add(sub);
        if (!deliver)
        {
            _silentSubscriptions++;
        }

        if (channel is not null)
        {
            channel.Subs.Add(sub);
            if (deliver)
            {
                channel.Deliverable++;
            }
        }
    }

    private void RemoveSub(Connection connection, string name)
    {
        for (int i = 0; i < connection.Subs.Count; i++)
        {
            if (connection.Subs[i].Name == name)
            {
                Detach(connection.Subs[i]);
                connection.Subs.RemoveAt(i);
                return;
            }
        }
    }

    private void Detach(Sub sub)
    {
        if (!sub.Deliver)
        {
            _silentSubscriptions--;
        }

        if (sub.Channel is not { } channel)
        {
            return;
        }

        channel.Subs.Remove(sub);
        if (sub.Deliver)
        {
            channel.Deliverable--;
        }

        if (channel.Subs.Count == 0)
        {
            _channels.Remove(channel.Name);
            ListOf(channel).Remove(channel);
        }
    }

    private static List<Channel> ListOf(Channel channel) => channel.Kind switch
    {
        StreamKind.AggTrade => channel.Market.AggTrades,
        StreamKind.Trade => channel.Market.RawTrades,
        StreamKind.BookTicker => channel.Market.Tickers,
        StreamKind.Diff => channel.Market.Diffs,
        StreamKind.Partial => channel.Market.Partials,
        StreamKind.MarkPrice => channel.Market.Marks,
        _ => channel.Market.Forces,
    };

    // ---------------------------------------------------------------- REST

    private async Task DepthAsync(HttpContext context)
    {
        var q = context.Request.Query;
        int status = StatusCodes.Status200OK;
        byte[] body;
        lock (_gate)
        {
            if (!CheckSymbol(q, out var m, out body))
            {
                status = StatusCodes.Status400BadRequest;
                goto Write;
            }

            int limit = _futures ? 500 : 100;
            if (q.TryGetValue("limit", out var limitText))
            {
                if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
                {
                    status = StatusCodes.Status400BadRequest;
                    body = RestErrorJson(-1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.");
                    goto Write;
                }

                if (_futures ? limit is not (5 or 10 or 20 or 50 or 100 or 500 or 1000) : limit < 1)
                {
                    // UNCONFIRMED: the reply to a limit outside the documented values.
                    status = StatusCodes.Status400BadRequest;
                    body = RestErrorJson(-1130, "Data sent for parameter 'limit' is not valid.");
                    goto Write;
                }

                limit = Math.Min(limit, 5000); // spot: "If limit > 5000, then the response will truncate to 5000"
            }

            var w = new FrameWriter();
            w.Json.WriteStartObject();
            w.Json.WriteNumber("lastUpdateId", m.LastUpdateId);
            if (_futures)
            {
                w.Json.WriteNumber("E", Now());
                w.Json.WriteNumber("T", m.Book.Ready ? m.Book.LastTimeMs : Now());
            }

            WriteTop(w.Json, "bids", m, m.Book.Bids, limit);
            WriteTop(w.Json, "asks", m, m.Book.Asks, limit);
            w.Json.WriteEndObject();
            body = w.ToArray();
        }

    Write:
        await WriteAsync(context, status, body).ConfigureAwait(false);
    }

    private async Task OpenInterestAsync(HttpContext context)
    {
        var q = context.Request.Query;
        int status = StatusCodes.Status200OK;
        byte[] body;
        lock (_gate)
        {
            if (!CheckSymbol(q, out var m, out body))
            {
                status = StatusCodes.Status400BadRequest;
                goto Write;
            }

            var w = new FrameWriter();
            w.Json.WriteStartObject();
            w.Json.WriteString("openInterest", Size(m, m.HasOpenInterest ? m.OpenInterest : 0));
            w.Json.WriteString("symbol", m.Symbol);
            w.Json.WriteNumber("time", m.HasOpenInterest ? m.OpenInterestTimeMs : Now());
            w.Json.WriteEndObject();
            body = w.ToArray();
        }

    Write:
        await WriteAsync(context, status, body).ConfigureAwait(false);
    }

    private async Task FundingRateAsync(HttpContext context)
    {
        var q = context.Request.Query;
        int status = StatusCodes.Status400BadRequest;
        byte[] body;
        lock (_gate)
        {
            Market? only = null;
            if (q.TryGetValue("symbol", out var symbolText))
            {
                if (!_bySymbol.TryGetValue(symbolText.ToString(), out only))
                {
                    body = RestErrorJson(-1121, "Invalid symbol.");
                    goto Write;
                }
            }

            int limit = 100;
            if (q.TryGetValue("limit", out var limitText) &&
                (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 1000))
            {
                body = RestErrorJson(-1130, "Data sent for parameter 'limit' is not valid.");
                goto Write;
            }

            long start = long.MinValue;
            long end = long.MaxValue;
            if ((q.TryGetValue("startTime", out var s) && !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out start)) ||
                (q.TryGetValue("endTime", out var e) && !long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out end)))
            {
                body = RestErrorJson(-1100, "Illegal characters found in a parameter.");
                goto Write;
            }

            var rows = new List<(Market Market, FundingRecord Record)>();
            foreach (var m in _bySymbol.Values)
            {
                if (only is not null && m != only)
                {
                    continue;
                }

                foreach (var record in m.FundingHistory)
                {
                    if (record.TimeMs >= start && record.TimeMs <= end)
                    {
                        rows.Add((m, record));
                    }
                }
            }

            rows.Sort(static (a, b) => a.Record.TimeMs.CompareTo(b.Record.TimeMs));
            // With a startTime: the first `limit` from it; otherwise the most recent `limit`; ascending either way.
            int from = q.ContainsKey("startTime") ? 0 : Math.Max(0, rows.Count - limit);
            int to = Math.Min(rows.Count, from + limit);
            var w = new FrameWriter();
            w.Json.WriteStartArray();
            for (int i = from; i < to; i++)
            {
                var (m, record) = rows[i];
                w.Json.WriteStartObject();
                w.Json.WriteString("symbol", m.Symbol);
                w.Json.WriteString("fundingRate", WireNumber.Fixed(record.Rate, 8));
                w.Json.WriteNumber("fundingTime", record.TimeMs);
                w.Json.WriteString("markPrice", double.IsNaN(record.MarkPrice) ? "" : WireNumber.Fixed(record.MarkPrice, 8));
                w.Json.WriteEndObject();
            }

            w.Json.WriteEndArray();
            body = w.ToArray();
            status = StatusCodes.Status200OK;
        }

    Write:
        await WriteAsync(context, status, body).ConfigureAwait(false);
    }

    private async Task PremiumIndexAsync(HttpContext context)
    {
        var q = context.Request.Query;
        int status = StatusCodes.Status200OK;
        byte[] body;
        lock (_gate)
        {
            var w = new FrameWriter();
            if (q.TryGetValue("symbol", out var symbolText))
            {
                if (!_bySymbol.TryGetValue(symbolText.ToString(), out var m))
                {
                    status = StatusCodes.Status400BadRequest;
                    body = RestErrorJson(-1121, "Invalid symbol.");
                    goto Write;
                }

                WritePremiumIndex(w.Json, m);
            }
            else
            {
                w.Json.WriteStartArray();
                foreach (var instrument in Instruments)
                {
                    if (instrument.Venue == Venue && _bySymbol.TryGetValue(instrument.VenueSymbol, out var m))
                    {
                        WritePremiumIndex(w.Json, m);
                    }
                }

                w.Json.WriteEndArray();
            }

            body = w.ToArray();
        }

    Write:
        await WriteAsync(context, status, body).ConfigureAwait(false);
    }

    private void WritePremiumIndex(Utf8JsonWriter w, Market m)
    {
        double mark = MarkOf(m);
        double index = double.IsNaN(m.IndexPrice) ? mark : m.IndexPrice;
        w.WriteStartObject();
        w.WriteString("symbol", m.Symbol);
        w.WriteString("markPrice", WireNumber.Fixed(double.IsNaN(mark) ? 0 : mark, 8));
        w.WriteString("indexPrice", WireNumber.Fixed(double.IsNaN(index) ? 0 : index, 8));
        w.WriteString("estimatedSettlePrice", WireNumber.Fixed(double.IsNaN(index) ? 0 : index, 8));
        w.WriteString("lastFundingRate", WireNumber.Fixed(m.HasRate ? m.FundingRate : 0, 8));
        w.WriteString("interestRate", "0.00010000");
        w.WriteNumber("nextFundingTime", m.NextFundingMs);
        w.WriteNumber("time", m.HasRate ? m.FundingTimeMs : Now());
        w.WriteEndObject();
    }

    private async Task ExchangeInfoAsync(HttpContext context)
    {
        var q = context.Request.Query;
        int status = StatusCodes.Status200OK;
        byte[] body;
        lock (_gate)
        {
            Market? only = null;
            if (!_futures && q.TryGetValue("symbol", out var symbolText) && !_bySymbol.TryGetValue(symbolText.ToString(), out only))
            {
                status = StatusCodes.Status400BadRequest;
                body = RestErrorJson(-1121, "Invalid symbol.");
                goto Write;
            }

            var w = new FrameWriter();
            var j = w.Json;
            j.WriteStartObject();
            j.WriteString("timezone", "UTC");
            j.WriteNumber("serverTime", Now());
            if (_futures)
            {
                j.WriteString("futuresType", "U_MARGINED");
            }

            j.WriteStartArray("rateLimits");
            WriteRateLimit(j, "REQUEST_WEIGHT", "MINUTE", 1, _futures ? 2400 : 6000);
            WriteRateLimit(j, "ORDERS", _futures ? "MINUTE" : "SECOND", _futures ? 1 : 10, _futures ? 1200 : 100);
            j.WriteEndArray();
            j.WriteStartArray("exchangeFilters");
            j.WriteEndArray();
            if (_futures)
            {
                j.WriteStartArray("assets");
                j.WriteEndArray();
            }

            j.WriteStartArray("symbols");
            foreach (var instrument in Instruments)
            {
                if (instrument.Venue != Venue || !_bySymbol.TryGetValue(instrument.VenueSymbol, out var m) || (only is not null && m != only))
                {
                    continue;
                }

                WriteSymbol(j, m);
            }

            j.WriteEndArray();
            j.WriteEndObject();
            body = w.ToArray();
        }

    Write:
        await WriteAsync(context, status, body).ConfigureAwait(false);
    }

    private static void WriteRateLimit(Utf8JsonWriter w, string type, string interval, int intervalNum, int limit)
    {
        w.WriteStartObject();
        w.WriteString("rateLimitType", type);
        w.WriteString("interval", interval);
        w.WriteNumber("intervalNum", intervalNum);
        w.WriteNumber("limit", limit);
        w.WriteEndObject();
    }

    private void WriteSymbol(Utf8JsonWriter w, Market m)
    {
        var instrument = m.Instrument;
        double step = StepOf(m);
        int stepDecimals = WireNumber.DecimalsOf(step);
        w.WriteStartObject();
        w.WriteString("symbol", m.Symbol);
        if (_futures)
        {
            w.WriteString("pair", m.Symbol);
            w.WriteString("contractType", "PERPETUAL");
            w.WriteNumber("deliveryDate", 4133404800000);
            w.WriteNumber("onboardDate", 1569398400000);
            w.WriteString("status", "TRADING");
            w.WriteString("baseAsset", instrument.Base);
            w.WriteString("quoteAsset", instrument.Quote);
            w.WriteString("marginAsset", instrument.Quote);
            w.WriteNumber("pricePrecision", m.PriceDecimals);
            w.WriteNumber("quantityPrecision", stepDecimals);
            w.WriteNumber("baseAssetPrecision", 8);
            w.WriteNumber("quotePrecision", 8);
            w.WriteString("underlyingType", "COIN");
            w.WriteStartArray("filters");
            w.WriteStartObject();
            w.WriteString("filterType", "PRICE_FILTER");
            w.WriteString("minPrice", WireNumber.Trim(instrument.TickSize, m.PriceDecimals));
            w.WriteString("maxPrice", WireNumber.Trim(instrument.TickSize * 1e8, m.PriceDecimals));
            w.WriteString("tickSize", WireNumber.Trim(instrument.TickSize, m.PriceDecimals));
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("filterType", "LOT_SIZE");
            w.WriteString("maxQty", WireNumber.Trim(step * 1e6, stepDecimals));
            w.WriteString("minQty", WireNumber.Trim(step, stepDecimals));
            w.WriteString("stepSize", WireNumber.Trim(step, stepDecimals));
            w.WriteEndObject();
            w.WriteEndArray();
        }
        else
        {
            w.WriteString("status", "TRADING");
            w.WriteString("baseAsset", instrument.Base);
            w.WriteNumber("baseAssetPrecision", 8);
            w.WriteString("quoteAsset", instrument.Quote);
            w.WriteNumber("quotePrecision", 8);
            w.WriteNumber("quoteAssetPrecision", 8);
            w.WriteStartArray("filters");
            w.WriteStartObject();
            w.WriteString("filterType", "PRICE_FILTER");
            w.WriteString("minPrice", WireNumber.Fixed(instrument.TickSize, SpotDecimals));
            w.WriteString("maxPrice", WireNumber.Fixed(instrument.TickSize * 1e8, SpotDecimals));
            w.WriteString("tickSize", WireNumber.Fixed(instrument.TickSize, SpotDecimals));
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("filterType", "LOT_SIZE");
            w.WriteString("minQty", WireNumber.Fixed(step, SpotDecimals));
            w.WriteString("maxQty", WireNumber.Fixed(9000, SpotDecimals));
            w.WriteString("stepSize", WireNumber.Fixed(step, SpotDecimals));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("permissions");
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private bool CheckSymbol(IQueryCollection q, out Market market, out byte[] error)
    {
        market = null!;
        error = [];
        if (!q.TryGetValue("symbol", out var symbol) || string.IsNullOrEmpty(symbol.ToString()))
        {
            error = RestErrorJson(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
            return false;
        }

        if (!_bySymbol.TryGetValue(symbol.ToString(), out market!))
        {
            error = RestErrorJson(-1121, "Invalid symbol.");
            return false;
        }

        return true;
    }

    private static byte[] RestErrorJson(int code, string message)
    {
        var w = new FrameWriter();
        w.Json.WriteStartObject();
        w.Json.WriteNumber("code", code);
        w.Json.WriteString("msg", message);
        w.Json.WriteEndObject();
        return w.ToArray();
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    // ---------------------------------------------------------------- state

    private enum PathKind : byte
    {
        Spot,
        Public,
        Market,
        Legacy,
    }

    private enum Category : byte
    {
        Public,
        Market,
    }

    private enum StreamKind : byte
    {
        AggTrade,
        Trade,
        BookTicker,
        Diff,
        Partial,
        MarkPrice,
        ForceOrder,
        NotEmulated,
    }

    private readonly record struct StreamName(Market? Market, StreamKind Kind, int Depth, Category Category);

    private readonly record struct FundingRecord(long TimeMs, double Rate, double MarkPrice);

    private sealed class Connection(EmulatorSession session, PathKind path, bool combined)
    {
        public EmulatorSession Session { get; } = session;

        public PathKind Path { get; } = path;

        public bool Combined { get; set; } = combined;

        public List<Sub> Subs { get; } = new();

        public ITimer? Lifetime { get; set; }

        public long WindowStartMs { get; set; } = long.MinValue / 2;

        public int WindowCount { get; set; }
    }

    private sealed class Sub(Connection connection, string name, Channel? channel, bool deliver)
    {
        public Connection Connection { get; } = connection;

        public string Name { get; } = name;

        public Channel? Channel { get; } = channel;

        public bool Deliver { get; } = deliver;
    }

    /// <summary>One stream name with its subscribers; the combined-stream wrapper prefix is built once.</summary>
    private sealed class Channel(string name, Market market, StreamKind kind, int depth)
    {
        public string Name { get; } = name;

        public Market Market { get; } = market;

        public StreamKind Kind { get; } = kind;

        public int Depth { get; } = depth;

        public byte[] Prefix { get; } = Encoding.UTF8.GetBytes("{\"stream\":\"" + name + "\",\"data\":");

        public List<Sub> Subs { get; } = new();

        public int Deliverable { get; set; }
    }

    private sealed class Market
    {
        public Market(Instrument instrument)
        {
            Instrument = instrument;
            Symbol = instrument.VenueSymbol;
            StreamSymbol = Symbol.ToLowerInvariant();
            PriceDecimals = WireNumber.DecimalsOf(instrument.TickSize);
        }

        public Instrument Instrument { get; }

        public string Symbol { get; }

        public string StreamSymbol { get; }

        public int PriceDecimals { get; }

        public int QuantityDecimals { get; set; } = -1;

        public TickBook Book { get; } = new();

        public long LastUpdateId { get; set; } = FirstUpdateId;

        public long NextTradeId { get; set; } = 1;

        public List<Channel> AggTrades { get; } = new();

        public List<Channel> RawTrades { get; } = new();

        public List<Channel> Tickers { get; } = new();

        public List<Channel> Diffs { get; } = new();

        public List<Channel> Partials { get; } = new();

        public List<Channel> Marks { get; } = new();

        public List<Channel> Forces { get; } = new();

        public bool HasTop { get; set; }

        public long TopBidTicks { get; set; }

        public double TopBidSize { get; set; }

        public long TopAskTicks { get; set; }

        public double TopAskSize { get; set; }

        public long LastForceSecond { get; set; } = long.MinValue;

        public double LastPrice { get; set; } = double.NaN;

        public double MarkPrice { get; set; } = double.NaN;

        public double IndexPrice { get; set; } = double.NaN;

        public bool HasRate { get; set; }

        public double FundingRate { get; set; }

        public long FundingTimeMs { get; set; }

        public long NextFundingMs { get; set; }

        public bool HasOpenInterest { get; set; }

        public double OpenInterest { get; set; }

        public long OpenInterestTimeMs { get; set; }

        public List<FundingRecord> FundingHistory { get; } = new();
    }
}
