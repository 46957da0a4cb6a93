using Barometer.Analytics.Liquidations;
using Barometer.Analytics.Snapshots;
using Spectre.Console;
using Spectre.Console.Rendering;
using static Barometer.Tui.DashboardRenderer;

namespace Barometer.Tui;

/// <summary>liquidations: live tape with size classes, totals and splits, cascades with score and severity.</summary>
internal static class LiquidationPanels
{
    public static IRenderable Render(MetricsSnapshot s, ViewState v)
    {
        int rows = DashboardRenderer.RowBudget(v, 2);
        return DashboardRenderer.TwoColumns(v,
            Tape(s, v, rows), Totals(s, rows),
            Cascades(s, v, rows), Venues(s, rows));
    }

    /// <summary>Size class of a liquidation's USD against the section's thresholds.</summary>
    internal static string SizeClass(double usd, LiquidationSettings st) =>
        !double.IsFinite(usd) ? "[grey]?[/]" : usd >= st.InstitutionalUsd ? "[bold magenta]INST[/]" : usd >= st.LargeUsd ? "[yellow]LARGE[/]" : "small";

    /// <summary>The newest liquidation prints (from the event stream), newest first.</summary>
    public static PanelSpec Tape(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        foreach (var p in v.Tape)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            string side = p.LongLiquidated ? "[red]LONG [/]" : "[green]SHORT[/]";
            lines.Add($"{Fmt.Clock(p.Time)} {Markup.Escape(p.Asset),-4} {side} {Fmt.Usd(p.Usd),7} @{Fmt.Price(p.Price)} [grey][[{Markup.Escape(Fmt.Venue(p.Venue))}]][/] {SizeClass(p.Usd, s.Liquidations.Settings)}");
        }

        if (lines.Count == 0)
        {
            lines.Add(Fmt.Na("no liquidation received since start"));
        }

        return DashboardRenderer.Box($"LIVE TAPE (large ≥ {Fmt.Usd(s.Liquidations.Settings.LargeUsd)}, inst ≥ {Fmt.Usd(s.Liquidations.Settings.InstitutionalUsd)})", lines, "red");
    }

    /// <summary>Per asset 1m and 5m totals, long/short split, size classes, lower-bound marker.</summary>
    public static PanelSpec Totals(MetricsSnapshot s, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Liquidations.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            var w = a.FiveMinutes;
            string name = Markup.Escape(a.Asset).PadRight(4);
            if (!double.IsFinite(w.TotalUsd))
            {
                lines.Add(name + " " + Fmt.Na(w.UnavailableReason));
                continue;
            }

            string lb = w.IsLowerBound ? "≥" : "";
            string last = a.LastLiquidationTime is null ? "none yet" : Fmt.Age(a.LastLiquidationAgeSeconds) + " ago";
            lines.Add($"{name} 5m {lb}{Fmt.Usd(w.TotalUsd)} ({Fmt.Int(w.Count)}) · 1m {lb}{Fmt.Usd(a.OneMinute.TotalUsd)} ({Fmt.Int(a.OneMinute.Count)}) · {Fmt.Num(w.EventsPerMinute, "0.#")}/min · last {last}");
            if (lines.Count < rows && w.Count > 0)
            {
                lines.Add($"     [red]longs {Fmt.Usd(w.LongUsd)} ({Fmt.Int(w.LongCount)}, {Fmt.Num(w.LongPercent, "0")}%)[/] [green]shorts {Fmt.Usd(w.ShortUsd)} ({Fmt.Int(w.ShortCount)})[/]");
            }

            if (lines.Count < rows && w.Count > 0)
            {
                lines.Add($"     [magenta]inst {Fmt.Int(w.Institutional.Count)} {Fmt.Usd(w.Institutional.Usd)}[/] · [yellow]large {Fmt.Int(w.Large.Count)} {Fmt.Usd(w.Large.Usd)}[/] · small {Fmt.Int(w.Small.Count)} {Fmt.Usd(w.Small.Usd)}");
            }
        }

        return DashboardRenderer.Box("TOTALS (5m / 1m)", lines);
    }

    /// <summary>5m USD per venue market.</summary>
    public static PanelSpec Venues(MetricsSnapshot s, int rows)
    {
        var lines = new List<string>();
        foreach (var i in s.Liquidations.Instruments)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            var w = i.FiveMinutes;
            lines.Add($"{Markup.Escape(i.Asset),-4} {Markup.Escape(Fmt.Instrument(i.Instrument)),-10} {Fmt.Usd(w.TotalUsd),7} ({Fmt.Int(w.Count)}) [red]L {Fmt.Int(w.LongCount)}[/] [green]S {Fmt.Int(w.ShortCount)}[/]{(i.Feed == Core.Events.FeedCompleteness.Sampled ? " [grey]sampled[/]" : "")}");
        }

        return DashboardRenderer.Box("VENUE SPLIT (5m)", lines);
    }

    /// <summary>Severity from a cascade score (docs/metrics.md: Low &lt; 0.3 ≤ Medium &lt; 0.6 ≤ High &lt; 1.0 ≤ Critical).</summary>
    internal static string SeverityColor(string severity) => severity switch
    {
        "Critical" => "bold red",
        "High" => "red",
        "Medium" => "yellow",
        _ => "green",
    };

    /// <summary>Active cascades (growing), recently closed ones, and the newest alert lines.</summary>
    public static PanelSpec Cascades(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        foreach (var c in s.Liquidations.ActiveCascades)
        {
            if (lines.Count < rows)
            {
                lines.Add("[bold]ACTIVE[/] " + CascadeLine(c));
            }
        }

        foreach (var c in s.Liquidations.RecentCascades)
        {
            if (lines.Count < rows)
            {
                lines.Add("[grey]closed[/] " + CascadeLine(c));
            }
        }

        foreach (var a in v.Alerts)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            lines.Add($"[grey]{Fmt.Clock(a.Time)} {Markup.Escape(a.Phase)}[/] [{SeverityColor(a.Severity)}]{Markup.Escape(Fmt.Shorten(a.Message, 90))}[/]");
        }

        if (lines.Count == 0)
        {
            lines.Add(Fmt.Na($"no cascade (≥ {s.Liquidations.Settings.CascadeMinLiquidations} liquidations within {s.Liquidations.Settings.CascadeWindowSeconds}s)"));
        }

        return DashboardRenderer.Box("CASCADES", lines, "red");
    }

    private static string CascadeLine(CascadeAlert c)
    {
        string side = c.Side switch { CascadeSide.Long => "longs", CascadeSide.Short => "shorts", _ => "mixed" };
        return $"{Markup.Escape(c.Asset)} [{SeverityColor(c.Severity)}]{Markup.Escape(c.Severity.ToUpperInvariant())} score {Fmt.Num(c.Score, "0.00")}[/] " +
            $"{Fmt.Int(c.Count)} liq {(c.IsLowerBound ? "≥" : "")}{Fmt.Usd(c.Usd)} {side} {Fmt.Num(c.DurationSeconds, "0")}s {Fmt.Price(c.LowPrice)}–{Fmt.Price(c.HighPrice)}" +
            (c.CrossExchange ? " [yellow]CROSS-EXCHANGE[/]" : "");
    }
}
