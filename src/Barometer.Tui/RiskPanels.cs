using Barometer.Analytics.Liquidations;
using Barometer.Analytics.Risk;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Instruments;
using Spectre.Console;
using Spectre.Console.Rendering;
using static Barometer.Tui.DashboardRenderer;

namespace Barometer.Tui;

/// <summary>risk-scanner: cascade risk, market regime, arbitrage, correlation matrix.</summary>
internal static class RiskPanels
{
    public static IRenderable Render(MetricsSnapshot s, ViewState v)
    {
        int rows = DashboardRenderer.RowBudget(v, 2);
        return DashboardRenderer.TwoColumns(v,
            CascadeRiskPanel(s, rows), Arbitrage(s, rows),
            Regime(s, rows), Correlation(s, rows));
    }

    /// <summary>Display label of a cascade risk score (display thresholds, docs/tui.md).</summary>
    internal static string RiskLabel(double score) => score >= 75 ? "[bold red]CRITICAL[/]" : score >= 50 ? "[red]HIGH[/]" : score >= 25 ? "[yellow]ELEVATED[/]" : "[green]LOW[/]";

    /// <summary>Score bar, next cascade level and protection level per asset.</summary>
    public static PanelSpec CascadeRiskPanel(MetricsSnapshot s, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Liquidations.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            string name = Markup.Escape(a.Asset).PadRight(4);
            var r = a.Risk;
            if (!double.IsFinite(r.Score))
            {
                lines.Add(name + " CASCADE RISK " + Fmt.Na(r.UnavailableReason));
                continue;
            }

            string price = a.Price.Fresh ? "" : " " + Fmt.MaybeStale("price", a.Price.AgeSeconds, 0);
            lines.Add($"{name} CASCADE RISK {Fmt.Bar(r.Score / 100, 6, false)} {(r.IsLowerBound ? "≥" : "")}{Fmt.Num(r.Score, "0")} {RiskLabel(r.Score)}{(r.IsLowerBound ? " [grey](sampled feeds)[/]" : "")}{price}");
            if (lines.Count < rows)
            {
                lines.Add("     Next level: " + Level(a.NextCascadeLevel));
            }

            if (lines.Count < rows)
            {
                lines.Add("     Protection: " + Level(a.ProtectionLevel));
            }
        }

        return DashboardRenderer.Box("LIQUIDATION CASCADE RISK", lines, "red");
    }

    private static string Level(LiquidationLevel l)
    {
        if (!double.IsFinite(l.Price))
        {
            return Fmt.Na(l.UnavailableReason);
        }

        string side = l.Side switch { CascadeSide.Long => "longs", CascadeSide.Short => "shorts", _ => "mixed" };
        return $"{Fmt.Price(l.Price)} ({Fmt.Pct(l.DistancePercent, 1)}) = {Fmt.Usd(l.Usd)} {side}";
    }

    /// <summary>State, confidence, volatility, liquidity and trend per asset.</summary>
    public static PanelSpec Regime(MetricsSnapshot s, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Regime.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            string name = Markup.Escape(a.Asset).PadRight(4);
            string state = a.Regime is { } reg
                ? $"[bold]{RegimeName(reg)}[/] ({Fmt.Num(a.Confidence, "0")}% confidence)"
                : Fmt.Na(a.UnavailableReason);
            lines.Add($"{name} State: {state}");
            var vol = a.Volatility;
            string volText = vol.State is { } vs
                ? $"{vs.ToString().ToUpperInvariant()} ({Fmt.Num(vol.AnnualizedPct, "0")}% ann., 15m/45m {Fmt.Num(vol.Ratio, "0.00")})"
                : double.IsFinite(vol.AnnualizedPct) ? $"{Fmt.Num(vol.AnnualizedPct, "0")}% ann. · state {Fmt.Na(vol.UnavailableReason)}" : Fmt.Na(vol.UnavailableReason);
            string trend = a.Trend is { } t ? t switch
            {
                RegimeTrend.Bullish => "[green]BULLISH[/]",
                RegimeTrend.Bearish => "[red]BEARISH[/]",
                _ => "[yellow]NEUTRAL[/]",
            } + $" ({Fmt.Pct(a.NetChangePct)} 1h)" : Fmt.Na(a.UnavailableReason);
            string liq = a.Liquidity.Level is { } lv
                ? (lv == LiquidityLevel.Thin ? "[red]THIN[/]" : lv == LiquidityLevel.Thick ? "[green]THICK[/]" : "NORMAL") + $" (score {Fmt.Num(a.Liquidity.Score, "0")})"
                : Fmt.Na(a.Liquidity.UnavailableReason);
            foreach (var extra in new[] { "     Vol: " + volText, "     Trend: " + trend, "     Liquidity: " + liq })
            {
                if (lines.Count < rows)
                {
                    lines.Add(extra);
                }
            }
        }

        return DashboardRenderer.Box("MARKET REGIME", lines);
    }

    private static string RegimeName(MarketRegime r) => r switch
    {
        MarketRegime.Trending => "TRENDING",
        MarketRegime.Ranging => "RANGING",
        MarketRegime.Volatile => "VOLATILE",
        _ => "RANGE-BOUND",
    };

    /// <summary>Spot-perp basis (⚠ above 0.03%), cross-venue spreads, funding differentials, USDT/USDC basis.</summary>
    public static PanelSpec Arbitrage(MetricsSnapshot s, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Flow.Assets)
        {
            var b = MicrostructurePanels.PickBasis(s.Derivatives, a.Asset);
            if (b is null)
            {
                continue;
            }

            lines.Add(double.IsFinite(b.BasisPercent)
                ? $"SPOT-PERP: {Markup.Escape(b.Asset)} {Fmt.Usd(b.BasisUsd, true)} ({Fmt.Pct(b.BasisPercent, 3)}){(b.Arbitrage ? " [aqua]⚠ ARB[/]" : "")}"
                : $"SPOT-PERP: {Markup.Escape(b.Asset)} {Fmt.Na(b.UnavailableReason)}");
        }

        foreach (var p in s.Derivatives.PriceSpreads)
        {
            if (p.Kind != MarketKind.Perpetual)
            {
                continue;
            }

            lines.Add(double.IsFinite(p.GapUsd)
                ? $"EXCHANGE: {Markup.Escape(p.Asset)} {Markup.Escape(Fmt.Instrument(p.HighInstrument ?? ""))} > {Markup.Escape(Fmt.Instrument(p.LowInstrument ?? ""))} {Fmt.Usd(p.GapUsd)} ({Fmt.Num(p.GapBps, "0.0")} bps)"
                : $"EXCHANGE: {Markup.Escape(p.Asset)} {Fmt.Na(p.UnavailableReason)}");
        }

        foreach (var f in s.Derivatives.FundingDifferentials)
        {
            lines.Add(double.IsFinite(f.DifferentialPercent)
                ? $"FUNDING: {Markup.Escape(f.Asset)} {Markup.Escape(Fmt.Instrument(f.MaxInstrument ?? ""))} {Fmt.Pct(f.MaxRate8h * 100, 4)} vs {Markup.Escape(Fmt.Instrument(f.MinInstrument ?? ""))} {Fmt.Pct(f.MinRate8h * 100, 4)}{(f.Arbitrage ? " [aqua]ARB[/]" : "")}"
                : $"FUNDING: {Markup.Escape(f.Asset)} {Fmt.Na(f.UnavailableReason)}");
        }

        foreach (var m in s.Derivatives.MarginBasis)
        {
            lines.Add(double.IsFinite(m.BasisBps)
                ? $"USDT/USDC: {Markup.Escape(m.Asset)} {Markup.Escape(Fmt.Venue(m.Venue))} {Fmt.Num(m.BasisBps, "+0.0;-0.0;0.0")} bps"
                : $"USDT/USDC: {Markup.Escape(m.Asset)} {Markup.Escape(Fmt.Venue(m.Venue))} {Fmt.Na(m.UnavailableReason)}");
        }

        if (lines.Count > rows)
        {
            lines.RemoveRange(rows, lines.Count - rows);
        }

        return DashboardRenderer.Box("ARBITRAGE OPPORTUNITIES", lines, "aqua");
    }

    /// <summary>Pairwise 1 s return correlation (15 min) and the leader of each pair.</summary>
    public static PanelSpec Correlation(MetricsSnapshot s, int rows)
    {
        var c = s.Correlation;
        var lines = new List<string>();
        if (c.Assets.Count == 0)
        {
            lines.Add(Fmt.Na("no trade yet"));
            return DashboardRenderer.Box("CORRELATION MATRIX (1s returns, 15m)", lines);
        }

        var header = "     ";
        foreach (var a in c.Assets)
        {
            header += Markup.Escape(a.Asset).PadLeft(6);
        }

        lines.Add("[bold]" + header + "[/]");
        foreach (var row in c.Assets)
        {
            var line = Markup.Escape(row.Asset).PadRight(5);
            foreach (var col in c.Assets)
            {
                if (string.Equals(row.Asset, col.Asset, StringComparison.Ordinal))
                {
                    line += "   1.0";
                    continue;
                }

                var pair = FindPair(c, row.Asset, col.Asset);
                line += pair is not null && double.IsFinite(pair.Coefficient) ? pair.Coefficient.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture).PadLeft(6) : "     " + Fmt.Dash;
            }

            lines.Add(line);
        }

        foreach (var p in c.Pairs)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            string text = p.LeadLag.Leader is { } leader
                ? $"{Markup.Escape(leader)} leads {Markup.Escape(p.LeadLag.Follower ?? "")} by {p.LeadLag.LeadSeconds}s (c {Fmt.Num(p.LeadLag.PeakCorrelation, "0.00")})"
                : (p.UnavailableReason ?? p.LeadLag.UnavailableReason) is { } why ? Fmt.Na(why)
                : "no leader · " + Markup.Escape(Fmt.Shorten(p.LeadLag.NeutralReason ?? "no clear peak", 44)) +
                  (double.IsFinite(p.LeadLag.PeakCorrelation) ? $" (c {Fmt.Num(p.LeadLag.PeakCorrelation, "0.00")})" : "");
            lines.Add($"{Markup.Escape(p.First)}/{Markup.Escape(p.Second)}: {text}");
        }

        return DashboardRenderer.Box("CORRELATION MATRIX (1s returns, 15m)", lines);
    }

    private static AssetPairCorrelation? FindPair(CorrelationSection c, string x, string y)
    {
        foreach (var p in c.Pairs)
        {
            if ((p.First == x && p.Second == y) || (p.First == y && p.Second == x))
            {
                return p;
            }
        }

        return null;
    }
}
