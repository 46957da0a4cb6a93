using Barometer.Core.Instruments;

namespace Barometer.Simulation.Market;

/// <summary>What to simulate. The same options and seed give the same events, event for event.</summary>
public sealed record SimulatorOptions
{
    /// <summary>2026-12-01T00:00:00Z in µs: the default simulated start.</summary>
    public const long DefaultStartTime = 1_796_083_200_000_000;

    /// <summary>Seed of every random draw.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Simulated start time, UTC µs.</summary>
    public long StartTime { get; init; } = DefaultStartTime;

    /// <summary>Base assets (calibrated: BTC, ETH, SOL).</summary>
    public IReadOnlyList<string> Assets { get; init; } = ["BTC", "ETH", "SOL"];

    /// <summary>Venues to feed.</summary>
    public IReadOnlyList<VenueId> Venues { get; init; } = VenueIds.All;

    /// <summary>Simulator step in µs (book updates go out once a step; 100 ms like Binance depth@100ms).</summary>
    public long StepMicros { get; init; } = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (Assets.Count == 0)
        {
            throw new ArgumentException("Assets: name at least one of BTC, ETH, SOL");
        }

        foreach (string a in Assets)
        {
            if (Calibration.Asset(a) is null)
            {
                throw new ArgumentException($"Assets: no calibration for '{a}' (known: BTC, ETH, SOL)");
            }
        }

        if (Venues.Count == 0)
        {
            throw new ArgumentException("Venues: name at least one venue");
        }

        if (StepMicros < 1_000 || StepMicros > 1_000_000 || 60_000_000 % StepMicros != 0)
        {
            throw new ArgumentException($"StepMicros: {StepMicros} must be between 1 ms and 1 s and divide a minute");
        }

        if (StartTime < 0)
        {
            throw new ArgumentException("StartTime: must not be before 1970");
        }
    }
}

/// <summary>The common volatility regime (Markov switching).</summary>
public enum VolatilityRegime
{
    /// <summary>Quiet market: lower volatility and fewer trades.</summary>
    Calm = 0,

    /// <summary>Ordinary conditions: the calibrated volatility.</summary>
    Normal = 1,

    /// <summary>Stress: volatility ×2.5, more trades, more jumps, liquidations.</summary>
    Stressed = 2,
}
