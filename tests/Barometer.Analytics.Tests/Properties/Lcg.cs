namespace Barometer.Analytics.Tests.Properties;

/// <summary>
/// 64-bit linear congruential generator (Knuth's MMIX constants), high 32 bits out. Its sequence
/// per seed is fixed by this code, unlike System.Random's, so a failing seed can be replayed.
/// </summary>
internal sealed class Lcg
{
    private ulong _state;

    public Lcg(ulong seed) => _state = (seed * 6364136223846793005UL) + 1442695040888963407UL;

    public uint NextUInt()
    {
        _state = (_state * 6364136223846793005UL) + 1442695040888963407UL;
        return (uint)(_state >> 32);
    }

    /// <summary>0 ≤ result &lt; <paramref name="n"/>.</summary>
    public int Next(int n) => (int)(((ulong)NextUInt() * (ulong)n) >> 32);

    /// <summary>0 ≤ result &lt; 1.</summary>
    public double NextDouble() => NextUInt() / 4294967296.0;

    public double Between(double low, double high) => low + ((high - low) * NextDouble());

    public bool Chance(double p) => NextDouble() < p;
}
