using System.Globalization;
using Barometer.Analytics.Book;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Risk;

/// <summary>
/// Regime family (docs/metrics.md, "Regime"). Per USD-quoted market: the last trade price of each
/// minute in a ring of 64 minutes (allocated on its first trade), the latest book top, and a ring
/// of 360 liquidity samples (60 minutes at 10 s; allocated on its first book event). Liquidity is
/// sampled at event-time boundaries: the first event of a new 10 s bucket samples every market's
/// spread (its latest book top) and depth within 1% (<see cref="BookMetrics.TryDepthUsd"/>) as
/// they were before that event — so the engine must call this family before the book family.
/// A trade or top is O(1) without allocating; a sampling is O(markets × levels within 1%) once
/// per 10 s. Event time only: the history does not depend on how often snapshots are taken.
/// </summary>
internal sealed class RegimeMetrics : IMetricFamily<RegimeSection>
{
    /// <summary>Minutes held per market: the window (60 returns = 61 closes) and the minute being written.</summary>
    internal const int MinuteSlots = 64;

    private readonly BookMetrics _books;
    private readonly long _staleAfter;
    private Market?[] _byId = new Market?[16];
    private readonly List<Market> _markets = new(16);
    private readonly List<Market> _bookMarkets = new(16);
    private long _sampledBucket = long.MinValue;
    private long _ignoredTrades;
    private long _lateTrades;
    private long _ignoredTops;

    public RegimeMetrics(AnalyticsOptions options, BookMetrics books)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(books);
        _books = books;
        _staleAfter = options.StaleAfter.Ticks / TimeSpan.TicksPerMicrosecond;
    }

    public void OnEvent(in MarketEvent e, long time)
    {
        long bucket = EventTime.FloorDiv(time, RegimeCalc.SampleMicros);
        if (bucket > _sampledBucket)
        {
            if (_sampledBucket != long.MinValue)
            {
                Sample(bucket * RegimeCalc.SampleMicros);
            }

            _sampledBucket = bucket;
        }

        if (e.Instrument is not { } instrument)
        {
            return;
        }

        switch (e.Kind)
        {
            case EventKind.Trade:
                OnTrade(e.AsTrade(), time);
                break;
            case EventKind.BookTop:
                OnTop(e.AsBookTop(), time);
                break;
            case EventKind.BookUpdate:
                if (instrument.QuoteIsUsd)
                {
                    BookMarketOf(instrument);
                }

                break;
        }
    }

    public RegimeSection Snapshot(long now)
    {
        if (_markets.Count == 0)
        {
            return RegimeSection.Empty with { IgnoredTrades = _ignoredTrades, LateTrades = _lateTrades, IgnoredBookTops = _ignoredTops };
        }

        var markets = _markets.ToArray();
        Array.Sort(markets, static (a, b) => string.CompareOrdinal(a.Instrument.Key, b.Instrument.Key));
        var assets = new List<string>();
        foreach (var m in markets)
        {
            if (!assets.Contains(m.Instrument.Base))
            {
                assets.Add(m.Instrument.Base);
            }
        }

        assets.Sort(string.CompareOrdinal);
        var rows = new AssetRegime[assets.Count];
        for (int a = 0; a < rows.Length; a++)
        {
            rows[a] = AssetRow(assets[a], markets, now);
        }

        return new RegimeSection(rows, _ignoredTrades, _lateTrades, _ignoredTops);
    }

    private void OnTrade(in Trade trade, long time)
    {
        if (!RiskMath.IsUsableTrade(trade))
        {
            _ignoredTrades++;
            return;
        }

        if (!trade.Instrument.QuoteIsUsd)
        {
            return;
        }

        var m = MarketOf(trade.Instrument);
        m.Minutes ??= new LastPriceRing(RiskMath.Minute, MinuteSlots);
        if (!m.Minutes.Add(time, trade.Price))
        {
            _lateTrades++;
        }
    }

    private void OnTop(in BookTop top, long time)
    {
        if (!top.Instrument.QuoteIsUsd)
        {
            return;
        }

        var m = BookMarketOf(top.Instrument);
        bool valid = top.BidPrice > 0 && top.AskPrice > 0 && double.IsFinite(top.BidPrice) && double.IsFinite(top.AskPrice)
            && top.BidSize >= 0 && top.AskSize >= 0 && double.IsFinite(top.BidSize) && double.IsFinite(top.AskSize)
            && top.BidPrice < top.AskPrice;
        if (!valid)
        {
            _ignoredTops++;
        }

        if (time < m.TopTime)
        {
            return; // older than the top held: the newer one stays
        }

        // An invalid top replaces the held one: the market has no spread until the next valid top.
        m.TopValid = valid;
        m.TopTime = time;
        m.SpreadBps = valid ? (top.AskPrice - top.BidPrice) / top.Mid * 10_000 : double.NaN;
    }

    /// <summary>One liquidity sample of every market with book data, stamped <paramref name="boundary"/> (state before the crossing event).</summary>
    private void Sample(long boundary)
    {
        foreach (var m in _bookMarkets)
        {
            double spread = m.TopValid && boundary - m.TopTime <= RegimeCalc.TopStaleAfterMicros ? m.SpreadBps : double.NaN;
            double depth = _books.TryDepthUsd(m.Instrument, RegimeCalc.DepthBandFraction, boundary, out double bid, out double ask)
                ? bid + ask
                : double.NaN;
            m.Liquidity!.Add(boundary, spread, depth);
        }
    }

    private AssetRegime AssetRow(string asset, Market[] markets, long now)
    {
        long nowMinute = EventTime.FloorDiv(now, RiskMath.Minute);
        long firstClose = nowMinute - RegimeCalc.WindowMinutes - 1; // close before the first return
        var sum = new double[RegimeCalc.WindowMinutes];
        var count = new int[RegimeCalc.WindowMinutes];
        var keys = new List<string>();
        var liquidity = new List<MarketLiquidity>();
        long lastTrade = long.MinValue;
        foreach (var m in markets)
        {
            if (m.Instrument.Base != asset)
            {
                continue;
            }

            if (m.Liquidity is not null)
            {
                liquidity.Add(MarketLiquidityOf(m, now));
            }

            if (m.Minutes is not { } ring)
            {
                continue;
            }

            keys.Add(m.Instrument.Key);
            lastTrade = Math.Max(lastTrade, ring.LastTime);
            bool hasPrevious = ring.TryGet(firstClose, out double previous);
            for (int j = 0; j < RegimeCalc.WindowMinutes; j++)
            {
                bool has = ring.TryGet(firstClose + 1 + j, out double close);
                if (has && hasPrevious)
                {
                    sum[j] += RiskMath.LogReturn(previous, close);
                    count[j]++;
                }

                hasPrevious = has;
                previous = close;
            }
        }

        var returns = new double[RegimeCalc.WindowMinutes];
        for (int j = 0; j < returns.Length; j++)
        {
            returns[j] = count[j] > 0 ? sum[j] / count[j] : double.NaN;
        }

        var liquidityRow = Liquidity(liquidity);
        string? reason = null;
        if (keys.Count == 0)
        {
            reason = "no trades";
        }
        else if (now - lastTrade > _staleAfter)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"stale: last trade {RiskMath.Seconds(now - lastTrade):0.###} s ago (limit {RiskMath.Seconds(_staleAfter):0.###} s)");
        }

        var s = RegimeCalc.Evaluate(returns);
        if (reason is null && s.Returns < RegimeCalc.MinReturns)
        {
            reason = $"needs {RegimeCalc.MinReturns} one-minute returns in the {RegimeCalc.WindowMinutes}-minute window (have {s.Returns})";
        }

        var volatility = Volatility(s, reason);
        if (reason is null && s.ShortReturns < RegimeCalc.MinShortReturns)
        {
            reason = $"needs {RegimeCalc.MinShortReturns} one-minute returns in the last {RegimeCalc.ShortMinutes} minutes (have {s.ShortReturns})";
        }

        if (reason is not null)
        {
            return new AssetRegime(asset, keys.ToArray(), RegimeCalc.WindowMinutes, s.Returns, null, double.NaN, null,
                double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, volatility, liquidityRow, reason);
        }

        return new AssetRegime(asset, keys.ToArray(), RegimeCalc.WindowMinutes, s.Returns, s.Regime, s.Confidence, s.Trend,
            s.Efficiency, s.Directional, Percent(s.NetLog), Percent(s.RangeLog), Percent(s.ShortRangeLog), s.Compression,
            volatility, liquidityRow, null);
    }

    private static double Percent(double log) => 100 * (Math.Exp(log) - 1);

    private static RealizedVolatility Volatility(in RegimeStats s, string? reason)
    {
        if (reason is not null)
        {
            return new RealizedVolatility(RegimeCalc.WindowMinutes, s.Returns, double.NaN, RegimeCalc.ShortMinutes, s.ShortReturns, double.NaN,
                s.PreviousReturns, double.NaN, double.NaN, null, reason);
        }

        double all = RegimeCalc.AnnualizedPct(s.Sigma);
        if (s.ShortReturns < RegimeCalc.MinShortReturns)
        {
            return new RealizedVolatility(RegimeCalc.WindowMinutes, s.Returns, all, RegimeCalc.ShortMinutes, s.ShortReturns, double.NaN,
                s.PreviousReturns, double.NaN, double.NaN, null,
                $"state needs {RegimeCalc.MinShortReturns} one-minute returns in the last {RegimeCalc.ShortMinutes} minutes (have {s.ShortReturns})");
        }

        bool ratioDefined = double.IsFinite(s.VolRatio);
        return new RealizedVolatility(RegimeCalc.WindowMinutes, s.Returns, all, RegimeCalc.ShortMinutes, s.ShortReturns,
            RegimeCalc.AnnualizedPct(s.ShortSigma), s.PreviousReturns, RegimeCalc.AnnualizedPct(s.PreviousSigma),
            ratioDefined ? s.VolRatio : double.NaN, s.State,
            ratioDefined ? null : "ratio undefined: no price change in the 45 minutes before the last 15 (state: increasing)");
    }

    private static AssetLiquidity Liquidity(List<MarketLiquidity> markets)
    {
        if (markets.Count == 0)
        {
            return AssetLiquidity.None;
        }

        double sum = 0;
        int n = 0;
        foreach (var m in markets)
        {
            if (!double.IsNaN(m.Score))
            {
                sum += m.Score;
                n++;
            }
        }

        if (n == 0)
        {
            return new AssetLiquidity(double.NaN, null, markets.ToArray(), "no market with a liquidity score");
        }

        double score = sum / n;
        return new AssetLiquidity(score, RegimeCalc.LevelOf(score), markets.ToArray(), null);
    }

    private static MarketLiquidity MarketLiquidityOf(Market m, long now)
    {
        var instrument = m.Instrument;
        var ring = m.Liquidity!;
        int held = ring.Recent(now - (RegimeCalc.LiquiditySamples * RegimeCalc.SampleMicros), out var spreads, out var depths, out long sampleTime);
        if (held == 0)
        {
            return new MarketLiquidity(instrument.Key, instrument.Venue.ToWireName(), instrument.Kind, 0, double.NaN, double.NaN, 0, 0,
                double.NaN, double.NaN, double.NaN, null, "no liquidity sample yet (one every 10 s of event time)");
        }

        double spread = spreads[held - 1];
        double depth = depths[held - 1];
        double spreadPct = RegimeCalc.Percentile(spread, spreads.AsSpan(0, held), out int spreadSamples);
        double depthPct = RegimeCalc.Percentile(depth, depths.AsSpan(0, held), out int depthSamples);
        var reasons = new List<string>(2);
        double parts = 0;
        int partCount = 0;
        if (double.IsNaN(spread))
        {
            reasons.Add("no fresh book top at the last sample (spread)");
            spreadPct = double.NaN;
        }
        else if (spreadSamples < RegimeCalc.MinLiquiditySamples)
        {
            reasons.Add($"spread needs {RegimeCalc.MinLiquiditySamples} samples in the last hour (have {spreadSamples})");
            spreadPct = double.NaN;
        }
        else
        {
            parts += 100 - spreadPct;
            partCount++;
        }

        if (double.IsNaN(depth))
        {
            reasons.Add("no synced, fresh USD book at the last sample (depth)");
            depthPct = double.NaN;
        }
        else if (depthSamples < RegimeCalc.MinLiquiditySamples)
        {
            reasons.Add($"depth needs {RegimeCalc.MinLiquiditySamples} samples in the last hour (have {depthSamples})");
            depthPct = double.NaN;
        }
        else
        {
            parts += depthPct;
            partCount++;
        }

        double score = partCount > 0 ? parts / partCount : double.NaN;
        return new MarketLiquidity(instrument.Key, instrument.Venue.ToWireName(), instrument.Kind, sampleTime, spread, depth,
            spreadSamples, depthSamples, spreadPct, depthPct, score, partCount > 0 ? RegimeCalc.LevelOf(score) : null,
            reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    private Market MarketOf(Instrument instrument)
    {
        int id = instrument.Id;
        if ((uint)id >= (uint)_byId.Length)
        {
            Array.Resize(ref _byId, Math.Max(_byId.Length * 2, id + 1));
        }

        var market = _byId[id];
        if (market is null)
        {
            market = new Market(instrument);
            _byId[id] = market;
            _markets.Add(market);
        }

        return market;
    }

    private Market BookMarketOf(Instrument instrument)
    {
        var m = MarketOf(instrument);
        if (m.Liquidity is null)
        {
            m.Liquidity = new LiquidityRing(RegimeCalc.LiquiditySamples);
            _bookMarkets.Add(m);
        }

        return m;
    }

    private sealed class Market(Instrument instrument)
    {
        public Instrument Instrument { get; } = instrument;

        public LastPriceRing? Minutes;
        public LiquidityRing? Liquidity;
        public bool TopValid;
        public long TopTime = long.MinValue;
        public double SpreadBps = double.NaN;
    }
}

/// <summary>Fixed ring of liquidity samples (time, spread bps, depth USD); the oldest is overwritten.</summary>
internal sealed class LiquidityRing(int capacity)
{
    private readonly long[] _times = new long[capacity];
    private readonly double[] _spreads = new double[capacity];
    private readonly double[] _depths = new double[capacity];
    private int _head;
    private int _count;

    public void Add(long time, double spreadBps, double depthUsd)
    {
        int slot = (_head + _count) % _times.Length;
        if (_count == _times.Length)
        {
            slot = _head;
            _head = (_head + 1) % _times.Length;
        }
        else
        {
            _count++;
        }

        _times[slot] = time;
        _spreads[slot] = spreadBps;
        _depths[slot] = depthUsd;
    }

    /// <summary>Copies the samples newer than <paramref name="after"/>, oldest first; returns how many, and the newest one's time.</summary>
    public int Recent(long after, out double[] spreads, out double[] depths, out long newestTime)
    {
        spreads = new double[_count];
        depths = new double[_count];
        newestTime = 0;
        int n = 0;
        for (int i = 0; i < _count; i++)
        {
            int slot = (_head + i) % _times.Length;
            if (_times[slot] <= after)
            {
                continue;
            }

            spreads[n] = _spreads[slot];
            depths[n] = _depths[slot];
            newestTime = _times[slot];
            n++;
        }

        return n;
    }
}
