using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Barometer.Analytics.Risk;

/// <summary>
/// Pearson coefficients over return series with gaps (docs/metrics.md, "Correlation"). A series
/// is kept as three arrays — the returns with gaps as 0, their squares, and a 0/1 mask — so that a
/// (lagged) coefficient is one pass of multiply-adds without branches.
/// </summary>
internal static class CorrelationCalc
{
    /// <summary>1 s returns per series.</summary>
    public const int WindowSeconds = 900;

    /// <summary>Lead/lag searches −30 … +30 s.</summary>
    public const int MaxLagSeconds = 30;

    /// <summary>A coefficient needs this many common returns.</summary>
    public const int MinSamples = 120;

    /// <summary>No leader when the peak cross-correlation is below this.</summary>
    public const double LeaderThreshold = 0.2;

    /// <summary>A variance below this fraction of the sum of squares is treated as zero (rounding of a constant series).</summary>
    private const double RelativeVarianceFloor = 1e-12;

    /// <summary>Builds a series from returns (NaN = no return that second).</summary>
    public static ReturnSeries Series(ReadOnlySpan<double> returns)
    {
        var s = new ReturnSeries(returns.Length);
        for (int i = 0; i < returns.Length; i++)
        {
            double r = returns[i];
            if (!double.IsNaN(r))
            {
                s.X[i] = r;
                s.X2[i] = r * r;
                s.M[i] = 1;
                s.Count++;
            }
        }

        return s;
    }

    /// <summary>
    /// Pearson coefficient of the pairs (a[i], b[i + lag]) where both exist; NaN when there are
    /// fewer than <paramref name="minSamples"/> pairs or either side does not vary.
    /// </summary>
    public static double Pearson(ReturnSeries a, ReturnSeries b, int lag, int minSamples, out int samples)
    {
        int length = a.Length;
        int lo = Math.Max(0, -lag);
        int hi = Math.Min(length, length - lag);
        if (hi <= lo)
        {
            samples = 0;
            return double.NaN;
        }

        int count = hi - lo;
        ReadOnlySpan<double> ax = a.X.AsSpan(lo, count), ax2 = a.X2.AsSpan(lo, count), am = a.M.AsSpan(lo, count);
        ReadOnlySpan<double> bx = b.X.AsSpan(lo + lag, count), bx2 = b.X2.AsSpan(lo + lag, count), bm = b.M.AsSpan(lo + lag, count);
        // Four lanes of explicit Vector256 arithmetic (multiply then add, never fused), summed lane
        // 0 … 3 and then the scalar tail: the same order, hence the same bits, on every machine.
        var vn = Vector256<double>.Zero;
        var va = Vector256<double>.Zero;
        var vb = Vector256<double>.Zero;
        var vaa = Vector256<double>.Zero;
        var vbb = Vector256<double>.Zero;
        var vab = Vector256<double>.Zero;
        int i = 0;
        ref double rax = ref MemoryMarshal.GetReference(ax), rax2 = ref MemoryMarshal.GetReference(ax2), ram = ref MemoryMarshal.GetReference(am);
        ref double rbx = ref MemoryMarshal.GetReference(bx), rbx2 = ref MemoryMarshal.GetReference(bx2), rbm = ref MemoryMarshal.GetReference(bm);
        for (; i <= count - 4; i += 4)
        {
            var ma = Vector256.LoadUnsafe(ref ram, (nuint)i);
            var mb = Vector256.LoadUnsafe(ref rbm, (nuint)i);
            var x = Vector256.LoadUnsafe(ref rax, (nuint)i);
            var y = Vector256.LoadUnsafe(ref rbx, (nuint)i);
            vn += ma * mb;
            va += x * mb;
            vb += ma * y;
            vaa += Vector256.LoadUnsafe(ref rax2, (nuint)i) * mb;
            vbb += ma * Vector256.LoadUnsafe(ref rbx2, (nuint)i);
            vab += x * y;
        }

        double n = Lanes(vn), sa = Lanes(va), sb = Lanes(vb), saa = Lanes(vaa), sbb = Lanes(vbb), sab = Lanes(vab);
        for (; i < count; i++)
        {
            double ma = am[i], mb = bm[i], x = ax[i], y = bx[i];
            n += ma * mb;
            sa += x * mb;
            sb += ma * y;
            saa += ax2[i] * mb;
            sbb += ma * bx2[i];
            sab += x * y;
        }

        samples = (int)n;
        return samples < minSamples ? double.NaN : Coefficient(n, sa, sb, saa, sbb, sab);
    }

    private static double Lanes(Vector256<double> v) => ((v.GetElement(0) + v.GetElement(1)) + v.GetElement(2)) + v.GetElement(3);

    private static double Coefficient(double n, double sa, double sb, double saa, double sbb, double sab)
    {
        double va = saa - (sa * sa / n);
        double vb = sbb - (sb * sb / n);
        if (!(va > RelativeVarianceFloor * saa) || !(vb > RelativeVarianceFloor * sbb))
        {
            return double.NaN;
        }

        double r = (sab - (sa * sb / n)) / Math.Sqrt(va * vb);
        return Math.Clamp(r, -1.0, 1.0);
    }

    /// <summary>
    /// Lag-0 Pearson coefficient of two gapped arrays (NaN = no return) over the positions where
    /// both have a value, without building series; NaN with fewer than <paramref name="minSamples"/>
    /// pairs or no variation on a side.
    /// </summary>
    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int minSamples, out int samples)
    {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = 0;
        b = b[..a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i], y = b[i];
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                continue;
            }

            n++;
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
        }

        samples = n;
        return n < minSamples ? double.NaN : Coefficient(n, sa, sb, saa, sbb, sab);
    }

    /// <summary>Why a coefficient with enough pairs is NaN: which side has no price change over the window (all returns 0), or null.</summary>
    public static string? ZeroVarianceReason(ReadOnlySpan<double> a, ReadOnlySpan<double> b, string aName, string bName)
    {
        bool aFlat = IsFlat(a);
        bool bFlat = IsFlat(b);
        return aFlat && bFlat ? $"no price change of {aName} or {bName} in the window (zero variance)"
            : aFlat ? $"no price change of {aName} in the window (zero variance)"
            : bFlat ? $"no price change of {bName} in the window (zero variance)"
            : null;
    }

    /// <summary>Lead/lag of a pair whose lag-0 coefficient is available.</summary>
    public static LeadLag LeadLagOf(string first, string second, ReturnSeries a, ReturnSeries b)
    {
        double best = double.NaN;
        int bestLag = 0;

        // Lags in the order 0, −1, +1, −2, +2 …; only a strictly larger c(k) replaces the peak, so
        // ties go to the smallest |k|, then to the negative lag.
        for (int d = 0; d <= MaxLagSeconds; d++)
        {
            for (int sign = -1; sign <= 1; sign += 2)
            {
                int lag = d * sign;
                if (d == 0 && sign == 1)
                {
                    continue;
                }

                double c = Pearson(a, b, lag, MinSamples, out _);
                if (!double.IsNaN(c) && (double.IsNaN(best) || c > best))
                {
                    best = c;
                    bestLag = lag;
                }
            }
        }

        if (double.IsNaN(best))
        {
            return LeadLag.Unavailable("no lag with enough common samples");
        }

        if (best < LeaderThreshold)
        {
            return new LeadLag(null, null, 0, bestLag, best,
                string.Create(CultureInfo.InvariantCulture, $"peak correlation {best:0.###} at lag {bestLag} s is below {LeaderThreshold}"), null);
        }

        if (bestLag == 0)
        {
            return new LeadLag(null, null, 0, 0, best, "peak at lag 0 (the assets move together)", null);
        }

        return bestLag > 0
            ? new LeadLag(first, second, bestLag, bestLag, best, null, null)
            : new LeadLag(second, first, -bestLag, bestLag, best, null, null);
    }

    /// <summary>No non-zero return (gaps are 0 or NaN).</summary>
    private static bool IsFlat(ReadOnlySpan<double> returns)
    {
        foreach (double r in returns)
        {
            if (r != 0 && !double.IsNaN(r))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A return series: returns with gaps as 0, their squares, and the 0/1 mask of seconds that have a return.</summary>
internal sealed class ReturnSeries(int length)
{
    public int Length { get; } = length;

    public double[] X { get; } = new double[length];

    public double[] X2 { get; } = new double[length];

    public double[] M { get; } = new double[length];

    /// <summary>Seconds with a return.</summary>
    public int Count { get; set; }
}
