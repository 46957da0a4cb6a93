using BenchmarkDotNet.Running;

// Run all:   dotnet run -c Release --project bench/Barometer.Benchmarks -- --filter '*'
// Run some:  dotnet run -c Release --project bench/Barometer.Benchmarks -- --filter '*EventBus*'
// Results are written to BenchmarkDotNet.Artifacts/; record figures in bench/BENCHMARKS.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
