using Barometer.Core.Instruments;

namespace Barometer.Analytics.Flow;

/// <summary>
/// Orderflow and volume (docs/metrics/flow.md): per instrument (one venue market) and per asset
/// (every USD-quoted market of that base asset on every venue). Instruments are sorted by key,
/// assets by name (ordinal).
/// </summary>
/// <param name="Instruments">One entry per instrument that has traded, sorted by <see cref="Instrument.Key"/>.</param>
/// <param name="Assets">One entry per base asset, sorted by asset.</param>
public sealed record FlowSection(IReadOnlyList<InstrumentFlow> Instruments, IReadOnlyList<AssetFlow> Assets)
{
    /// <summary>A section with nothing in it (before any trade).</summary>
    public static FlowSection Empty { get; } = new([], []);
}

/// <summary>Flow of one instrument.</summary>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name, e.g. "binance-futures".</param>
/// <param name="Asset">Base asset, e.g. "BTC".</param>
/// <param name="Market">Spot or perpetual.</param>
/// <param name="OneMinute">Rolling 60 s window.</param>
/// <param name="FiveMinutes">Rolling 300 s window.</param>
/// <param name="FifteenMinutes">Rolling 900 s window.</param>
/// <param name="Trend">1m net flow against the last 60 one-minute net flows.</param>
/// <param name="Intensity">Trades per second (1m) against the 15m baseline.</param>
/// <param name="SizeTrend">Average trade size, last 1m against the 5m before it.</param>
/// <param name="Ticks">Upticks and downticks over 1m, current streak.</param>
public sealed record InstrumentFlow(
    string Instrument,
    string Venue,
    string Asset,
    MarketKind Market,
    FlowWindow OneMinute,
    FlowWindow FiveMinutes,
    FlowWindow FifteenMinutes,
    FlowTrend Trend,
    TradeIntensity Intensity,
    TradeSizeTrend SizeTrend,
    TickDirection Ticks);

/// <summary>Flow of one asset across all its USD-quoted venue markets.</summary>
/// <param name="Asset">Base asset, e.g. "BTC".</param>
/// <param name="Instruments">The instrument keys aggregated (sorted).</param>
/// <param name="OneMinute">Rolling 60 s window, summed over the instruments.</param>
/// <param name="FiveMinutes">Rolling 300 s window.</param>
/// <param name="FifteenMinutes">Rolling 900 s window.</param>
/// <param name="Trend">Summed 1m net flow against the summed one-minute history.</param>
/// <param name="Intensity">Summed trades per second against the summed 15m baseline.</param>
/// <param name="SizeTrend">Average trade size across venues, last 1m against the 5m before it.</param>
/// <param name="Dominance">Volume share per venue market and its migration.</param>
public sealed record AssetFlow(
    string Asset,
    IReadOnlyList<string> Instruments,
    FlowWindow OneMinute,
    FlowWindow FiveMinutes,
    FlowWindow FifteenMinutes,
    FlowTrend Trend,
    TradeIntensity Intensity,
    TradeSizeTrend SizeTrend,
    ExchangeDominance Dominance);

/// <summary>
/// Sums and ratios over one rolling window of whole one-second buckets ending with the second of
/// the snapshot. NaN (JSON null) = unavailable; <see cref="UnavailableReason"/> says why.
/// </summary>
/// <param name="WindowSeconds">60, 300 or 900.</param>
/// <param name="CoveredSeconds">Seconds of the window that were observed (less than the window just after start-up).</param>
/// <param name="Complete">True when the whole window was observed.</param>
/// <param name="BuyUsd">Buy-initiated (taker buy) USD volume.</param>
/// <param name="SellUsd">Sell-initiated USD volume.</param>
/// <param name="TotalUsd">BuyUsd + SellUsd.</param>
/// <param name="BuyTrades">Buy-initiated trade count.</param>
/// <param name="SellTrades">Sell-initiated trade count.</param>
/// <param name="Trades">BuyTrades + SellTrades.</param>
/// <param name="Vwap">Σ price·qty / Σ qty (quote currency).</param>
/// <param name="MinPrice">Lowest trade price.</param>
/// <param name="MaxPrice">Highest trade price.</param>
/// <param name="VolumeRateUsdPerSecond">TotalUsd / CoveredSeconds.</param>
/// <param name="AvgTradeUsd">TotalUsd / Trades.</param>
/// <param name="AvgBuyUsd">BuyUsd / BuyTrades.</param>
/// <param name="AvgSellUsd">SellUsd / SellTrades.</param>
/// <param name="SizeImbalance">(AvgBuy − AvgSell) / (AvgBuy + AvgSell), −1 … +1.</param>
/// <param name="AggressorRatio">BuyTrades / SellTrades.</param>
/// <param name="OrderflowImbalance">100 · (BuyUsd − SellUsd) / (BuyUsd + SellUsd), −100 … +100.</param>
/// <param name="BuyPercent">100 · BuyUsd / TotalUsd.</param>
/// <param name="NetFlowUsd">BuyUsd − SellUsd.</param>
/// <param name="NetFlowUsdPerMinute">NetFlowUsd · 60 / CoveredSeconds.</param>
/// <param name="UnavailableReason">Why some values are NaN, or null when all are available.</param>
public sealed record FlowWindow(
    int WindowSeconds,
    int CoveredSeconds,
    bool Complete,
    double BuyUsd,
    double SellUsd,
    double TotalUsd,
    long BuyTrades,
    long SellTrades,
    long Trades,
    double Vwap,
    double MinPrice,
    double MaxPrice,
    double VolumeRateUsdPerSecond,
    double AvgTradeUsd,
    double AvgBuyUsd,
    double AvgSellUsd,
    double SizeImbalance,
    double AggressorRatio,
    double OrderflowImbalance,
    double BuyPercent,
    double NetFlowUsd,
    double NetFlowUsdPerMinute,
    string? UnavailableReason);

/// <summary>Trend arrow of the 1m net flow (z-score against the recent one-minute history).</summary>
public enum TrendArrow
{
    /// <summary>z &lt; −2: ↓↓↓.</summary>
    StrongDown = -3,

    /// <summary>−2 ≤ z &lt; −1: ↓↓.</summary>
    Down = -2,

    /// <summary>−1 ≤ z &lt; −0.5: ↓.</summary>
    SlightDown = -1,

    /// <summary>−0.5 ≤ z ≤ 0.5: →.</summary>
    Flat = 0,

    /// <summary>0.5 &lt; z ≤ 1: ↑.</summary>
    SlightUp = 1,

    /// <summary>1 &lt; z ≤ 2: ↑↑.</summary>
    Up = 2,

    /// <summary>z &gt; 2: ↑↑↑.</summary>
    StrongUp = 3,
}

/// <summary>Net-flow trend.</summary>
/// <param name="CurrentNetFlowUsd">Net flow (buy − sell USD) of the rolling 1m window.</param>
/// <param name="HistoryMinutes">Completed one-minute periods in the history (10 … 60).</param>
/// <param name="MeanNetFlowUsd">Mean of the history's one-minute net flows.</param>
/// <param name="StdDevNetFlowUsd">Population standard deviation of the history.</param>
/// <param name="ZScore">(Current − Mean) / StdDev.</param>
/// <param name="Arrow">The arrow, or null when unavailable.</param>
/// <param name="Arrows">The arrow as text (↑↑↑ … ↓↓↓), or null.</param>
/// <param name="UnavailableReason">Why it is unavailable, or null.</param>
public sealed record FlowTrend(
    double CurrentNetFlowUsd,
    int HistoryMinutes,
    double MeanNetFlowUsd,
    double StdDevNetFlowUsd,
    double ZScore,
    TrendArrow? Arrow,
    string? Arrows,
    string? UnavailableReason);

/// <summary>Trade intensity against the baseline.</summary>
public enum IntensityLevel
{
    /// <summary>Ratio &lt; 0.5.</summary>
    Low,

    /// <summary>0.5 ≤ ratio ≤ 2.</summary>
    Medium,

    /// <summary>Ratio &gt; 2.</summary>
    High,
}

/// <summary>Trades per second over 1m against the 15m average.</summary>
/// <param name="TradesPerSecond">Trades in the 1m window / 60.</param>
/// <param name="BaselineTradesPerSecond">Trades in the 15m window / 900.</param>
/// <param name="Ratio">TradesPerSecond / BaselineTradesPerSecond.</param>
/// <param name="Level">HIGH / MEDIUM / LOW, or null when unavailable.</param>
/// <param name="UnavailableReason">Why it is unavailable, or null.</param>
public sealed record TradeIntensity(
    double TradesPerSecond,
    double BaselineTradesPerSecond,
    double Ratio,
    IntensityLevel? Level,
    string? UnavailableReason);

/// <summary>Direction of the average trade size.</summary>
public enum SizeTrendDirection
{
    /// <summary>Change below −10%.</summary>
    Decreasing,

    /// <summary>Change within ±10%.</summary>
    Steady,

    /// <summary>Change above +10%.</summary>
    Increasing,
}

/// <summary>Average trade size (USD) of the last 1m against the 5m before it.</summary>
/// <param name="FromAvgUsd">Average trade size of the 300 s before the last 60 s.</param>
/// <param name="ToAvgUsd">Average trade size of the last 60 s.</param>
/// <param name="ChangePercent">100 · (To − From) / From.</param>
/// <param name="Direction">Direction, or null when unavailable.</param>
/// <param name="UnavailableReason">Why it is unavailable, or null.</param>
public sealed record TradeSizeTrend(
    double FromAvgUsd,
    double ToAvgUsd,
    double ChangePercent,
    SizeTrendDirection? Direction,
    string? UnavailableReason);

/// <summary>Direction of the last non-zero tick.</summary>
public enum TickStreakDirection
{
    /// <summary>No non-zero tick yet.</summary>
    None,

    /// <summary>Upticks.</summary>
    Up,

    /// <summary>Downticks.</summary>
    Down,
}

/// <summary>Tick direction of one instrument (each trade's price against the previous trade's).</summary>
/// <param name="Upticks">Trades above the previous trade's price in the 1m window.</param>
/// <param name="Downticks">Trades below the previous trade's price in the 1m window.</param>
/// <param name="UpPercent">100 · Upticks / (Upticks + Downticks).</param>
/// <param name="StreakDirection">Direction of the current streak.</param>
/// <param name="StreakLength">Consecutive non-zero ticks in that direction (zero ticks neither extend nor break it).</param>
/// <param name="LastPrice">The last trade's price.</param>
/// <param name="UnavailableReason">Why UpPercent is unavailable, or null.</param>
public sealed record TickDirection(
    long Upticks,
    long Downticks,
    double UpPercent,
    TickStreakDirection StreakDirection,
    int StreakLength,
    double LastPrice,
    string? UnavailableReason);

/// <summary>Volume share of each venue market of one asset.</summary>
/// <param name="Shares">One entry per instrument, sorted by key.</param>
/// <param name="TopGainer">Instrument whose share gained most (5m share − 15m share), or null.</param>
/// <param name="TopGainerPoints">Its gain in percentage points.</param>
/// <param name="TopLoser">Instrument whose share lost most, or null.</param>
/// <param name="TopLoserPoints">Its change in percentage points (negative or zero).</param>
/// <param name="UnavailableReason">Why it is unavailable, or null.</param>
public sealed record ExchangeDominance(
    IReadOnlyList<VenueShare> Shares,
    string? TopGainer,
    double TopGainerPoints,
    string? TopLoser,
    double TopLoserPoints,
    string? UnavailableReason);

/// <summary>One venue market's share of an asset's volume.</summary>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Market">Spot or perpetual.</param>
/// <param name="SharePercent5m">100 · its 5m USD volume / the asset's 5m USD volume.</param>
/// <param name="SharePercent15m">Same over 15m.</param>
/// <param name="MigrationPoints">SharePercent5m − SharePercent15m (percentage points).</param>
public sealed record VenueShare(
    string Instrument,
    string Venue,
    MarketKind Market,
    double SharePercent5m,
    double SharePercent15m,
    double MigrationPoints);
