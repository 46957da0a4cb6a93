using BenchmarkDotNet.Attributes;
using Barometer.Core.Bus;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Benchmarks;

/// <summary>
/// Events per second through the bus: one producer publishes <see cref="EventsPerOp"/> trades while
/// <see cref="Consumers"/> consumer threads drain their rings in batches. One operation ends when
/// every consumer has accounted for every event (delivered, or dropped in lossy mode). Divide
/// EventsPerOp by the mean to get events/s; allocated bytes / EventsPerOp is allocation per event.
/// </summary>
[MemoryDiagnoser]
public class EventBusBenchmarks
{
    /// <summary>Events published per benchmark operation.</summary>
    public const int EventsPerOp = 1_000_000;

    private EventBus _bus = null!;
    private EventBusConsumer[] _consumers = null!;
    private Thread[] _threads = null!;
    private long[] _accounted = null!;
    private MarketEvent _trade;
    private volatile bool _stop;
    private volatile int _generation;

    [Params(1, 4)]
    public int Consumers { get; set; }

    [Params(BusConsumerMode.Lossy, BusConsumerMode.Lossless)]
    public BusConsumerMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry();
        var btc = registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
        _trade = MarketEvent.From(new Trade(btc, 1, 2, 95_000, 0.01, Side.Buy, TradeId.FromNumber(1)));
        _bus = new EventBus();
        _consumers = new EventBusConsumer[Consumers];
        _threads = new Thread[Consumers];
        _accounted = new long[Consumers * 16]; // one cache line per counter
        for (var i = 0; i < Consumers; i++)
        {
            var consumer = _bus.Subscribe("bench-" + i, EventBus.DefaultCapacity, Mode);
            _consumers[i] = consumer;
            var slot = i * 16;
            _threads[i] = new Thread(() => Drain(consumer, slot)) { IsBackground = true };
            _threads[i].Start();
        }
    }

    private void Drain(EventBusConsumer consumer, int slot)
    {
        var buffer = new MarketEvent[256];
        long seen = 0;
        while (!_stop)
        {
            var n = consumer.TryReadBatch(buffer);
            if (n == 0)
            {
                Volatile.Write(ref _accounted[slot], seen + consumer.Dropped);
                Thread.Yield();
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                if (buffer[i].Kind == EventKind.Trade)
                {
                    seen++;
                }
            }
        }
    }

    [Benchmark(OperationsPerInvoke = 1)]
    public void Publish1MTrades()
    {
        var target = (long)(++_generation) * EventsPerOp;
        for (var i = 0; i < EventsPerOp; i++)
        {
            _bus.Publish(in _trade);
        }

        for (var c = 0; c < _consumers.Length; c++)
        {
            while (Volatile.Read(ref _accounted[c * 16]) < target)
            {
                Thread.Yield();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        foreach (var t in _threads)
        {
            t.Join();
        }

        _bus.Dispose();
    }
}
