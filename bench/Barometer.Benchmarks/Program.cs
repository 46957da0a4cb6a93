using BenchmarkDotNet.Running;
using Barometer.Benchmarks;

// Run all:   dotnet run -c Release --project bench/Barometer.Benchmarks -- --filter '*'
// Run some:  dotnet run -c Release --project bench/Barometer.Benchmarks -- --filter '*EventBus*'
// Guards p99: dotnet run -c Release --project bench/Barometer.Benchmarks -- guards-latency [requests]
// Results are written to BenchmarkDotNet.Artifacts/; record figures in bench/BENCHMARKS.md.
if (args.Length > 0 && args[0] == "guards-latency")
{
    await GuardsLatency.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
