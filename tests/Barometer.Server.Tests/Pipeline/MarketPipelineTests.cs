using Barometer.Core.Bus;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Server.Broadcast;
using Barometer.Server.Pipeline;

namespace Barometer.Server.Tests.Pipeline;

public sealed class MarketPipelineTests
{
    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Perp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    private static MarketEvent Top(long time) => MarketEvent.From(new BookTop(Perp, time, time, 99.9, 1, 100.1, 1, 0));

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("timed out waiting for " + what);
    }

    [Fact]
    public async Task A_silent_live_feed_goes_stale_in_the_snapshot_because_event_time_follows_the_wall_clock()
    {
        using var bus = new EventBus();
        await using var pipeline = new MarketPipeline(new PipelineOptions { Source = DataSource.Live, IdleTick = TimeSpan.FromMilliseconds(50) }, bus, null, []);
        pipeline.Start();

        // A top stamped 20 s ago, then silence: the next idle tick moves event time to now, 20 s past the top (limit 10 s).
        bus.Publish(Top(UnixMicros.Now(TimeProvider.System) - 20_000_000));
        var top = await EventuallyAsync(() => pipeline.Latest?.Books.Markets.FirstOrDefault()?.Top, "a snapshot after the idle tick");

        Assert.True(double.IsNaN(top.SpreadBps));
        Assert.StartsWith("stale: newest top is 2", top.UnavailableReason, StringComparison.Ordinal);
        await pipeline.StopAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_replay_never_ticks_so_its_snapshots_depend_on_the_recording_alone()
    {
        using var bus = new EventBus();
        await using var pipeline = new MarketPipeline(new PipelineOptions { Source = DataSource.Replay, IdleTick = TimeSpan.FromMilliseconds(50) }, bus, null, []);
        pipeline.Start();
        const long T0 = 1_796_083_200_000_000;
        bus.Publish(Top(T0));
        await Task.Delay(500); // ten idle ticks' worth of silence

        Assert.Null(pipeline.Latest); // no event crossed a second boundary, and nothing was made up
        await pipeline.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(T0, pipeline.Latest!.Time); // the final snapshot is at the recording's last event time
        Assert.False(double.IsNaN(pipeline.Latest.Books.Markets[0].Top.SpreadBps));
    }
}
