using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Core.Books;

/// <summary>
/// A local L2 book of one instrument, fed by a venue's book sequencer with messages that passed
/// the venue's continuity rules. Levels are keyed by integer ticks. The book validates a whole
/// message before changing anything, and after every message checks best bid &lt; best ask: a
/// crossed book is cleared and reported, never served (../CONNECTORS.md "Order books").
/// Owned by one connector task; not thread-safe.
/// </summary>
public sealed class LocalOrderBook
{
    private readonly BookSide _bids = new(isBid: true);
    private readonly BookSide _asks = new(isBid: false);

    /// <summary>Creates an empty (unsynced) book.</summary>
    public LocalOrderBook(Instrument instrument, int maxLevelsPerSide = 5000)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLevelsPerSide, 1);
        Instrument = instrument;
        MaxLevelsPerSide = maxLevelsPerSide;
    }

    /// <summary>The instrument.</summary>
    public Instrument Instrument { get; }

    /// <summary>Levels kept per side (the farthest are trimmed).</summary>
    public int MaxLevelsPerSide { get; }

    /// <summary>True after a snapshot was applied and until <see cref="Reset"/> or a failure.</summary>
    public bool IsSynced { get; private set; }

    /// <summary>Last venue update id applied.</summary>
    public long LastUpdateId { get; private set; } = -1;

    /// <summary>Exchange time of the last message applied, UTC µs.</summary>
    public long LastExchangeTime { get; private set; }

    /// <summary>Bid side (best = highest).</summary>
    public BookSide Bids => _bids;

    /// <summary>Ask side (best = lowest).</summary>
    public BookSide Asks => _asks;

    /// <summary>Drops every level and marks the book unsynced (waiting for a snapshot).</summary>
    public void Reset()
    {
        _bids.Clear();
        _asks.Clear();
        IsSynced = false;
        LastUpdateId = -1;
    }

    /// <summary>Applies a snapshot (replace) or a delta (absolute sizes, 0 deletes).</summary>
    public BookApplyResult Apply(in BookUpdate update)
    {
        if (!update.IsSnapshot && !IsSynced)
        {
            return BookApplyResult.NotSynced;
        }

        if (!AllValid(update.Bids) || !AllValid(update.Asks))
        {
            return BookApplyResult.InvalidLevel;
        }

        if (update.IsSnapshot)
        {
            _bids.Clear();
            _asks.Clear();
        }

        foreach (var level in update.Bids)
        {
            _bids.Set(level.PriceTicks, level.Price, level.Quantity);
        }

        foreach (var level in update.Asks)
        {
            _asks.Set(level.PriceTicks, level.Price, level.Quantity);
        }

        if (_bids.HasLevels && _asks.HasLevels && _bids.BestTicks >= _asks.BestTicks)
        {
            Reset();
            return BookApplyResult.Crossed;
        }

        _bids.TrimTo(MaxLevelsPerSide);
        _asks.TrimTo(MaxLevelsPerSide);
        IsSynced = true;
        LastUpdateId = update.LastUpdateId;
        LastExchangeTime = update.ExchangeTime;
        return BookApplyResult.Applied;
    }

    /// <summary>The top of the book; false when unsynced or a side is empty.</summary>
    public bool TryGetTop(long receiveTime, out BookTop top)
    {
        if (!IsSynced || !_bids.HasLevels || !_asks.HasLevels)
        {
            top = default;
            return false;
        }

        top = new BookTop(Instrument, LastExchangeTime, receiveTime, _bids.BestPrice, _bids.BestQuantity,
            _asks.BestPrice, _asks.BestQuantity, LastUpdateId);
        return true;
    }

    /// <summary>
    /// Quote-asset notional resting within <paramref name="fraction"/> of the mid (0.01 = 1%) on
    /// each side; false when the book is unsynced or one-sided.
    /// </summary>
    public bool TryGetDepthWithin(double fraction, out double bidNotional, out double askNotional)
    {
        bidNotional = askNotional = 0;
        if (!IsSynced || !_bids.HasLevels || !_asks.HasLevels || !(fraction >= 0) || double.IsInfinity(fraction))
        {
            return false;
        }

        double mid = (_bids.BestPrice + _asks.BestPrice) * 0.5;
        long bidLimit = (long)Math.Ceiling(mid * (1 - fraction) / Instrument.TickSize - 1e-9);
        long askLimit = (long)Math.Floor(mid * (1 + fraction) / Instrument.TickSize + 1e-9);
        bidNotional = _bids.NotionalWithin(bidLimit);
        askNotional = _asks.NotionalWithin(askLimit);
        return true;
    }

    /// <summary>Copies the best <paramref name="depth"/> levels per side into a new snapshot event.</summary>
    public BookUpdate ToSnapshot(long receiveTime, int depth)
    {
        var bids = Copy(_bids, depth);
        var asks = Copy(_asks, depth);
        return new BookUpdate(Instrument, LastExchangeTime, receiveTime, true, LastUpdateId, LastUpdateId, -1, bids, asks);
    }

    private static BookLevel[] Copy(BookSide side, int depth)
    {
        int n = Math.Min(depth, side.Count);
        var levels = new BookLevel[n];
        for (int i = 0; i < n; i++)
        {
            var (ticks, price, quantity) = side.Level(i);
            levels[i] = new BookLevel(ticks, price, quantity);
        }

        return levels;
    }

    private static bool AllValid(BookLevel[] levels)
    {
        foreach (var level in levels)
        {
            if (!(level.Quantity >= 0) || double.IsInfinity(level.Quantity) || !(level.Price > 0) || double.IsInfinity(level.Price))
            {
                return false;
            }
        }

        return true;
    }
}
