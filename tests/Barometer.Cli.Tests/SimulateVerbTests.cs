using Barometer.Cli.Verbs;
using Barometer.Core.Instruments;

namespace Barometer.Cli.Tests;

public sealed class SimulateVerbTests
{
    private static SimulateVerb.SimulateRequest Request(string? seed = "1", string? speed = "max", string? duration = "2s",
        string[]? faults = null, string? start = null, int? portBase = null) =>
        new(seed, speed, duration, start, portBase, faults ?? [], false, ["BTC", "ETH", "SOL"], VenueIds.All, "127.0.0.1");

    private static async Task<(int Code, string Out, string Err)> Run(SimulateVerb.SimulateRequest request)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await SimulateVerb.RunAsync(request, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_short_run_prints_every_venue_endpoint_labelled_simulated_and_a_summary()
    {
        var (code, output, error) = await Run(Request(faults: ["okx-swap=1s drop"]));

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("barometer simulate: SIMULATED market data, seed 1, speed max, 2 s simulated, from 2026-12-01T00:00:00Z", output, StringComparison.Ordinal);
        foreach (var venue in VenueIds.All)
        {
            Assert.Matches($"  {venue.ToWireName()} +http http://127\\.0\\.0\\.1:\\d+/  ws ws://127\\.0\\.0\\.1:\\d+/", output);
        }

        Assert.Contains("/market/stream?streams=", output, StringComparison.Ordinal);
        Assert.Contains("/v5/public/linear", output, StringComparison.Ordinal);
        Assert.Contains("symbols BTC-USDT-SWAP, BTC-USDC-SWAP", output, StringComparison.Ordinal);
        Assert.Contains("simulated 2 s in ", output, StringComparison.Ordinal);
        Assert.Contains("(20 steps)", output, StringComparison.Ordinal);
        Assert.Contains("  trade: ", output, StringComparison.Ordinal);
        Assert.Contains("fault-plan steps applied: 1", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x", "max", "2s", null, "barometer: --seed: 'x' is not a non-negative integer")]
    [InlineData("-3", "max", "2s", null, "barometer: --seed: '-3' is not a non-negative integer")]
    [InlineData("1", "fast", "2s", null, "barometer: --speed: 'fast' is not 'max' or a positive number")]
    [InlineData("1", "max", "ten", null, "barometer: --duration: 'ten' is not a duration such as 90s, 10m or 2h")]
    [InlineData("1", "max", "-5s", null, "barometer: --duration: '-5s' is not a duration such as 90s, 10m or 2h")]
    [InlineData("1", "max", "2s", "kraken=1s drop", "barometer: --faults: 'kraken=1s drop' is not VENUE=PLAN for a simulated venue")]
    public async Task Bad_arguments_are_one_line_naming_the_flag_and_exit_code_2(string seed, string speed, string duration, string? fault, string message)
    {
        var (code, output, error) = await Run(Request(seed, speed, duration, fault is null ? null : [fault]));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal(message + Environment.NewLine, error);
    }

    [Fact]
    public async Task A_bad_fault_plan_names_the_entry()
    {
        var (code, _, error) = await Run(Request(faults: ["okx-swap=soon drop"]));
        Assert.Equal(2, code);
        Assert.StartsWith("barometer: --faults: fault entry 'soon drop'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90s", 90_000_000)]
    [InlineData("10m", 600_000_000)]
    [InlineData("1h30m", 5_400_000_000)]
    [InlineData("500ms", 500_000)]
    [InlineData("45", 45_000_000)]
    public void Durations_read_like_people_write_them(string text, long micros)
    {
        Assert.True(SimulateVerb.TryParseDuration(text, out long parsed));
        Assert.Equal(micros, parsed);
    }
}
