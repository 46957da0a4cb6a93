using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tape;

/// <summary>
/// The tape (docs/metrics.md, "Tape"): cumulative volume delta and its divergence from price, large
/// and whale trades, one-minute bars. Instruments are sorted by key, assets by name (ordinal).
/// </summary>
/// <param name="Instruments">One entry per instrument that has traded.</param>
/// <param name="Assets">One entry per base asset with a USD-quoted market.</param>
/// <param name="RecentWhales">The last whale trades (≥ the whale threshold) on every instrument, newest first.</param>
/// <param name="LateTrades">Trades that arrived for a minute whose bar was already complete (kept in CVD, not in bars).</param>
public sealed record TapeSection(
    IReadOnlyList<InstrumentTape> Instruments,
    IReadOnlyList<AssetTape> Assets,
    IReadOnlyList<WhaleTrade> RecentWhales,
    long LateTrades)
{
    /// <summary>A section with nothing in it (before any trade).</summary>
    public static TapeSection Empty { get; } = new([], [], [], 0);
}

/// <summary>Tape of one instrument (one venue market).</summary>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Market">Spot or perpetual.</param>
/// <param name="Cvd">Cumulative volume delta.</param>
/// <param name="Divergence">CVD against price over the lookback.</param>
/// <param name="LargeTrades">Large / whale / mega trade counts over 5 minutes.</param>
/// <param name="CurrentBar">The one-minute bar in progress (partial), or null before the first trade.</param>
/// <param name="Bars">The last completed one-minute bars, oldest first (at most <see cref="TapeLimits.SnapshotBars"/>).</param>
public sealed record InstrumentTape(
    string Instrument,
    string Venue,
    string Asset,
    MarketKind Market,
    CvdView Cvd,
    CvdDivergenceView Divergence,
    LargeTradeCounts LargeTrades,
    MinuteBar? CurrentBar,
    IReadOnlyList<MinuteBar> Bars);

/// <summary>Tape of one asset across its USD-quoted venue markets.</summary>
/// <param name="Asset">Base asset.</param>
/// <param name="Instruments">Instrument keys aggregated (sorted).</param>
/// <param name="Cvd">CVD summed over every instrument.</param>
/// <param name="SpotCvdUsd">CVD summed over the spot markets (USD).</param>
/// <param name="PerpCvdUsd">CVD summed over the perpetuals (USD).</param>
/// <param name="Divergence">Summed CVD against the volume-weighted price change of the instruments.</param>
/// <param name="LargeTrades">Counts summed over the instruments.</param>
public sealed record AssetTape(
    string Asset,
    IReadOnlyList<string> Instruments,
    CvdView Cvd,
    double SpotCvdUsd,
    double PerpCvdUsd,
    CvdDivergenceView Divergence,
    LargeTradeCounts LargeTrades);

/// <summary>Cumulative volume delta (taker buy USD − taker sell USD).</summary>
/// <param name="SinceTime">Start of accumulation: the first trade seen (UTC µs).</param>
/// <param name="CvdUsd">Σ (buy USD − sell USD) since <paramref name="SinceTime"/>.</param>
/// <param name="CvdBase">The same in base-asset units.</param>
/// <param name="Change1mUsd">CVD change over the last 60 s.</param>
/// <param name="Change5mUsd">CVD change over the last 300 s.</param>
/// <param name="Change15mUsd">CVD change over the last 900 s.</param>
/// <param name="VelocityUsdPerMinute">CVD velocity: Change1mUsd per minute of the observed part of the last 60 s.</param>
/// <param name="UnavailableReason">Why USD values are NaN, or null.</param>
public sealed record CvdView(
    long SinceTime,
    double CvdUsd,
    double CvdBase,
    double Change1mUsd,
    double Change5mUsd,
    double Change15mUsd,
    double VelocityUsdPerMinute,
    string? UnavailableReason);

/// <summary>CVD divergence signal.</summary>
public enum CvdDivergence
{
    /// <summary>Price and CVD both moved, in the same direction.</summary>
    Aligned,

    /// <summary>Price fell while CVD rose (buyers absorbing).</summary>
    Bullish,

    /// <summary>Price rose while CVD fell (rally without buyers).</summary>
    Bearish,

    /// <summary>Price or CVD did not move enough to say.</summary>
    Neutral,
}

/// <summary>CVD against price over <see cref="LookbackSeconds"/>.</summary>
/// <param name="LookbackSeconds">300.</param>
/// <param name="PriceChangePercent">100 · (last price − price at the lookback start) / price at the lookback start.</param>
/// <param name="CvdChangeUsd">CVD change over the lookback.</param>
/// <param name="CvdChangePercentOfVolume">100 · CvdChangeUsd / USD volume traded in the lookback.</param>
/// <param name="Signal">The signal, or null when unavailable.</param>
/// <param name="UnavailableReason">Why it is unavailable, or null.</param>
public sealed record CvdDivergenceView(
    int LookbackSeconds,
    double PriceChangePercent,
    double CvdChangeUsd,
    double CvdChangePercentOfVolume,
    CvdDivergence? Signal,
    string? UnavailableReason);

/// <summary>Size class of a trade by USD notional.</summary>
public enum TradeSizeClass
{
    /// <summary>Below the large threshold.</summary>
    Normal,

    /// <summary>≥ large ($100K by default).</summary>
    Large,

    /// <summary>≥ whale ($500K).</summary>
    Whale,

    /// <summary>≥ mega ($5M).</summary>
    Mega,
}

/// <summary>
/// Trades at or above each threshold over the last 300 s. Classes nest: a mega trade also counts as
/// a whale and as a large trade.
/// </summary>
/// <param name="WindowSeconds">300.</param>
/// <param name="Large">Trades ≥ the large threshold.</param>
/// <param name="Whales">Trades ≥ the whale threshold.</param>
/// <param name="Mega">Trades ≥ the mega threshold.</param>
/// <param name="LargeUsd">USD of the trades ≥ large.</param>
/// <param name="WhaleUsd">USD of the trades ≥ whale.</param>
/// <param name="WhaleBuyUsd">USD of the buy-initiated trades ≥ whale.</param>
/// <param name="WhaleSellUsd">USD of the sell-initiated trades ≥ whale.</param>
/// <param name="UnavailableReason">Why it is unavailable (a quote that is not USD), or null.</param>
public sealed record LargeTradeCounts(
    int WindowSeconds,
    long Large,
    long Whales,
    long Mega,
    double LargeUsd,
    double WhaleUsd,
    double WhaleBuyUsd,
    double WhaleSellUsd,
    string? UnavailableReason);

/// <summary>One whale trade.</summary>
/// <param name="Time">Event time, UTC µs.</param>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Side">Aggressor side.</param>
/// <param name="Price">Trade price.</param>
/// <param name="Quantity">Base quantity.</param>
/// <param name="NotionalUsd">Price × quantity.</param>
/// <param name="SizeClass">Whale or Mega.</param>
public sealed record WhaleTrade(
    long Time,
    string Instrument,
    string Venue,
    string Asset,
    Side Side,
    double Price,
    double Quantity,
    double NotionalUsd,
    TradeSizeClass SizeClass);

/// <summary>
/// One-minute bar of one instrument: trades whose event time falls in [MinuteStart, MinuteStart + 60 s).
/// </summary>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="MinuteStart">Start of the minute, UTC µs.</param>
/// <param name="Open">First trade's price (arrival order).</param>
/// <param name="High">Highest price.</param>
/// <param name="Low">Lowest price.</param>
/// <param name="Close">Last trade's price.</param>
/// <param name="BuyVolumeUsd">Taker-buy USD volume.</param>
/// <param name="SellVolumeUsd">Taker-sell USD volume.</param>
/// <param name="DeltaUsd">BuyVolumeUsd − SellVolumeUsd: the bar's volume delta (its CVD contribution).</param>
/// <param name="CvdUsd">Cumulative CVD of the instrument at the bar's last trade (since the first trade seen).</param>
/// <param name="BuyVolumeBase">Taker-buy base volume.</param>
/// <param name="SellVolumeBase">Taker-sell base volume.</param>
/// <param name="Vwap">Σ price·qty / Σ qty.</param>
/// <param name="Trades">Trade count.</param>
/// <param name="Complete">False for the bar in progress.</param>
public sealed record MinuteBar(
    string Instrument,
    string Venue,
    string Asset,
    long MinuteStart,
    double Open,
    double High,
    double Low,
    double Close,
    double BuyVolumeUsd,
    double SellVolumeUsd,
    double DeltaUsd,
    double CvdUsd,
    double BuyVolumeBase,
    double SellVolumeBase,
    double Vwap,
    long Trades,
    bool Complete);

/// <summary>Fixed parameters of the tape (docs/metrics.md).</summary>
public static class TapeLimits
{
    /// <summary>Divergence lookback, seconds.</summary>
    public const int DivergenceLookbackSeconds = 300;

    /// <summary>A price change at or above this (percent, in size) is a move.</summary>
    public const double DivergencePriceMovePercent = 0.05;

    /// <summary>A CVD change at or above this share of the lookback's volume (percent, in size) is a move.</summary>
    public const double DivergenceCvdMovePercent = 5;

    /// <summary>Large-trade count window, seconds.</summary>
    public const int LargeTradeWindowSeconds = 300;

    /// <summary>A bar is complete once event time passes its end by this much (µs) or a later trade of its instrument arrives.</summary>
    public const long BarGraceMicros = 2_000_000;

    /// <summary>Completed bars a snapshot lists per instrument.</summary>
    public const int SnapshotBars = 15;

    /// <summary>Completed bars queued for storage at most (older ones are dropped and counted when nobody drains).</summary>
    public const int CompletedBarQueue = 100_000;
}
