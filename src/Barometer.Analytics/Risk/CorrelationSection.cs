using Barometer.Core.Instruments;

namespace Barometer.Analytics.Risk;

/// <summary>
/// Correlation of 1 s log returns over the last 15 minutes (docs/metrics.md, "Correlation"):
/// Pearson coefficient and lead/lag for every pair of assets, and each venue market against the
/// other markets of its asset. Assets sorted ordinally, pairs in that order, markets by key.
/// </summary>
/// <param name="WindowSeconds">Returns per series: 900 (one per second, ending with the snapshot's second).</param>
/// <param name="MinSamples">A coefficient needs at least this many common returns: 120.</param>
/// <param name="MaxLagSeconds">Lead/lag searches lags −30 … +30 s.</param>
/// <param name="Assets">One row per asset with a USD-quoted trade.</param>
/// <param name="Pairs">One row per pair of assets (first &lt; second, ordinal).</param>
/// <param name="CrossVenue">One row per asset: each venue market against the others.</param>
/// <param name="IgnoredTrades">Trades skipped as bad input (non-finite or non-positive price or quantity, unknown side).</param>
/// <param name="LateTrades">Trades skipped because their second is older than the newest second of their market.</param>
public sealed record CorrelationSection(
    int WindowSeconds,
    int MinSamples,
    int MaxLagSeconds,
    IReadOnlyList<CorrelationAsset> Assets,
    IReadOnlyList<AssetPairCorrelation> Pairs,
    IReadOnlyList<CrossVenueCorrelation> CrossVenue,
    long IgnoredTrades,
    long LateTrades)
{
    /// <summary>Before any trade.</summary>
    public static CorrelationSection Empty { get; } = new(CorrelationCalc.WindowSeconds, CorrelationCalc.MinSamples, CorrelationCalc.MaxLagSeconds, [], [], [], 0, 0);
}

/// <summary>The 1 s return series of one asset (the mean of its markets' returns, second by second).</summary>
/// <param name="Asset">Base asset, e.g. "BTC".</param>
/// <param name="Instruments">USD-quoted markets that contribute (sorted keys).</param>
/// <param name="Samples">Seconds of the window with an asset return.</param>
/// <param name="LastTradeTime">Event time of the asset's newest trade (any market), UTC µs.</param>
/// <param name="LastTradeAgeSeconds">Snapshot time minus <paramref name="LastTradeTime"/>, seconds.</param>
/// <param name="UnavailableReason">Set when the asset is stale (no trade within the staleness limit): every coefficient with it is unavailable.</param>
public sealed record CorrelationAsset(
    string Asset,
    IReadOnlyList<string> Instruments,
    int Samples,
    long LastTradeTime,
    double LastTradeAgeSeconds,
    string? UnavailableReason);

/// <summary>Pearson correlation of two assets' synchronized 1 s returns, and which one leads.</summary>
/// <param name="First">The ordinally first asset.</param>
/// <param name="Second">The other asset.</param>
/// <param name="Samples">Seconds where both have a return (lag 0).</param>
/// <param name="Coefficient">Pearson coefficient at lag 0, −1 … +1 (NaN when unavailable).</param>
/// <param name="LeadLag">Peak of the cross-correlation over lags −30 … +30 s.</param>
/// <param name="UnavailableReason">Why <paramref name="Coefficient"/> is unavailable, or null.</param>
public sealed record AssetPairCorrelation(
    string First,
    string Second,
    int Samples,
    double Coefficient,
    LeadLag LeadLag,
    string? UnavailableReason);

/// <summary>
/// Lead/lag of a pair: c(k) = Pearson(first's return at t, second's return at t + k) for k in
/// −30 … +30 s; the peak k* is the lag with the largest c(k). k* &gt; 0: the first asset leads by
/// k* seconds; k* &lt; 0: the second leads by −k*. No leader when k* = 0 or c(k*) &lt; 0.2.
/// </summary>
/// <param name="Leader">The leading asset, or null (neutral or unavailable).</param>
/// <param name="Follower">The following asset, or null.</param>
/// <param name="LeadSeconds">How many seconds the leader leads (|k*|; 0 without a leader).</param>
/// <param name="PeakLagSeconds">k*, signed (positive: the first asset leads).</param>
/// <param name="PeakCorrelation">c(k*).</param>
/// <param name="NeutralReason">Why there is no leader although the cross-correlation is available, or null.</param>
/// <param name="UnavailableReason">Why the cross-correlation is unavailable, or null.</param>
public sealed record LeadLag(
    string? Leader,
    string? Follower,
    int LeadSeconds,
    int PeakLagSeconds,
    double PeakCorrelation,
    string? NeutralReason,
    string? UnavailableReason)
{
    internal static LeadLag Unavailable(string reason) => new(null, null, 0, 0, double.NaN, null, reason);
}

/// <summary>Each venue market of one asset against the mean of the asset's other markets.</summary>
/// <param name="Asset">Base asset.</param>
/// <param name="Venues">One row per USD-quoted market of the asset, sorted by key.</param>
/// <param name="UnavailableReason">Set when the asset has a single market (nothing to compare).</param>
public sealed record CrossVenueCorrelation(string Asset, IReadOnlyList<VenueCorrelation> Venues, string? UnavailableReason);

/// <summary>One market's 1 s returns against the mean 1 s return of the asset's other markets.</summary>
/// <param name="Instrument">"venue:symbol".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Market">Spot or perpetual.</param>
/// <param name="Samples">Seconds where the market and at least one other market have a return.</param>
/// <param name="Coefficient">Pearson coefficient, −1 … +1 (NaN when unavailable).</param>
/// <param name="UnavailableReason">Why it is unavailable, or null.</param>
public sealed record VenueCorrelation(
    string Instrument,
    string Venue,
    MarketKind Market,
    int Samples,
    double Coefficient,
    string? UnavailableReason);
