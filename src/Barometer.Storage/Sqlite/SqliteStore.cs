using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Barometer.Storage.Sqlite;

/// <summary>
/// The embedded history store: one SQLite file (WAL) in the data directory. Every table has a
/// natural unique key and inserts are INSERT OR IGNORE (bars: upsert), so replaying the same
/// recording twice stores no duplicates. Not thread-safe: one writer (<see cref="StorageWriter"/>)
/// owns the write connection; readers open their own connections (WAL allows concurrent reads):
/// <see cref="SqliteHistory"/> is the query side. Every table has an index on its time column
/// (the primary key leads with venue and symbol), so range queries never scan a whole table.
/// </summary>
public sealed class SqliteStore : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=NORMAL;
        CREATE TABLE IF NOT EXISTS liquidations (
            venue TEXT NOT NULL, symbol TEXT NOT NULL, asset TEXT NOT NULL, exchange_time INTEGER NOT NULL,
            price REAL NOT NULL, quantity REAL NOT NULL, notional_usd REAL, liquidated_side TEXT NOT NULL, sampled INTEGER NOT NULL,
            PRIMARY KEY (venue, symbol, exchange_time, price, quantity, liquidated_side)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS liquidations_time ON liquidations (exchange_time);
        CREATE TABLE IF NOT EXISTS large_trades (
            venue TEXT NOT NULL, symbol TEXT NOT NULL, asset TEXT NOT NULL, exchange_time INTEGER NOT NULL, trade_id TEXT NOT NULL,
            price REAL NOT NULL, quantity REAL NOT NULL, notional_usd REAL, side TEXT NOT NULL,
            PRIMARY KEY (venue, symbol, trade_id, exchange_time)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS large_trades_time ON large_trades (exchange_time);
        CREATE TABLE IF NOT EXISTS bars_1m (
            venue TEXT NOT NULL, symbol TEXT NOT NULL, asset TEXT NOT NULL, minute_start INTEGER NOT NULL,
            open REAL, high REAL, low REAL, close REAL, buy_volume_usd REAL, sell_volume_usd REAL, cvd_usd REAL, vwap REAL, trade_count INTEGER,
            PRIMARY KEY (venue, symbol, minute_start)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS bars_1m_time ON bars_1m (minute_start);
        CREATE TABLE IF NOT EXISTS funding (
            venue TEXT NOT NULL, symbol TEXT NOT NULL, asset TEXT NOT NULL, exchange_time INTEGER NOT NULL,
            rate REAL NOT NULL, interval_hours REAL, next_funding_time INTEGER, mark_price REAL,
            PRIMARY KEY (venue, symbol, exchange_time)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS funding_time ON funding (exchange_time);
        CREATE TABLE IF NOT EXISTS open_interest (
            venue TEXT NOT NULL, symbol TEXT NOT NULL, asset TEXT NOT NULL, exchange_time INTEGER NOT NULL,
            quantity REAL NOT NULL, notional_usd REAL,
            PRIMARY KEY (venue, symbol, exchange_time)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS open_interest_time ON open_interest (exchange_time);
        CREATE TABLE IF NOT EXISTS guard_evaluations (
            asset TEXT NOT NULL, time INTEGER NOT NULL, status TEXT NOT NULL, reasons_json TEXT NOT NULL, data_source TEXT NOT NULL,
            PRIMARY KEY (asset, time)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS data_gaps (
            venue TEXT NOT NULL, stream TEXT NOT NULL, symbol TEXT, start_time INTEGER NOT NULL, end_time INTEGER NOT NULL,
            cause TEXT NOT NULL, detail TEXT NOT NULL,
            PRIMARY KEY (venue, stream, start_time, cause)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS data_gaps_start ON data_gaps (start_time);
        """;

    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/>.</summary>
    public SqliteStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connection = Open(Path);
        using var command = _connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Writes a batch in one transaction. Throws <see cref="SqliteException"/> on failure (nothing of the batch is kept).</summary>
    public void WriteBatch(IReadOnlyList<object> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var transaction = _connection.BeginTransaction();
        var commands = new Dictionary<Type, SqliteCommand>();
        try
        {
            foreach (var row in rows)
            {
                var command = commands.TryGetValue(row.GetType(), out var c) ? c : commands[row.GetType()] = Prepare(row.GetType(), transaction);
                Bind(command, row);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            foreach (var command in commands.Values)
            {
                command.Dispose();
            }
        }
    }

    /// <summary>Deletes bars older than <paramref name="before"/> (µs); returns rows removed.</summary>
    public int DeleteBarsBefore(long before)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM bars_1m WHERE minute_start < $t";
        command.Parameters.AddWithValue("$t", before);
        return command.ExecuteNonQuery();
    }

    /// <summary>Opens a read connection to the same file.</summary>
    public SqliteConnection OpenReader() => Open(Path, readOnly: true);

    /// <summary>Counts rows of a table (tests, health).</summary>
    public long Count(string table)
    {
        if (table is not ("liquidations" or "large_trades" or "bars_1m" or "funding" or "open_interest" or "guard_evaluations" or "data_gaps"))
        {
            throw new ArgumentOutOfRangeException(nameof(table), table, "not a Barometer table");
        }

        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM " + table;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static SqliteConnection Open(string path, bool readOnly = false)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 5,
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return connection;
    }

    private SqliteCommand Prepare(Type type, SqliteTransaction transaction)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        (command.CommandText, string[] names) = type.Name switch
        {
            nameof(LiquidationRow) => ("INSERT OR IGNORE INTO liquidations VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", P(9)),
            nameof(TradeRow) => ("INSERT OR IGNORE INTO large_trades (venue,symbol,asset,exchange_time,trade_id,price,quantity,notional_usd,side) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", P(9)),
            nameof(BarRow) => ("INSERT OR REPLACE INTO bars_1m VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)", P(13)),
            nameof(FundingRow) => ("INSERT OR IGNORE INTO funding VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", P(8)),
            nameof(OpenInterestRow) => ("INSERT OR IGNORE INTO open_interest VALUES ($1,$2,$3,$4,$5,$6)", P(6)),
            nameof(GuardRow) => ("INSERT OR IGNORE INTO guard_evaluations VALUES ($1,$2,$3,$4,$5)", P(5)),
            nameof(GapRow) => ("INSERT OR IGNORE INTO data_gaps (venue,stream,symbol,start_time,end_time,cause,detail) VALUES ($1,$2,$3,$4,$5,$6,$7)", P(7)),
            _ => throw new ArgumentException($"{type.Name} is not a stored row type", nameof(type)),
        };
        foreach (string name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static string[] P(int count)
    {
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = "$" + (i + 1).ToString(CultureInfo.InvariantCulture);
        }

        return names;
    }

    private static void Bind(SqliteCommand command, object row)
    {
        object?[] values = row switch
        {
            LiquidationRow r => [r.Venue, r.Symbol, r.Asset, r.ExchangeTime, r.Price, r.Quantity, Real(r.NotionalUsd), r.LiquidatedSide, r.Sampled ? 1 : 0],
            TradeRow r => [r.Venue, r.Symbol, r.Asset, r.ExchangeTime, r.TradeId, r.Price, r.Quantity, Real(r.NotionalUsd), r.Side],
            BarRow r => [r.Venue, r.Symbol, r.Asset, r.MinuteStart, Real(r.Open), Real(r.High), Real(r.Low), Real(r.Close), Real(r.BuyVolumeUsd), Real(r.SellVolumeUsd), Real(r.CvdUsd), Real(r.Vwap), r.TradeCount],
            FundingRow r => [r.Venue, r.Symbol, r.Asset, r.ExchangeTime, r.Rate, Real(r.IntervalHours), r.NextFundingTime, Real(r.MarkPrice)],
            OpenInterestRow r => [r.Venue, r.Symbol, r.Asset, r.ExchangeTime, r.Quantity, Real(r.NotionalUsd)],
            GuardRow r => [r.Asset, r.Time, r.Status, r.ReasonsJson, r.DataSource],
            GapRow r => [r.Venue, r.Stream, r.Symbol, r.Start, r.End, r.Cause, r.Detail],
            _ => throw new ArgumentException($"{row.GetType().Name} is not a stored row type", nameof(row)),
        };
        for (int i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static object? Real(double value) => double.IsFinite(value) ? value : null;
}
