namespace Barometer.Storage.Sqlite;

/// <summary>A half-open time range [<see cref="From"/>, <see cref="To"/>) in UTC µs.</summary>
/// <param name="From">First instant included, UTC µs.</param>
/// <param name="To">First instant excluded, UTC µs (greater than <paramref name="From"/>).</param>
public readonly record struct TimeRange(long From, long To)
{
    /// <summary>Length of the range, µs.</summary>
    public long Length => To - From;
}

/// <summary>
/// Which series a history query reads. Every member is optional; null means "any". Venue is the
/// wire name (binance-futures), symbol the venue's spelling (BTCUSDT), asset the base (BTC).
/// </summary>
/// <param name="Asset">Base asset, or null.</param>
/// <param name="Venue">Venue wire name, or null.</param>
/// <param name="Symbol">Venue symbol, or null.</param>
public sealed record SeriesFilter(string? Asset = null, string? Venue = null, string? Symbol = null)
{
    /// <summary>Every series.</summary>
    public static SeriesFilter Any { get; } = new();
}

/// <summary>Rows of a bounded query, in order.</summary>
/// <typeparam name="T">Row type.</typeparam>
/// <param name="Rows">The rows (at most the limit asked).</param>
/// <param name="Truncated">True when more rows matched than the limit allowed (the rows are the earliest ones).</param>
public sealed record HistoryPage<T>(IReadOnlyList<T> Rows, bool Truncated);

/// <summary>The last open-interest sample of one venue market in one hour.</summary>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Symbol">Venue symbol.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Time">Exchange time of the sample, UTC µs.</param>
/// <param name="Quantity">Open interest, base asset.</param>
/// <param name="NotionalUsd">Open interest in USD (NaN when the sample had none).</param>
public sealed record OpenInterestPoint(string Venue, string Symbol, string Asset, long Time, double Quantity, double NotionalUsd);

/// <summary>Open interest of one asset in one hour: the sum over its venue markets' last samples of that hour.</summary>
/// <param name="Asset">Base asset.</param>
/// <param name="Quantity">Σ quantity of the markets with a sample in the hour, base asset.</param>
/// <param name="NotionalUsd">Σ USD of the markets whose sample has a USD value (NaN when none has).</param>
/// <param name="Markets">Markets summed in <paramref name="Quantity"/>.</param>
/// <param name="UsdMarkets">Markets summed in <paramref name="NotionalUsd"/>.</param>
public sealed record OpenInterestHourTotal(string Asset, double Quantity, double NotionalUsd, int Markets, int UsdMarkets);

/// <summary>One hour of open-interest history.</summary>
/// <param name="HourStart">Start of the hour, UTC µs (a multiple of one hour).</param>
/// <param name="Markets">Last sample of each venue market in the hour, sorted by venue, then symbol.</param>
/// <param name="Totals">Per asset, sorted by asset.</param>
public sealed record OpenInterestHour(long HourStart, IReadOnlyList<OpenInterestPoint> Markets, IReadOnlyList<OpenInterestHourTotal> Totals);

/// <summary>The last funding sample of one perpetual in one hour.</summary>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Symbol">Venue symbol.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Time">Exchange time of the sample, UTC µs.</param>
/// <param name="Rate">Rate per funding interval, fraction.</param>
/// <param name="IntervalHours">Funding interval, hours (NaN when unknown).</param>
/// <param name="Rate8h">Rate × 8 / IntervalHours (NaN when the interval is unknown).</param>
/// <param name="NextFundingTime">Next settlement, UTC µs (0 when unknown).</param>
/// <param name="MarkPrice">Mark price of the sample (NaN when unknown).</param>
public sealed record FundingPoint(string Venue, string Symbol, string Asset, long Time, double Rate, double IntervalHours, double Rate8h,
    long NextFundingTime, double MarkPrice);

/// <summary>One hour of funding history.</summary>
/// <param name="HourStart">Start of the hour, UTC µs.</param>
/// <param name="Markets">Last sample of each perpetual in the hour, sorted by venue, then symbol.</param>
public sealed record FundingHour(long HourStart, IReadOnlyList<FundingPoint> Markets);

/// <summary>One non-empty cell of a liquidation heatmap.</summary>
/// <param name="TimeBin">Time bin index, 0 = the earliest.</param>
/// <param name="PriceBin">Price bin index, 0 = the lowest.</param>
/// <param name="Count">Liquidations in the cell.</param>
/// <param name="NotionalUsd">Σ USD of those with a USD value.</param>
/// <param name="LongUsd">Σ USD of liquidated longs.</param>
/// <param name="ShortUsd">Σ USD of liquidated shorts.</param>
public sealed record HeatmapCell(int TimeBin, int PriceBin, long Count, double NotionalUsd, double LongUsd, double ShortUsd);

/// <summary>
/// Liquidations of one asset binned by price × time. Time bin j covers
/// [From + j·TimeBinMicros, From + (j+1)·TimeBinMicros) (the last one ends at the range end); price bin i
/// covers [PriceMin + i·PriceBinSize, PriceMin + (i+1)·PriceBinSize) (the last one includes PriceMax).
/// </summary>
/// <param name="Asset">Base asset.</param>
/// <param name="From">Range start, UTC µs.</param>
/// <param name="To">Range end (excluded), UTC µs.</param>
/// <param name="TimeBins">Number of time bins.</param>
/// <param name="TimeBinMicros">Width of a time bin, µs.</param>
/// <param name="PriceBins">Number of price bins (1 when every liquidation had the same price).</param>
/// <param name="PriceMin">Lowest liquidation price in the range.</param>
/// <param name="PriceMax">Highest liquidation price in the range.</param>
/// <param name="PriceBinSize">Width of a price bin, quote units (0 when PriceMin = PriceMax).</param>
/// <param name="Count">Liquidations binned.</param>
/// <param name="NotionalUsd">Σ USD binned.</param>
/// <param name="WithoutUsd">Liquidations without a USD value (counted, not in the USD sums).</param>
/// <param name="Sampled">Liquidations from sampled feeds (the venue sends at most one per interval): the sums are lower bounds when this is above 0.</param>
/// <param name="Cells">Non-empty cells, sorted by time bin, then price bin.</param>
public sealed record LiquidationHeatmap(string Asset, long From, long To, int TimeBins, long TimeBinMicros, int PriceBins, double PriceMin,
    double PriceMax, double PriceBinSize, long Count, double NotionalUsd, long WithoutUsd, long Sampled, IReadOnlyList<HeatmapCell> Cells);
