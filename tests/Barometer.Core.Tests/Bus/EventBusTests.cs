using Barometer.Core.Bus;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Core.Tests.Bus;

public sealed class EventBusTests
{
    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Btc = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    private static readonly Instrument Eth = Registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT", 1, 0.01);

    private static MarketEvent TradeAt(long time, long id = 0, Instrument? instrument = null) =>
        MarketEvent.From(new Trade(instrument ?? Btc, time, time + 5, 95_000, 0.1, Side.Buy, TradeId.FromNumber(id == 0 ? time : id)));

    private static MarketEvent LiquidationAt(long time) =>
        MarketEvent.From(new Liquidation(Btc, time, time + 5, 94_000, 1, PositionSide.Long, Side.Sell, FeedCompleteness.Sampled));

    private static List<MarketEvent> Drain(EventBusConsumer consumer)
    {
        var list = new List<MarketEvent>();
        while (consumer.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    [Fact]
    public void Every_consumer_receives_every_event_in_publish_order()
    {
        using var bus = new EventBus();
        var a = bus.Subscribe("a", 16);
        var b = bus.Subscribe("b", 16);
        for (var t = 1; t <= 10; t++)
        {
            bus.Publish(TradeAt(t));
        }

        foreach (var consumer in new[] { a, b })
        {
            var got = Drain(consumer);
            Assert.Equal(10, got.Count);
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(i + 1, got[i].ExchangeTime);
            }

            Assert.Equal(0, consumer.Dropped);
        }
    }

    [Fact]
    public void A_full_consumer_drops_trades_for_itself_only_and_counts_them()
    {
        using var bus = new EventBus();
        var slow = bus.Subscribe("slow", 4);
        var fast = bus.Subscribe("fast", 64);
        for (var t = 1; t <= 10; t++)
        {
            bus.Publish(TradeAt(t));
        }

        Assert.Equal(10, Drain(fast).Count);
        Assert.Equal(6, slow.Dropped);
        var health = slow.GetHealth();
        Assert.Equal(6, health.Dropped);
        Assert.Equal(4, health.Depth);
        Assert.Equal("slow", health.Name);
        Assert.Equal(0, fast.GetHealth().Dropped);
    }

    [Fact]
    public void After_a_loss_the_consumer_gets_one_overflow_gap_with_the_count_and_time_range()
    {
        using var bus = new EventBus();
        var slow = bus.Subscribe("slow", 4);
        for (var t = 1; t <= 10; t++)
        {
            bus.Publish(TradeAt(t * 100));
        }

        var got = Drain(slow);
        // gap marker first, then the four trades that fit.
        Assert.Equal(5, got.Count);
        Assert.Equal(EventKind.DataGap, got[0].Kind);
        var gap = got[0].AsDataGap();
        Assert.Equal(GapCause.Overflow, gap.Cause);
        Assert.Equal("bus/slow", gap.Stream);
        Assert.Equal(500, gap.Start);
        Assert.Equal(1000, gap.End);
        Assert.StartsWith("6 events dropped", gap.Detail, StringComparison.Ordinal);
        Assert.Equal(new long[] { 100, 200, 300, 400 }, got.Skip(1).Select(e => e.ExchangeTime).ToArray());
        Assert.Equal(1, slow.GetHealth().Gaps);

        // No further marker once nothing more is lost.
        bus.Publish(TradeAt(2000));
        var next = Drain(slow);
        Assert.Single(next);
        Assert.Equal(EventKind.Trade, next[0].Kind);
    }

    [Fact]
    public void Liquidations_are_never_dropped_and_keep_their_order_behind_the_queued_events()
    {
        using var bus = new EventBus();
        var slow = bus.Subscribe("slow", 2);
        bus.Publish(TradeAt(1));
        bus.Publish(TradeAt(2));
        bus.Publish(LiquidationAt(3)); // ring full: spills
        bus.Publish(TradeAt(4));       // dropped (spill queue non-empty)
        bus.Publish(LiquidationAt(5)); // joins the spill queue behind 3
        var status = new ConnectionStatus(VenueId.OkxSwap, null, "connection", 6, ConnectionState.Disconnected, "closed by venue");
        bus.Publish(MarketEvent.From(status));

        var got = Drain(slow).Where(e => e.Kind != EventKind.DataGap).ToList();
        Assert.Equal(new long[] { 1, 2, 3, 5, 6 }, got.Select(e => e.ExchangeTime).ToArray());
        Assert.Equal(EventKind.Liquidation, got[2].Kind);
        Assert.Equal(EventKind.ConnectionStatus, got[4].Kind);
        var health = slow.GetHealth();
        Assert.Equal(1, health.Dropped);
        Assert.Equal(3, health.Spilled);
        Assert.Equal(0, health.SpillDepth);

        // Once the side queue is empty the ring takes events again.
        bus.Publish(TradeAt(7));
        Assert.Equal(7, Drain(slow).Single().ExchangeTime);
    }

    [Fact]
    public void A_consumer_only_receives_the_kinds_it_asked_for()
    {
        using var bus = new EventBus();
        var liqOnly = bus.Subscribe("liq", 8, kinds: EventKindSet.Of(EventKind.Liquidation));
        bus.Publish(TradeAt(1));
        bus.Publish(LiquidationAt(2));
        bus.Publish(TradeAt(3));
        var got = Drain(liqOnly);
        Assert.Single(got);
        Assert.Equal(EventKind.Liquidation, got[0].Kind);
        Assert.Equal(0, liqOnly.Dropped);
    }

    [Fact]
    public void Capacity_is_rounded_up_to_a_power_of_two_and_nonsense_is_refused()
    {
        using var bus = new EventBus();
        Assert.Equal(16_384, bus.Subscribe("ws-client", 10_000).Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.Subscribe("x", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.Subscribe("x", -5));
        Assert.Throws<ArgumentException>(() => bus.Subscribe(" ", 8));
    }

    [Fact]
    public void An_unsubscribed_consumer_receives_nothing_more_and_others_carry_on()
    {
        using var bus = new EventBus();
        var a = bus.Subscribe("a", 8);
        var b = bus.Subscribe("b", 8);
        bus.Publish(TradeAt(1));
        a.Dispose();
        bus.Publish(TradeAt(2));
        Assert.Single(Drain(a));
        Assert.True(a.IsCompleted);
        Assert.Equal(2, Drain(b).Count);
        Assert.Single(bus.Consumers);
    }

    [Fact]
    public async Task A_waiting_reader_wakes_on_publish_and_ends_after_the_bus_is_disposed()
    {
        var bus = new EventBus();
        var consumer = bus.Subscribe("reader", 8);
        var received = new List<long>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in consumer.ReadAllAsync())
            {
                received.Add(e.ExchangeTime);
            }
        });

        await Task.Delay(50);
        bus.Publish(TradeAt(1));
        bus.Publish(TradeAt(2));
        await WaitUntil(() => consumer.Delivered == 2);
        bus.Dispose();
        await reader.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new long[] { 1, 2 }, received.ToArray());
        Assert.Throws<ObjectDisposedException>(() => bus.Subscribe("late", 8));
    }

    [Fact]
    public async Task Concurrent_producers_reach_a_lossless_consumer_completely_and_each_in_its_own_order()
    {
        using var bus = new EventBus();
        var consumer = bus.Subscribe("all", 256, BusConsumerMode.Lossless);
        const int producers = 4, perProducer = 50_000;
        var lastSeen = new long[producers];
        var count = 0L;
        var reader = Task.Factory.StartNew(() =>
        {
            while (count < producers * perProducer)
            {
                if (consumer.TryRead(out var e))
                {
                    var producer = (int)(e.AsTrade().Id.Low >> 32);
                    var seq = e.ExchangeTime;
                    Assert.True(seq > lastSeen[producer], $"producer {producer}: {seq} after {lastSeen[producer]}");
                    lastSeen[producer] = seq;
                    count++;
                }
                else
                {
                    Thread.Yield();
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var writers = new Task[producers];
        for (var p = 0; p < producers; p++)
        {
            var producer = p;
            writers[p] = Task.Factory.StartNew(() =>
            {
                for (var i = 1; i <= perProducer; i++)
                {
                    bus.Publish(TradeAt(i, ((long)producer << 32) | (uint)i));
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        await reader.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(producers * perProducer, count);
        Assert.All(lastSeen, last => Assert.Equal(perProducer, last));
        Assert.Equal(0, consumer.Dropped);
    }

    [Fact]
    public void Publishing_to_consumers_allocates_nothing()
    {
        using var bus = new EventBus();
        var a = bus.Subscribe("a", 1024);
        var b = bus.Subscribe("b", 4, kinds: EventKindSet.Of(EventKind.Trade));
        var e = TradeAt(1, instrument: Eth);
        bus.Publish(e); // warm up (JIT)
        while (a.TryRead(out _) || b.TryRead(out _))
        {
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            bus.Publish(in e); // b overflows after 4: the drop path must not allocate either
        }

        var after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
        Assert.Equal(996, b.Dropped);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
