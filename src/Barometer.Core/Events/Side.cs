namespace Barometer.Core.Events;

/// <summary>
/// An order side. On a <see cref="Trade"/> it is the aggressor (taker) side: Buy means a buyer
/// lifted the offer. On a <see cref="Liquidation"/> it is the side of the liquidation order
/// (the venue sells to close a liquidated long).
/// </summary>
public enum Side : byte
{
    /// <summary>Not known (never produced by a parser that succeeded; default value).</summary>
    Unknown = 0,

    /// <summary>Buy.</summary>
    Buy = 1,

    /// <summary>Sell.</summary>
    Sell = 2,
}

/// <summary>Which position a liquidation closed.</summary>
public enum PositionSide : byte
{
    /// <summary>Not known.</summary>
    Unknown = 0,

    /// <summary>A long position was liquidated (its liquidation order sells).</summary>
    Long = 1,

    /// <summary>A short position was liquidated (its liquidation order buys).</summary>
    Short = 2,
}

/// <summary>
/// Whether a venue's feed delivers every event of its kind or only a sample. Liquidation feeds
/// are sampled by Binance (latest per symbol per 1000 ms) and OKX (at most one per contract per
/// second); totals built from a sampled feed are lower bounds.
/// </summary>
public enum FeedCompleteness : byte
{
    /// <summary>Every event is delivered.</summary>
    Complete = 0,

    /// <summary>The venue samples the feed; totals are lower bounds.</summary>
    Sampled = 1,
}
