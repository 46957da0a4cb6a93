using BenchmarkDotNet.Attributes;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Books;

namespace Barometer.Benchmarks;

/// <summary>
/// Delta → book: a 400-level book per side (OKX `books` depth) receiving deltas of 10 levels each
/// near the top, as 100 ms depth streams deliver them. One operation = one delta applied.
/// </summary>
[MemoryDiagnoser]
public class OrderBookBenchmarks
{
    private const int Deltas = 1024;
    private readonly BookUpdate[] _deltas = new BookUpdate[Deltas];
    private LocalOrderBook _book = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var instrument = new InstrumentRegistry().GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1);
        _book = new LocalOrderBook(instrument);
        var bids = new BookLevel[400];
        var asks = new BookLevel[400];
        for (int i = 0; i < 400; i++)
        {
            bids[i] = new BookLevel(1_000_000 - i, (1_000_000 - i) * 0.1, 1 + (i % 7));
            asks[i] = new BookLevel(1_000_001 + i, (1_000_001 + i) * 0.1, 1 + (i % 5));
        }

        _book.Apply(new BookUpdate(instrument, 0, 0, true, 1, 1, -1, bids, asks));
        var random = new Random(42);
        for (int d = 0; d < Deltas; d++)
        {
            var deltaBids = new BookLevel[5];
            var deltaAsks = new BookLevel[5];
            for (int i = 0; i < 5; i++)
            {
                long bidTicks = 1_000_000 - random.Next(0, 40);
                long askTicks = 1_000_001 + random.Next(0, 40);
                double bidQty = random.Next(0, 4) == 0 ? 0 : random.Next(1, 20);
                double askQty = random.Next(0, 4) == 0 ? 0 : random.Next(1, 20);
                deltaBids[i] = new BookLevel(bidTicks, bidTicks * 0.1, bidQty);
                deltaAsks[i] = new BookLevel(askTicks, askTicks * 0.1, askQty);
            }

            _deltas[d] = new BookUpdate(instrument, d, d, false, d + 2, d + 2, d + 1, deltaBids, deltaAsks);
        }
    }

    [Benchmark(Description = "apply one 10-level delta to a 400-level book")]
    public BookApplyResult ApplyDelta()
    {
        var result = _book.Apply(_deltas[_next]);
        _next = (_next + 1) & (Deltas - 1);
        return result;
    }
}
