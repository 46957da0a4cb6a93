using System.Globalization;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Risk;

/// <summary>
/// Correlation family (docs/metrics.md, "Correlation"). Each USD-quoted market keeps the last
/// trade price of each second of event time in a ring of 1024 seconds (allocated on its first
/// trade); a trade is O(1) and allocates nothing. A snapshot rebuilds the 1 s log returns of the
/// last 900 seconds (prices carried forward at most <see cref="AnalyticsOptions.StaleAfter"/>),
/// averages them per asset, and computes the Pearson pairs, the lagged cross-correlations
/// (−30 … +30 s) and each market against the others. Event time only: the same events give the
/// same snapshot however often snapshots are taken.
/// </summary>
internal sealed class CorrelationMetrics : IMetricFamily<CorrelationSection>
{
    /// <summary>Seconds held per market: the window (900 returns = 901 prices) plus the carry-forward reach, rounded up to a power of two.</summary>
    internal const int RingSeconds = 1024;

    private readonly long _staleAfter;
    private readonly int _carrySeconds;
    private Market?[] _byId = new Market?[16];
    private readonly List<Market> _markets = new(16);
    private long _ignored;
    private long _late;

    public CorrelationMetrics(AnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _staleAfter = options.StaleAfter.Ticks / TimeSpan.TicksPerMicrosecond;
        _carrySeconds = (int)Math.Clamp(_staleAfter / RiskMath.Second, 0, RingSeconds - CorrelationCalc.WindowSeconds - 1);
    }

    public void OnEvent(in MarketEvent e, long time)
    {
        if (e.Kind != EventKind.Trade || e.Instrument is null)
        {
            return;
        }

        var trade = e.AsTrade();
        if (!RiskMath.IsUsableTrade(trade))
        {
            _ignored++;
            return;
        }

        var instrument = trade.Instrument;
        if (!instrument.QuoteIsUsd)
        {
            return;
        }

        if (!MarketOf(instrument).Prices.Add(time, trade.Price))
        {
            _late++;
        }
    }

    public CorrelationSection Snapshot(long now)
    {
        if (_markets.Count == 0)
        {
            return CorrelationSection.Empty with { IgnoredTrades = _ignored, LateTrades = _late };
        }

        const int window = CorrelationCalc.WindowSeconds;
        var markets = _markets.ToArray();
        Array.Sort(markets, static (a, b) => string.CompareOrdinal(a.Instrument.Key, b.Instrument.Key));

        // Returns of seconds nowSecond − 899 … nowSecond: prices of nowSecond − 900 … nowSecond.
        long nowSecond = EventTime.FloorDiv(now, RiskMath.Second);
        long firstPriceSecond = nowSecond - window;
        var prices = new double[window + 1];
        var returns = new double[markets.Length][];
        for (int m = 0; m < markets.Length; m++)
        {
            markets[m].Prices.Fill(firstPriceSecond, prices, _carrySeconds);
            var r = new double[window];
            for (int i = 0; i < window; i++)
            {
                r[i] = RiskMath.LogReturn(prices[i], prices[i + 1]);
            }

            returns[m] = r;
        }

        var assets = new List<string>();
        foreach (var m in markets)
        {
            if (!assets.Contains(m.Instrument.Base))
            {
                assets.Add(m.Instrument.Base);
            }
        }

        assets.Sort(string.CompareOrdinal);
        var assetRows = new CorrelationAsset[assets.Count];
        var assetSeries = new ReturnSeries[assets.Count];
        var assetReturns = new double[assets.Count][];
        var crossVenue = new CrossVenueCorrelation[assets.Count];
        for (int a = 0; a < assets.Count; a++)
        {
            BuildAsset(assets[a], markets, returns, now, out assetRows[a], out assetReturns[a], out crossVenue[a]);
            assetSeries[a] = CorrelationCalc.Series(assetReturns[a]);
        }

        var pairs = new List<AssetPairCorrelation>(assets.Count * (assets.Count - 1) / 2);
        for (int a = 0; a < assets.Count; a++)
        {
            for (int b = a + 1; b < assets.Count; b++)
            {
                pairs.Add(Pair(assetRows[a], assetRows[b], assetReturns[a], assetReturns[b], assetSeries[a], assetSeries[b]));
            }
        }

        return new CorrelationSection(window, CorrelationCalc.MinSamples, CorrelationCalc.MaxLagSeconds,
            assetRows, pairs, crossVenue, _ignored, _late);
    }

    private void BuildAsset(string asset, Market[] markets, double[][] returns, long now,
        out CorrelationAsset row, out double[] mean, out CrossVenueCorrelation cross)
    {
        const int window = CorrelationCalc.WindowSeconds;
        var members = new List<int>();
        long lastTime = long.MinValue;
        for (int m = 0; m < markets.Length; m++)
        {
            if (markets[m].Instrument.Base == asset)
            {
                members.Add(m);
                lastTime = Math.Max(lastTime, markets[m].Prices.LastTime);
            }
        }

        // Asset return of a second = mean of the returns of its markets that have one.
        var sum = new double[window];
        var count = new int[window];
        foreach (int m in members)
        {
            var r = returns[m];
            for (int i = 0; i < window; i++)
            {
                if (!double.IsNaN(r[i]))
                {
                    sum[i] += r[i];
                    count[i]++;
                }
            }
        }

        mean = new double[window];
        int withReturn = 0;
        for (int i = 0; i < window; i++)
        {
            mean[i] = count[i] > 0 ? sum[i] / count[i] : double.NaN;
            withReturn += count[i] > 0 ? 1 : 0;
        }

        var keys = new string[members.Count];
        for (int k = 0; k < members.Count; k++)
        {
            keys[k] = markets[members[k]].Instrument.Key;
        }

        long age = now - lastTime;
        string? stale = age > _staleAfter
            ? string.Create(CultureInfo.InvariantCulture, $"{asset} stale: last trade {RiskMath.Seconds(age):0.###} s ago (limit {RiskMath.Seconds(_staleAfter):0.###} s)")
            : null;
        row = new CorrelationAsset(asset, keys, withReturn, lastTime, RiskMath.Seconds(Math.Max(0, age)), stale);

        // Each market against the mean of the others (leave-one-out).
        var venues = new VenueCorrelation[members.Count];
        var others = new double[window];
        for (int k = 0; k < members.Count; k++)
        {
            var market = markets[members[k]];
            var instrument = market.Instrument;
            var own = returns[members[k]];
            for (int i = 0; i < window; i++)
            {
                bool has = !double.IsNaN(own[i]);
                int n = count[i] - (has ? 1 : 0);
                others[i] = n > 0 ? (sum[i] - (has ? own[i] : 0)) / n : double.NaN;
            }

            string? reason = null;
            double coefficient = double.NaN;
            int samples = 0;
            long ownAge = now - market.Prices.LastTime;
            if (members.Count < 2)
            {
                reason = "one market only (nothing to compare)";
            }
            else if (ownAge > _staleAfter)
            {
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"stale: last trade {RiskMath.Seconds(ownAge):0.###} s ago (limit {RiskMath.Seconds(_staleAfter):0.###} s)");
            }
            else
            {
                coefficient = CorrelationCalc.Pearson(own, others, CorrelationCalc.MinSamples, out samples);
                if (double.IsNaN(coefficient))
                {
                    reason = samples < CorrelationCalc.MinSamples
                        ? $"{samples} common 1 s returns with the other markets (needs {CorrelationCalc.MinSamples})"
                        : CorrelationCalc.ZeroVarianceReason(own, others, instrument.Key, "the other markets") ?? "zero variance";
                }
            }

            venues[k] = new VenueCorrelation(instrument.Key, instrument.Venue.ToWireName(), instrument.Kind, samples, coefficient, reason);
        }

        cross = new CrossVenueCorrelation(asset, venues, members.Count < 2 ? "one market only (nothing to compare)" : null);
    }

    private static AssetPairCorrelation Pair(CorrelationAsset a, CorrelationAsset b, double[] ra, double[] rb, ReturnSeries sa, ReturnSeries sb)
    {
        string? stale = a.UnavailableReason is not null && b.UnavailableReason is not null
            ? a.UnavailableReason + "; " + b.UnavailableReason
            : a.UnavailableReason ?? b.UnavailableReason;
        double c = CorrelationCalc.Pearson(ra, rb, CorrelationCalc.MinSamples, out int samples);
        if (stale is not null)
        {
            return new AssetPairCorrelation(a.Asset, b.Asset, samples, double.NaN, LeadLag.Unavailable(stale), stale);
        }

        if (double.IsNaN(c))
        {
            string reason = samples < CorrelationCalc.MinSamples
                ? $"{samples} common 1 s returns (needs {CorrelationCalc.MinSamples})"
                : CorrelationCalc.ZeroVarianceReason(ra, rb, a.Asset, b.Asset) ?? "zero variance";
            return new AssetPairCorrelation(a.Asset, b.Asset, samples, double.NaN, LeadLag.Unavailable(reason), reason);
        }

        return new AssetPairCorrelation(a.Asset, b.Asset, samples, c, CorrelationCalc.LeadLagOf(a.Asset, b.Asset, sa, sb), null);
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

    private sealed class Market(Instrument instrument)
    {
        public Instrument Instrument { get; } = instrument;

        public LastPriceRing Prices { get; } = new(RiskMath.Second, RingSeconds);
    }
}
