using BenchmarkDotNet.Running;
using Barometer.Benchmarks;

// Run all:   dotnet run -c Release --project bench/Barometer.Benchmarks -- --filter '*'
// Run some:  dotnet run -c Release --project bench/Barometer.Benchmarks -- --filter '*EventBus*'
// Guards p99: dotnet run -c Release --project bench/Barometer.Benchmarks -- guards-latency [requests]
// Results are written to BenchmarkDotNet.Artifacts/; record figures in bench/BENCHMARKS.md.
if (args.Length > 0 && args[0] == "guards-latency")
{
    await GuardsLatency.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
    return 0;
}

// Broadcast WebSocket load (a live server and sockets, not BenchmarkDotNet):
//            dotnet run -c Release --project bench/Barometer.Benchmarks -- broadcast [throughput|latency|clients|all] [--clients N] [--events N] [--rate N] [--seconds N] [--client raw|managed]
if (args.Length > 0 && args[0] == "broadcast")
{
    return await Barometer.Benchmarks.BroadcastLoad.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
