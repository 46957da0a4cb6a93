using Barometer.Storage.Sqlite;

namespace Barometer.Storage.Tests;

public sealed class SqliteHistoryTests : IDisposable
{
    private const long Minute = 60_000_000;
    private const long Hour = 60 * Minute;

    // 2026-12-01T00:00:00Z, a whole hour.
    private const long T0 = 1_796_083_200_000_000;

    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-history-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string DatabasePath => Path.Combine(_directory, "barometer.db");

    private (SqliteStore Store, SqliteHistory History) Open(params object[] rows)
    {
        var store = new SqliteStore(DatabasePath);
        if (rows.Length > 0)
        {
            store.WriteBatch(rows);
        }

        return (store, new SqliteHistory(DatabasePath));
    }

    private static OpenInterestRow Oi(string venue, string symbol, long time, double quantity, double usd, string asset = "BTC") =>
        new(venue, symbol, asset, time, quantity, usd);

    // Five BTC samples over two hours plus one ETH sample, one BTC sample before the range and one at its (excluded) end.
    private static readonly object[] OiRows =
    [
        Oi("binance-futures", "BTCUSDT", T0 - 1, 90, 8.1e6),                  // before the range
        Oi("binance-futures", "BTCUSDT", T0 + (10 * Minute), 100, 9.0e6),
        Oi("binance-futures", "BTCUSDT", T0 + (50 * Minute), 110, 9.9e6),     // last of hour 0
        Oi("okx-swap", "BTC-USDT-SWAP", T0 + (20 * Minute), 50, double.NaN),  // hour 0, no USD
        Oi("binance-futures", "BTCUSDT", T0 + Hour + (5 * Minute), 120, 1.08e7),
        Oi("okx-swap", "BTC-USDT-SWAP", T0 + Hour + (59 * Minute), 55, 4.95e6),
        Oi("binance-futures", "ETHUSDT", T0 + Hour + (30 * Minute), 1000, 3.5e6, "ETH"),
        Oi("binance-futures", "BTCUSDT", T0 + (2 * Hour), 130, 1.17e7),      // the range end: excluded
    ];

    [Fact]
    public void Open_interest_is_bucketed_hourly_with_the_last_sample_per_market_and_per_asset_totals()
    {
        var (store, history) = Open(OiRows);
        using (store)
        using (history)
        {
            var page = history.OpenInterestHourly(new TimeRange(T0, T0 + (2 * Hour)), SeriesFilter.Any);

            Assert.False(page.Truncated);
            Assert.Equal(2, page.Rows.Count);
            var h0 = page.Rows[0];
            Assert.Equal(T0, h0.HourStart);
            Assert.Equal(
                [("binance-futures", 110.0, T0 + (50 * Minute)), ("okx-swap", 50.0, T0 + (20 * Minute))],
                h0.Markets.Select(m => (m.Venue, m.Quantity, m.Time)));
            Assert.True(double.IsNaN(h0.Markets[1].NotionalUsd));
            var btc0 = Assert.Single(h0.Totals);
            // 110 + 50 base; USD only from Binance (OKX had none): 9.9M, 2 markets, 1 with USD.
            Assert.Equal(("BTC", 160.0, 9.9e6, 2, 1), (btc0.Asset, btc0.Quantity, btc0.NotionalUsd, btc0.Markets, btc0.UsdMarkets));

            var h1 = page.Rows[1];
            Assert.Equal(T0 + Hour, h1.HourStart);
            // Sorted by venue then symbol: binance BTCUSDT, binance ETHUSDT, okx.
            Assert.Equal(["BTCUSDT", "ETHUSDT", "BTC-USDT-SWAP"], h1.Markets.Select(m => m.Symbol));
            Assert.Equal(["BTC", "ETH"], h1.Totals.Select(t => t.Asset));
            // 120 + 55 = 175 BTC; 10.8M + 4.95M = 15.75M USD.
            Assert.Equal(175, h1.Totals[0].Quantity, 9);
            Assert.Equal(1.575e7, h1.Totals[0].NotionalUsd, 3);
            Assert.Equal((2, 2), (h1.Totals[0].Markets, h1.Totals[0].UsdMarkets));
            Assert.Equal((1000.0, 3.5e6), (h1.Totals[1].Quantity, h1.Totals[1].NotionalUsd));
        }
    }

    [Fact]
    public void Open_interest_filtered_by_asset_and_venue_keeps_only_those_series()
    {
        var (store, history) = Open(OiRows);
        using (store)
        using (history)
        {
            var range = new TimeRange(T0, T0 + (2 * Hour));
            var btc = history.OpenInterestHourly(range, new SeriesFilter(Asset: "BTC"));
            Assert.DoesNotContain(btc.Rows, h => h.Markets.Any(m => m.Asset != "BTC"));
            Assert.Equal(4, btc.Rows.Sum(h => h.Markets.Count));

            var okx = history.OpenInterestHourly(range, new SeriesFilter(Venue: "okx-swap", Symbol: "BTC-USDT-SWAP"));
            Assert.Equal([50.0, 55.0], okx.Rows.Select(h => Assert.Single(h.Markets).Quantity));
        }
    }

    [Fact]
    public void A_cut_open_interest_page_drops_the_incomplete_last_hour()
    {
        var (store, history) = Open(OiRows);
        using (store)
        using (history)
        {
            // Hour 0 has 2 points, hour 1 has 3: with limit 3 the 4th (probe) row is in hour 1, so hour 1 is incomplete and dropped.
            var page = history.OpenInterestHourly(new TimeRange(T0, T0 + (2 * Hour)), SeriesFilter.Any, limit: 3);
            Assert.True(page.Truncated);
            Assert.Equal(T0, Assert.Single(page.Rows).HourStart);
            Assert.Equal(160, Assert.Single(page.Rows[0].Totals).Quantity);
        }
    }

    [Fact]
    public void Funding_is_bucketed_hourly_with_the_8h_rate_from_the_interval()
    {
        var (store, history) = Open(
            new FundingRow("bybit-linear", "BTCUSDT", "BTC", T0 + Minute, 0.0003, 4, T0 + (4 * Hour), 95_000),
            new FundingRow("bybit-linear", "BTCUSDT", "BTC", T0 + (30 * Minute), 0.0001, 4, T0 + (4 * Hour), 95_100),
            new FundingRow("okx-swap", "BTC-USDT-SWAP", "BTC", T0 + (40 * Minute), 0.0002, double.NaN, 0, double.NaN));
        using (store)
        using (history)
        {
            var hour = Assert.Single(history.FundingHourly(new TimeRange(T0, T0 + Hour), SeriesFilter.Any).Rows);
            Assert.Equal(T0, hour.HourStart);
            var bybit = hour.Markets[0];
            // The last sample of the hour (0.0001 per 4 h) → 0.0001 × 8 / 4 = 0.0002 per 8 h.
            Assert.Equal(("bybit-linear", T0 + (30 * Minute), 0.0001, 95_100.0), (bybit.Venue, bybit.Time, bybit.Rate, bybit.MarkPrice));
            Assert.Equal(0.0002, bybit.Rate8h, 12);
            Assert.Equal(T0 + (4 * Hour), bybit.NextFundingTime);
            var okx = hour.Markets[1];
            Assert.True(double.IsNaN(okx.IntervalHours));
            Assert.True(double.IsNaN(okx.Rate8h), "no interval, no 8 h rate");
            Assert.Equal(0, okx.NextFundingTime);
        }
    }

    private static LiquidationRow Liq(long time, double price, double usd, string side, bool sampled = false, string asset = "BTC") =>
        new(asset == "BTC" ? "binance-futures" : "bybit-linear", asset + "USDT", asset, time, price, 1, usd, side, sampled);

    [Fact]
    public void Liquidations_are_binned_by_price_and_time_per_asset()
    {
        var (store, history) = Open(
            Liq(T0 + Minute, 94_000, 47_000, "long"),
            Liq(T0 + (16 * Minute), 95_000, 95_000, "short"),
            Liq(T0 + (16 * Minute) + 1_000_000, 96_000, 96_000, "long", sampled: true),
            Liq(T0 + (59 * Minute), 94_500, double.NaN, "short"),
            Liq(T0 + (30 * Minute), 3_500, 3_500, "long", asset: "ETH"),
            Liq(T0 + Hour, 99_000, 99_000, "long"));   // range end: excluded
        using (store)
        using (history)
        {
            var maps = history.LiquidationHeatmaps(new TimeRange(T0, T0 + Hour), SeriesFilter.Any, priceBins: 2, timeBins: 4);

            Assert.Equal(["BTC", "ETH"], maps.Select(m => m.Asset));
            var btc = maps[0];
            // Prices 94,000 … 96,000 in 2 bins of 1,000; 4 time bins of 15 min.
            Assert.Equal((2, 94_000.0, 96_000.0, 1_000.0, 4, 15 * Minute), (btc.PriceBins, btc.PriceMin, btc.PriceMax, btc.PriceBinSize, btc.TimeBins, btc.TimeBinMicros));
            // 1 min → t0; 94,000 → p0.  16 min → t1; 95,000 → p1 (exactly 1 bin up).  16 min 1 s → t1; 96,000 (the max) → clamped to p1.
            // 59 min → t3; 94,500 → p0 (0.5 bin), no USD.
            Assert.Equal(
                [(0, 0, 1L, 47_000.0, 47_000.0, 0.0), (1, 1, 2L, 191_000.0, 96_000.0, 95_000.0), (3, 0, 1L, 0.0, 0.0, 0.0)],
                btc.Cells.Select(c => (c.TimeBin, c.PriceBin, c.Count, c.NotionalUsd, c.LongUsd, c.ShortUsd)));
            Assert.Equal((4L, 238_000.0, 1L, 1L), (btc.Count, btc.NotionalUsd, btc.WithoutUsd, btc.Sampled));

            var eth = maps[1];
            // One price only: one price bin of width 0; 30 min → t2.
            Assert.Equal((1, 0.0), (eth.PriceBins, eth.PriceBinSize));
            Assert.Equal((2, 0, 1L, 3_500.0), (Assert.Single(eth.Cells).TimeBin, eth.Cells[0].PriceBin, eth.Cells[0].Count, eth.Cells[0].NotionalUsd));
        }
    }

    [Fact]
    public void An_hour_without_liquidations_gives_no_heatmap()
    {
        var (store, history) = Open(Liq(T0 + Minute, 94_000, 47_000, "long"));
        using (store)
        using (history)
        {
            Assert.Empty(history.LiquidationHeatmaps(new TimeRange(T0 + Hour, T0 + (2 * Hour)), SeriesFilter.Any, 10, 10));
        }
    }

    [Fact]
    public void Liquidations_come_oldest_first_bounded_by_the_limit()
    {
        var (store, history) = Open(
            Liq(T0 + (3 * Minute), 3, 3, "long"),
            Liq(T0 + Minute, 1, 1, "short"),
            Liq(T0 + (2 * Minute), 2, 2, "long"),
            Liq(T0 - 1, 0, 0, "long"));
        using (store)
        using (history)
        {
            var all = history.Liquidations(new TimeRange(T0, T0 + Hour), SeriesFilter.Any, limit: 10);
            Assert.False(all.Truncated);
            Assert.Equal([1.0, 2.0, 3.0], all.Rows.Select(r => r.Price));
            Assert.Equal("short", all.Rows[0].LiquidatedSide);

            var two = history.Liquidations(new TimeRange(T0, T0 + Hour), SeriesFilter.Any, limit: 2);
            Assert.True(two.Truncated);
            Assert.Equal([1.0, 2.0], two.Rows.Select(r => r.Price));
        }
    }

    private static BarRow Bar(string venue, string symbol, string asset, long minute, double close) =>
        new(venue, symbol, asset, minute, close - 1, close + 1, close - 2, close, 10, 4, 6, close, 3);

    [Fact]
    public void Bars_of_one_market_come_by_minute_in_the_half_open_range()
    {
        var (store, history) = Open(
            Bar("binance-futures", "BTCUSDT", "BTC", T0, 100),
            Bar("binance-futures", "BTCUSDT", "BTC", T0 + Minute, 101),
            Bar("binance-futures", "BTCUSDT", "BTC", T0 + (2 * Minute), 102),
            Bar("bybit-linear", "BTCUSDT", "BTC", T0 + Minute, 201),
            Bar("binance-futures", "ETHUSDT", "ETH", T0 + Minute, 301));
        using (store)
        using (history)
        {
            var range = new TimeRange(T0, T0 + (2 * Minute));   // minutes T0 and T0+1m; T0+2m is the excluded end
            var one = history.Bars(range, new SeriesFilter(Venue: "binance-futures", Symbol: "BTCUSDT"), 100);
            Assert.Equal([100.0, 101.0], one.Rows.Select(b => b.Close));
            Assert.Equal((99.0, 101.0, 98.0, 3L), (one.Rows[0].Open, one.Rows[0].High, one.Rows[0].Low, one.Rows[0].TradeCount));

            var btc = history.Bars(range, new SeriesFilter(Asset: "BTC"), 100);
            // T0: binance; T0+1m: binance then bybit.
            Assert.Equal([100.0, 101.0, 201.0], btc.Rows.Select(b => b.Close));
        }
    }

    [Fact]
    public void Gaps_that_overlap_the_range_are_returned_and_touching_ones_are_not()
    {
        var (store, history) = Open(
            new GapRow("okx-swap", "connection", null, T0 - Minute, T0, "disconnect", "ends at the range start"),
            new GapRow("okx-swap", "books:BTC-USDT-SWAP", "BTC-USDT-SWAP", T0 - Minute, T0 + 1, "sequence_gap", "overlaps the start"),
            new GapRow("binance-futures", "connection", null, T0 - Hour, T0 + (2 * Hour), "disconnect", "spans the range"),
            new GapRow("bybit-linear", "connection", null, T0 + Hour, T0 + (2 * Hour), "disconnect", "starts at the range end"));
        using (store)
        using (history)
        {
            var gaps = history.Gaps(new TimeRange(T0, T0 + Hour), venue: null, limit: 100);
            Assert.Equal(["spans the range", "overlaps the start"], gaps.Rows.Select(g => g.Detail));
            Assert.Null(gaps.Rows[0].Symbol);
            Assert.Equal("BTC-USDT-SWAP", gaps.Rows[1].Symbol);

            var okx = history.Gaps(new TimeRange(T0, T0 + Hour), venue: "okx-swap", limit: 100);
            Assert.Equal("overlaps the start", Assert.Single(okx.Rows).Detail);
        }
    }

    [Fact]
    public void History_written_before_a_restart_is_read_after_it()
    {
        using (var store = new SqliteStore(DatabasePath))
        {
            store.WriteBatch(OiRows);
            store.WriteBatch([Liq(T0 + Minute, 94_000, 47_000, "long")]);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var reopened = new SqliteStore(DatabasePath);
        using var history = new SqliteHistory(DatabasePath);
        Assert.Equal(2, history.OpenInterestHourly(new TimeRange(T0, T0 + (2 * Hour)), SeriesFilter.Any).Rows.Count);
        Assert.Equal(47_000, Assert.Single(history.Liquidations(new TimeRange(T0, T0 + Hour), SeriesFilter.Any, 10).Rows).NotionalUsd);
    }

    [Fact]
    public void Reads_see_rows_the_writer_commits_while_the_reader_is_open()
    {
        var (store, history) = Open();
        using (store)
        using (history)
        {
            var range = new TimeRange(T0, T0 + Hour);
            Assert.Empty(history.Liquidations(range, SeriesFilter.Any, 10).Rows);
            store.WriteBatch([Liq(T0 + Minute, 94_000, 47_000, "long")]);
            Assert.Single(history.Liquidations(range, SeriesFilter.Any, 10).Rows);
        }
    }

    [Fact]
    public void Every_query_searches_an_index_and_never_scans_a_table()
    {
        var (store, history) = Open(OiRows);
        using (store)
        using (history)
        using (var connection = history.Open())
        {
            var range = new TimeRange(T0, T0 + Hour);
            var asset = new SeriesFilter(Asset: "BTC");
            var market = new SeriesFilter(Venue: "binance-futures", Symbol: "BTCUSDT");
            var commands = new (string Table, Microsoft.Data.Sqlite.SqliteCommand Command)[]
            {
                ("open_interest", SqliteHistory.OpenInterestCommand(connection, range, SeriesFilter.Any, 10)),
                ("open_interest", SqliteHistory.OpenInterestCommand(connection, range, market, 10)),
                ("funding", SqliteHistory.FundingCommand(connection, range, asset, 10)),
                ("liquidations", SqliteHistory.LiquidationsCommand(connection, range, asset, 10)),
                ("liquidations", SqliteHistory.HeatmapExtentCommand(connection, range, SeriesFilter.Any)),
                ("liquidations", SqliteHistory.HeatmapCellCommand(connection, range, asset, 4, 15 * Minute, 2, 1, 1)),
                ("bars_1m", SqliteHistory.BarsCommand(connection, range, market, 10)),
                ("bars_1m", SqliteHistory.BarsCommand(connection, range, asset, 10)),
                ("bars_1m", SqliteHistory.BarsCommand(connection, range, SeriesFilter.Any, 10)),
                ("data_gaps", SqliteHistory.GapsCommand(connection, range, null, 10)),
            };
            foreach (var (table, command) in commands)
            {
                using (command)
                {
                    var onTable = PlanLines(command).Where(d => d.Contains(" " + table, StringComparison.Ordinal)).ToList();
                    Assert.NotEmpty(onTable);
                    Assert.All(onTable, d => Assert.StartsWith("SEARCH " + table + " USING", d, StringComparison.Ordinal));
                }
            }

            // The check can fail: a filter on an unindexed column is a scan.
            using var control = connection.CreateCommand();
            control.CommandText = "SELECT * FROM liquidations WHERE price > 1";
            Assert.StartsWith("SCAN liquidations", Assert.Single(PlanLines(control)), StringComparison.Ordinal);
        }
    }

    private static List<string> PlanLines(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        var details = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            details.Add(reader.GetString(3));
        }

        return details;
    }

    [Fact]
    public void A_range_that_ends_before_it_starts_or_a_limit_beyond_the_maximum_is_refused()
    {
        var (store, history) = Open();
        using (store)
        using (history)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => history.Liquidations(new TimeRange(T0, T0), SeriesFilter.Any, 10));
            Assert.Throws<ArgumentOutOfRangeException>(() => history.Bars(new TimeRange(T0, T0 + 1), SeriesFilter.Any, SqliteHistory.MaxRows + 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => history.LiquidationHeatmaps(new TimeRange(T0, T0 + 1), SeriesFilter.Any, 0, 10));
        }
    }

    [Fact]
    public void Opening_history_without_a_database_fails_naming_the_path()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new SqliteHistory(Path.Combine(_directory, "none.db")));
        Assert.EndsWith("none.db", error.FileName, StringComparison.Ordinal);
    }
}
