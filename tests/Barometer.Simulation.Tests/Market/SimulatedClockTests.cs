using Barometer.Core.Events;
using Barometer.Core.Time;
using Barometer.Simulation.Market;

namespace Barometer.Simulation.Tests.Market;

public sealed class SimulatedClockTests
{
    private const long Start = 1_796_083_200_000_000; // 2026-12-01T00:00:00Z
    private const long Step = 100_000;                // the simulator's default step, 100 ms

    private sealed class DiscardSink : IEventSink
    {
        public void Publish(in MarketEvent e)
        {
        }
    }

    [Fact]
    public void A_clock_far_ahead_of_the_simulator_waits_one_step_past_its_current_time()
    {
        // At a million × the wall schedule is hours ahead at once; the simulator has made 3 steps (300 ms), so the
        // clock reads its time + one step = start + 400 ms, never more.
        var sim = new MarketSimulator(new SimulatorOptions { StartTime = Start });
        var clock = new SimulatedClock(sim, 1_000_000);
        Thread.Sleep(5);
        Assert.Equal(Start + Step, UnixMicros.Now(clock));
        var sink = new DiscardSink();
        for (int i = 0; i < 3; i++)
        {
            sim.Step(sink);
        }

        Assert.Equal(Start + (4 * Step), UnixMicros.Now(clock));
    }

    [Fact]
    public void A_clock_on_schedule_reads_start_plus_wall_time_times_speed()
    {
        // At 1 × the wall schedule is behind the cap (start + 100 ms) for the first 100 ms: the clock reads
        // start + elapsed wall time, which is at least the 20 ms slept and less than the cap.
        var sim = new MarketSimulator(new SimulatorOptions { StartTime = Start });
        var clock = new SimulatedClock(sim, 1);
        Thread.Sleep(20);
        long now = UnixMicros.Now(clock);
        Assert.InRange(now, Start + 20_000, Start + Step);
        Assert.True(UnixMicros.Now(clock) >= now, "the clock never goes back");
    }

    [Fact]
    public void Timers_and_timestamps_stay_on_the_wall_clock()
    {
        var sim = new MarketSimulator(new SimulatorOptions { StartTime = Start });
        var clock = new SimulatedClock(sim, 60);
        Assert.Equal(TimeProvider.System.TimestampFrequency, clock.TimestampFrequency);
        long before = TimeProvider.System.GetTimestamp();
        Assert.InRange(clock.GetTimestamp(), before, TimeProvider.System.GetTimestamp());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_speed_that_is_not_a_positive_number_is_refused(double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedClock(new MarketSimulator(new SimulatorOptions()), speed));
}
