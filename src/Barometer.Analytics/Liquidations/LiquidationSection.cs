using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Liquidations;

/// <summary>
/// Liquidations (docs/metrics.md, "Liquidations"): rolling totals per instrument and per asset,
/// price clusters, cascade risk, next cascade and protection levels, the heatmap, and the active
/// and recently closed cascades. Venues sample their liquidation feeds, so every total says
/// whether it is a lower bound and which sampled venues contributed.
/// </summary>
/// <param name="Settings">The thresholds in force (for labels such as "≥ $100K institutional").</param>
/// <param name="Instruments">One entry per instrument with at least one accepted liquidation, sorted by key.</param>
/// <param name="Assets">One entry per base asset seen in a USD-quoted trade or liquidation, sorted by asset.</param>
/// <param name="ActiveCascades">Cascades not yet closed, sorted by asset (at most one per asset).</param>
/// <param name="RecentCascades">The last closed cascades, newest first.</param>
/// <param name="Input">Accepted and ignored liquidations, ring occupancy and drops.</param>
public sealed record LiquidationSection(
    LiquidationSettings Settings,
    IReadOnlyList<InstrumentLiquidations> Instruments,
    IReadOnlyList<AssetLiquidations> Assets,
    IReadOnlyList<CascadeAlert> ActiveCascades,
    IReadOnlyList<CascadeAlert> RecentCascades,
    LiquidationInput Input);

/// <summary>Thresholds the section was computed with.</summary>
/// <param name="LargeUsd">A liquidation at or above this is "large".</param>
/// <param name="InstitutionalUsd">A liquidation at or above this is "institutional".</param>
/// <param name="DangerZoneUsd">A cluster bucket holding more than this is a danger zone.</param>
/// <param name="ClusterRetentionSeconds">How long liquidations stay in clusters.</param>
/// <param name="CascadeMinLiquidations">Liquidations within the window that open a cascade.</param>
/// <param name="CascadeWindowSeconds">Cascade window (opening and closing).</param>
public sealed record LiquidationSettings(
    double LargeUsd,
    double InstitutionalUsd,
    double DangerZoneUsd,
    int ClusterRetentionSeconds,
    int CascadeMinLiquidations,
    int CascadeWindowSeconds);

/// <summary>Input counters of the family.</summary>
/// <param name="Accepted">Liquidations accepted.</param>
/// <param name="IgnoredInvalidPrice">Ignored: price not a positive finite number.</param>
/// <param name="IgnoredInvalidQuantity">Ignored: quantity not a positive finite number.</param>
/// <param name="IgnoredInvalidSide">Ignored: liquidated side unknown, or contradicting the order side.</param>
/// <param name="IgnoredTooLate">Ignored: event time older than the ring's window before the newest event time.</param>
/// <param name="IgnoredTrades">Trades ignored for the asset price (price not a positive finite number).</param>
/// <param name="RingCount">Liquidations held in the ring.</param>
/// <param name="RingCapacity">Hard cap of the ring.</param>
/// <param name="RingWindowSeconds">How long the ring keeps liquidations (the longest of heatmap window, cluster retention and 5 minutes).</param>
/// <param name="RingDropped">Liquidations dropped (oldest first) because the ring was full.</param>
public sealed record LiquidationInput(
    long Accepted,
    long IgnoredInvalidPrice,
    long IgnoredInvalidQuantity,
    long IgnoredInvalidSide,
    long IgnoredTooLate,
    long IgnoredTrades,
    int RingCount,
    int RingCapacity,
    long RingWindowSeconds,
    long RingDropped);

/// <summary>Liquidations of one instrument (one venue market).</summary>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Market">Spot or perpetual.</param>
/// <param name="Feed">Completeness of the venue's liquidation feed (of its last liquidation): complete or sampled.</param>
/// <param name="OneMinute">Rolling 60 s totals.</param>
/// <param name="FiveMinutes">Rolling 300 s totals.</param>
/// <param name="LastLiquidationTime">Event time of its newest liquidation, UTC µs.</param>
/// <param name="LastLiquidationAgeSeconds">Snapshot time − that time, seconds ("last liquidation N s ago").</param>
public sealed record InstrumentLiquidations(
    string Instrument,
    string Venue,
    string Asset,
    MarketKind Market,
    FeedCompleteness Feed,
    LiquidationWindow OneMinute,
    LiquidationWindow FiveMinutes,
    long LastLiquidationTime,
    double LastLiquidationAgeSeconds);

/// <summary>
/// Totals of the liquidations whose event time lies within the window ending at the snapshot time
/// (0 ≤ now − time &lt; window). "Long" = long positions liquidated (sell orders), "short" = shorts
/// liquidated (buy orders).
/// </summary>
/// <param name="WindowSeconds">60 or 300.</param>
/// <param name="CoveredSeconds">Seconds of the window observed (since the family's first event).</param>
/// <param name="Count">Liquidations.</param>
/// <param name="LongCount">Long positions liquidated.</param>
/// <param name="ShortCount">Short positions liquidated.</param>
/// <param name="TotalUsd">Σ USD notional (price × base quantity).</param>
/// <param name="LongUsd">USD of long liquidations.</param>
/// <param name="ShortUsd">USD of short liquidations.</param>
/// <param name="LongPercent">100 · LongUsd / TotalUsd.</param>
/// <param name="EventsPerMinute">Count · 60 / CoveredSeconds.</param>
/// <param name="AvgUsd">TotalUsd / Count.</param>
/// <param name="Institutional">Liquidations at or above the institutional threshold.</param>
/// <param name="Large">At or above the large threshold, below institutional.</param>
/// <param name="Small">Below the large threshold.</param>
/// <param name="IsLowerBound">True when a sampled feed contributed (or the ring dropped liquidations of the window): the true totals are at least these.</param>
/// <param name="SampledVenues">Venues with sampled feeds that contributed, in venue order.</param>
/// <param name="UnavailableReason">Why some values are NaN (null), or null.</param>
public sealed record LiquidationWindow(
    int WindowSeconds,
    double CoveredSeconds,
    long Count,
    long LongCount,
    long ShortCount,
    double TotalUsd,
    double LongUsd,
    double ShortUsd,
    double LongPercent,
    double EventsPerMinute,
    double AvgUsd,
    SizeClassTotals Institutional,
    SizeClassTotals Large,
    SizeClassTotals Small,
    bool IsLowerBound,
    IReadOnlyList<string> SampledVenues,
    string? UnavailableReason);

/// <summary>Count and USD of one size class.</summary>
/// <param name="Count">Liquidations in the class.</param>
/// <param name="Usd">Their USD.</param>
public sealed record SizeClassTotals(long Count, double Usd);

/// <summary>Liquidations of one base asset across every USD-quoted venue market.</summary>
/// <param name="Asset">Base asset, e.g. "BTC".</param>
/// <param name="Instruments">Instrument keys with liquidations aggregated here (sorted).</param>
/// <param name="Price">The asset price used for risk, levels and the heatmap: its last USD-quoted trade.</param>
/// <param name="OneMinute">Rolling 60 s totals across venues.</param>
/// <param name="FiveMinutes">Rolling 300 s totals across venues.</param>
/// <param name="LastLiquidationTime">Event time of the newest liquidation of the asset, or null.</param>
/// <param name="LastLiquidationAgeSeconds">Seconds since then, or NaN (null).</param>
/// <param name="Clusters">Liquidations of the retention window by price bucket.</param>
/// <param name="Risk">Cascade risk 0 … 100.</param>
/// <param name="NextCascadeLevel">The largest danger-zone cluster within the level range of price.</param>
/// <param name="ProtectionLevel">The largest cluster on the other side of price from the next cascade level.</param>
/// <param name="Heatmap">Price × time bins of count and USD.</param>
public sealed record AssetLiquidations(
    string Asset,
    IReadOnlyList<string> Instruments,
    AssetPrice Price,
    LiquidationWindow OneMinute,
    LiquidationWindow FiveMinutes,
    long? LastLiquidationTime,
    double LastLiquidationAgeSeconds,
    LiquidationClusters Clusters,
    CascadeRisk Risk,
    LiquidationLevel NextCascadeLevel,
    LiquidationLevel ProtectionLevel,
    LiquidationHeatmap Heatmap);

/// <summary>Last trade price of an asset.</summary>
/// <param name="Price">Price, or NaN (null).</param>
/// <param name="Instrument">The instrument of that trade, or null.</param>
/// <param name="Time">Its event time, UTC µs (0 without a trade).</param>
/// <param name="AgeSeconds">Snapshot time − Time, seconds.</param>
/// <param name="Fresh">True when at most the stale limit (AnalyticsOptions.StaleAfter) old.</param>
/// <param name="UnavailableReason">Why no usable price, or null.</param>
public sealed record AssetPrice(double Price, string? Instrument, long Time, double AgeSeconds, bool Fresh, string? UnavailableReason);

/// <summary>Where the bucket size of an asset's clusters came from.</summary>
public enum BucketSizeSource
{
    /// <summary>ThresholdOptions.LiquidationBucketSizes names the asset.</summary>
    Configured,

    /// <summary>LiquidationBucketFraction × reference price, rounded down to 1, 2 or 5 × 10ⁿ.</summary>
    FractionOfPrice,
}

/// <summary>Liquidations of the retention window grouped by price bucket.</summary>
/// <param name="BucketSize">Bucket width in quote currency, or NaN (null) when unknown.</param>
/// <param name="Source">Configured, or derived from the price.</param>
/// <param name="ReferencePrice">The price the fraction was applied to (NaN when configured).</param>
/// <param name="RetentionSeconds">Liquidations younger than this are in the buckets.</param>
/// <param name="DangerZones">Buckets holding more than the danger-zone USD.</param>
/// <param name="Buckets">Non-empty buckets, ascending price.</param>
/// <param name="UnavailableReason">Why there are no buckets, or null.</param>
public sealed record LiquidationClusters(
    double BucketSize,
    BucketSizeSource Source,
    double ReferencePrice,
    int RetentionSeconds,
    int DangerZones,
    IReadOnlyList<LiquidationBucket> Buckets,
    string? UnavailableReason);

/// <summary>Which positions dominate (by USD) a group of liquidations.</summary>
public enum CascadeSide
{
    /// <summary>Mostly long positions liquidated (price falling).</summary>
    Long,

    /// <summary>Mostly short positions liquidated (price rising).</summary>
    Short,

    /// <summary>Long and short USD exactly equal.</summary>
    Mixed,
}

/// <summary>One price bucket: liquidations with PriceLow ≤ price &lt; PriceHigh.</summary>
/// <param name="PriceLow">Lower edge (k × bucket size).</param>
/// <param name="PriceHigh">Upper edge.</param>
/// <param name="PriceMid">Middle.</param>
/// <param name="Count">Liquidations.</param>
/// <param name="LongCount">Long positions liquidated.</param>
/// <param name="ShortCount">Short positions liquidated.</param>
/// <param name="Usd">USD.</param>
/// <param name="LongUsd">USD of long liquidations.</param>
/// <param name="ShortUsd">USD of short liquidations.</param>
/// <param name="Side">Dominant side by USD.</param>
/// <param name="DangerZone">Usd above the danger-zone threshold.</param>
/// <param name="LastTime">Event time of its newest liquidation.</param>
/// <param name="LastAgeSeconds">"Last liquidation N s ago".</param>
/// <param name="IsLowerBound">A sampled feed contributed.</param>
/// <param name="SampledVenues">Those venues.</param>
public sealed record LiquidationBucket(
    double PriceLow,
    double PriceHigh,
    double PriceMid,
    long Count,
    long LongCount,
    long ShortCount,
    double Usd,
    double LongUsd,
    double ShortUsd,
    CascadeSide Side,
    bool DangerZone,
    long LastTime,
    double LastAgeSeconds,
    bool IsLowerBound,
    IReadOnlyList<string> SampledVenues);

/// <summary>
/// Cascade risk of an asset, 0 … 100 = 100 · (0.5 · Near + 0.3 · Velocity + 0.2 · OneSided)
/// (docs/metrics.md). NaN (null) without a fresh price.
/// </summary>
/// <param name="Score">0 … 100.</param>
/// <param name="NearUsd">Cluster USD of buckets whose middle is within the near range of price.</param>
/// <param name="NearPercent">The near range, percent of price.</param>
/// <param name="NearComponent">min(1, NearUsd / (5 × danger-zone USD)).</param>
/// <param name="UsdLastMinute">Asset liquidation USD of the last 60 s.</param>
/// <param name="UsdPerMinuteAverage">Asset liquidation USD per minute over the retention window (at least one minute).</param>
/// <param name="VelocityRatio">UsdLastMinute / UsdPerMinuteAverage (0 without liquidations).</param>
/// <param name="VelocityComponent">clamp((VelocityRatio − 1) / 4, 0, 1).</param>
/// <param name="OneSidedness">|long − short| / (long + short) USD of the last 5 minutes.</param>
/// <param name="OneSidedComponent">OneSidedness × min(1, 5-minute count / cascade minimum count).</param>
/// <param name="IsLowerBound">A sampled feed contributed to the inputs.</param>
/// <param name="UnavailableReason">Why the score is unavailable, or null.</param>
public sealed record CascadeRisk(
    double Score,
    double NearUsd,
    double NearPercent,
    double NearComponent,
    double UsdLastMinute,
    double UsdPerMinuteAverage,
    double VelocityRatio,
    double VelocityComponent,
    double OneSidedness,
    double OneSidedComponent,
    bool IsLowerBound,
    string? UnavailableReason);

/// <summary>Where a level lies relative to the price.</summary>
public enum LevelPosition
{
    /// <summary>Bucket middle at or above the price.</summary>
    Above,

    /// <summary>Bucket middle below the price.</summary>
    Below,
}

/// <summary>A cluster level relative to the current price.</summary>
/// <param name="Price">Bucket middle, or NaN (null).</param>
/// <param name="PriceLow">Bucket lower edge.</param>
/// <param name="PriceHigh">Bucket upper edge.</param>
/// <param name="Position">Above or below the price.</param>
/// <param name="Side">Dominant liquidated side of the bucket.</param>
/// <param name="DistancePercent">(Price − asset price) / asset price × 100: negative below.</param>
/// <param name="Usd">Bucket USD.</param>
/// <param name="Count">Bucket liquidations.</param>
/// <param name="IsLowerBound">A sampled feed contributed.</param>
/// <param name="UnavailableReason">Why there is no level, or null.</param>
public sealed record LiquidationLevel(
    double Price,
    double PriceLow,
    double PriceHigh,
    LevelPosition? Position,
    CascadeSide? Side,
    double DistancePercent,
    double Usd,
    long Count,
    bool IsLowerBound,
    string? UnavailableReason)
{
    internal static LiquidationLevel Unavailable(string reason) =>
        new(double.NaN, double.NaN, double.NaN, null, null, double.NaN, double.NaN, 0, false, reason);
}

/// <summary>
/// Liquidation heatmap: rows are price bins (ascending), columns time bins (oldest first).
/// Row r covers PriceLow + r·PriceStep ≤ price &lt; PriceLow + (r+1)·PriceStep (the last row includes
/// PriceHigh); column c covers TimeStart + c·TimeStep &lt; time ≤ TimeStart + (c+1)·TimeStep.
/// </summary>
/// <param name="CenterPrice">The asset price the range is centred on, or NaN (null).</param>
/// <param name="PriceLow">CenterPrice × (1 − range).</param>
/// <param name="PriceHigh">CenterPrice × (1 + range).</param>
/// <param name="PriceStep">(PriceHigh − PriceLow) / PriceBins.</param>
/// <param name="PriceBins">Rows.</param>
/// <param name="TimeStart">Snapshot time − window, UTC µs.</param>
/// <param name="TimeEnd">Snapshot time.</param>
/// <param name="TimeStep">Window / TimeBins, µs.</param>
/// <param name="TimeBins">Columns.</param>
/// <param name="Counts">Liquidations per cell [row][column] (empty when unavailable).</param>
/// <param name="Usd">USD per cell [row][column].</param>
/// <param name="Count">Liquidations in the cells.</param>
/// <param name="TotalUsd">USD in the cells.</param>
/// <param name="OutsideCount">Liquidations of the time window outside the price range.</param>
/// <param name="OutsideUsd">Their USD.</param>
/// <param name="IsLowerBound">A sampled feed contributed (or the ring dropped liquidations of the window).</param>
/// <param name="SampledVenues">Those venues.</param>
/// <param name="UnavailableReason">Why there is no heatmap, or null.</param>
public sealed record LiquidationHeatmap(
    double CenterPrice,
    double PriceLow,
    double PriceHigh,
    double PriceStep,
    int PriceBins,
    long TimeStart,
    long TimeEnd,
    long TimeStep,
    int TimeBins,
    IReadOnlyList<IReadOnlyList<int>> Counts,
    IReadOnlyList<IReadOnlyList<double>> Usd,
    long Count,
    double TotalUsd,
    long OutsideCount,
    double OutsideUsd,
    bool IsLowerBound,
    IReadOnlyList<string> SampledVenues,
    string? UnavailableReason);
