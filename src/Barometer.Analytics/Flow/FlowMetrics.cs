using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Flow;

/// <summary>
/// Flow family (docs/metrics/flow.md). Each instrument keeps a ring of 900 one-second buckets
/// (15 minutes) and a ring of 64 one-minute net-flow slots (the trend history); a trade updates
/// one bucket and one slot, O(1), without allocating. Snapshots sum the buckets. Event time only:
/// the same events in the same order give the same snapshots, however often snapshots are taken.
/// </summary>
internal sealed class FlowMetrics : IMetricFamily<FlowSection>
{
    internal const long MicrosPerSecond = 1_000_000;
    internal const long MicrosPerMinute = 60 * MicrosPerSecond;
    internal const int RingSeconds = 900;
    internal const int MinuteSlots = 64;

    private InstrumentFlowState?[] _byId = new InstrumentFlowState?[16];
    private readonly List<InstrumentFlowState> _states = new(16);
    private long _startTime = long.MinValue;

    public FlowMetrics(AnalyticsOptions options) => ArgumentNullException.ThrowIfNull(options);

    /// <summary>Event time of the first event seen (the start of observation), or long.MinValue.</summary>
    internal long StartTime => _startTime;

    /// <summary>Trades skipped as bad input: no buy/sell side, or a non-positive or non-finite price or quantity.</summary>
    internal long Rejected { get; private set; }

    public void OnEvent(in MarketEvent e, long time)
    {
        if (_startTime == long.MinValue)
        {
            _startTime = time;
        }

        if (e.Kind != EventKind.Trade || e.Instrument is null)
        {
            return;
        }

        var trade = e.AsTrade();
        if (trade.AggressorSide is not (Side.Buy or Side.Sell) || !(trade.Quantity > 0) || !(trade.Price > 0) || !double.IsFinite(trade.Price) || !double.IsFinite(trade.Quantity))
        {
            Rejected++;
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
            state = new InstrumentFlowState(instrument);
            _byId[id] = state;
            _states.Add(state);
        }

        state.Add(time, trade.Price, trade.Quantity, trade.AggressorSide == Side.Buy);
    }

    public FlowSection Snapshot(long now)
    {
        if (_states.Count == 0)
        {
            return FlowSection.Empty;
        }

        var states = _states.ToArray();
        Array.Sort(states, static (a, b) => string.CompareOrdinal(a.Instrument.Key, b.Instrument.Key));
        long nowSecond = EventTime.FloorDiv(now, MicrosPerSecond);
        long nowMinute = EventTime.FloorDiv(now, MicrosPerMinute);
        long startSecond = EventTime.FloorDiv(_startTime, MicrosPerSecond);
        long startMinute = EventTime.FloorDiv(_startTime, MicrosPerMinute);
        int observedSeconds = (int)Math.Clamp(nowSecond - startSecond + 1, 0, RingSeconds);

        // History of completed minutes: (startMinute, nowMinute) exclusive, at most 60.
        long firstHistoryMinute = Math.Max(startMinute + 1, nowMinute - FlowCalc.TrendHistoryMinutes);
        int historyMinutes = (int)Math.Max(0, nowMinute - firstHistoryMinute);

        var instruments = new InstrumentFlow[states.Length];
        var sums = new InstrumentSums[states.Length];
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            var sum = s.Sum(nowSecond);
            var history = new double[historyMinutes];
            s.MinuteHistory(firstHistoryMinute, history);
            sum.History = history;
            sums[i] = sum;
            var inst = s.Instrument;
            bool usd = inst.QuoteIsUsd;
            string? usdReason = usd ? null : $"quote {inst.Quote} is not a USD stablecoin";
            var w1 = FlowCalc.Window(sum.OneMinute, 60, observedSeconds, usd, usdReason);
            var w5 = FlowCalc.Window(sum.FiveMinutes, 300, observedSeconds, usd, usdReason);
            var w15 = FlowCalc.Window(sum.FifteenMinutes, 900, observedSeconds, usd, usdReason);
            instruments[i] = new InstrumentFlow(
                inst.Key,
                inst.Venue.ToWireName(),
                inst.Base,
                inst.Kind,
                w1,
                w5,
                w15,
                FlowCalc.Trend(w1.NetFlowUsd, history, usdReason),
                FlowCalc.Intensity(sum.OneMinute.Trades, sum.FifteenMinutes.Trades, observedSeconds),
                FlowCalc.SizeTrend(sum.OneMinute, sum.PreviousFiveMinutes, observedSeconds, usd, usdReason),
                FlowCalc.Ticks(sum.OneMinute, s.StreakDirection, s.StreakLength, s.LastPrice));
        }

        return new FlowSection(instruments, BuildAssets(states, sums, observedSeconds, historyMinutes));
    }

    private static AssetFlow[] BuildAssets(InstrumentFlowState[] states, InstrumentSums[] sums, int observedSeconds, int historyMinutes)
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
        var result = new AssetFlow[assets.Count];
        for (int a = 0; a < assets.Count; a++)
        {
            string asset = assets[a];
            var keys = new List<string>();
            var members = new List<int>();
            WindowSums one = WindowSums.Empty, five = WindowSums.Empty, fifteen = WindowSums.Empty, previous = WindowSums.Empty;
            var history = new double[historyMinutes];
            for (int i = 0; i < states.Length; i++)
            {
                var inst = states[i].Instrument;
                if (!inst.QuoteIsUsd || inst.Base != asset)
                {
                    continue;
                }

                keys.Add(inst.Key);
                members.Add(i);
                one.Add(sums[i].OneMinute);
                five.Add(sums[i].FiveMinutes);
                fifteen.Add(sums[i].FifteenMinutes);
                previous.Add(sums[i].PreviousFiveMinutes);
                for (int m = 0; m < historyMinutes; m++)
                {
                    history[m] += sums[i].History[m];
                }
            }

            var w1 = FlowCalc.Window(one, 60, observedSeconds, true, null);
            var w5 = FlowCalc.Window(five, 300, observedSeconds, true, null);
            var w15 = FlowCalc.Window(fifteen, 900, observedSeconds, true, null);
            var shares = new VenueShare[members.Count];
            for (int k = 0; k < members.Count; k++)
            {
                var inst = states[members[k]].Instrument;
                double s5 = FlowCalc.Percent(sums[members[k]].FiveMinutes.TotalUsd, five.TotalUsd);
                double s15 = FlowCalc.Percent(sums[members[k]].FifteenMinutes.TotalUsd, fifteen.TotalUsd);
                shares[k] = new VenueShare(inst.Key, inst.Venue.ToWireName(), inst.Kind, s5, s15, s5 - s15);
            }

            result[a] = new AssetFlow(
                asset,
                keys.ToArray(),
                w1,
                w5,
                w15,
                FlowCalc.Trend(w1.NetFlowUsd, history, null),
                FlowCalc.Intensity(one.Trades, fifteen.Trades, observedSeconds),
                FlowCalc.SizeTrend(one, previous, observedSeconds, true, null),
                FlowCalc.Dominance(shares, five.TotalUsd, fifteen.TotalUsd));
        }

        return result;
    }

}

/// <summary>One-second bucket of one instrument.</summary>
internal struct SecondBucket
{
    public long Second;
    public double BuyUsd;
    public double SellUsd;
    public double SumPriceQty;
    public double SumQty;
    public double MinPrice;
    public double MaxPrice;
    public int BuyCount;
    public int SellCount;
    public int Upticks;
    public int Downticks;
}

/// <summary>Sums over a set of buckets.</summary>
internal struct WindowSums
{
    public double BuyUsd;
    public double SellUsd;
    public double SumPriceQty;
    public double SumQty;
    public double MinPrice;
    public double MaxPrice;
    public long BuyCount;
    public long SellCount;
    public long Upticks;
    public long Downticks;

    public static WindowSums Empty => new() { MinPrice = double.PositiveInfinity, MaxPrice = double.NegativeInfinity };

    public readonly long Trades => BuyCount + SellCount;

    public readonly double TotalUsd => BuyUsd + SellUsd;

    public void Add(in SecondBucket b)
    {
        BuyUsd += b.BuyUsd;
        SellUsd += b.SellUsd;
        SumPriceQty += b.SumPriceQty;
        SumQty += b.SumQty;
        MinPrice = Math.Min(MinPrice, b.MinPrice);
        MaxPrice = Math.Max(MaxPrice, b.MaxPrice);
        BuyCount += b.BuyCount;
        SellCount += b.SellCount;
        Upticks += b.Upticks;
        Downticks += b.Downticks;
    }

    public void Add(in WindowSums b)
    {
        BuyUsd += b.BuyUsd;
        SellUsd += b.SellUsd;
        SumPriceQty += b.SumPriceQty;
        SumQty += b.SumQty;
        MinPrice = Math.Min(MinPrice, b.MinPrice);
        MaxPrice = Math.Max(MaxPrice, b.MaxPrice);
        BuyCount += b.BuyCount;
        SellCount += b.SellCount;
        Upticks += b.Upticks;
        Downticks += b.Downticks;
    }
}

/// <summary>The window sums of one instrument at a snapshot.</summary>
internal struct InstrumentSums
{
    public WindowSums OneMinute;
    public WindowSums FiveMinutes;
    public WindowSums FifteenMinutes;
    public WindowSums PreviousFiveMinutes;
    public double[] History;
}

/// <summary>Mutable per-instrument state; allocated once, on the instrument's first trade.</summary>
internal sealed class InstrumentFlowState
{
    private readonly SecondBucket[] _buckets = new SecondBucket[FlowMetrics.RingSeconds];
    private readonly long[] _minutes = new long[FlowMetrics.MinuteSlots];
    private readonly double[] _minuteNet = new double[FlowMetrics.MinuteSlots];

    public InstrumentFlowState(Instrument instrument)
    {
        Instrument = instrument;
        for (int i = 0; i < _buckets.Length; i++)
        {
            _buckets[i].Second = long.MinValue;
        }

        Array.Fill(_minutes, long.MinValue);
        LastPrice = double.NaN;
    }

    public Instrument Instrument { get; }

    public double LastPrice { get; private set; }

    public TickStreakDirection StreakDirection { get; private set; }

    public int StreakLength { get; private set; }

    public void Add(long time, double price, double quantity, bool buy)
    {
        // Tick direction follows arrival order (the previous trade of this instrument).
        int tick = 0;
        if (!double.IsNaN(LastPrice))
        {
            tick = price > LastPrice ? 1 : price < LastPrice ? -1 : 0;
        }

        LastPrice = price;
        if (tick != 0)
        {
            var direction = tick > 0 ? TickStreakDirection.Up : TickStreakDirection.Down;
            if (direction == StreakDirection)
            {
                StreakLength++;
            }
            else
            {
                StreakDirection = direction;
                StreakLength = 1;
            }
        }

        double usd = Instrument.QuoteIsUsd ? price * quantity : 0;
        long second = EventTime.FloorDiv(time, FlowMetrics.MicrosPerSecond);
        ref var b = ref _buckets[(int)(((second % FlowMetrics.RingSeconds) + FlowMetrics.RingSeconds) % FlowMetrics.RingSeconds)];
        if (b.Second < second)
        {
            b = default;
            b.Second = second;
            b.MinPrice = double.PositiveInfinity;
            b.MaxPrice = double.NegativeInfinity;
        }

        if (b.Second == second)
        {
            if (buy)
            {
                b.BuyUsd += usd;
                b.BuyCount++;
            }
            else
            {
                b.SellUsd += usd;
                b.SellCount++;
            }

            b.SumPriceQty += price * quantity;
            b.SumQty += quantity;
            b.MinPrice = Math.Min(b.MinPrice, price);
            b.MaxPrice = Math.Max(b.MaxPrice, price);
            if (tick > 0)
            {
                b.Upticks++;
            }
            else if (tick < 0)
            {
                b.Downticks++;
            }
        }

        // else: older than the ring (more than 15 minutes late) — dropped.
        long minute = EventTime.FloorDiv(time, FlowMetrics.MicrosPerMinute);
        int slot = (int)(((minute % FlowMetrics.MinuteSlots) + FlowMetrics.MinuteSlots) % FlowMetrics.MinuteSlots);
        if (_minutes[slot] < minute)
        {
            _minutes[slot] = minute;
            _minuteNet[slot] = 0;
        }

        if (_minutes[slot] == minute)
        {
            _minuteNet[slot] += buy ? usd : -usd;
        }
    }

    public InstrumentSums Sum(long nowSecond)
    {
        var sums = new InstrumentSums
        {
            OneMinute = WindowSums.Empty,
            FiveMinutes = WindowSums.Empty,
            FifteenMinutes = WindowSums.Empty,
            PreviousFiveMinutes = WindowSums.Empty,
            History = [],
        };
        for (int i = 0; i < _buckets.Length; i++)
        {
            ref readonly var b = ref _buckets[i];
            long age = nowSecond - b.Second;
            if (b.Second == long.MinValue || age < 0 || age >= FlowMetrics.RingSeconds)
            {
                continue;
            }

            sums.FifteenMinutes.Add(b);
            if (age < 300)
            {
                sums.FiveMinutes.Add(b);
            }

            if (age < 60)
            {
                sums.OneMinute.Add(b);
            }
            else if (age < 360)
            {
                sums.PreviousFiveMinutes.Add(b);
            }
        }

        return sums;
    }

    /// <summary>Net flow of each minute from <paramref name="firstMinute"/> on (0 for a minute without trades).</summary>
    public void MinuteHistory(long firstMinute, double[] history)
    {
        for (int k = 0; k < history.Length; k++)
        {
            long minute = firstMinute + k;
            int slot = (int)(((minute % FlowMetrics.MinuteSlots) + FlowMetrics.MinuteSlots) % FlowMetrics.MinuteSlots);
            history[k] = _minutes[slot] == minute ? _minuteNet[slot] : 0;
        }
    }
}
