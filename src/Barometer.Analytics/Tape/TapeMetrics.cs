using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tape;

/// <summary>
/// Tape family (docs/metrics.md, "Tape"): CVD per instrument and asset with its velocity and
/// divergence from price, large/whale/mega trade counts and the recent whales, one-minute bars.
/// Each instrument keeps a ring of 900 one-second slots, its bar in progress and a ring of the last
/// completed bars; a trade updates one slot and the bar, O(1), without allocating. Bars complete on
/// event time (a later trade of the instrument, or any event 2 s past the minute's end), never at
/// snapshot time, so snapshots do not change what is computed.
/// </summary>
internal sealed class TapeMetrics : IMetricFamily<TapeSection>
{
    internal const long MicrosPerSecond = 1_000_000;
    internal const long MicrosPerMinute = 60 * MicrosPerSecond;
    internal const int RingSeconds = 900;

    private readonly double _large;
    private readonly double _whale;
    private readonly double _mega;
    private readonly long _staleMicros;
    private readonly bool _queueBars;
    private TapeInstrumentState?[] _byId = new TapeInstrumentState?[16];
    private readonly List<TapeInstrumentState> _states = new(16);
    private readonly WhaleEntry[] _whales;
    private int _whaleHead;
    private int _whaleCount;
    private readonly Queue<CompletedBar> _completed = new();
    private long _startTime = long.MinValue;
    private long _lastSweepSecond = long.MinValue;

    public TapeMetrics(AnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _large = options.Thresholds.LargeTradeUsd;
        _whale = options.Thresholds.WhaleTradeUsd;
        _mega = options.Thresholds.MegaTradeUsd;
        _staleMicros = (long)(options.StaleAfter.TotalMilliseconds * 1000);
        _queueBars = options.QueueCompletedBars;
        _whales = new WhaleEntry[Math.Max(1, options.RecentWhales)];
    }

    /// <summary>Trades for a minute whose bar was already complete.</summary>
    internal long LateTrades { get; private set; }

    /// <summary>Completed bars dropped because the queue was full (nobody drained it).</summary>
    internal long DroppedBars { get; private set; }

    public void OnEvent(in MarketEvent e, long time)
    {
        if (_startTime == long.MinValue)
        {
            _startTime = time;
        }

        long second = EventTime.FloorDiv(time, MicrosPerSecond);
        if (second > _lastSweepSecond)
        {
            _lastSweepSecond = second;
            Sweep(time);
        }

        if (e.Kind != EventKind.Trade || e.Instrument is null)
        {
            return;
        }

        var trade = e.AsTrade();
        if (trade.AggressorSide is not (Side.Buy or Side.Sell) || !(trade.Quantity > 0) || !(trade.Price > 0) || !double.IsFinite(trade.Price) || !double.IsFinite(trade.Quantity))
        {
            return;
        }

        var instrument = trade.Instrument;
        int id = instrument.Id;
        if ((uint)id >= (uint)_byId.Length)
        {
            Array.Resize(ref _byId, Math.Max(_byId.Length * 2, id + 1));
        }

        var state = _byId[id];
        if (state is null)
        {
            state = new TapeInstrumentState(instrument, time);
            _byId[id] = state;
            _states.Add(state);
        }

        bool buy = trade.AggressorSide == Side.Buy;
        double usd = instrument.QuoteIsUsd ? trade.Price * trade.Quantity : double.NaN;
        var cls = Classify(usd);
        if (!state.Add(time, trade.Price, trade.Quantity, buy, usd, cls, out var closed))
        {
            LateTrades++;
        }

        if (closed.Trades > 0)
        {
            Enqueue(state.Instrument, closed);
        }

        if (cls >= TradeSizeClass.Whale)
        {
            _whales[_whaleHead] = new WhaleEntry(instrument, time, trade.Price, trade.Quantity, usd, trade.AggressorSide, cls);
            _whaleHead = (_whaleHead + 1) % _whales.Length;
            _whaleCount = Math.Min(_whaleCount + 1, _whales.Length);
        }
    }

    /// <summary>Moves the completed bars queued since the last call into <paramref name="into"/> (oldest first).</summary>
    public int DrainCompletedBars(List<MinuteBar> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int n = 0;
        while (_completed.TryDequeue(out var bar))
        {
            into.Add(ToBar(bar.Instrument, bar.State, complete: true));
            n++;
        }

        return n;
    }

    public TapeSection Snapshot(long now)
    {
        if (_states.Count == 0)
        {
            return new TapeSection([], [], RecentWhales(), LateTrades);
        }

        var states = _states.ToArray();
        Array.Sort(states, static (a, b) => string.CompareOrdinal(a.Instrument.Key, b.Instrument.Key));
        long nowSecond = EventTime.FloorDiv(now, MicrosPerSecond);
        long startSecond = EventTime.FloorDiv(_startTime, MicrosPerSecond);
        int observedSeconds = (int)Math.Clamp(nowSecond - startSecond + 1, 0, RingSeconds);
        var sums = new TapeSums[states.Length];
        var instruments = new InstrumentTape[states.Length];
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            var sum = s.Sum(nowSecond);
            sums[i] = sum;
            var inst = s.Instrument;
            string? usdReason = inst.QuoteIsUsd ? null : $"quote {inst.Quote} is not a USD stablecoin";
            instruments[i] = new InstrumentTape(
                inst.Key,
                inst.Venue.ToWireName(),
                inst.Base,
                inst.Kind,
                Cvd(s.FirstTime, inst.QuoteIsUsd ? s.CvdUsd : double.NaN, s.CvdBase, sum, observedSeconds, usdReason),
                Divergence(sum.PriceChangePercent, sum.PriceReason, sum.Lookback, now - s.LastTime, now, usdReason),
                Counts(sum, usdReason),
                s.HasBar ? ToBar(inst, s.Bar, complete: false) : null,
                s.CompletedBars());
        }

        return new TapeSection(instruments, BuildAssets(states, sums, observedSeconds, now), RecentWhales(), LateTrades);
    }

    private AssetTape[] BuildAssets(TapeInstrumentState[] states, TapeSums[] sums, int observedSeconds, long now)
    {
        var assets = new List<string>();
        for (int i = 0; i < states.Length; i++)
        {
            var inst = states[i].Instrument;
            if (inst.QuoteIsUsd && !assets.Contains(inst.Base))
            {
                assets.Add(inst.Base);
            }
        }

        assets.Sort(string.CompareOrdinal);
        var result = new AssetTape[assets.Count];
        for (int a = 0; a < assets.Count; a++)
        {
            string asset = assets[a];
            var keys = new List<string>();
            var total = new TapeSums { Lookback = default };
            double cvdUsd = 0, cvdBase = 0, spot = 0, perp = 0, weighted = 0, weight = 0;
            long since = long.MaxValue, lastTrade = long.MinValue;
            string? priceReason = null;
            for (int i = 0; i < states.Length; i++)
            {
                var s = states[i];
                var inst = s.Instrument;
                if (!inst.QuoteIsUsd || inst.Base != asset)
                {
                    continue;
                }

                keys.Add(inst.Key);
                cvdUsd += s.CvdUsd;
                cvdBase += s.CvdBase;
                if (inst.Kind == MarketKind.Spot)
                {
                    spot += s.CvdUsd;
                }
                else
                {
                    perp += s.CvdUsd;
                }

                since = Math.Min(since, s.FirstTime);
                lastTrade = Math.Max(lastTrade, s.LastTime);
                total.Add(sums[i]);
                if (double.IsNaN(sums[i].PriceChangePercent))
                {
                    priceReason ??= $"{inst.Key}: {sums[i].PriceReason}";
                }
                else if (sums[i].Lookback.VolumeUsd > 0)
                {
                    weighted += sums[i].PriceChangePercent * sums[i].Lookback.VolumeUsd;
                    weight += sums[i].Lookback.VolumeUsd;
                }
            }

            double priceChange = weight > 0 ? weighted / weight : double.NaN;
            string? reason = weight > 0 ? null : priceReason ?? "no trades in the lookback";
            result[a] = new AssetTape(
                asset,
                keys.ToArray(),
                Cvd(since, cvdUsd, cvdBase, total, observedSeconds, null),
                spot,
                perp,
                Divergence(priceChange, reason, total.Lookback, now - lastTrade, now, null),
                Counts(total, null));
        }

        return result;
    }

    private static CvdView Cvd(long since, double cvdUsd, double cvdBase, in TapeSums sum, int observedSeconds, string? usdReason)
    {
        if (usdReason is not null)
        {
            return new CvdView(since, double.NaN, cvdBase, double.NaN, double.NaN, double.NaN, double.NaN, usdReason);
        }

        int covered = Math.Clamp(observedSeconds, 1, 60);
        return new CvdView(since, cvdUsd, cvdBase, sum.Net1m, sum.Net5m, sum.Net15m, sum.Net1m * 60 / covered, null);
    }

    private CvdDivergenceView Divergence(double priceChange, string? priceReason, in LookbackSums lookback, long sinceLastTrade, long now, string? usdReason)
    {
        const int L = TapeLimits.DivergenceLookbackSeconds;
        if (usdReason is not null)
        {
            return new CvdDivergenceView(L, double.NaN, double.NaN, double.NaN, null, usdReason);
        }

        if (_startTime > now - (L * MicrosPerSecond))
        {
            long have = Math.Max(0, (now - _startTime) / MicrosPerSecond);
            return new CvdDivergenceView(L, double.NaN, lookback.NetUsd, double.NaN, null, $"needs {L} s of history (have {have} s)");
        }

        if (sinceLastTrade > _staleMicros)
        {
            return new CvdDivergenceView(L, double.NaN, lookback.NetUsd, double.NaN, null, $"stale: no trade for {sinceLastTrade / MicrosPerSecond} s");
        }

        if (double.IsNaN(priceChange))
        {
            return new CvdDivergenceView(L, double.NaN, lookback.NetUsd, double.NaN, null, priceReason ?? "no price at the lookback start");
        }

        if (!(lookback.VolumeUsd > 0))
        {
            return new CvdDivergenceView(L, priceChange, 0, double.NaN, null, "no trades in the lookback");
        }

        double cvdPct = 100 * lookback.NetUsd / lookback.VolumeUsd;
        return new CvdDivergenceView(L, priceChange, lookback.NetUsd, cvdPct, Classify(priceChange, cvdPct), null);
    }

    /// <summary>The divergence rule (docs/metrics.md): both must move; opposite directions diverge.</summary>
    internal static CvdDivergence Classify(double priceChangePercent, double cvdChangePercentOfVolume)
    {
        bool priceMoved = Math.Abs(priceChangePercent) >= TapeLimits.DivergencePriceMovePercent;
        bool cvdMoved = Math.Abs(cvdChangePercentOfVolume) >= TapeLimits.DivergenceCvdMovePercent;
        if (!priceMoved || !cvdMoved)
        {
            return CvdDivergence.Neutral;
        }

        if (priceChangePercent > 0 && cvdChangePercentOfVolume < 0)
        {
            return CvdDivergence.Bearish;
        }

        return priceChangePercent < 0 && cvdChangePercentOfVolume > 0 ? CvdDivergence.Bullish : CvdDivergence.Aligned;
    }

    private static LargeTradeCounts Counts(in TapeSums s, string? usdReason) => usdReason is not null
        ? new LargeTradeCounts(TapeLimits.LargeTradeWindowSeconds, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, usdReason)
        : new LargeTradeCounts(TapeLimits.LargeTradeWindowSeconds, s.Large, s.Whales, s.Mega, s.LargeUsd, s.WhaleUsd, s.WhaleBuyUsd, s.WhaleSellUsd, null);

    private TradeSizeClass Classify(double usd) =>
        !(usd >= _large) ? TradeSizeClass.Normal : usd >= _mega ? TradeSizeClass.Mega : usd >= _whale ? TradeSizeClass.Whale : TradeSizeClass.Large;

    private WhaleTrade[] RecentWhales()
    {
        var list = new WhaleTrade[_whaleCount];
        for (int k = 0; k < _whaleCount; k++)
        {
            ref readonly var w = ref _whales[((_whaleHead - 1 - k) % _whales.Length + _whales.Length) % _whales.Length];
            list[k] = new WhaleTrade(w.Time, w.Instrument.Key, w.Instrument.Venue.ToWireName(), w.Instrument.Base, w.Side, w.Price, w.Quantity, w.Usd, w.Class);
        }

        return list;
    }

    private void Sweep(long time)
    {
        for (int i = 0; i < _states.Count; i++)
        {
            var s = _states[i];
            if (s.HasBar && time >= s.Bar.Minute * MicrosPerMinute + MicrosPerMinute + TapeLimits.BarGraceMicros)
            {
                Enqueue(s.Instrument, s.CloseBar());
            }
        }
    }

    private void Enqueue(Instrument instrument, in BarState bar)
    {
        if (!_queueBars)
        {
            return;
        }

        if (_completed.Count >= TapeLimits.CompletedBarQueue)
        {
            _completed.Dequeue();
            DroppedBars++;
        }

        _completed.Enqueue(new CompletedBar(instrument, bar));
    }

    internal static MinuteBar ToBar(Instrument inst, in BarState b, bool complete)
    {
        bool usd = inst.QuoteIsUsd;
        return new MinuteBar(
            inst.Key,
            inst.Venue.ToWireName(),
            inst.Base,
            b.Minute * MicrosPerMinute,
            b.Open,
            b.High,
            b.Low,
            b.Close,
            usd ? b.BuyUsd : double.NaN,
            usd ? b.SellUsd : double.NaN,
            usd ? b.BuyUsd - b.SellUsd : double.NaN,
            usd ? b.CvdUsdAtClose : double.NaN,
            b.BuyBase,
            b.SellBase,
            b.SumQty > 0 ? Math.Clamp(b.SumPriceQty / b.SumQty, b.Low, b.High) : double.NaN, // Σpq/Σq can round one ulp outside [low, high]
            b.Trades,
            complete);
    }


    private readonly record struct WhaleEntry(Instrument Instrument, long Time, double Price, double Quantity, double Usd, Side Side, TradeSizeClass Class);

    private readonly record struct CompletedBar(Instrument Instrument, BarState State);
}

/// <summary>One second of one instrument's tape.</summary>
internal struct TapeSlot
{
    public long Second;
    public double NetUsd;
    public double VolumeUsd;
    public double LastPrice;
    public int Large;
    public int Whales;
    public int Mega;
    public double LargeUsd;
    public double WhaleUsd;
    public double WhaleBuyUsd;
    public double WhaleSellUsd;
}

/// <summary>A bar being built or completed.</summary>
internal struct BarState
{
    public long Minute;
    public double Open;
    public double High;
    public double Low;
    public double Close;
    public double BuyUsd;
    public double SellUsd;
    public double BuyBase;
    public double SellBase;
    public double SumPriceQty;
    public double SumQty;
    public double CvdUsdAtClose;
    public long Trades;
}

/// <summary>CVD change and volume over the divergence lookback.</summary>
internal struct LookbackSums
{
    public double NetUsd;
    public double VolumeUsd;

    public void Add(in LookbackSums other)
    {
        NetUsd += other.NetUsd;
        VolumeUsd += other.VolumeUsd;
    }
}

/// <summary>Window sums of one instrument (or an asset) at a snapshot.</summary>
internal struct TapeSums
{
    public double Net1m;
    public double Net5m;
    public double Net15m;
    public LookbackSums Lookback;
    public long Large;
    public long Whales;
    public long Mega;
    public double LargeUsd;
    public double WhaleUsd;
    public double WhaleBuyUsd;
    public double WhaleSellUsd;
    public double PriceChangePercent;
    public string? PriceReason;

    public void Add(in TapeSums o)
    {
        Net1m += o.Net1m;
        Net5m += o.Net5m;
        Net15m += o.Net15m;
        Lookback.Add(o.Lookback);
        Large += o.Large;
        Whales += o.Whales;
        Mega += o.Mega;
        LargeUsd += o.LargeUsd;
        WhaleUsd += o.WhaleUsd;
        WhaleBuyUsd += o.WhaleBuyUsd;
        WhaleSellUsd += o.WhaleSellUsd;
    }
}

/// <summary>Mutable tape state of one instrument; allocated once, on its first trade.</summary>
internal sealed class TapeInstrumentState
{
    private readonly TapeSlot[] _slots = new TapeSlot[TapeMetrics.RingSeconds];
    private readonly BarState[] _bars = new BarState[TapeLimits.SnapshotBars];
    private int _barHead;
    private int _barCount;

    public TapeInstrumentState(Instrument instrument, long firstTime)
    {
        Instrument = instrument;
        FirstTime = firstTime;
        LastTime = firstTime;
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Second = long.MinValue;
        }
    }

    public Instrument Instrument { get; }

    public long FirstTime { get; }

    public long LastTime { get; private set; }

    public double CvdUsd { get; private set; }

    public double CvdBase { get; private set; }

    public bool HasBar { get; private set; }

    public BarState Bar;

    /// <summary>Adds a trade. False when it was late for its bar (still counted in CVD and windows). <paramref name="closed"/> is a bar this trade completed (Trades = 0 when none).</summary>
    public bool Add(long time, double price, double quantity, bool buy, double usd, TradeSizeClass cls, out BarState closed)
    {
        closed = default;
        if (time > LastTime)
        {
            LastTime = time;
        }

        double signedUsd = double.IsNaN(usd) ? 0 : buy ? usd : -usd;
        CvdUsd += signedUsd;
        CvdBase += buy ? quantity : -quantity;

        long second = EventTime.FloorDiv(time, TapeMetrics.MicrosPerSecond);
        ref var slot = ref _slots[(int)(((second % TapeMetrics.RingSeconds) + TapeMetrics.RingSeconds) % TapeMetrics.RingSeconds)];
        if (slot.Second < second)
        {
            slot = default;
            slot.Second = second;
        }

        if (slot.Second == second)
        {
            slot.NetUsd += signedUsd;
            slot.VolumeUsd += double.IsNaN(usd) ? 0 : usd;
            slot.LastPrice = price;
            if (cls >= TradeSizeClass.Large)
            {
                slot.Large++;
                slot.LargeUsd += usd;
                if (cls >= TradeSizeClass.Whale)
                {
                    slot.Whales++;
                    slot.WhaleUsd += usd;
                    if (buy)
                    {
                        slot.WhaleBuyUsd += usd;
                    }
                    else
                    {
                        slot.WhaleSellUsd += usd;
                    }

                    if (cls == TradeSizeClass.Mega)
                    {
                        slot.Mega++;
                    }
                }
            }
        }

        // else: more than 15 minutes late for the ring — only the cumulative CVD has it.
        long minute = EventTime.FloorDiv(time, TapeMetrics.MicrosPerMinute);
        if (HasBar && minute < Bar.Minute)
        {
            return false;
        }

        if (!HasBar && _barCount > 0 && minute <= _bars[(_barHead - 1 + _bars.Length) % _bars.Length].Minute)
        {
            return false;
        }

        if (HasBar && minute > Bar.Minute)
        {
            closed = CloseBar();
        }

        if (!HasBar)
        {
            HasBar = true;
            Bar = new BarState { Minute = minute, Open = price, High = price, Low = price };
        }

        Bar.High = Math.Max(Bar.High, price);
        Bar.Low = Math.Min(Bar.Low, price);
        Bar.Close = price;
        if (buy)
        {
            Bar.BuyUsd += double.IsNaN(usd) ? 0 : usd;
            Bar.BuyBase += quantity;
        }
        else
        {
            Bar.SellUsd += double.IsNaN(usd) ? 0 : usd;
            Bar.SellBase += quantity;
        }

        Bar.SumPriceQty += price * quantity;
        Bar.SumQty += quantity;
        Bar.CvdUsdAtClose = CvdUsd;
        Bar.Trades++;
        return true;
    }

    public BarState CloseBar()
    {
        var bar = Bar;
        _bars[_barHead] = bar;
        _barHead = (_barHead + 1) % _bars.Length;
        _barCount = Math.Min(_barCount + 1, _bars.Length);
        HasBar = false;
        Bar = default;
        return bar;
    }

    public MinuteBar[] CompletedBars()
    {
        var list = new MinuteBar[_barCount];
        for (int k = 0; k < _barCount; k++)
        {
            int index = ((_barHead - _barCount + k) % _bars.Length + _bars.Length) % _bars.Length;
            list[k] = TapeMetrics.ToBar(Instrument, _bars[index], complete: true);
        }

        return list;
    }

    public TapeSums Sum(long nowSecond)
    {
        var s = new TapeSums();
        long before = long.MinValue;
        double priceBefore = double.NaN;
        double lastPrice = double.NaN;
        long lastSecond = long.MinValue;
        for (int i = 0; i < _slots.Length; i++)
        {
            ref readonly var b = ref _slots[i];
            long age = nowSecond - b.Second;
            if (b.Second == long.MinValue || age < 0 || age >= TapeMetrics.RingSeconds)
            {
                continue;
            }

            if (b.Second > lastSecond)
            {
                lastSecond = b.Second;
                lastPrice = b.LastPrice;
            }

            s.Net15m += b.NetUsd;
            if (age < 300)
            {
                s.Net5m += b.NetUsd;
            }

            if (age < 60)
            {
                s.Net1m += b.NetUsd;
            }

            if (age < TapeLimits.DivergenceLookbackSeconds)
            {
                s.Lookback.NetUsd += b.NetUsd;
                s.Lookback.VolumeUsd += b.VolumeUsd;
            }
            else if (b.Second > before)
            {
                before = b.Second;
                priceBefore = b.LastPrice;
            }

            if (age < TapeLimits.LargeTradeWindowSeconds)
            {
                s.Large += b.Large;
                s.Whales += b.Whales;
                s.Mega += b.Mega;
                s.LargeUsd += b.LargeUsd;
                s.WhaleUsd += b.WhaleUsd;
                s.WhaleBuyUsd += b.WhaleBuyUsd;
                s.WhaleSellUsd += b.WhaleSellUsd;
            }
        }

        if (double.IsNaN(priceBefore))
        {
            s.PriceChangePercent = double.NaN;
            s.PriceReason = "no trade between 15 and 5 minutes ago (no price at the lookback start)";
        }
        else
        {
            s.PriceChangePercent = 100 * (lastPrice - priceBefore) / priceBefore;
        }

        return s;
    }
}
