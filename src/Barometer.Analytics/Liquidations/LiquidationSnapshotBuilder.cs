using System.Globalization;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Liquidations;

/// <summary>
/// Builds one <see cref="LiquidationSection"/> from the family's ring and state (formulas in
/// docs/metrics.md, "Liquidations"). One pass over the ring sums every window, cluster bucket and
/// heatmap cell; allocation is fine here (snapshot time, not the hot path).
/// </summary>
internal sealed class LiquidationSnapshotBuilder
{
    private const long Second = LiquidationMetrics.Second;
    private const double NearSaturationDangerZones = 5;
    private const double WeightNear = 0.5;
    private const double WeightVelocity = 0.3;
    private const double WeightOneSided = 0.2;

    private readonly LiquidationMetrics _m;
    private readonly long _now;
    private readonly double _large;
    private readonly double _institutional;
    private readonly double _danger;

    public LiquidationSnapshotBuilder(LiquidationMetrics metrics, long now)
    {
        _m = metrics;
        _now = now;
        _large = metrics.Thresholds.LargeLiquidationUsd;
        _institutional = metrics.Thresholds.InstitutionalLiquidationUsd;
        _danger = metrics.Thresholds.LiquidationDangerZoneUsd;
    }

    public LiquidationSection Build()
    {
        var t = _m.Thresholds;
        var settings = new LiquidationSettings(t.LargeLiquidationUsd, t.InstitutionalLiquidationUsd, t.LiquidationDangerZoneUsd,
            (int)(_m.Retention / Second), t.CascadeMinLiquidations, t.CascadeWindowSeconds);
        if (_m.StartTime == long.MinValue)
        {
            return new LiquidationSection(settings, [], [], [], [], _m.Input);
        }

        double observed = Math.Max(0, (_now - _m.StartTime) / 1e6);
        var instruments = _m.Instruments;
        var assets = _m.Assets;
        var one = new LiquidationWindowSums[instruments.Count];
        var five = new LiquidationWindowSums[instruments.Count];
        var assetOne = new LiquidationWindowSums[assets.Count];
        var assetFive = new LiquidationWindowSums[assets.Count];
        var assetRetained = new LiquidationWindowSums[assets.Count];
        var prices = new AssetPrice[assets.Count];
        var sizes = new (double Size, BucketSizeSource Source, double Reference)[assets.Count];
        var buckets = new Dictionary<long, BucketSums>?[assets.Count];
        var heat = new HeatSums?[assets.Count];
        var opts = _m.Options;
        for (int a = 0; a < assets.Count; a++)
        {
            prices[a] = PriceOf(assets[a]);
            sizes[a] = BucketSize(assets[a]);
            if (double.IsFinite(sizes[a].Size))
            {
                buckets[a] = [];
            }

            if (prices[a].Fresh)
            {
                heat[a] = new HeatSums(prices[a].Price, opts.HeatmapRangePercent / 100, opts.HeatmapPriceBins, opts.HeatmapTimeBins, _m.HeatmapWindow);
            }
        }

        long retention = _m.Retention;
        long heatWindow = _m.HeatmapWindow;
        for (int k = 0; k < _m.Count; k++)
        {
            ref readonly var e = ref _m.Entry(k);
            long age = _now - e.Time;
            if (age < 0)
            {
                continue;
            }

            if (age < LiquidationMetrics.FiveMinutes)
            {
                five[e.Instrument].Add(e, _large, _institutional);
                if (age < LiquidationMetrics.OneMinute)
                {
                    one[e.Instrument].Add(e, _large, _institutional);
                }
            }

            if (e.Asset < 0)
            {
                continue;
            }

            if (age < LiquidationMetrics.FiveMinutes)
            {
                assetFive[e.Asset].Add(e, _large, _institutional);
                if (age < LiquidationMetrics.OneMinute)
                {
                    assetOne[e.Asset].Add(e, _large, _institutional);
                }
            }

            if (age < retention)
            {
                assetRetained[e.Asset].Add(e, _large, _institutional);
                if (buckets[e.Asset] is { } map)
                {
                    AddToBucket(map, sizes[e.Asset].Size, e);
                }
            }

            if (age < heatWindow)
            {
                heat[e.Asset]?.Add(e, age);
            }
        }

        var instrumentRows = new List<InstrumentLiquidations>();
        foreach (var s in instruments)
        {
            if (!s.HasLiquidations)
            {
                continue;
            }

            var inst = s.Instrument;
            string? usdReason = inst.QuoteIsUsd ? null : $"quote {inst.Quote} is not a USD stablecoin: USD totals and size classes unavailable";
            instrumentRows.Add(new InstrumentLiquidations(inst.Key, inst.Venue.ToWireName(), inst.Base, inst.Kind, s.Feed,
                Window(one[s.Index], 60, observed, usdReason), Window(five[s.Index], 300, observed, usdReason),
                s.LastTime, Math.Max(0, (_now - s.LastTime) / 1e6)));
        }

        instrumentRows.Sort(static (x, y) => string.CompareOrdinal(x.Instrument, y.Instrument));

        var assetRows = new List<AssetLiquidations>(assets.Count);
        var active = new List<CascadeAlert>();
        for (int a = 0; a < assets.Count; a++)
        {
            var asset = assets[a];
            var keys = new List<string>();
            foreach (var s in instruments)
            {
                if (s.HasLiquidations && ReferenceEquals(s.Asset, asset))
                {
                    keys.Add(s.Instrument.Key);
                }
            }

            keys.Sort(string.CompareOrdinal);
            var clusters = Clusters(sizes[a], buckets[a]);
            var price = prices[a];
            bool hasLast = asset.LastLiquidationTime != long.MinValue;
            assetRows.Add(new AssetLiquidations(
                asset.Name,
                keys,
                price,
                Window(assetOne[a], 60, observed, null),
                Window(assetFive[a], 300, observed, null),
                hasLast ? asset.LastLiquidationTime : null,
                hasLast ? Math.Max(0, (_now - asset.LastLiquidationTime) / 1e6) : double.NaN,
                clusters,
                Risk(price, clusters, assetOne[a], assetFive[a], assetRetained[a], observed),
                NextLevel(price, clusters, out var next),
                ProtectionLevel(price, clusters, next),
                Heatmap(price, heat[a])));
            if (asset.Cascade.Active)
            {
                _m.RefreshWindow(asset, asset.Cascade);
                active.Add(LiquidationMetrics.BuildAlert(asset, asset.Cascade, asset.Cascade.Grown ? AlertPhase.Updated : AlertPhase.Opened, asset.Cascade.Last));
            }
        }

        assetRows.Sort(static (x, y) => string.CompareOrdinal(x.Asset, y.Asset));
        active.Sort(static (x, y) => string.CompareOrdinal(x.Asset, y.Asset));
        return new LiquidationSection(settings, instrumentRows, assetRows, active, _m.RecentClosed(), _m.Input);
    }

    private AssetPrice PriceOf(LiquidationAssetState asset)
    {
        if (asset.PriceInstrument is null)
        {
            return new AssetPrice(double.NaN, null, 0, double.NaN, false, $"no {asset.Name} trade yet (price needed)");
        }

        long age = Math.Max(0, _now - asset.PriceTime);
        bool fresh = age <= _m.StaleAfter;
        return new AssetPrice(asset.Price, asset.PriceInstrument.Key, asset.PriceTime, age / 1e6, fresh, fresh ? null
            : string.Create(CultureInfo.InvariantCulture, $"stale price: last {asset.Name} trade is {age / 1e6:0.###} s old (limit {_m.StaleAfter / 1e6:0.###} s)"));
    }

    private (double Size, BucketSizeSource Source, double Reference) BucketSize(LiquidationAssetState asset)
    {
        var configured = _m.Thresholds.LiquidationBucketSizes;
        if (configured.TryGetValue(asset.Name, out double size))
        {
            return (size, BucketSizeSource.Configured, double.NaN);
        }

        foreach (var (name, value) in configured)
        {
            if (string.Equals(name, asset.Name, StringComparison.OrdinalIgnoreCase))
            {
                return (value, BucketSizeSource.Configured, double.NaN);
            }
        }

        double reference = !double.IsNaN(asset.Price) ? asset.Price : asset.LastLiquidationPrice;
        return (NiceFloor(_m.Thresholds.LiquidationBucketFraction * reference), BucketSizeSource.FractionOfPrice, reference);
    }

    /// <summary>The largest 1, 2 or 5 × 10ⁿ not above <paramref name="x"/> (NaN for a non-positive or non-finite x).</summary>
    internal static double NiceFloor(double x)
    {
        if (!(x > 0) || !double.IsFinite(x))
        {
            return double.NaN;
        }

        double p = Math.Pow(10, Math.Floor(Math.Log10(x)));
        double m = x / p;
        if (m >= 10 - 1e-9)
        {
            return 10 * p;
        }

        return (m >= 5 - 1e-9 ? 5 : m >= 2 - 1e-9 ? 2 : 1) * p;
    }

    internal static long BucketKey(double price, double size) => (long)Math.Floor((price / size) + 1e-9);

    private static void AddToBucket(Dictionary<long, BucketSums> map, double size, in LiquidationEntry e)
    {
        long key = BucketKey(e.Price, size);
        if (!map.TryGetValue(key, out var b))
        {
            b = new BucketSums();
            map.Add(key, b);
        }

        b.Count++;
        if (e.Long)
        {
            b.LongCount++;
            b.LongUsd += e.Usd;
        }
        else
        {
            b.ShortCount++;
            b.ShortUsd += e.Usd;
        }

        b.Last = Math.Max(b.Last, e.Time);
        if (e.Sampled)
        {
            b.SampledMask |= 1 << e.Venue;
        }
    }

    private LiquidationWindow Window(in LiquidationWindowSums w, int windowSeconds, double observed, string? usdReason)
    {
        var reasons = new List<string>(3);
        if (usdReason is not null)
        {
            reasons.Add(usdReason);
        }

        double covered = Math.Min(windowSeconds, observed);
        double perMinute = double.NaN;
        if (covered >= 1)
        {
            perMinute = w.Count * 60.0 / covered;
        }
        else
        {
            reasons.Add("less than 1 s observed (events per minute)");
        }

        bool usd = usdReason is null;
        double total = usd ? w.TotalUsd : double.NaN;
        double avg = double.NaN, longPercent = double.NaN;
        if (w.Count == 0)
        {
            reasons.Add("no liquidations in window");
        }
        else if (usd)
        {
            avg = total / w.Count;
            longPercent = total > 0 ? 100 * w.LongUsd / total : double.NaN;
        }

        bool dropped = _m.DroppedNewest > _now - (windowSeconds * Second);
        return new LiquidationWindow(windowSeconds, covered, w.Count, w.LongCount, w.ShortCount,
            total, usd ? w.LongUsd : double.NaN, usd ? w.ShortUsd : double.NaN, longPercent, perMinute, avg,
            new SizeClassTotals(w.InstitutionalCount, usd ? w.InstitutionalUsd : double.NaN),
            new SizeClassTotals(w.LargeCount, usd ? w.LargeUsd : double.NaN),
            new SizeClassTotals(w.SmallCount, usd ? w.SmallUsd : double.NaN),
            w.SampledMask != 0 || dropped, LiquidationText.VenueNames(w.SampledMask),
            reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    private LiquidationClusters Clusters((double Size, BucketSizeSource Source, double Reference) size, Dictionary<long, BucketSums>? map)
    {
        int retention = (int)(_m.Retention / Second);
        if (map is null)
        {
            return new LiquidationClusters(double.NaN, size.Source, size.Reference, retention, 0, [],
                "bucket size unknown: no configured size and no price yet");
        }

        var keys = new long[map.Count];
        map.Keys.CopyTo(keys, 0);
        Array.Sort(keys);
        int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(size.Size)) + 3, 0, 15);
        var list = new LiquidationBucket[keys.Length];
        int danger = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            var b = map[keys[i]];
            double low = Math.Round(keys[i] * size.Size, decimals);
            double high = Math.Round((keys[i] + 1) * size.Size, decimals);
            bool isDanger = b.Usd > _danger;
            if (isDanger)
            {
                danger++;
            }

            list[i] = new LiquidationBucket(low, high, Math.Round((keys[i] + 0.5) * size.Size, decimals), b.Count, b.LongCount, b.ShortCount,
                b.Usd, b.LongUsd, b.ShortUsd, LiquidationText.SideOf(b.LongUsd, b.ShortUsd), isDanger, b.Last,
                Math.Max(0, (_now - b.Last) / 1e6), b.SampledMask != 0, LiquidationText.VenueNames(b.SampledMask));
        }

        return new LiquidationClusters(size.Size, size.Source, size.Reference, retention, danger, list,
            list.Length == 0 ? "no liquidations in the retention window" : null);
    }

    private CascadeRisk Risk(AssetPrice price, LiquidationClusters clusters, in LiquidationWindowSums one, in LiquidationWindowSums five,
        in LiquidationWindowSums retained, double observed)
    {
        double nearPercent = _m.Options.RiskNearPercent;
        double usdOne = one.TotalUsd;
        double retainedSeconds = Math.Max(60, Math.Min(_m.Retention / 1e6, observed));
        double perMinute = retained.TotalUsd * 60 / retainedSeconds;
        double ratio = perMinute > 0 ? usdOne / perMinute : 0;
        double velocity = Math.Clamp((ratio - 1) / 4, 0, 1);
        double fiveTotal = five.TotalUsd;
        double oneSided = fiveTotal > 0 ? Math.Abs(five.LongUsd - five.ShortUsd) / fiveTotal : 0;
        double sided = oneSided * Math.Min(1, (double)five.Count / _m.Thresholds.CascadeMinLiquidations);
        bool lower = (one.SampledMask | five.SampledMask | retained.SampledMask) != 0;
        if (!price.Fresh)
        {
            return new CascadeRisk(double.NaN, double.NaN, nearPercent, double.NaN, usdOne, perMinute, ratio, velocity, oneSided, sided, lower,
                price.UnavailableReason);
        }

        double nearUsd = 0;
        foreach (var b in clusters.Buckets)
        {
            if (Math.Abs(b.PriceMid - price.Price) <= price.Price * nearPercent / 100)
            {
                nearUsd += b.Usd;
                lower |= b.IsLowerBound;
            }
        }

        double near = Math.Min(1, nearUsd / (NearSaturationDangerZones * _danger));
        double score = 100 * ((WeightNear * near) + (WeightVelocity * velocity) + (WeightOneSided * sided));
        return new CascadeRisk(score, nearUsd, nearPercent, near, usdOne, perMinute, ratio, velocity, oneSided, sided, lower, null);
    }

    private LiquidationLevel NextLevel(AssetPrice price, LiquidationClusters clusters, out LiquidationBucket? next)
    {
        next = null;
        if (!price.Fresh)
        {
            return LiquidationLevel.Unavailable(price.UnavailableReason!);
        }

        double range = _m.Options.LevelRangePercent;
        foreach (var b in clusters.Buckets)
        {
            if (b.DangerZone && InRange(b, price.Price, range) && Better(b, next, price.Price))
            {
                next = b;
            }
        }

        return next is null
            ? LiquidationLevel.Unavailable(string.Create(CultureInfo.InvariantCulture,
                $"no cluster above {LiquidationText.Usd(_danger)} within {range:0.###}% of price"))
            : Level(next, price.Price);
    }

    private LiquidationLevel ProtectionLevel(AssetPrice price, LiquidationClusters clusters, LiquidationBucket? next)
    {
        if (!price.Fresh)
        {
            return LiquidationLevel.Unavailable(price.UnavailableReason!);
        }

        if (next is null)
        {
            return LiquidationLevel.Unavailable("no next cascade level");
        }

        double range = _m.Options.LevelRangePercent;
        bool wantAbove = next.PriceMid < price.Price;
        LiquidationBucket? best = null;
        foreach (var b in clusters.Buckets)
        {
            if ((b.PriceMid >= price.Price) == wantAbove && InRange(b, price.Price, range) && Better(b, best, price.Price))
            {
                best = b;
            }
        }

        return best is null
            ? LiquidationLevel.Unavailable(string.Create(CultureInfo.InvariantCulture,
                $"no cluster {(wantAbove ? "above" : "below")} price within {range:0.###}%"))
            : Level(best, price.Price);
    }

    private static bool InRange(LiquidationBucket b, double price, double rangePercent) => Math.Abs(b.PriceMid - price) <= price * rangePercent / 100;

    /// <summary>More USD wins; on a tie the nearer to price; then the lower price (buckets come in ascending order).</summary>
    private static bool Better(LiquidationBucket b, LiquidationBucket? best, double price) =>
        best is null || b.Usd > best.Usd || (b.Usd == best.Usd && Math.Abs(b.PriceMid - price) < Math.Abs(best.PriceMid - price));

    private static LiquidationLevel Level(LiquidationBucket b, double price) =>
        new(b.PriceMid, b.PriceLow, b.PriceHigh, b.PriceMid >= price ? LevelPosition.Above : LevelPosition.Below, b.Side,
            (b.PriceMid - price) / price * 100, b.Usd, b.Count, b.IsLowerBound, null);

    private LiquidationHeatmap Heatmap(AssetPrice price, HeatSums? h)
    {
        var opts = _m.Options;
        long window = _m.HeatmapWindow;
        long step = window / opts.HeatmapTimeBins;
        if (h is null)
        {
            return new LiquidationHeatmap(double.NaN, double.NaN, double.NaN, double.NaN, opts.HeatmapPriceBins, _now - window, _now, step,
                opts.HeatmapTimeBins, [], [], 0, 0, 0, 0, false, [], price.UnavailableReason);
        }

        bool dropped = _m.DroppedNewest > _now - window;
        var counts = new IReadOnlyList<int>[h.PriceBins];
        var usd = new IReadOnlyList<double>[h.PriceBins];
        for (int r = 0; r < h.PriceBins; r++)
        {
            counts[r] = h.Counts[r];
            usd[r] = h.Usd[r];
        }

        return new LiquidationHeatmap(price.Price, h.Low, h.High, h.Step, h.PriceBins, _now - window, _now, step, h.TimeBins,
            counts, usd, h.Count, h.TotalUsd, h.OutsideCount, h.OutsideUsd, h.SampledMask != 0 || dropped,
            LiquidationText.VenueNames(h.SampledMask), null);
    }

    /// <summary>Heatmap cells being summed.</summary>
    private sealed class HeatSums
    {
        public HeatSums(double center, double range, int priceBins, int timeBins, long window)
        {
            Low = center * (1 - range);
            High = center * (1 + range);
            PriceBins = priceBins;
            TimeBins = timeBins;
            Step = (High - Low) / priceBins;
            TimeStep = window / timeBins;
            Counts = new int[priceBins][];
            Usd = new double[priceBins][];
            for (int r = 0; r < priceBins; r++)
            {
                Counts[r] = new int[timeBins];
                Usd[r] = new double[timeBins];
            }
        }

        public double Low { get; }

        public double High { get; }

        public double Step { get; }

        public int PriceBins { get; }

        public int TimeBins { get; }

        public long TimeStep { get; }

        public int[][] Counts { get; }

        public double[][] Usd { get; }

        public long Count;
        public double TotalUsd;
        public long OutsideCount;
        public double OutsideUsd;
        public int SampledMask;

        public void Add(in LiquidationEntry e, long age)
        {
            if (e.Sampled)
            {
                SampledMask |= 1 << e.Venue;
            }

            if (!(e.Price >= Low && e.Price <= High))
            {
                OutsideCount++;
                OutsideUsd += e.Usd;
                return;
            }

            int row = Math.Min(PriceBins - 1, (int)((e.Price - Low) / Step));
            int column = TimeBins - 1 - (int)(age / TimeStep);
            Counts[row][column]++;
            Usd[row][column] += e.Usd;
            Count++;
            TotalUsd += e.Usd;
        }
    }
}
