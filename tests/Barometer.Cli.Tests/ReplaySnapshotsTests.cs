using System.Text;
using System.Text.Json;
using Barometer.Cli.Verbs;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;

namespace Barometer.Cli.Tests;

public sealed class ReplaySnapshotsTests : IDisposable
{
    private const long T0 = 1_796_083_200_000_000; // 2026-12-01 00:00:00 UTC, a whole minute
    private const long Second = 1_000_000;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "barometer-snapshots-" + Guid.NewGuid().ToString("N"));

    public ReplaySnapshotsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Three live Binance funding updates at 00:00:10, 00:01:10 and 00:02:10 as normalized-event NDJSON.</summary>
    private string FundingFile()
    {
        var btc = new InstrumentRegistry().GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", tickSize: 0.1);
        var text = new StringBuilder();
        double[] rates = [0.0001, 0.0002, -0.0001];
        for (int i = 0; i < rates.Length; i++)
        {
            long t = T0 + (10 * Second) + (i * 60 * Second);
            text.Append(NormalizedEventJson.ToLine(MarketEvent.From(new Funding(btc, t, t, rates[i], 8, T0 + (8 * 3600 * Second), 100_000, 99_990)))).Append('\n');
        }

        string path = Path.Combine(_dir, "events.ndjson");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private async Task<(int Code, string[] Snapshots, string Errors)> Run(string input, string every)
    {
        string snapshots = Path.Combine(_dir, "snap-" + Guid.NewGuid().ToString("N") + ".jsonl");
        var stderr = new StringWriter();
        int code = await ReplayVerb.ExecuteAsync(input, "max", null, new MemoryStream(), stderr, CancellationToken.None, snapshots, every);
        return (code, File.Exists(snapshots) ? File.ReadAllLines(snapshots) : [], stderr.ToString());
    }

    [Fact]
    public async Task Normalized_events_replay_with_a_snapshot_at_each_minute_of_event_time_and_at_the_end()
    {
        var (code, snapshots, errors) = await Run(FundingFile(), "60s");

        Assert.Equal(0, code);
        Assert.True(errors.Contains("3 lines read, 3 events written", StringComparison.Ordinal), errors);
        Assert.Contains("snapshots: 3 written", errors, StringComparison.Ordinal);
        // Boundaries 00:01:00 and 00:02:00 each write the state before them; the end writes the last.
        Assert.Equal(3, snapshots.Length);
        long[] times = [.. snapshots.Select(s => JsonDocument.Parse(s).RootElement.GetProperty("time").GetInt64())];
        Assert.Equal([T0 + (10 * Second), T0 + (70 * Second), T0 + (130 * Second)], times);

        using var first = JsonDocument.Parse(snapshots[0]);
        var funding = first.RootElement.GetProperty("derivatives").GetProperty("funding")[0];
        Assert.Equal("binance-futures:BTCUSDT", funding.GetProperty("instrument").GetString());
        Assert.Equal(10.95, funding.GetProperty("apr_percent").GetDouble(), 9); // 0.0001 × 3 per day × 365 × 100
        Assert.Equal("longs_pay", funding.GetProperty("payer").GetString());
        using var last = JsonDocument.Parse(snapshots[2]);
        Assert.Equal("shorts_pay", last.RootElement.GetProperty("derivatives").GetProperty("funding")[0].GetProperty("payer").GetString());
    }

    [Fact]
    public async Task The_same_input_gives_byte_identical_snapshots()
    {
        string input = FundingFile();

        var a = await Run(input, "30s");
        var b = await Run(input, "30s");

        Assert.Equal(string.Join('\n', a.Snapshots), string.Join('\n', b.Snapshots));
        Assert.Equal(3, a.Snapshots.Length);
    }

    [Fact]
    public async Task A_bad_interval_is_a_configuration_error()
    {
        var (code, _, errors) = await Run(FundingFile(), "soon");

        Assert.Equal(ExitCodes.BadConfiguration, code);
        Assert.Contains("--every: 'soon'", errors, StringComparison.Ordinal);
    }
}
