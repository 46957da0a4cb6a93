using Barometer.Core.Events;
using Barometer.Server.Broadcast;

namespace Barometer.Server.Tests.Broadcast;

public sealed class FrameRingTests
{
    private static readonly FramePool Pool = new();

    private static BroadcastFrame Frame(long seq)
    {
        var frame = new BroadcastFrame(Pool, 16);
        frame.Begin(seq, EventKind.Trade, false, default, true, null, null);
        return frame;
    }

    [Fact]
    public void A_full_ring_drops_the_oldest_and_the_consumer_sees_the_gap_in_positions()
    {
        var ring = new FrameRing(3);
        var dropped = new List<long>();

        for (long seq = 1; seq <= 5; seq++)
        {
            if (ring.EnqueueDroppingOldest(Frame(seq)) is { } d)
            {
                dropped.Add(d.Seq);
            }
        }

        // Capacity 3, five offered: 1 and 2 are pushed out; 3, 4, 5 remain at positions 2, 3, 4.
        Assert.Equal([1L, 2L], dropped);
        Assert.Equal(3, ring.Count);
        Assert.True(ring.TryDequeue(out var first, out long p1));
        Assert.Equal((3L, 2L), (first.Seq, p1)); // position 2 where 0 was expected: 2 skipped
        Assert.True(ring.TryDequeue(out var second, out long p2));
        Assert.Equal((4L, 3L), (second.Seq, p2));
        Assert.True(ring.TryDequeue(out var third, out _));
        Assert.Equal(5L, third.Seq);
        Assert.False(ring.TryDequeue(out _, out _));
    }

    [Fact]
    public void The_reliable_mode_refuses_when_full_and_changes_nothing()
    {
        var ring = new FrameRing(2);

        Assert.True(ring.TryEnqueue(Frame(1)));
        Assert.True(ring.TryEnqueue(Frame(2)));
        Assert.False(ring.TryEnqueue(Frame(3)));

        Assert.Equal(2, ring.Count);
        Assert.True(ring.TryDequeue(out var f, out _));
        Assert.Equal(1L, f.Seq);
        Assert.True(ring.TryEnqueue(Frame(4)));
    }

    [Fact]
    public void The_slot_array_starts_small_and_grows_to_the_capacity_keeping_order()
    {
        var ring = new FrameRing(1_000);
        Assert.Equal(64, ring.SlotCount);

        for (long seq = 0; seq < 1_000; seq++)
        {
            Assert.Null(ring.EnqueueDroppingOldest(Frame(seq)));
        }

        Assert.Equal(1_024, ring.SlotCount); // smallest power of two ≥ 1,000
        for (long seq = 0; seq < 1_000; seq++)
        {
            Assert.True(ring.TryDequeue(out var f, out long position));
            Assert.Equal((seq, seq), (f.Seq, position));
        }
    }

    [Fact]
    public void Concurrent_producer_drops_and_consumer_takes_account_for_every_frame_exactly_once()
    {
        const int Total = 200_000;
        var ring = new FrameRing(64);
        var owner = new int[Total]; // 1 = dropped by the producer, 2 = taken by the consumer
        long gaps = 0;
        long backwards = 0;
        var done = new ManualResetEventSlim();
        var consumer = new Thread(() =>
        {
            long expected = 0;
            while (true)
            {
                if (ring.TryDequeue(out var f, out long position))
                {
                    backwards += position < expected ? 1 : 0;
                    gaps += position - expected;
                    expected = position + 1;
                    owner[f.Seq] += 2;
                }
                else if (done.IsSet && ring.Count == 0)
                {
                    return;
                }
            }
        });
        consumer.Start();

        long dropped = 0;
        for (int seq = 0; seq < Total; seq++)
        {
            if (ring.EnqueueDroppingOldest(Frame(seq)) is { } d)
            {
                owner[d.Seq] += 1;
                dropped++;
            }
        }

        done.Set();
        consumer.Join();

        Assert.Equal(0, backwards);
        Assert.All(owner, o => Assert.True(o is 1 or 2, $"owned {o}"));
        Assert.Equal(dropped, gaps); // the consumer's position gaps are exactly the producer's drops
    }

    [Fact]
    public void A_frame_goes_back_to_the_pool_only_after_the_last_queue_released_it()
    {
        var pool = new FramePool();
        var frame = pool.Rent();
        frame.Begin(1, EventKind.Trade, false, default, true, null, null);

        frame.Release();  // one queue already sent it while the producer still offers it
        frame.Settle(3);  // three queues took it
        Assert.Equal(0, pool.Idle);
        frame.Release();
        Assert.Equal(0, pool.Idle);
        frame.Release();

        Assert.Equal(1, pool.Idle);
        Assert.Same(frame, pool.Rent());
    }

    [Fact]
    public void A_frame_nobody_took_goes_straight_back_to_the_pool()
    {
        var pool = new FramePool();
        var frame = pool.Rent();
        frame.Begin(1, EventKind.Trade, false, default, true, null, null);

        frame.Settle(0);

        Assert.Equal(1, pool.Idle);
    }

    [Theory]
    [InlineData(125, "81-7D")]                       // 7-bit length
    [InlineData(126, "81-7E-00-7E")]                 // 16-bit length from 126
    [InlineData(65_535, "81-7E-FF-FF")]
    [InlineData(65_536, "81-7F-00-00-00-00-00-01-00-00")] // 64-bit length from 65,536
    public void Sealing_puts_the_rfc_6455_text_frame_header_in_front_of_the_json(int length, string header)
    {
        var frame = new BroadcastFrame(new FramePool(), 16);
        frame.Begin(1, EventKind.Trade, false, default, true, null, null);
        frame.GetSpan(length)[..length].Fill((byte)'x');
        frame.Advance(length);

        frame.Seal();

        var wire = frame.WireFrame.Span;
        int headerLength = header.Split('-').Length;
        Assert.Equal(header, BitConverter.ToString(wire[..headerLength].ToArray()));
        Assert.Equal(headerLength + length, wire.Length);
        Assert.Equal(length, frame.Memory.Length);
    }
}
