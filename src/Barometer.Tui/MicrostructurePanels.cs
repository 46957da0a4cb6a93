using System.Text;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Snapshots;
using Barometer.Analytics.Tape;
using Barometer.Core.Events;
using Spectre.Console;
using Spectre.Console.Rendering;
using static Barometer.Tui.DashboardRenderer;

namespace Barometer.Tui;

/// <summary>market-microstructure: orderflow, basis, liquidation clusters, funding, whales, CVD divergence.</summary>
internal static class MicrostructurePanels
{
    public static IRenderable Render(MetricsSnapshot s, ViewState v)
    {
        int rows = DashboardRenderer.RowBudget(v, 3);
        return DashboardRenderer.TwoColumns(v,
            Orderflow(s, v, rows), Basis(s, v, rows),
            Clusters(s, v, rows), Funding(s, v, rows),
            Whales(s, v, rows), Cvd(s, v, rows));
    }

    /// <summary>1m buy % bar, net flow per minute, trend arrows per asset.</summary>
    public static PanelSpec Orderflow(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Flow.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            var w = a.OneMinute;
            string name = Markup.Escape(a.Asset).PadRight(5);
            if (!double.IsFinite(w.BuyPercent))
            {
                lines.Add(name + Fmt.Na(w.UnavailableReason));
                continue;
            }

            string color = w.BuyPercent > 55 ? "green" : w.BuyPercent < 45 ? "red" : "yellow";
            string arrows = a.Trend.Arrows is { } arr ? Markup.Escape(arr) : "[grey]" + Fmt.Dash + "[/]";
            lines.Add($"{name}[{color}]{Fmt.Bar(w.BuyPercent / 100)} {Fmt.Num(w.BuyPercent, "0")}% BUY[/]  Δ [{Fmt.SignColor(w.NetFlowUsdPerMinute)}]{Fmt.Usd(w.NetFlowUsdPerMinute, true)}/min[/] {arrows}");
        }

        return DashboardRenderer.Box("ORDERFLOW IMBALANCE 1m", lines);
    }

    /// <summary>Spot vs perp basis per asset: the same-venue row of the asset's first perpetual with a value.</summary>
    public static PanelSpec Basis(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Flow.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            var row = PickBasis(s.Derivatives, a.Asset);
            string name = Markup.Escape(a.Asset).PadRight(5);
            if (row is null)
            {
                lines.Add(name + Fmt.Na("no perpetual with a spot reference"));
            }
            else if (!double.IsFinite(row.BasisPercent))
            {
                lines.Add(name + Fmt.Na(row.UnavailableReason));
            }
            else
            {
                string label = row.Steep ? "[yellow]STEEP[/]" : row.Structure switch
                {
                    BasisStructure.Contango => "[green]CONTANGO[/]",
                    BasisStructure.Backwardation => "[red]BACKWRD[/]",
                    BasisStructure.Flat => "FLAT",
                    _ => "?",
                };
                string arb = row.Arbitrage ? " [aqua]⚠[/]" : "";
                lines.Add($"{name}{Fmt.Usd(row.BasisUsd, true)} ({Fmt.Pct(row.BasisPercent, 3)}) {label}{arb} [grey]{Markup.Escape(Fmt.Instrument(row.Instrument))}[/]");
            }
        }

        return DashboardRenderer.Box("SPOT vs PERP BASIS", lines);
    }

    internal static BasisRow? PickBasis(DerivativesSection d, string asset)
    {
        BasisRow? fallback = null;
        foreach (var r in d.Basis)
        {
            if (!string.Equals(r.Asset, asset, StringComparison.Ordinal))
            {
                continue;
            }

            if (double.IsFinite(r.BasisPercent) && r.Reference == BasisReference.SameVenueSpot)
            {
                return r;
            }

            if (fallback is null || (!double.IsFinite(fallback.BasisPercent) && double.IsFinite(r.BasisPercent)))
            {
                fallback = r;
            }
        }

        return fallback;
    }

    /// <summary>The largest cluster buckets per asset, DANGER ZONE, last liquidation age; rate and retention in the title.</summary>
    public static PanelSpec Clusters(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        double rate = 0;
        bool anyRate = false;
        foreach (var a in s.Liquidations.Assets)
        {
            if (double.IsFinite(a.FiveMinutes.EventsPerMinute))
            {
                rate += a.FiveMinutes.EventsPerMinute;
                anyRate = true;
            }
        }

        foreach (var a in s.Liquidations.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            string name = Markup.Escape(a.Asset) + ":";
            var c = a.Clusters;
            if (c.Buckets.Count == 0)
            {
                lines.Add(name + " " + Fmt.Na(c.UnavailableReason ?? "no liquidations in the retention window"));
                continue;
            }

            // Largest buckets first, at most three per asset.
            var top = new List<Analytics.Liquidations.LiquidationBucket>(c.Buckets);
            top.Sort((x, y) => y.Usd.CompareTo(x.Usd));
            double max = top[0].Usd;
            int shown = 0;
            foreach (var b in top)
            {
                if (shown == 3 || lines.Count >= rows)
                {
                    break;
                }

                bool longs = b.LongUsd >= b.ShortUsd;
                string color = b.DangerZone ? "red" : longs ? "red" : "green";
                string who = longs ? $"{Fmt.Int(b.LongCount)} long{(b.LongCount == 1 ? "" : "s")}" : $"{Fmt.Int(b.ShortCount)} short{(b.ShortCount == 1 ? "" : "s")}";
                string danger = b.DangerZone ? " [bold red]DANGER ZONE[/]" : "";
                string prefix = shown == 0 ? name.PadRight(5) : "     ";
                string bound = b.IsLowerBound ? "≥ " : ""; // a sampled venue took part: the true total can only be higher
                lines.Add($"{prefix}${Fmt.Price(b.PriceMid)} [{color}]{Fmt.Blocks(b.Usd / max, 6)}[/] {bound}{Fmt.Usd(b.Usd)} ({who}){danger}");
                shown++;
            }

            if (lines.Count < rows && a.LastLiquidationTime is not null)
            {
                lines.Add("     [grey]last " + Fmt.Age(a.LastLiquidationAgeSeconds) + " ago" + (a.FiveMinutes.IsLowerBound ? " · ≥ lower bound: sampled feeds" : "") + "[/]");
            }
        }

        string title = "LIQUIDATION CLUSTERS " + (anyRate ? Fmt.Num(rate, "0.#") + "/min" : Fmt.Dash + "/min") +
            " · " + Fmt.Age(s.Liquidations.Settings.ClusterRetentionSeconds) + " retention";
        return DashboardRenderer.Box(title, lines);
    }

    /// <summary>Funding per perpetual: 8 h rate, 1 h momentum arrow, who pays, EXTREME; dimmed when old.</summary>
    public static PanelSpec Funding(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        foreach (var f in s.Derivatives.Funding)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            string name = $"{Markup.Escape(f.Asset)} {Markup.Escape(Fmt.Instrument(f.Instrument))}:";
            if (!double.IsFinite(f.Rate8hPercent))
            {
                lines.Add(name + " " + Fmt.Na(f.UnavailableReason));
                continue;
            }

            string payer = f.Payer switch
            {
                FundingPayer.LongsPay => "[red]LONGS PAY[/]",
                FundingPayer.ShortsPay => "[green]SHORTS PAY[/]",
                FundingPayer.Neutral => "[yellow]NEUTRAL[/]",
                _ => "?",
            };
            string extreme = f.Extreme ? " [bold yellow]EXTREME[/]" : "";
            string line = $"{name} {Fmt.Pct(f.Rate8hPercent, 4)} {Fmt.RateArrow(f.MomentumArrow)} {payer}{extreme}";
            double age = f.LastUpdateTime > 0 ? (s.Time - f.LastUpdateTime) / 1e6 : double.NaN;
            lines.Add(Fmt.MaybeStale(line, age, v.StaleSeconds));
        }

        return DashboardRenderer.Box("FUNDING MOMENTUM (8h rate)", lines);
    }

    /// <summary>Recent whale trades (≥ whale threshold), ⚠ on mega trades, magenta.</summary>
    public static PanelSpec Whales(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        foreach (var w in s.Tape.RecentWhales)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            string side = w.Side == Side.Buy ? "[green]BUY [/]" : w.Side == Side.Sell ? "[red]SELL[/]" : "?   ";
            string mega = w.SizeClass == TradeSizeClass.Mega ? " [bold magenta]⚠[/]" : "";
            lines.Add($"[magenta]{Fmt.Clock(w.Time)} {Markup.Escape(w.Asset)}[/] {side} [magenta]{Fmt.Usd(w.NotionalUsd)}[/] @${Fmt.Price(w.Price)} [grey][[{Markup.Escape(Fmt.Instrument(w.Instrument))}]][/]{mega}");
        }

        if (lines.Count == 0)
        {
            lines.Add(Fmt.Na("no whale trade yet"));
        }

        return DashboardRenderer.Box("WHALE DETECTOR (≥$500K)", lines, "magenta");
    }

    /// <summary>Price and CVD direction over the lookback per asset, and the signal.</summary>
    public static PanelSpec Cvd(MetricsSnapshot s, ViewState v, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Tape.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            var d = a.Divergence;
            string name = Markup.Escape(a.Asset) + ":";
            if (d.Signal is not { } signal)
            {
                lines.Add(name + " " + Fmt.Na(d.UnavailableReason));
                continue;
            }

            string label = signal switch
            {
                CvdDivergence.Bullish => "[green]BULLISH[/]",
                CvdDivergence.Bearish => "[red]BEARISH[/]",
                CvdDivergence.Aligned => "ALIGNED",
                _ => "[yellow]NEUTRAL[/]",
            };
            var sb = new StringBuilder();
            sb.Append(name).Append(" Price ").Append(Fmt.SignArrow(d.PriceChangePercent)).Append(' ').Append(Fmt.Pct(d.PriceChangePercent))
                .Append(" CVD ").Append(Fmt.SignArrow(d.CvdChangeUsd)).Append(' ').Append(Fmt.Usd(d.CvdChangeUsd, true)).Append(' ').Append(label);
            lines.Add(sb.ToString());
        }

        return DashboardRenderer.Box("CVD DIVERGENCE (5m)", lines);
    }
}
