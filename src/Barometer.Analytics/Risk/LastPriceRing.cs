namespace Barometer.Analytics.Risk;

/// <summary>
/// The last trade price of one market per fixed bucket of event time (1 s for correlation, 1 min
/// for regime), in a power-of-two ring. <see cref="Add"/> is O(1) and allocates nothing. Within a
/// bucket the last trade by arrival wins; a trade of a bucket older than the newest one is late
/// and rejected (the ring never rewrites the past). Buckets are absolute indexes
/// (time / period, floored), so a reader checks that a slot still holds the bucket it asks for.
/// </summary>
internal sealed class LastPriceRing
{
    private readonly long _period;
    private readonly long[] _bucket;
    private readonly double[] _price;
    private readonly int _mask;

    public LastPriceRing(long periodMicros, int capacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be a power of two");
        }

        _period = periodMicros;
        _bucket = new long[capacity];
        _price = new double[capacity];
        _mask = capacity - 1;
        Array.Fill(_bucket, long.MinValue);
    }

    /// <summary>Slots held (the ring covers this many buckets back from the newest).</summary>
    public int Capacity => _bucket.Length;

    /// <summary>Newest bucket written, long.MinValue before any trade.</summary>
    public long NewestBucket { get; private set; } = long.MinValue;

    /// <summary>Event time of the newest accepted trade, long.MinValue before any.</summary>
    public long LastTime { get; private set; } = long.MinValue;

    /// <summary>Records <paramref name="price"/> as the last price of the bucket of <paramref name="time"/>; false (nothing written) when that bucket is older than the newest.</summary>
    public bool Add(long time, double price)
    {
        long bucket = EventTime.FloorDiv(time, _period);
        if (bucket < NewestBucket)
        {
            return false;
        }

        int slot = (int)(bucket & _mask);
        _bucket[slot] = bucket;
        _price[slot] = price;
        NewestBucket = bucket;
        if (time > LastTime)
        {
            LastTime = time;
        }

        return true;
    }

    /// <summary>The last price of exactly <paramref name="bucket"/> (no carry-forward).</summary>
    public bool TryGet(long bucket, out double price)
    {
        int slot = (int)(bucket & _mask);
        if (_bucket[slot] == bucket)
        {
            price = _price[slot];
            return true;
        }

        price = double.NaN;
        return false;
    }

    /// <summary>
    /// Fills <paramref name="prices"/>[i] with the price of bucket <paramref name="firstBucket"/> + i,
    /// carried forward from the latest earlier bucket with a trade when that bucket is at most
    /// <paramref name="carryBuckets"/> older; NaN otherwise. The ring must hold
    /// prices.Length + carryBuckets buckets.
    /// </summary>
    public void Fill(long firstBucket, Span<double> prices, int carryBuckets)
    {
        long lastBucket = long.MinValue;
        double last = double.NaN;
        for (long b = firstBucket - carryBuckets; b < firstBucket + prices.Length; b++)
        {
            if (TryGet(b, out double p))
            {
                lastBucket = b;
                last = p;
            }

            if (b >= firstBucket)
            {
                prices[(int)(b - firstBucket)] = lastBucket != long.MinValue && b - lastBucket <= carryBuckets ? last : double.NaN;
            }
        }
    }
}

/// <summary>Small numeric helpers of the risk families.</summary>
internal static class RiskMath
{
    public const long Second = 1_000_000;
    public const long Minute = 60 * Second;


    /// <summary>ln(p1 / p0), exactly 0 for equal prices, NaN when either is missing.</summary>
    public static double LogReturn(double p0, double p1) =>
        double.IsNaN(p0) || double.IsNaN(p1) ? double.NaN : p0 == p1 ? 0.0 : Math.Log(p1 / p0);

    /// <summary>A trade usable as a price: finite positive price and quantity, buy or sell aggressor.</summary>
    public static bool IsUsableTrade(in Barometer.Core.Events.Trade trade) =>
        trade.AggressorSide is Barometer.Core.Events.Side.Buy or Barometer.Core.Events.Side.Sell
        && trade.Price > 0 && double.IsFinite(trade.Price) && trade.Quantity > 0 && double.IsFinite(trade.Quantity);

    /// <summary>Seconds of a µs span.</summary>
    public static double Seconds(long micros) => micros / 1e6;

    /// <summary>Clamps to [0, 1] (NaN → 0).</summary>
    public static double Unit(double x) => x > 1 ? 1 : x > 0 ? x : 0;
}
