using Barometer.Core.Events;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// An emulator's own L2 book for one instrument, keyed by integer price ticks, built from truth
/// <see cref="BookUpdate"/>s (snapshot replaces, delta levels are absolute sizes, 0 deletes). The
/// emulator's venue-specific update ids are assigned on top of it. Not thread-safe: the owning
/// emulator guards it with its lock.
/// </summary>
internal sealed class TickBook
{
    /// <summary>Bids, best (highest) first.</summary>
    public SortedDictionary<long, double> Bids { get; } = new(DescendingComparer.Instance);

    /// <summary>Asks, best (lowest) first.</summary>
    public SortedDictionary<long, double> Asks { get; } = new();

    /// <summary>True once a truth snapshot was applied.</summary>
    public bool Ready { get; private set; }

    /// <summary>Venue time of the last applied update, ms.</summary>
    public long LastTimeMs { get; private set; }

    /// <summary>Applies a truth update (ids ignored). Returns false for a delta before any snapshot.</summary>
    public bool Apply(in BookUpdate update, long timeMs)
    {
        if (update.IsSnapshot)
        {
            Bids.Clear();
            Asks.Clear();
            Ready = true;
        }
        else if (!Ready)
        {
            return false;
        }

        ApplySide(Bids, update.Bids);
        ApplySide(Asks, update.Asks);
        LastTimeMs = timeMs;
        return true;
    }

    private static void ApplySide(SortedDictionary<long, double> side, BookLevel[]? levels)
    {
        if (levels is null)
        {
            return;
        }

        for (int i = 0; i < levels.Length; i++)
        {
            ref readonly var level = ref levels[i];
            if (level.Quantity > 0)
            {
                side[level.PriceTicks] = level.Quantity;
            }
            else
            {
                side.Remove(level.PriceTicks);
            }
        }
    }

    /// <summary>Orders longs from high to low.</summary>
    internal sealed class DescendingComparer : IComparer<long>
    {
        public static readonly DescendingComparer Instance = new();

        public int Compare(long x, long y) => y.CompareTo(x);
    }
}

/// <summary>
/// The top-N levels of a <see cref="TickBook"/> as last published on one depth-limited stream, so
/// the next message can carry exactly what changed within that depth (levels pushed out of the
/// top N are sent as deletions, levels pulled in as inserts).
/// </summary>
internal sealed class DepthView
{
    private readonly Dictionary<long, double> _bids = new();
    private readonly Dictionary<long, double> _asks = new();
    private readonly HashSet<long> _seen = new();
    private readonly List<long> _gone = new();

    public DepthView(int depth) => Depth = depth;

    /// <summary>Number of levels per side.</summary>
    public int Depth { get; }

    /// <summary>True while the view mirrors the book (maintained after every update).</summary>
    public bool Valid { get; private set; }

    /// <summary>Makes the view the book's current top N.</summary>
    public void Rebuild(TickBook book)
    {
        Fill(_bids, book.Bids);
        Fill(_asks, book.Asks);
        Valid = true;
    }

    /// <summary>Drops the view (no subscribers: stop maintaining it).</summary>
    public void Invalidate()
    {
        _bids.Clear();
        _asks.Clear();
        Valid = false;
    }

    /// <summary>
    /// Updates the view to the book's top N and writes the changed levels (size 0 = removed from
    /// the view) into the two lists, bids descending and asks ascending. True when anything changed.
    /// </summary>
    public bool Diff(TickBook book, List<KeyValuePair<long, double>> bidChanges, List<KeyValuePair<long, double>> askChanges)
    {
        bidChanges.Clear();
        askChanges.Clear();
        DiffSide(_bids, book.Bids, bidChanges);
        DiffSide(_asks, book.Asks, askChanges);
        if (bidChanges.Count > 1)
        {
            bidChanges.Sort(static (a, b) => b.Key.CompareTo(a.Key));
        }

        if (askChanges.Count > 1)
        {
            askChanges.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        }

        return bidChanges.Count > 0 || askChanges.Count > 0;
    }

    private void Fill(Dictionary<long, double> view, SortedDictionary<long, double> side)
    {
        view.Clear();
        int n = 0;
        foreach (var level in side)
        {
            if (n++ == Depth)
            {
                break;
            }

            view[level.Key] = level.Value;
        }
    }

    private void DiffSide(Dictionary<long, double> view, SortedDictionary<long, double> side, List<KeyValuePair<long, double>> changes)
    {
        _seen.Clear();
        int n = 0;
        foreach (var level in side)
        {
            if (n++ == Depth)
            {
                break;
            }

            _seen.Add(level.Key);
            if (!view.TryGetValue(level.Key, out double old) || old != level.Value)
            {
                view[level.Key] = level.Value;
                changes.Add(level);
            }
        }

        if (view.Count == _seen.Count)
        {
            return;
        }

        _gone.Clear();
        foreach (long key in view.Keys)
        {
            if (!_seen.Contains(key))
            {
                _gone.Add(key);
            }
        }

        for (int i = 0; i < _gone.Count; i++)
        {
            view.Remove(_gone[i]);
            changes.Add(new KeyValuePair<long, double>(_gone[i], 0));
        }
    }
}
