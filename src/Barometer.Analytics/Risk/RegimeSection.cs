using Barometer.Core.Instruments;

namespace Barometer.Analytics.Risk;

/// <summary>Market regime, realized volatility and liquidity per asset (docs/metrics.md, "Regime"). Assets sorted ordinally.</summary>
/// <param name="Assets">One row per asset with a USD-quoted market (trades or books).</param>
/// <param name="IgnoredTrades">Trades skipped as bad input (non-finite or non-positive price or quantity, unknown side).</param>
/// <param name="LateTrades">Trades skipped because their minute is older than the newest minute of their market.</param>
/// <param name="IgnoredBookTops">Book tops that were invalid (non-finite or non-positive prices or sizes, bid at or above ask): the market has no spread until a valid one.</param>
public sealed record RegimeSection(IReadOnlyList<AssetRegime> Assets, long IgnoredTrades, long LateTrades, long IgnoredBookTops)
{
    /// <summary>Before any event.</summary>
    public static RegimeSection Empty { get; } = new([], 0, 0, 0);
}

/// <summary>Market regime of one asset.</summary>
public enum MarketRegime : byte
{
    /// <summary>Efficiency ratio ≥ 0.35: the hour's moves mostly point one way.</summary>
    Trending = 0,

    /// <summary>Not trending, no volatility expansion, and the last 15 minutes still span more than 30% of the hour's range: price swings back and forth across its band.</summary>
    Ranging = 1,

    /// <summary>Not trending and the last 15 minutes' volatility is ≥ 1.5 × that of the 45 minutes before: large moves without direction.</summary>
    Volatile = 2,

    /// <summary>Not trending, no volatility expansion, and the last 15 minutes stay within 30% of the hour's range: price is pinned in a narrow band (consolidation).</summary>
    RangeBound = 3,
}

/// <summary>Direction of the hour's net move.</summary>
public enum RegimeTrend : byte
{
    /// <summary>|directional efficiency| &lt; 0.2.</summary>
    Neutral = 0,

    /// <summary>Directional efficiency ≥ +0.2.</summary>
    Bullish = 1,

    /// <summary>Directional efficiency ≤ −0.2.</summary>
    Bearish = 2,
}

/// <summary>Short-window volatility against the earlier part of the hour.</summary>
public enum VolatilityState : byte
{
    /// <summary>0.8 ≤ ratio ≤ 1.25.</summary>
    Stable = 0,

    /// <summary>Ratio &gt; 1.25.</summary>
    Increasing = 1,

    /// <summary>Ratio &lt; 0.8.</summary>
    Decreasing = 2,
}

/// <summary>Liquidity against the market's own last hour.</summary>
public enum LiquidityLevel : byte
{
    /// <summary>Score &lt; 25.</summary>
    Thin = 0,

    /// <summary>25 ≤ score ≤ 75.</summary>
    Normal = 1,

    /// <summary>Score &gt; 75.</summary>
    Thick = 2,
}

/// <summary>
/// Regime of one asset from its 1-minute index (the mean 1-minute log return of its USD-quoted
/// markets, cumulated) over the last 60 completed minutes. NaN / null values are unavailable;
/// <see cref="UnavailableReason"/> says why.
/// </summary>
/// <param name="Asset">Base asset, e.g. "BTC".</param>
/// <param name="Instruments">USD-quoted markets with trades that feed the index (sorted keys).</param>
/// <param name="WindowMinutes">60.</param>
/// <param name="Returns">Minutes of the window with an index return (30 needed).</param>
/// <param name="Regime">TRENDING / RANGING / VOLATILE / RANGE-BOUND, or null.</param>
/// <param name="Confidence">50 at a classification boundary … 100 far from it.</param>
/// <param name="Trend">BULLISH / BEARISH / NEUTRAL from the directional efficiency, or null.</param>
/// <param name="EfficiencyRatio">|net log move| / Σ |1-minute log returns|, 0 … 1 (0 when nothing moved).</param>
/// <param name="DirectionalEfficiency">Net log move / Σ |1-minute log returns|, −1 … +1.</param>
/// <param name="NetChangePct">100 · (e^(net log move) − 1), percent over the window.</param>
/// <param name="RangePct">100 · (e^(max − min of the index over the hour) − 1), percent.</param>
/// <param name="ShortRangePct">The same over the last 15 minutes.</param>
/// <param name="Compression">Range of the last 15 minutes / range of the hour (log), 0 … 1 (0 when the hour's range is 0).</param>
/// <param name="Volatility">Realized volatility over the hour and its state.</param>
/// <param name="Liquidity">Book depth and spread against each market's own last hour.</param>
/// <param name="UnavailableReason">Why the regime is unavailable, or null.</param>
public sealed record AssetRegime(
    string Asset,
    IReadOnlyList<string> Instruments,
    int WindowMinutes,
    int Returns,
    MarketRegime? Regime,
    double Confidence,
    RegimeTrend? Trend,
    double EfficiencyRatio,
    double DirectionalEfficiency,
    double NetChangePct,
    double RangePct,
    double ShortRangePct,
    double Compression,
    RealizedVolatility Volatility,
    AssetLiquidity Liquidity,
    string? UnavailableReason);

/// <summary>Annualized standard deviation of the asset index's 1-minute log returns, percent.</summary>
/// <param name="WindowMinutes">60.</param>
/// <param name="Returns">Returns in the window.</param>
/// <param name="AnnualizedPct">Sample stdev of the window's returns × √525 600 × 100.</param>
/// <param name="ShortWindowMinutes">15.</param>
/// <param name="ShortReturns">Returns in the last 15 minutes (10 needed for the state).</param>
/// <param name="ShortAnnualizedPct">The same over the last 15 minutes.</param>
/// <param name="PreviousReturns">Returns in the 45 minutes before them.</param>
/// <param name="PreviousAnnualizedPct">The same over those 45 minutes.</param>
/// <param name="Ratio">Short / previous (NaN when the previous part did not move).</param>
/// <param name="State">INCREASING / DECREASING / STABLE, or null.</param>
/// <param name="UnavailableReason">Why values are unavailable, or null.</param>
public sealed record RealizedVolatility(
    int WindowMinutes,
    int Returns,
    double AnnualizedPct,
    int ShortWindowMinutes,
    int ShortReturns,
    double ShortAnnualizedPct,
    int PreviousReturns,
    double PreviousAnnualizedPct,
    double Ratio,
    VolatilityState? State,
    string? UnavailableReason);

/// <summary>Liquidity of one asset: the mean score of its markets that have one.</summary>
/// <param name="Score">0 (thinnest of the hour) … 100 (thickest), or NaN.</param>
/// <param name="Level">THIN / NORMAL / THICK, or null.</param>
/// <param name="Markets">Each USD-quoted market of the asset with book data, sorted by key.</param>
/// <param name="UnavailableReason">Why the score is unavailable, or null.</param>
public sealed record AssetLiquidity(double Score, LiquidityLevel? Level, IReadOnlyList<MarketLiquidity> Markets, string? UnavailableReason)
{
    internal static AssetLiquidity None { get; } = new(double.NaN, null, [], "no book data for this asset");
}

/// <summary>
/// Liquidity of one market: its newest 10 s sample of spread and depth within 1% ranked against
/// its samples of the last 60 minutes.
/// </summary>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Market">Spot or perpetual.</param>
/// <param name="SampleTime">Time of the newest sample (a 10 s boundary of event time), UTC µs.</param>
/// <param name="SpreadBps">Spread of the newest sample, bps (from the latest book top, if at most 10 s old).</param>
/// <param name="DepthUsd">Bid + ask USD within 1% of mid of the newest sample (from the L2 book).</param>
/// <param name="SpreadSamples">Samples of the last hour with a spread.</param>
/// <param name="DepthSamples">Samples of the last hour with a depth.</param>
/// <param name="SpreadPercentile">Mid-rank of the newest spread among them, percent (high = wide).</param>
/// <param name="DepthPercentile">Mid-rank of the newest depth among them, percent (high = deep).</param>
/// <param name="Score">Mean of (100 − spread percentile) and depth percentile over the parts available.</param>
/// <param name="Level">THIN / NORMAL / THICK, or null.</param>
/// <param name="UnavailableReason">Why a part or the score is unavailable, or null.</param>
public sealed record MarketLiquidity(
    string Instrument,
    string Venue,
    MarketKind Market,
    long SampleTime,
    double SpreadBps,
    double DepthUsd,
    int SpreadSamples,
    int DepthSamples,
    double SpreadPercentile,
    double DepthPercentile,
    double Score,
    LiquidityLevel? Level,
    string? UnavailableReason);
