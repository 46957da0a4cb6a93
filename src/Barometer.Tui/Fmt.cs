using System.Globalization;
using System.Text;
using Barometer.Analytics.Derivatives;
using Spectre.Console;

namespace Barometer.Tui;

/// <summary>Formatting of snapshot values for the dashboards (invariant culture, markup-escaped).</summary>
internal static class Fmt
{
    public const string Dash = "—";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"— (reason)" dimmed: an unavailable value with why.</summary>
    public static string Na(string? reason) => "[grey]" + Dash + (string.IsNullOrEmpty(reason) ? "" : " (" + Markup.Escape(Shorten(reason, 48)) + ")") + "[/]";

    public static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    /// <summary>Compact USD: $950, $94.5K, $2.3M, $1.20B; signed when asked.</summary>
    public static string Usd(double v, bool signed = false)
    {
        if (!double.IsFinite(v))
        {
            return Dash;
        }

        string sign = v < 0 ? "-" : signed ? "+" : "";
        double a = Math.Abs(v);
        string body = a >= 1e9 ? (a / 1e9).ToString("0.00", Inv) + "B"
            : a >= 1e6 ? (a / 1e6).ToString("0.0", Inv) + "M"
            : a >= 1e3 ? (a / 1e3).ToString("0.0", Inv) + "K"
            : a >= 100 ? a.ToString("0", Inv)
            : a.ToString("0.##", Inv);
        return sign + "$" + body;
    }

    /// <summary>A price with precision by magnitude: 95,812 / 3,210.5 / 142.35 / 0.5321.</summary>
    public static string Price(double v)
    {
        if (!double.IsFinite(v))
        {
            return Dash;
        }

        double a = Math.Abs(v);
        return v.ToString(a >= 10_000 ? "#,0" : a >= 1_000 ? "#,0.0" : a >= 1 ? "0.00" : "0.0000", Inv);
    }

    /// <summary>Percent with a sign: +0.04%.</summary>
    public static string Pct(double v, int decimals = 2, bool signed = true)
    {
        if (!double.IsFinite(v))
        {
            return Dash;
        }

        string f = "0." + new string('0', decimals);
        return (signed && v >= 0 ? "+" : "") + v.ToString(f, Inv) + "%";
    }

    public static string Num(double v, string format = "0.##") => double.IsFinite(v) ? v.ToString(format, Inv) : Dash;

    public static string Int(long v) => v.ToString("#,0", Inv);

    /// <summary>"[████████░░]" of <paramref name="width"/> cells for a fraction 0 … 1 (clamped).</summary>
    public static string Bar(double fraction, int width = 10, bool brackets = true)
    {
        if (!double.IsFinite(fraction))
        {
            fraction = 0;
        }

        int full = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width, MidpointRounding.AwayFromZero);
        var sb = new StringBuilder(width + 2);
        if (brackets)
        {
            sb.Append('[');
        }

        sb.Append('█', full).Append('░', width - full);
        if (brackets)
        {
            sb.Append(']');
        }

        return Markup.Escape(sb.ToString());
    }

    /// <summary>"█████" of up to <paramref name="width"/> cells, no background.</summary>
    public static string Blocks(double fraction, int width)
    {
        if (!double.IsFinite(fraction) || fraction <= 0)
        {
            return "";
        }

        int n = Math.Max(1, (int)Math.Round(Math.Clamp(fraction, 0, 1) * width, MidpointRounding.AwayFromZero));
        return new string('█', n);
    }

    public static string RateArrow(RateTrend t) => t switch
    {
        RateTrend.Up => "↑",
        RateTrend.Down => "↓",
        RateTrend.Flat => "→",
        _ => "·",
    };

    /// <summary>Arrow of a signed value against a dead band.</summary>
    public static string SignArrow(double v, double flat = 0)
    {
        if (!double.IsFinite(v))
        {
            return "?";
        }

        return v > flat ? "↑" : v < -flat ? "↓" : "→";
    }

    /// <summary>Green for positive, red for negative, yellow for zero.</summary>
    public static string SignColor(double v) => !double.IsFinite(v) ? "grey" : v > 0 ? "green" : v < 0 ? "red" : "yellow";

    /// <summary>Short venue label: binance-futures → BINANCE-F, okx-spot → OKX-S.</summary>
    public static string Venue(string wire)
    {
        int dash = wire.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return wire.ToUpperInvariant();
        }

        string name = wire[..dash].ToUpperInvariant();
        string kind = wire[(dash + 1)..];
        string suffix = kind switch { "spot" => "S", "futures" or "linear" or "swap" => "P", _ => kind.ToUpperInvariant() };
        return name + "-" + suffix;
    }

    /// <summary>Short label of an instrument key "venue:SYMBOL".</summary>
    public static string Instrument(string key)
    {
        int colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return key;
        }

        // USDT is the default quote; other quotes (USDC margined perpetuals, …) are named.
        string symbol = key[(colon + 1)..];
        return Venue(key[..colon]) + (symbol.Contains("USDC", StringComparison.Ordinal) ? "/USDC" : "");
    }

    /// <summary>Seconds as "12s", "4m", "2h".</summary>
    public static string Age(double seconds)
    {
        if (!double.IsFinite(seconds))
        {
            return Dash;
        }

        seconds = Math.Max(0, seconds);
        return seconds < 120 ? ((long)seconds).ToString(Inv) + "s"
            : seconds < 7200 ? ((long)(seconds / 60)).ToString(Inv) + "m"
            : ((long)(seconds / 3600)).ToString(Inv) + "h";
    }

    /// <summary>UTC µs as HH:mm:ss.</summary>
    public static string Clock(long micros) =>
        micros <= 0 ? "--:--:--" : DateTimeOffset.FromUnixTimeMilliseconds(micros / 1000).UtcDateTime.ToString("HH:mm:ss", Inv);

    /// <summary>Wraps markup in [dim] with " (age old)" when older than the stale limit.</summary>
    public static string MaybeStale(string markup, double ageSeconds, double staleSeconds) =>
        double.IsFinite(ageSeconds) && ageSeconds > staleSeconds ? "[dim]" + markup + " (" + Age(ageSeconds) + " old)[/]" : markup;
}
