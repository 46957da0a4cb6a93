namespace Barometer.Simulation.Market;

/// <summary>
/// A clock whose <see cref="GetUtcNow"/> follows a running simulation's time, so that what the
/// connectors stamp as receive time is on the same time line as the simulated exchange times at any
/// speed (a Binance spot bookTicker, which has no exchange time, would otherwise look old next to
/// simulated times that run ahead of the wall clock at 60×). Now = start + wall time elapsed since
/// <see cref="Start"/> × speed, but never more than one simulator step past the simulator's current
/// time: when the runner falls behind its schedule, the clock waits for it instead of making its
/// events look late. Timers and timestamps (<see cref="TimeProvider.GetTimestamp"/>,
/// <see cref="TimeProvider.CreateTimer"/>) stay real: pacing, backoff and keep-alive delays are wall time.
/// </summary>
public sealed class SimulatedClock : TimeProvider
{
    private readonly MarketSimulator _simulator;
    private readonly double _speed;
    private readonly long _stepMicros;
    private long _startSim;
    private long _startWall;

    /// <summary>A clock for <paramref name="simulator"/> run at <paramref name="speed"/> simulated seconds per second.</summary>
    public SimulatedClock(MarketSimulator simulator, double speed)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        if (!(speed > 0) || double.IsInfinity(speed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "speed must be a positive number");
        }

        _simulator = simulator;
        _speed = speed;
        _stepMicros = simulator.Options.StepMicros;
        Start();
    }

    /// <summary>Anchors the clock: the simulator's time now is the wall time now (call just before the runner starts).</summary>
    public void Start()
    {
        Volatile.Write(ref _startSim, _simulator.Now);
        Volatile.Write(ref _startWall, System.GetTimestamp());
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        long scheduled = Volatile.Read(ref _startSim) + (long)(System.GetElapsedTime(Volatile.Read(ref _startWall)).Ticks / 10.0 * _speed);
        long cap = _simulator.Now + _stepMicros;
        long micros = Math.Min(scheduled, cap);
        return DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
    }
}
