using System.Globalization;
using System.Text;
using Barometer.Core.Time;
using Microsoft.Data.Sqlite;

namespace Barometer.Storage.Sqlite;

/// <summary>
/// The read side of the history store: bounded, ordered queries by time range over the database a
/// <see cref="SqliteStore"/> writes. Every call takes its own read-only connection from a private
/// pool (WAL lets reads run while the writer commits), so one instance serves concurrent HTTP
/// requests. Every query filters on an indexed time column and stops at a row limit; a page says
/// when it was cut. Times are UTC µs; ranges are half-open [from, to).
/// </summary>
public sealed class SqliteHistory : IDisposable
{
    /// <summary>The largest row limit any query accepts.</summary>
    public const int MaxRows = 100_000;

    /// <summary>The largest number of price or time bins of a heatmap.</summary>
    public const int MaxBins = 1_440;

    private readonly string _connectionString;

    /// <summary>Opens the history of the database at <paramref name="path"/> (which a <see cref="SqliteStore"/> has created).</summary>
    /// <exception cref="FileNotFoundException">No database file at the path.</exception>
    public SqliteHistory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException("no Barometer database at this path (a SqliteStore creates it)", Path);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString();
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Open interest in hourly buckets: for each venue market, its last sample in each hour
    /// (hour = floor(exchange_time / 1 h)), and per asset the sums of those samples. An hour in
    /// which a market has no sample has no point for it (nothing is carried forward). When more
    /// than <paramref name="limit"/> points match, the last (possibly incomplete) hour is dropped
    /// and the page is truncated.
    /// </summary>
    public HistoryPage<OpenInterestHour> OpenInterestHourly(TimeRange range, SeriesFilter filter, int limit = MaxRows)
    {
        using var connection = Open();
        using var command = OpenInterestCommand(connection, range, filter, limit);
        var points = new List<(long Hour, OpenInterestPoint Point)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                long time = reader.GetInt64(3);
                points.Add((time / UnixMicros.PerHour, new OpenInterestPoint(reader.GetString(0), reader.GetString(1), reader.GetString(2), time,
                    reader.GetDouble(4), Real(reader, 5))));
            }
        }

        bool truncated = DropBeyondLimitHours(points, limit);
        var hours = new List<OpenInterestHour>();
        int start = 0;
        while (start < points.Count)
        {
            long hour = points[start].Hour;
            int end = start;
            var markets = new List<OpenInterestPoint>();
            var totals = new SortedDictionary<string, (double Quantity, double Usd, int Markets, int UsdMarkets)>(StringComparer.Ordinal);
            while (end < points.Count && points[end].Hour == hour)
            {
                var p = points[end].Point;
                markets.Add(p);
                (double Quantity, double Usd, int Markets, int UsdMarkets) t = totals.TryGetValue(p.Asset, out var existing) ? existing : (0.0, double.NaN, 0, 0);
                t.Quantity += p.Quantity;
                t.Markets++;
                if (double.IsFinite(p.NotionalUsd))
                {
                    t.Usd = t.UsdMarkets == 0 ? p.NotionalUsd : t.Usd + p.NotionalUsd;
                    t.UsdMarkets++;
                }

                totals[p.Asset] = t;
                end++;
            }

            var totalRows = new List<OpenInterestHourTotal>(totals.Count);
            foreach (var (asset, t) in totals)
            {
                totalRows.Add(new OpenInterestHourTotal(asset, t.Quantity, t.Usd, t.Markets, t.UsdMarkets));
            }

            hours.Add(new OpenInterestHour(hour * UnixMicros.PerHour, markets, totalRows));
            start = end;
        }

        return new HistoryPage<OpenInterestHour>(hours, truncated);
    }

    /// <summary>
    /// Funding in hourly buckets: for each perpetual, its last sample in each hour. Truncation as
    /// in <see cref="OpenInterestHourly"/>.
    /// </summary>
    public HistoryPage<FundingHour> FundingHourly(TimeRange range, SeriesFilter filter, int limit = MaxRows)
    {
        using var connection = Open();
        using var command = FundingCommand(connection, range, filter, limit);
        var points = new List<(long Hour, FundingPoint Point)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                long time = reader.GetInt64(3);
                double rate = reader.GetDouble(4);
                double interval = Real(reader, 5);
                double rate8h = interval > 0 ? rate * 8 / interval : double.NaN;
                long next = reader.IsDBNull(6) ? 0 : reader.GetInt64(6);
                points.Add((time / UnixMicros.PerHour, new FundingPoint(reader.GetString(0), reader.GetString(1), reader.GetString(2), time, rate,
                    interval, rate8h, next, Real(reader, 7))));
            }
        }

        bool truncated = DropBeyondLimitHours(points, limit);
        var hours = new List<FundingHour>();
        int start = 0;
        while (start < points.Count)
        {
            long hour = points[start].Hour;
            var markets = new List<FundingPoint>();
            while (start < points.Count && points[start].Hour == hour)
            {
                markets.Add(points[start].Point);
                start++;
            }

            hours.Add(new FundingHour(hour * UnixMicros.PerHour, markets));
        }

        return new HistoryPage<FundingHour>(hours, truncated);
    }

    /// <summary>
    /// Liquidations binned by price × time, one heatmap per asset (sorted by asset). The price
    /// range of an asset's heatmap is its lowest to highest liquidation price in the time range,
    /// cut into <paramref name="priceBins"/> equal bins; the time range is cut into
    /// <paramref name="timeBins"/> bins of ceil(length / timeBins) µs. Aggregated in SQLite, so the
    /// cost does not depend on how many liquidations there are beyond one indexed range scan.
    /// </summary>
    public IReadOnlyList<LiquidationHeatmap> LiquidationHeatmaps(TimeRange range, SeriesFilter filter, int priceBins, int timeBins)
    {
        CheckRange(range);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(priceBins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priceBins, MaxBins);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeBins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeBins, MaxBins);
        long timeBinMicros = (range.Length + timeBins - 1) / timeBins;
        using var connection = Open();
        var extents = new List<(string Asset, double Min, double Max)>();
        using (var command = HeatmapExtentCommand(connection, range, filter))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                extents.Add((reader.GetString(0), reader.GetDouble(1), reader.GetDouble(2)));
            }
        }

        var maps = new List<LiquidationHeatmap>(extents.Count);
        foreach (var (asset, min, max) in extents)
        {
            int bins = max > min ? priceBins : 1;
            double binSize = max > min ? (max - min) / priceBins : 0;
            var cells = new List<HeatmapCell>();
            long count = 0, withoutUsd = 0, sampled = 0;
            double usd = 0;
            using (var command = HeatmapCellCommand(connection, range, filter with { Asset = asset }, timeBins, timeBinMicros, bins, min, binSize))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var cell = new HeatmapCell(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5));
                    cells.Add(cell);
                    count += cell.Count;
                    usd += cell.NotionalUsd;
                    withoutUsd += reader.GetInt64(6);
                    sampled += reader.GetInt64(7);
                }
            }

            maps.Add(new LiquidationHeatmap(asset, range.From, range.To, timeBins, timeBinMicros, bins, min, max, binSize, count, usd, withoutUsd,
                sampled, cells));
        }

        return maps;
    }

    /// <summary>Liquidations in the range, oldest first (ties: venue, symbol, price).</summary>
    public HistoryPage<LiquidationRow> Liquidations(TimeRange range, SeriesFilter filter, int limit)
    {
        using var connection = Open();
        using var command = LiquidationsCommand(connection, range, filter, limit);
        var rows = new List<LiquidationRow>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(new LiquidationRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetDouble(4),
                    reader.GetDouble(5), Real(reader, 6), reader.GetString(7), reader.GetInt64(8) != 0));
            }
        }

        bool truncated = DropBeyondLimit(rows, limit);
        return new HistoryPage<LiquidationRow>(rows, truncated);
    }

    /// <summary>One-minute bars whose minute starts in the range, oldest first (ties: venue, symbol).</summary>
    public HistoryPage<BarRow> Bars(TimeRange range, SeriesFilter filter, int limit)
    {
        using var connection = Open();
        using var command = BarsCommand(connection, range, filter, limit);
        var rows = new List<BarRow>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(new BarRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), Real(reader, 4),
                    Real(reader, 5), Real(reader, 6), Real(reader, 7), Real(reader, 8), Real(reader, 9), Real(reader, 10), Real(reader, 11),
                    reader.IsDBNull(12) ? 0 : reader.GetInt64(12)));
            }
        }

        bool truncated = DropBeyondLimit(rows, limit);
        return new HistoryPage<BarRow>(rows, truncated);
    }

    /// <summary>
    /// Data gaps that overlap the range (start &lt; range end and end &gt; range start), oldest
    /// first; of one venue when <paramref name="venue"/> is given.
    /// </summary>
    public HistoryPage<GapRow> Gaps(TimeRange range, string? venue, int limit)
    {
        using var connection = Open();
        using var command = GapsCommand(connection, range, venue, limit);
        var rows = new List<GapRow>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(new GapRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetString(5), reader.GetString(6)));
            }
        }

        bool truncated = DropBeyondLimit(rows, limit);
        return new HistoryPage<GapRow>(rows, truncated);
    }

    /// <summary>Returns the pooled read connections.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    internal SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    // The commands are internal so that tests can EXPLAIN QUERY PLAN exactly what runs. Filters are
    // appended only when present (an "x IS NULL OR col = x" term would hide indexes from the planner).
    internal static SqliteCommand OpenInterestCommand(SqliteConnection connection, TimeRange range, SeriesFilter filter, int limit)
    {
        var command = Command(connection, range, limit);
        var sql = new StringBuilder("""
            SELECT venue, symbol, asset, exchange_time, quantity, notional_usd FROM (
              SELECT venue, symbol, asset, exchange_time, quantity, notional_usd,
                ROW_NUMBER() OVER (PARTITION BY venue, symbol, exchange_time / $hour ORDER BY exchange_time DESC) AS rn
              FROM open_interest WHERE exchange_time >= $from AND exchange_time < $to
            """);
        Filter(command, sql, filter);
        sql.Append(") WHERE rn = 1 ORDER BY exchange_time / $hour, venue, symbol LIMIT $limit");
        command.Parameters.AddWithValue("$hour", UnixMicros.PerHour);
        command.CommandText = sql.ToString();
        return command;
    }

    internal static SqliteCommand FundingCommand(SqliteConnection connection, TimeRange range, SeriesFilter filter, int limit)
    {
        var command = Command(connection, range, limit);
        var sql = new StringBuilder("""
            SELECT venue, symbol, asset, exchange_time, rate, interval_hours, next_funding_time, mark_price FROM (
              SELECT venue, symbol, asset, exchange_time, rate, interval_hours, next_funding_time, mark_price,
                ROW_NUMBER() OVER (PARTITION BY venue, symbol, exchange_time / $hour ORDER BY exchange_time DESC) AS rn
              FROM funding WHERE exchange_time >= $from AND exchange_time < $to
            """);
        Filter(command, sql, filter);
        sql.Append(") WHERE rn = 1 ORDER BY exchange_time / $hour, venue, symbol LIMIT $limit");
        command.Parameters.AddWithValue("$hour", UnixMicros.PerHour);
        command.CommandText = sql.ToString();
        return command;
    }

    internal static SqliteCommand HeatmapExtentCommand(SqliteConnection connection, TimeRange range, SeriesFilter filter)
    {
        var command = Command(connection, range, limit: null);
        var sql = new StringBuilder("SELECT asset, MIN(price), MAX(price) FROM liquidations WHERE exchange_time >= $from AND exchange_time < $to");
        Filter(command, sql, filter);
        sql.Append(" GROUP BY asset ORDER BY asset");
        command.CommandText = sql.ToString();
        return command;
    }

    internal static SqliteCommand HeatmapCellCommand(SqliteConnection connection, TimeRange range, SeriesFilter filter, int timeBins,
        long timeBinMicros, int priceBins, double priceMin, double priceBinSize)
    {
        var command = Command(connection, range, limit: null);
        var sql = new StringBuilder("""
            SELECT MIN((exchange_time - $from) / $tw, $tb - 1) AS tbin,
                   CASE WHEN $pw > 0 THEN MIN(CAST((price - $pmin) / $pw AS INTEGER), $pb - 1) ELSE 0 END AS pbin,
                   COUNT(*), TOTAL(notional_usd),
                   TOTAL(CASE WHEN liquidated_side = 'long' THEN notional_usd END),
                   TOTAL(CASE WHEN liquidated_side = 'short' THEN notional_usd END),
                   SUM(notional_usd IS NULL), SUM(sampled != 0)
            FROM liquidations WHERE exchange_time >= $from AND exchange_time < $to
            """);
        Filter(command, sql, filter);
        sql.Append(" GROUP BY tbin, pbin ORDER BY tbin, pbin");
        command.Parameters.AddWithValue("$tw", timeBinMicros);
        command.Parameters.AddWithValue("$tb", timeBins);
        command.Parameters.AddWithValue("$pb", priceBins);
        command.Parameters.AddWithValue("$pmin", priceMin);
        command.Parameters.AddWithValue("$pw", priceBinSize);
        command.CommandText = sql.ToString();
        return command;
    }

    internal static SqliteCommand LiquidationsCommand(SqliteConnection connection, TimeRange range, SeriesFilter filter, int limit)
    {
        var command = Command(connection, range, limit);
        var sql = new StringBuilder("""
            SELECT venue, symbol, asset, exchange_time, price, quantity, notional_usd, liquidated_side, sampled
            FROM liquidations WHERE exchange_time >= $from AND exchange_time < $to
            """);
        Filter(command, sql, filter);
        sql.Append(" ORDER BY exchange_time, venue, symbol, price LIMIT $limit");
        command.CommandText = sql.ToString();
        return command;
    }

    internal static SqliteCommand BarsCommand(SqliteConnection connection, TimeRange range, SeriesFilter filter, int limit)
    {
        var command = Command(connection, range, limit);
        var sql = new StringBuilder("""
            SELECT venue, symbol, asset, minute_start, open, high, low, close, buy_volume_usd, sell_volume_usd, cvd_usd, vwap, trade_count
            FROM bars_1m WHERE minute_start >= $from AND minute_start < $to
            """);
        Filter(command, sql, filter);
        sql.Append(" ORDER BY minute_start, venue, symbol LIMIT $limit");
        command.CommandText = sql.ToString();
        return command;
    }

    internal static SqliteCommand GapsCommand(SqliteConnection connection, TimeRange range, string? venue, int limit)
    {
        var command = Command(connection, range, limit);
        var sql = new StringBuilder("""
            SELECT venue, stream, symbol, start_time, end_time, cause, detail
            FROM data_gaps WHERE start_time < $to AND end_time > $from
            """);
        Filter(command, sql, new SeriesFilter(Venue: venue));
        sql.Append(" ORDER BY start_time, venue, stream LIMIT $limit");
        command.CommandText = sql.ToString();
        return command;
    }

    private static SqliteCommand Command(SqliteConnection connection, TimeRange range, int? limit)
    {
        CheckRange(range);
        var command = connection.CreateCommand();
        command.Parameters.AddWithValue("$from", range.From);
        command.Parameters.AddWithValue("$to", range.To);
        if (limit is { } rows)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1, nameof(limit));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, MaxRows, nameof(limit));
            // One row beyond the limit tells whether the page was cut.
            command.Parameters.AddWithValue("$limit", rows + 1);
        }

        return command;
    }

    private static void Filter(SqliteCommand command, StringBuilder sql, SeriesFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Asset is { } asset)
        {
            sql.Append(" AND asset = $asset");
            command.Parameters.AddWithValue("$asset", asset);
        }

        if (filter.Venue is { } venue)
        {
            sql.Append(" AND venue = $venue");
            command.Parameters.AddWithValue("$venue", venue);
        }

        if (filter.Symbol is { } symbol)
        {
            sql.Append(" AND symbol = $symbol");
            command.Parameters.AddWithValue("$symbol", symbol);
        }
    }

    private static void CheckRange(TimeRange range)
    {
        if (range.To <= range.From)
        {
            throw new ArgumentOutOfRangeException(nameof(range), range,
                string.Create(CultureInfo.InvariantCulture, $"the range end {range.To} must be after its start {range.From}"));
        }
    }

    /// <summary>Removes the probe row (limit + 1).</summary>
    private static bool DropBeyondLimit<T>(List<T> rows, int limit)
    {
        if (rows.Count <= limit)
        {
            return false;
        }

        rows.RemoveRange(limit, rows.Count - limit);
        return true;
    }

    /// <summary>Removes the probe row and every point of its hour (that hour may be incomplete).</summary>
    private static bool DropBeyondLimitHours<T>(List<(long Hour, T Point)> points, int limit)
    {
        if (points.Count <= limit)
        {
            return false;
        }

        long lastHour = points[limit].Hour;
        int keep = limit;
        while (keep > 0 && points[keep - 1].Hour == lastHour)
        {
            keep--;
        }

        points.RemoveRange(keep, points.Count - keep);
        return true;
    }

    private static double Real(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);
}
