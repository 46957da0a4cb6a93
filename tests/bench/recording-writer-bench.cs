// Writer/reader throughput: `cd tests/bench && dotnet run -c Release recording-writer-bench.cs -- steady`
// ("steady": wait every 1000 frames until the writer caught up; without it, a 1M-frame burst).
// Writes /tmp/w.ndjson and /tmp/w.ndjson.gz (~290 MB and ~46 MB): delete them afterwards.
#:project ../../src/Barometer.Storage/Barometer.Storage.csproj
#:property TreatWarningsAsErrors=false
using System.Diagnostics;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Barometer.Storage.Recording;

var frames = File.ReadAllLines("../Barometer.Venues.Tests/TestData/binance/futures-aggTrade.ndjson").Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
foreach (var gz in new[] { false, true })
{
    string path = gz ? "/tmp/w.ndjson.gz" : "/tmp/w.ndjson";
    const int N = 1_000_000;
    var sw = Stopwatch.StartNew();
    long maxCall = 0; long t0; long sum = 0;
    var w = RecordingWriter.Create(path, new RecordingWriterOptions { QueueCapacity = 1 << 20 });
    long alloc0 = GC.GetAllocatedBytesForCurrentThread();
    for (int i = 0; i < N; i++)
    {
        if (args.Length > 0 && i % 1000 == 0) { while (w.Written < i) Thread.Yield(); }
        t0 = Stopwatch.GetTimestamp();
        w.OnFrame(VenueId.BinanceFutures, RawFrameSource.WebSocket, "/stream", 1618677448000000 + i, frames[i % frames.Length]);
        long d = Stopwatch.GetTimestamp() - t0; sum += d; if (d > maxCall) maxCall = d;
    }
    long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
    var offered = sw.Elapsed;
    await w.DisposeAsync();
    var total = sw.Elapsed;
    Console.WriteLine($"gzip={gz}: {N} frames offered in {offered.TotalMilliseconds:F0} ms ({sum * 1e9 / Stopwatch.Frequency / N:F0} ns/OnFrame avg, max {maxCall * 1e9 / Stopwatch.Frequency / 1000:F0} µs), caller-thread alloc {alloc / (double)N:F1} B/frame; written+closed in {total.TotalSeconds:F2} s ({N / total.TotalSeconds:F0} frames/s); written {w.Written}, dropped {w.Dropped}; file {new FileInfo(path).Length / 1e6:F1} MB");
    var rsw = Stopwatch.StartNew(); long n = 0;
    using (var r = RecordingReader.Open(path)) { while (r.TryRead(out _)) n++; }
    Console.WriteLine($"  read back {n} frames in {rsw.Elapsed.TotalSeconds:F2} s ({n / rsw.Elapsed.TotalSeconds:F0} frames/s)");
}
