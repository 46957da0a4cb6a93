using System.Globalization;

namespace Barometer.Simulation.Emulator;

/// <summary>Number-to-text helpers for venue frames (venues send prices and sizes as strings).</summary>
internal static class WireNumber
{
    private const int MaxDecimals = 15;
    private static readonly string[] FixedFormats = BuildFormats(static d => "F" + d.ToString(CultureInfo.InvariantCulture));
    private static readonly string[] TrimFormats = BuildFormats(static d => d == 0 ? "0" : "0." + new string('#', d));

    /// <summary>Decimals needed to write <paramref name="step"/> exactly (0.1 → 1, 0.0005 → 4, 1 → 0).</summary>
    public static int DecimalsOf(double step)
    {
        double scaled = step;
        for (int d = 0; d < MaxDecimals; d++)
        {
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-7 * Math.Max(1.0, Math.Abs(scaled)))
            {
                return d;
            }

            scaled *= 10;
        }

        return MaxDecimals;
    }

    /// <summary>Fixed decimals, trailing zeros kept ("16578.50").</summary>
    public static string Fixed(double value, int decimals)
    {
        decimals = Math.Clamp(decimals, 0, MaxDecimals);
        double rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0)
        {
            rounded = 0; // no "-0.00"
        }

        return rounded.ToString(FixedFormats[decimals], CultureInfo.InvariantCulture);
    }

    /// <summary>At most <paramref name="maxDecimals"/> decimals, trailing zeros dropped ("197.3", "196").</summary>
    public static string Trim(double value, int maxDecimals)
    {
        maxDecimals = Math.Clamp(maxDecimals, 0, MaxDecimals);
        double rounded = Math.Round(value, maxDecimals, MidpointRounding.AwayFromZero);
        if (rounded == 0)
        {
            rounded = 0;
        }

        return rounded.ToString(TrimFormats[maxDecimals], CultureInfo.InvariantCulture);
    }

    /// <summary>An integer as invariant text.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string[] BuildFormats(Func<int, string> make)
    {
        var formats = new string[MaxDecimals + 1];
        for (int d = 0; d <= MaxDecimals; d++)
        {
            formats[d] = make(d);
        }

        return formats;
    }
}
