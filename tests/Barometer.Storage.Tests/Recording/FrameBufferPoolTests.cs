using Barometer.Storage.Recording;

namespace Barometer.Storage.Tests.Recording;

public sealed class FrameBufferPoolTests
{
    [Theory]
    [InlineData(0, 0)]          // → 256 B
    [InlineData(256, 0)]
    [InlineData(257, 1)]        // → 512 B
    [InlineData(512, 1)]
    [InlineData(4096, 4)]       // 256 << 4
    [InlineData(4097, 5)]
    [InlineData(1 << 20, 12)]   // 256 << 12 = 1 MiB, the largest pooled
    [InlineData((1 << 20) + 1, -1)]
    public void Lengths_map_to_power_of_two_classes_from_256_bytes_to_1_MiB(int length, int expected)
    {
        Assert.Equal(expected, FrameBufferPool.ClassOf(length));
    }

    [Fact]
    public void A_returned_buffer_is_handed_out_again_for_a_frame_of_its_class()
    {
        var pool = new FrameBufferPool();
        byte[] a = pool.Rent(300);
        Assert.Equal(512, a.Length);
        pool.Return(a);
        Assert.Equal(1, pool.IdleBuffers);
        Assert.Same(a, pool.Rent(400));
        Assert.Equal(0, pool.IdleBuffers);
        Assert.NotSame(a, pool.Rent(400));
    }

    [Fact]
    public void Thousands_of_buffers_in_flight_are_all_kept_for_reuse_up_to_the_budget()
    {
        // A writer queue thousands of frames deep: ArrayPool.Shared would keep only a few per core.
        var pool = new FrameBufferPool();
        var rented = new byte[5000][];
        for (int i = 0; i < rented.Length; i++)
        {
            rented[i] = pool.Rent(200);
        }

        foreach (var b in rented)
        {
            pool.Return(b);
        }

        Assert.Equal(5000, pool.IdleBuffers); // budget for 256-byte buffers: 16 MiB / 256 B = 65,536

        // 1 MiB class: 16 MiB / 1 MiB = 16 kept, the rest left to the GC.
        var big = new byte[20][];
        for (int i = 0; i < big.Length; i++)
        {
            big[i] = pool.Rent(1 << 20);
        }

        foreach (var b in big)
        {
            pool.Return(b);
        }

        Assert.Equal(5000 + 16, pool.IdleBuffers);
    }

    [Fact]
    public void An_oversized_frame_gets_an_exact_array_that_is_not_kept()
    {
        var pool = new FrameBufferPool();
        byte[] huge = pool.Rent((1 << 20) + 10);
        Assert.Equal((1 << 20) + 10, huge.Length);
        pool.Return(huge);
        Assert.Equal(0, pool.IdleBuffers);
    }
}
