namespace Barometer.Simulation.Market;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: a small, fast generator whose
/// sequence depends only on the seed, so a simulation replays exactly. Not for cryptography.
/// Written here because System.Random's algorithm for a seed is not a documented contract.
/// </summary>
public struct Prng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>Seeds the four words of state from <paramref name="seed"/> with SplitMix64.</summary>
    public Prng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
        _spareGaussian = 0;
        _hasSpare = false;
    }

    /// <summary>An independent stream derived from this seed and a stream number (per market, per asset).</summary>
    public static Prng Derive(ulong seed, ulong stream) => new(seed ^ (0x9E3779B97F4A7C15UL * (stream + 1)));

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in (0, 1]: safe under a logarithm.</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((NextUInt64() >> 33) % (ulong)n);

    /// <summary>Standard normal (Box–Muller, both values used).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }

        double u = NextOpenDouble();
        double v = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u));
        double a = 2.0 * Math.PI * v;
        _spareGaussian = r * Math.Sin(a);
        _hasSpare = true;
        return r * Math.Cos(a);
    }

    /// <summary>Exponential with mean 1.</summary>
    public double NextExponential() => -Math.Log(NextOpenDouble());

    /// <summary>Poisson count with mean <paramref name="mean"/> (inversion for small means, normal approximation above 30).</summary>
    public int NextPoisson(double mean)
    {
        if (!(mean > 0))
        {
            return 0;
        }

        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * NextGaussian()));
        }

        double limit = Math.Exp(-mean);
        double p = NextDouble();
        int k = 0;
        while (p > limit)
        {
            p *= NextDouble();
            k++;
        }

        return k;
    }

    /// <summary>Pareto with minimum <paramref name="min"/> and tail index <paramref name="alpha"/>.</summary>
    public double NextPareto(double min, double alpha) => min * Math.Pow(NextOpenDouble(), -1.0 / alpha);

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
