using System.Diagnostics;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Simulation.Tests.Emulator;
using Xunit.Abstractions;

namespace Barometer.Simulation.Tests.Market;

/// <summary>The simulator driving the real venue emulators end to end, over WebSockets.</summary>
public sealed class SimulatedVenuesTests(ITestOutputHelper output)
{
    private const long Second = 1_000_000;

    private static async Task<List<string>> RunAndCaptureAsync(ulong seed, long micros)
    {
        var sim = new MarketSimulator(new SimulatorOptions { Seed = seed, Assets = ["BTC"], Venues = [VenueId.BinanceFutures, VenueId.BybitLinear, VenueId.OkxSwap] });
        var emulators = new VenueEmulator[]
        {
            new BinanceEmulator(VenueId.BinanceFutures, sim.InstrumentsOf(VenueId.BinanceFutures), TimeProvider.System),
            new BybitEmulator(VenueId.BybitLinear, sim.InstrumentsOf(VenueId.BybitLinear), TimeProvider.System),
            new OkxEmulator(VenueId.OkxSwap, sim.InstrumentsOf(VenueId.OkxSwap), TimeProvider.System),
        };
        await using var host = await EmulatorHost.StartAsync(emulators);
        await using var binance = await WsTestClient.ConnectAsync(new Uri(host.WebSocketBase(VenueId.BinanceFutures),
            "/market/stream?streams=btcusdt@aggTrade/btcusdt@forceOrder/btcusdt@markPrice@1s"));
        await using var bybit = await WsTestClient.ConnectAsync(new Uri(host.WebSocketBase(VenueId.BybitLinear), "/v5/public/linear"));
        await bybit.SendAsync("{\"req_id\":\"1\",\"op\":\"subscribe\",\"args\":[\"publicTrade.BTCUSDT\",\"orderbook.50.BTCUSDT\",\"allLiquidation.BTCUSDT\",\"tickers.BTCUSDT\"]}");
        _ = await bybit.ReceiveAsync(); // ack (carries a per-connection id)
        await using var okx = await WsTestClient.ConnectAsync(new Uri(host.WebSocketBase(VenueId.OkxSwap), "/ws/v5/public"));
        await okx.SendAsync("{\"id\":\"1\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT-SWAP\"},{\"channel\":\"books\",\"instId\":\"BTC-USDT-SWAP\"}]}");
        _ = await okx.ReceiveAsync(); // two acks (carry a per-connection id)
        _ = await okx.ReceiveAsync();

        await SimulationRunner.RunAsync(sim, host, new SimulationRunOptions { Speed = 0, DurationMicros = micros });

        var frames = new List<string>();
        var drainUntil = DateTime.UtcNow.AddSeconds(60); // bounded: a venue that never goes quiet fails the comparison, not the run
        foreach (var (name, client) in new[] { ("binance", binance), ("bybit", bybit), ("okx", okx) })
        {
            // Quiet for 3 s = drained (1 s was too short on a loaded 2-core CI machine: a pause ended the drain early).
            while (DateTime.UtcNow < drainUntil && await client.TryReceiveAsync(TimeSpan.FromSeconds(3)) is { } frame)
            {
                frames.Add(name + " " + frame);
            }
        }

        return frames;
    }

    [Fact]
    public async Task The_same_seed_gives_byte_identical_frames_on_every_venue()
    {
        var first = await RunAndCaptureAsync(99, 15 * Second);
        var second = await RunAndCaptureAsync(99, 15 * Second);
        var other = await RunAndCaptureAsync(100, 15 * Second);

        Assert.True(first.Count > 500, $"only {first.Count} frames");
        Assert.Contains(first, f => f.StartsWith("binance {\"stream\":\"btcusdt@aggTrade\"", StringComparison.Ordinal));
        Assert.Contains(first, f => f.StartsWith("bybit {\"topic\":\"orderbook.50.BTCUSDT\"", StringComparison.Ordinal));
        Assert.Contains(first, f => f.StartsWith("okx {\"arg\":{\"channel\":\"books\"", StringComparison.Ordinal));
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i], second[i]);
        }

        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Ten_simulated_minutes_at_speed_60_run_through_the_emulators_in_about_ten_seconds()
    {
        var sim = new MarketSimulator(new SimulatorOptions { Seed = 3 });
        var emulators = new List<VenueEmulator>();
        foreach (var venue in VenueIds.All)
        {
            var instruments = sim.InstrumentsOf(venue);
            emulators.Add(venue switch
            {
                VenueId.BinanceFutures or VenueId.BinanceSpot => new BinanceEmulator(venue, instruments, TimeProvider.System),
                VenueId.BybitLinear or VenueId.BybitSpot => new BybitEmulator(venue, instruments, TimeProvider.System),
                _ => new OkxEmulator(venue, instruments, TimeProvider.System),
            });
        }

        await using var host = await EmulatorHost.StartAsync(emulators);
        await using var client = await WsTestClient.ConnectAsync(new Uri(host.WebSocketBase(VenueId.BinanceFutures), "/market/stream?streams=btcusdt@aggTrade"));
        long received = 0;
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && await client.TryReceiveAsync(TimeSpan.FromSeconds(2)) is not null)
            {
                received++;
            }
        });

        var watch = Stopwatch.StartNew();
        var summary = await SimulationRunner.RunAsync(sim, host, new SimulationRunOptions { Speed = 60, DurationMicros = 600 * Second });
        watch.Stop();
        await stop.CancelAsync();
        await reading;

        output.WriteLine($"10 simulated minutes at speed 60: {watch.Elapsed.TotalSeconds:F2} s wall, {summary.Events} events, {received} Binance BTC aggTrade frames received");
        Assert.Equal(600 * Second, summary.SimulatedMicros);
        Assert.Equal(6000, summary.Steps);
        Assert.True(summary.Events > 100_000, $"{summary.Events} events");
        Assert.True(received > 1_000, $"only {received} frames reached the client");
        Assert.Equal(1, emulators[0].SessionCount); // the client kept up and was never cut
    }
}
