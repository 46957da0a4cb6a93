using Barometer.Core.Events;
using Barometer.Simulation.Emulator;

namespace Barometer.Simulation.Market;

/// <summary>How a <see cref="SimulationRunner"/> runs.</summary>
public sealed record SimulationRunOptions
{
    /// <summary>Simulated seconds per wall second: 1 = real time, 60 = a minute a second, 0 = as fast as possible.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Simulated time to run, µs (null: until cancelled).</summary>
    public long? DurationMicros { get; init; }

    /// <summary>Wall clock used for pacing (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Fault plans advanced with simulated time (one per venue, see <see cref="FaultScript"/>).</summary>
    public IReadOnlyList<FaultScript> Faults { get; init; } = [];
}

/// <summary>What a run did.</summary>
/// <param name="Steps">Simulator steps.</param>
/// <param name="Events">Truth events published.</param>
/// <param name="EventsByKind">Events per kind, indexed by <see cref="EventKind"/>.</param>
/// <param name="SimulatedMicros">Simulated time covered.</param>
/// <param name="Wall">Wall time taken.</param>
/// <param name="FaultsApplied">Fault-plan steps applied.</param>
public sealed record SimulationSummary(long Steps, long Events, long[] EventsByKind, long SimulatedMicros, TimeSpan Wall, int FaultsApplied);

/// <summary>
/// Drives a <see cref="MarketSimulator"/> into a sink (an <see cref="EmulatorHost"/>, a recorder,
/// a test) at a chosen speed: after each step it waits until wall time has caught up with
/// simulated time ÷ speed, so at --speed 60 ten simulated minutes take ten wall seconds. Fault
/// plans are advanced with simulated time.
/// </summary>
public static class SimulationRunner
{
    /// <summary>Runs until the duration is covered or <paramref name="cancel"/> fires (a normal end, not an exception).</summary>
    public static async Task<SimulationSummary> RunAsync(MarketSimulator simulator, IEventSink sink, SimulationRunOptions options,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Speed >= 0) || double.IsInfinity(options.Speed))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Speed, "Speed must be 0 (as fast as possible) or a positive number");
        }

        if (options.DurationMicros is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DurationMicros, "DurationMicros must not be negative");
        }

        var counting = new CountingSink(sink);
        var clock = options.Clock;
        long startWall = clock.GetTimestamp();
        long startSim = simulator.Now;
        long end = options.DurationMicros is { } d ? startSim + d : long.MaxValue;
        long steps = 0;
        int faults = 0;
        try
        {
            while (simulator.Now < end && !cancel.IsCancellationRequested)
            {
                for (int i = 0; i < options.Faults.Count; i++)
                {
                    faults += options.Faults[i].Advance(simulator.Now);
                }

                simulator.Step(counting);
                steps++;
                if (options.Speed > 0)
                {
                    double targetTicks = (simulator.Now - startSim) * (double)TimeSpan.TicksPerMicrosecond / options.Speed;
                    var ahead = TimeSpan.FromTicks((long)targetTicks) - clock.GetElapsedTime(startWall);
                    if (ahead > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(ahead, clock, cancel).ConfigureAwait(false);
                    }
                }
                else if ((steps & 1023) == 0)
                {
                    await Task.Yield(); // let a cancellation or the emulator's senders in
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl-C: a normal end.
        }

        return new SimulationSummary(steps, counting.Total, counting.ByKind, simulator.Now - startSim, clock.GetElapsedTime(startWall), faults);
    }

    private sealed class CountingSink(IEventSink inner) : IEventSink
    {
        public long Total;
        public readonly long[] ByKind = new long[16];

        public void Publish(in MarketEvent e)
        {
            Total++;
            int k = (int)e.Kind;
            if ((uint)k < (uint)ByKind.Length)
            {
                ByKind[k]++;
            }

            inner.Publish(e);
        }
    }
}
