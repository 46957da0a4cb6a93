using Barometer.Storage.Sqlite;

namespace Barometer.Storage.Tests;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-sqlite-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string DatabasePath => Path.Combine(_directory, "barometer.db");

    private static LiquidationRow Liquidation(long time) => new("binance-futures", "BTCUSDT", "BTC", time, 94_000, 0.5, 47_000, "long", true);

    [Fact]
    public void Writing_the_same_rows_twice_stores_them_once()
    {
        using var store = new SqliteStore(DatabasePath);
        var rows = new object[]
        {
            Liquidation(1), Liquidation(2),
            new TradeRow("okx-swap", "BTC-USDT-SWAP", "BTC", 5, "130639474", 95_000, 2, 190_000, "buy"),
            new FundingRow("bybit-linear", "BTCUSDT", "BTC", 7, 0.0001, 8, 28_800_000_000, 95_010),
            new OpenInterestRow("okx-swap", "BTC-USDT-SWAP", "BTC", 9, 25_000, 2.4e9),
            new GapRow("okx-swap", "books:BTC-USDT-SWAP", "BTC-USDT-SWAP", 10, 20, "sequence_gap", "prevSeqId 5 != 4"),
            new GuardRow("BTC", 60_000_000, "warning", """["spread_bps 12 > 10"]""", "simulated"),
        };
        store.WriteBatch(rows);
        store.WriteBatch(rows);
        Assert.Equal(2, store.Count("liquidations"));
        Assert.Equal(1, store.Count("large_trades"));
        Assert.Equal(1, store.Count("funding"));
        Assert.Equal(1, store.Count("open_interest"));
        Assert.Equal(1, store.Count("data_gaps"));
        Assert.Equal(1, store.Count("guard_evaluations"));
    }

    [Fact]
    public void A_bar_written_again_for_the_same_minute_is_replaced()
    {
        using var store = new SqliteStore(DatabasePath);
        store.WriteBatch([new BarRow("binance-futures", "BTCUSDT", "BTC", 60_000_000, 1, 2, 0.5, 1.5, 10, 5, 5, 1.2, 3)]);
        store.WriteBatch([new BarRow("binance-futures", "BTCUSDT", "BTC", 60_000_000, 1, 3, 0.5, 2.5, 20, 5, 15, 1.4, 4)]);
        Assert.Equal(1, store.Count("bars_1m"));
        using var reader = store.OpenReader();
        using var command = reader.CreateCommand();
        command.CommandText = "SELECT close, trade_count FROM bars_1m";
        using var result = command.ExecuteReader();
        Assert.True(result.Read());
        Assert.Equal(2.5, result.GetDouble(0));
        Assert.Equal(4, result.GetInt64(1));
    }

    [Fact]
    public void History_survives_reopening_the_database()
    {
        using (var store = new SqliteStore(DatabasePath))
        {
            store.WriteBatch([Liquidation(1)]);
        }

        using var reopened = new SqliteStore(DatabasePath);
        Assert.Equal(1, reopened.Count("liquidations"));
    }

    [Fact]
    public void Old_bars_are_deleted_by_retention()
    {
        using var store = new SqliteStore(DatabasePath);
        store.WriteBatch([
            new BarRow("binance-futures", "BTCUSDT", "BTC", 60_000_000, 1, 1, 1, 1, 0, 0, 0, 1, 1),
            new BarRow("binance-futures", "BTCUSDT", "BTC", 120_000_000, 1, 1, 1, 1, 0, 0, 0, 1, 1),
        ]);
        Assert.Equal(1, store.DeleteBarsBefore(100_000_000));
        Assert.Equal(1, store.Count("bars_1m"));
    }

    [Fact]
    public void Not_a_number_is_stored_as_null_not_rejected()
    {
        using var store = new SqliteStore(DatabasePath);
        store.WriteBatch([new FundingRow("okx-swap", "BTC-USDT-SWAP", "BTC", 1, 0.0001, 8, 0, double.NaN)]);
        Assert.Equal(1, store.Count("funding"));
    }
}
