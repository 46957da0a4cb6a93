namespace Barometer.Core.Books;

/// <summary>
/// One side of an L2 book: price levels keyed by integer ticks, kept sorted so the best level is
/// the LAST element. Venue updates cluster near the top of the book, so inserts and deletes there
/// shift few elements; lookups are binary searches. Exact keys: no double equality anywhere.
/// Not thread-safe: owned by one connector task.
/// </summary>
public sealed class BookSide
{
    private long[] _ticks;
    private double[] _quantities;
    private double[] _prices;
    private int _count;

    /// <summary>Creates a side; <paramref name="isBid"/> decides which end is best.</summary>
    public BookSide(bool isBid, int initialCapacity = 256)
    {
        IsBid = isBid;
        _ticks = new long[initialCapacity];
        _quantities = new double[initialCapacity];
        _prices = new double[initialCapacity];
    }

    /// <summary>True for the bid side (best = highest price), false for asks (best = lowest).</summary>
    public bool IsBid { get; }

    /// <summary>Number of levels.</summary>
    public int Count => _count;

    /// <summary>True when the side has at least one level.</summary>
    public bool HasLevels => _count > 0;

    /// <summary>Best level's ticks; only valid when <see cref="HasLevels"/>.</summary>
    public long BestTicks => _ticks[_count - 1];

    /// <summary>Best level's price; only valid when <see cref="HasLevels"/>.</summary>
    public double BestPrice => _prices[_count - 1];

    /// <summary>Best level's quantity; only valid when <see cref="HasLevels"/>.</summary>
    public double BestQuantity => _quantities[_count - 1];

    /// <summary>Removes every level.</summary>
    public void Clear() => _count = 0;

    /// <summary>
    /// Sets the absolute quantity at a level; 0 removes it (removing an absent level is a no-op,
    /// as every venue's documentation allows).
    /// </summary>
    public void Set(long ticks, double price, double quantity)
    {
        int index = Find(ticks, out bool found);
        if (quantity == 0)
        {
            if (found)
            {
                int tail = _count - index - 1;
                Array.Copy(_ticks, index + 1, _ticks, index, tail);
                Array.Copy(_quantities, index + 1, _quantities, index, tail);
                Array.Copy(_prices, index + 1, _prices, index, tail);
                _count--;
            }

            return;
        }

        if (found)
        {
            _quantities[index] = quantity;
            _prices[index] = price;
            return;
        }

        if (_count == _ticks.Length)
        {
            Grow();
        }

        int move = _count - index;
        Array.Copy(_ticks, index, _ticks, index + 1, move);
        Array.Copy(_quantities, index, _quantities, index + 1, move);
        Array.Copy(_prices, index, _prices, index + 1, move);
        _ticks[index] = ticks;
        _quantities[index] = quantity;
        _prices[index] = price;
        _count++;
    }

    /// <summary>The quantity at a level, 0 when absent.</summary>
    public double QuantityAt(long ticks)
    {
        int index = Find(ticks, out bool found);
        return found ? _quantities[index] : 0;
    }

    /// <summary>The n-th best level (0 = best).</summary>
    public (long Ticks, double Price, double Quantity) Level(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, _count);
        int index = _count - 1 - rank;
        return (_ticks[index], _prices[index], _quantities[index]);
    }

    /// <summary>
    /// Sum of price × quantity over the levels no worse than <paramref name="limitTicks"/>
    /// (bids at or above it, asks at or below it): quote-asset depth within a band.
    /// </summary>
    public double NotionalWithin(long limitTicks)
    {
        double sum = 0;
        for (int i = _count - 1; i >= 0; i--)
        {
            long t = _ticks[i];
            if (IsBid ? t < limitTicks : t > limitTicks)
            {
                break;
            }

            sum += _prices[i] * _quantities[i];
        }

        return sum;
    }

    /// <summary>Keeps only the best <paramref name="maxLevels"/> levels (venues serve bounded depth).</summary>
    public void TrimTo(int maxLevels)
    {
        if (_count <= maxLevels)
        {
            return;
        }

        int drop = _count - maxLevels;
        Array.Copy(_ticks, drop, _ticks, 0, maxLevels);
        Array.Copy(_quantities, drop, _quantities, 0, maxLevels);
        Array.Copy(_prices, drop, _prices, 0, maxLevels);
        _count = maxLevels;
    }

    // Storage order: ascending ticks for bids (best = highest = last), descending for asks
    // (best = lowest = last). Returns the insertion index keeping that order.
    private int Find(long ticks, out bool found)
    {
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            long t = _ticks[mid];
            if (t == ticks)
            {
                found = true;
                return mid;
            }

            bool before = IsBid ? t < ticks : t > ticks;
            if (before)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        found = false;
        return lo;
    }

    private void Grow()
    {
        int size = _ticks.Length * 2;
        Array.Resize(ref _ticks, size);
        Array.Resize(ref _quantities, size);
        Array.Resize(ref _prices, size);
    }
}
