using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Simulation.Market;

/// <summary>
/// The L2 book of one simulated market: <see cref="Depth"/> levels a side on consecutive integer
/// ticks, best first. Trades consume it (so prices walk the book); at the end of each simulator
/// step it is re-centred on the fair price and replenished, and the change against what was last
/// published goes out as one <see cref="BookUpdate"/> delta. Never crossed: best ask > best bid.
/// </summary>
internal sealed class SimulatedBook
{
    /// <summary>Levels a side.</summary>
    public const int Depth = 100;

    private readonly Instrument _instrument;
    private readonly MarketProfile _profile;

    // Working book (consumed by trades during a step). Index 0 is the best level.
    private readonly long[] _bidTicks = new long[Depth];
    private readonly double[] _bidQty = new double[Depth];
    private readonly long[] _askTicks = new long[Depth];
    private readonly double[] _askQty = new double[Depth];
    private int _bidTop;
    private int _askTop;

    // What was last published, and scratch for the next book.
    private readonly long[] _pubBidTicks = new long[Depth];
    private readonly double[] _pubBidQty = new double[Depth];
    private readonly long[] _pubAskTicks = new long[Depth];
    private readonly double[] _pubAskQty = new double[Depth];
    private readonly long[] _newTicks = new long[Depth];
    private readonly double[] _newQty = new double[Depth];
    private readonly List<BookLevel> _changes = new(2 * Depth);
    private bool _published;
    private long _updateId;

    public SimulatedBook(Instrument instrument, MarketProfile profile)
    {
        _instrument = instrument;
        _profile = profile;
    }

    public double Tick => _profile.TickSize;

    public bool HasBook => _published;

    public double BestBid => _bidTop < Depth ? _bidTicks[_bidTop] * Tick : double.NaN;

    public double BestAsk => _askTop < Depth ? _askTicks[_askTop] * Tick : double.NaN;

    public double BestBidQty => _bidTop < Depth ? _bidQty[_bidTop] : 0;

    public double BestAskQty => _askTop < Depth ? _askQty[_askTop] : 0;

    public double Mid => (BestBid + BestAsk) * 0.5;

    public long UpdateId => _updateId;

    /// <summary>
    /// Takes up to <paramref name="quantity"/> from the side an aggressor of <paramref name="side"/>
    /// hits, best level first; writes one fill (price, quantity) per level touched into
    /// <paramref name="prices"/>/<paramref name="quantities"/> (length ≥ <see cref="Depth"/>) and
    /// returns how many (fewer than asked when the visible book runs out).
    /// </summary>
    public int Consume(Side side, double quantity, double[] prices, double[] quantities)
    {
        double left = quantity;
        int n = 0;
        double lot = _profile.LotSize;
        if (side == Side.Buy)
        {
            while (left >= lot * 0.5 && _askTop < Depth)
            {
                double take = Math.Min(left, _askQty[_askTop]);
                prices[n] = _askTicks[_askTop] * Tick;
                quantities[n++] = take;
                _askQty[_askTop] -= take;
                left -= take;
                if (_askQty[_askTop] < lot * 0.5)
                {
                    _askQty[_askTop] = 0;
                    _askTop++;
                }
            }
        }
        else
        {
            while (left >= lot * 0.5 && _bidTop < Depth)
            {
                double take = Math.Min(left, _bidQty[_bidTop]);
                prices[n] = _bidTicks[_bidTop] * Tick;
                quantities[n++] = take;
                _bidQty[_bidTop] -= take;
                left -= take;
                if (_bidQty[_bidTop] < lot * 0.5)
                {
                    _bidQty[_bidTop] = 0;
                    _bidTop++;
                }
            }
        }

        return n;
    }

    /// <summary>
    /// Re-centres on <paramref name="fairPrice"/> with a one-tick spread, refills consumed levels,
    /// refreshes some resting sizes, and returns the change against the last published book (a
    /// snapshot the first time), or null when nothing changed.
    /// </summary>
    public BookUpdate? Rebuild(double fairPrice, long time, double changeProbability, ref Prng rng)
    {
        long bestBid = (long)Math.Floor(fairPrice / Tick);
        long bestAsk = bestBid + 1;
        RebuildSide(_bidTicks, _bidQty, ref _bidTop, bestBid, -1, ref rng, changeProbability);
        RebuildSide(_askTicks, _askQty, ref _askTop, bestAsk, +1, ref rng, changeProbability);

        _updateId++;
        if (!_published)
        {
            _published = true;
            var bids = new BookLevel[Depth];
            var asks = new BookLevel[Depth];
            for (int i = 0; i < Depth; i++)
            {
                bids[i] = new BookLevel(_bidTicks[i], _bidTicks[i] * Tick, _bidQty[i]);
                asks[i] = new BookLevel(_askTicks[i], _askTicks[i] * Tick, _askQty[i]);
            }

            CopyPublished();
            return new BookUpdate(_instrument, time, time, true, _updateId, _updateId, _updateId - 1, bids, asks);
        }

        var bidChanges = Diff(_pubBidTicks, _pubBidQty, _bidTicks, _bidQty, descending: true);
        var askChanges = Diff(_pubAskTicks, _pubAskQty, _askTicks, _askQty, descending: false);
        CopyPublished();
        if (bidChanges.Length == 0 && askChanges.Length == 0)
        {
            _updateId--;
            return null;
        }

        return new BookUpdate(_instrument, time, time, false, _updateId, _updateId, _updateId - 1, bidChanges, askChanges);
    }

    private void CopyPublished()
    {
        Array.Copy(_bidTicks, _pubBidTicks, Depth);
        Array.Copy(_bidQty, _pubBidQty, Depth);
        Array.Copy(_askTicks, _pubAskTicks, Depth);
        Array.Copy(_askQty, _pubAskQty, Depth);
    }

    private void RebuildSide(long[] ticks, double[] qty, ref int top, long best, int direction, ref Prng rng, double changeProbability)
    {
        // Merge the old side (sorted best-first, consumed levels have qty 0) into the new ladder.
        int j = 0;
        bool hadBook = _published;
        for (int i = 0; i < Depth; i++)
        {
            long t = best + direction * i;
            double q = 0;
            if (hadBook)
            {
                // Advance j past old levels better than t.
                while (j < Depth && (direction < 0 ? ticks[j] > t : ticks[j] < t))
                {
                    j++;
                }

                if (j < Depth && ticks[j] == t)
                {
                    q = qty[j];
                }
            }

            if (q <= 0)
            {
                q = FreshQuantity(i, t, ref rng);
            }
            else if (rng.NextDouble() < changeProbability)
            {
                q = RoundLot(q * Math.Exp(0.35 * rng.NextGaussian()));
                if (q <= 0)
                {
                    q = _profile.LotSize;
                }
            }

            _newTicks[i] = t;
            _newQty[i] = q;
        }

        Array.Copy(_newTicks, ticks, Depth);
        Array.Copy(_newQty, qty, Depth);
        top = 0;
    }

    private double FreshQuantity(int level, long ticks, ref Prng rng)
    {
        double usd = level == 0 ? _profile.BestLevelUsd : _profile.LevelUsd;
        double price = ticks * Tick;
        double q = RoundLot(usd / price * Math.Exp(0.9 * rng.NextGaussian()));
        return q > 0 ? q : _profile.LotSize;
    }

    private double RoundLot(double q) => Math.Round(q / _profile.LotSize) * _profile.LotSize;

    private BookLevel[] Diff(long[] oldTicks, double[] oldQty, long[] newTicks, double[] newQty, bool descending)
    {
        // Both ladders are sorted best-first; walk them together.
        _changes.Clear();
        int i = 0;
        int j = 0;
        while (i < Depth || j < Depth)
        {
            bool takeOld;
            bool takeNew;
            if (i >= Depth)
            {
                takeOld = false;
                takeNew = true;
            }
            else if (j >= Depth)
            {
                takeOld = true;
                takeNew = false;
            }
            else if (oldTicks[i] == newTicks[j])
            {
                takeOld = takeNew = true;
            }
            else
            {
                bool oldFirst = descending ? oldTicks[i] > newTicks[j] : oldTicks[i] < newTicks[j];
                takeOld = oldFirst;
                takeNew = !oldFirst;
            }

            if (takeOld && takeNew)
            {
                if (oldQty[i] != newQty[j])
                {
                    _changes.Add(new BookLevel(newTicks[j], newTicks[j] * Tick, newQty[j]));
                }

                i++;
                j++;
            }
            else if (takeOld)
            {
                if (oldQty[i] > 0)
                {
                    _changes.Add(new BookLevel(oldTicks[i], oldTicks[i] * Tick, 0));
                }

                i++;
            }
            else
            {
                _changes.Add(new BookLevel(newTicks[j], newTicks[j] * Tick, newQty[j]));
                j++;
            }
        }

        return _changes.Count == 0 ? [] : _changes.ToArray();
    }
}
