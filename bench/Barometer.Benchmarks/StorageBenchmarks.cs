using BenchmarkDotNet.Attributes;
using Barometer.Storage.Sqlite;

namespace Barometer.Benchmarks;

/// <summary>
/// SQLite ingest: rows per second through <see cref="SqliteStore.WriteBatch"/> (one transaction
/// per batch, prepared INSERT OR IGNORE) and through <see cref="StorageWriter"/> (TryAdd, then
/// flush: the background writer's path). Every operation writes <see cref="Rows"/> new rows
/// (unique keys, so nothing is ignored) into a database that grows across iterations, on the
/// machine's temp disk (WAL, synchronous=NORMAL). The mean is per batch: rows/s = Rows / mean.
/// </summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private const long T0 = 1_796_083_200_000_000;

    private string _directory = null!;
    private SqliteStore _store = null!;
    private object[] _batch = null!;
    private long _next;

    /// <summary>Rows per operation (one batch).</summary>
    [Params(5_000, 50_000)]
    public int Rows { get; set; }

    /// <summary>Liquidations only, or a mix of liquidations, large trades, open interest and funding.</summary>
    [Params("liquidations", "mixed")]
    public string Kind { get; set; } = "liquidations";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("barometer-bench-").FullName;
        _store = new SqliteStore(Path.Combine(_directory, "bench.db"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup]
    public void NewRows()
    {
        _batch = new object[Rows];
        for (int i = 0; i < Rows; i++)
        {
            long t = T0 + _next++;
            _batch[i] = Kind == "liquidations" || (i & 3) == 0
                ? new LiquidationRow("binance-futures", "BTCUSDT", "BTC", t, 95_000 + (i % 100), 0.5, 47_500, (i & 1) == 0 ? "long" : "short", true)
                : (i & 3) == 1 ? new TradeRow("okx-swap", "BTC-USDT-SWAP", "BTC", t, t.ToString(System.Globalization.CultureInfo.InvariantCulture), 95_000, 2, 190_000, "buy")
                : (i & 3) == 2 ? new OpenInterestRow("bybit-linear", "BTCUSDT", "BTC", t, 25_000, 2.4e9)
                : new FundingRow("bybit-linear", "BTCUSDT", "BTC", t, 0.0001, 8, t + 1, 95_000);
        }
    }

    /// <summary>One batch in one transaction, as the writer's background task does.</summary>
    [Benchmark]
    public void WriteBatch() => _store.WriteBatch(_batch);

    /// <summary>The same rows through StorageWriter: TryAdd each (producer side), then flush everything.</summary>
    [Benchmark]
    public async Task StorageWriterAddAndFlush()
    {
        await using var writer = new StorageWriter(_store, capacity: Rows + 1, batchSize: 5_000, flushInterval: TimeSpan.FromHours(1));
        foreach (var row in _batch)
        {
            writer.TryAdd(row);
        }

        if (!await writer.FlushAsync(TimeSpan.FromMinutes(1)))
        {
            throw new InvalidOperationException("flush did not finish");
        }
    }
}
