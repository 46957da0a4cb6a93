using Barometer.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Barometer.Storage.Tests;

public sealed class StorageWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-writer-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static LiquidationRow Liquidation(long time) => new("bybit-linear", "BTCUSDT", "BTC", time, 94_000, 0.5, 47_000, "short", false);

    private static TradeRow Trade(long time) => new("bybit-linear", "BTCUSDT", "BTC", time, time.ToString(System.Globalization.CultureInfo.InvariantCulture), 95_000, 2, 190_000, "sell");

    [Fact]
    public async Task Accepted_rows_are_written_in_batches_and_flushed_on_dispose()
    {
        using var store = new SqliteStore(Path.Combine(_directory, "a.db"));
        var writer = new StorageWriter(store, capacity: 10_000, batchSize: 100);
        for (int i = 0; i < 1_000; i++)
        {
            Assert.True(writer.TryAdd(Trade(i)));
        }

        await writer.DisposeAsync();
        Assert.Equal(1_000, store.Count("large_trades"));
    }

    [Fact]
    public async Task Bars_older_than_the_retention_before_the_newest_bar_are_deleted_and_liquidations_kept()
    {
        const long Day = 86_400_000_000;
        static BarRow Bar(long minuteStart) => new("okx-swap", "BTC-USDT-SWAP", "BTC", minuteStart, 1, 2, 0.5, 1.5, 10, 5, 5, 1.2, 3);
        using var store = new SqliteStore(Path.Combine(_directory, "r.db"));
        var writer = new StorageWriter(store, batchSize: 10, barRetention: TimeSpan.FromDays(30));
        Assert.True(writer.TryAdd(Bar(0)));
        Assert.True(writer.TryAdd(Bar(Day)));
        Assert.True(writer.TryAdd(Liquidation(0)));
        Assert.True(await writer.FlushAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, store.Count("bars_1m"));

        Assert.True(writer.TryAdd(Bar(31 * Day))); // newest − 30 days = day 1: the day-0 bar goes, the day-1 bar stays
        await writer.DisposeAsync();

        Assert.Equal(2, store.Count("bars_1m"));
        Assert.Equal(1, writer.BarsPruned);
        Assert.Equal(1, store.Count("liquidations"));
    }

    [Fact]
    public async Task A_locked_database_keeps_rows_buffered_and_writes_them_once_unlocked()
    {
        string path = Path.Combine(_directory, "b.db");
        using var store = new SqliteStore(path);
        await using var writer = new StorageWriter(store, capacity: 10_000, batchSize: 10, flushInterval: TimeSpan.FromMilliseconds(20));

        using (var blocker = new SqliteConnection($"Data Source={path};Default Timeout=0;Pooling=False"))
        {
            blocker.Open();
            using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }

            for (int i = 0; i < 50; i++)
            {
                writer.TryAdd(Liquidation(i));
            }

            await WaitUntil(() => writer.Health.FailedBatches > 0);
            Assert.False(writer.Health.Healthy);
            Assert.Contains("SQLite error", writer.Health.LastError, StringComparison.Ordinal);
            Assert.Equal(50, writer.Health.Pending);

            using var rollback = blocker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        Assert.True(await writer.FlushAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(50, store.Count("liquidations"));
        Assert.True(writer.Health.Healthy);
        Assert.Equal(0, writer.Health.Dropped);
    }

    [Fact]
    public async Task A_full_buffer_drops_other_rows_before_liquidations_and_counts_them()
    {
        string path = Path.Combine(_directory, "c.db");
        using var store = new SqliteStore(path);
        using var blocker = new SqliteConnection($"Data Source={path};Default Timeout=0;Pooling=False");
        blocker.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }

        await using var writer = new StorageWriter(store, capacity: 3, batchSize: 100, flushInterval: TimeSpan.FromHours(1));
        Assert.True(writer.TryAdd(Trade(1)));
        Assert.True(writer.TryAdd(Liquidation(1)));
        Assert.True(writer.TryAdd(Trade(2)));
        Assert.True(writer.TryAdd(Liquidation(2)));
        Assert.True(writer.TryAdd(Liquidation(3)));
        Assert.False(writer.TryAdd(Trade(3)));
        Assert.Equal(3, writer.Health.Pending);
        Assert.Equal(3, writer.Health.Dropped);

        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        Assert.True(await writer.FlushAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, store.Count("liquidations"));
        Assert.Equal(0, store.Count("large_trades"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
