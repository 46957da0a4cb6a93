using Barometer.Analytics.Book;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Instruments;
using Spectre.Console;
using Spectre.Console.Rendering;
using static Barometer.Tui.DashboardRenderer;

namespace Barometer.Tui;

/// <summary>institutional-flow: smart money, exchange dominance, L2 depth imbalance, momentum signals.</summary>
internal static class FlowPanels
{
    public static IRenderable Render(MetricsSnapshot s, ViewState v)
    {
        int rows = DashboardRenderer.RowBudget(v, 2);
        string? asset = SelectedAsset(s, v);
        return DashboardRenderer.TwoColumns(v,
            SmartMoney(s, rows), Dominance(s, asset, rows),
            Depth(s, asset, rows), Momentum(s, asset, rows));
    }

    /// <summary>The selected asset, else the first of the snapshot.</summary>
    internal static string? SelectedAsset(MetricsSnapshot s, ViewState v)
    {
        if (v.SelectedAsset is { } chosen)
        {
            return chosen;
        }

        return s.Flow.Assets.Count > 0 ? s.Flow.Assets[0].Asset : s.Books.Assets.Count > 0 ? s.Books.Assets[0].Asset : null;
    }

    /// <summary>5m net flow with arrow, aggressor split and ratio, CVD, per venue net flow.</summary>
    public static PanelSpec SmartMoney(MetricsSnapshot s, int rows)
    {
        var lines = new List<string>();
        foreach (var a in s.Flow.Assets)
        {
            if (lines.Count >= rows)
            {
                break;
            }

            var w = a.FiveMinutes;
            string name = Markup.Escape(a.Asset).PadRight(4);
            string arrows = a.Trend.Arrows is { } arr ? Markup.Escape(arr) : "[grey]" + Fmt.Dash + "[/]";
            string net = double.IsFinite(w.NetFlowUsd) ? $"[{Fmt.SignColor(w.NetFlowUsd)}]{Fmt.Usd(w.NetFlowUsd, true)}[/] {arrows}" : Fmt.Na(w.UnavailableReason);
            string aggr = w.Trades > 0
                ? $"trades {Fmt.Num(100.0 * w.BuyTrades / w.Trades, "0")}% buy {Fmt.Num(100.0 * w.SellTrades / w.Trades, "0")}% sell {(double.IsFinite(w.AggressorRatio) ? Fmt.Num(w.AggressorRatio, "0.00") + ":1" : Fmt.Dash)}"
                : Fmt.Na(w.UnavailableReason);
            string cvd = CvdOf(s, a.Asset);
            lines.Add($"{name} net 5m {net} · {aggr} · CVD {cvd}");
            foreach (var i in s.Flow.Instruments)
            {
                if (lines.Count >= rows)
                {
                    break;
                }

                if (!string.Equals(i.Asset, a.Asset, StringComparison.Ordinal))
                {
                    continue;
                }

                var iw = i.FiveMinutes;
                string value = double.IsFinite(iw.NetFlowUsd) ? $"[{Fmt.SignColor(iw.NetFlowUsd)}]{Fmt.Usd(iw.NetFlowUsd, true)}[/]" : Fmt.Na(iw.UnavailableReason);
                lines.Add($"     [grey]{Markup.Escape(Fmt.Instrument(i.Instrument)),-14}[/] {value} [grey]({Fmt.Int(iw.Trades)} trades)[/]");
            }
        }

        return DashboardRenderer.Box("SMART MONEY (net flow 5m · aggressor · CVD)", lines);
    }

    private static string CvdOf(MetricsSnapshot s, string asset)
    {
        foreach (var t in s.Tape.Assets)
        {
            if (string.Equals(t.Asset, asset, StringComparison.Ordinal))
            {
                return double.IsFinite(t.Cvd.CvdUsd) ? $"[{Fmt.SignColor(t.Cvd.CvdUsd)}]{Fmt.Usd(t.Cvd.CvdUsd, true)}[/]" : Fmt.Na(t.Cvd.UnavailableReason);
            }
        }

        return Fmt.Na("no trade yet");
    }

    /// <summary>Volume share (5m) and migration per venue market, open-interest share per perpetual.</summary>
    public static PanelSpec Dominance(MetricsSnapshot s, string? asset, int rows)
    {
        var lines = new List<string>();
        AssetFlow? flow = null;
        foreach (var a in s.Flow.Assets)
        {
            if (string.Equals(a.Asset, asset, StringComparison.Ordinal))
            {
                flow = a;
            }
        }

        if (flow is null)
        {
            lines.Add(Fmt.Na("no trade of " + (asset ?? "any asset") + " yet"));
        }
        else if (flow.Dominance.Shares.Count == 0)
        {
            lines.Add("VOLUME " + Fmt.Na(flow.Dominance.UnavailableReason));
        }
        else
        {
            lines.Add("[bold]VOLUME 5m[/]   share     migration (vs 15m)");
            foreach (var sh in flow.Dominance.Shares)
            {
                if (lines.Count >= rows - 2)
                {
                    break;
                }

                string mig = double.IsFinite(sh.MigrationPoints) ? $"[{Fmt.SignColor(sh.MigrationPoints)}]{Fmt.Num(sh.MigrationPoints, "+0.0;-0.0;0.0")} pts[/]" : Fmt.Dash;
                lines.Add($"{Markup.Escape(Fmt.Instrument(sh.Instrument)),-14} {Fmt.Num(sh.SharePercent5m, "0"),3}% {Fmt.Bar(sh.SharePercent5m / 100, 8, false)} {mig}");
            }
        }

        bool oiHeader = false;
        foreach (var oi in s.Derivatives.OpenInterest)
        {
            if (!string.Equals(oi.Asset, asset, StringComparison.Ordinal) || lines.Count >= rows)
            {
                continue;
            }

            if (!oiHeader)
            {
                lines.Add("[bold]OPEN INTEREST[/] share");
                oiHeader = true;
            }

            lines.Add(double.IsFinite(oi.SharePercent)
                ? $"{Markup.Escape(Fmt.Instrument(oi.Instrument)),-14} {Fmt.Num(oi.SharePercent, "0"),3}% {Fmt.Bar(oi.SharePercent / 100, 8, false)} {Fmt.Usd(oi.Usd)}"
                : $"{Markup.Escape(Fmt.Instrument(oi.Instrument)),-14} {Fmt.Na(oi.UnavailableReason)}");
        }

        return DashboardRenderer.Box("EXCHANGE DOMINANCE " + Markup.Escape(asset ?? ""), lines);
    }

    /// <summary>L2 depth within 1%, 2%, 5% of mid, summed over the asset's perpetuals (then spot).</summary>
    public static PanelSpec Depth(MetricsSnapshot s, string? asset, int rows)
    {
        var lines = new List<string>();
        foreach (var d in s.Books.Assets)
        {
            if (!string.Equals(d.Asset, asset, StringComparison.Ordinal) || lines.Count >= rows)
            {
                continue;
            }

            lines.Add($"[bold]{Markup.Escape(d.Asset)} {(d.Kind == MarketKind.Spot ? "SPOT" : "PERP")}[/]  BID            ASK        [grey]{d.Markets.Count} markets{(d.Excluded.Count > 0 ? $", {d.Excluded.Count} excluded" : "")}[/]");
            if (d.UnavailableReason is { } why)
            {
                lines.Add("  " + Fmt.Na(why));
                continue;
            }

            foreach (var b in d.Bands)
            {
                if (b.BandPct < 0.5 || lines.Count >= rows)
                {
                    continue; // the 0.1% band is the guards'; the panel shows 1%, 2%, 5%
                }

                lines.Add(BandLine(b));
            }
        }

        if (lines.Count == 0)
        {
            lines.Add(Fmt.Na("no L2 book of " + (asset ?? "any asset") + " yet"));
        }

        return DashboardRenderer.Box("ORDER BOOK DEPTH IMBALANCE (L2)", lines);
    }

    internal static string BandLine(BookDepthBand b)
    {
        string band = (Fmt.Num(b.BandPct, "0.#") + "%").PadRight(4);
        if (!double.IsFinite(b.BidUsd) || !double.IsFinite(b.AskUsd))
        {
            return band + " " + Fmt.Na(b.UnavailableReason);
        }

        double total = b.BidUsd + b.AskUsd;
        double bidShare = total > 0 ? b.BidUsd / total : double.NaN;
        string label = b.Label switch
        {
            DepthLabel.BuyersDominant => $"[green]BUYERS {Fmt.Num(b.Ratio, "0.0")}x[/]",
            DepthLabel.BidHeavy => "[green]STRONG BID[/]",
            DepthLabel.Balanced => "[yellow]BALANCED[/]",
            DepthLabel.AskHeavy => "[red]ASK HEAVY[/]",
            DepthLabel.StrongAsk => $"[red]SELLERS {Fmt.Num(1 / b.Ratio, "0.0")}x[/]",
            _ => Fmt.Na(b.UnavailableReason),
        };
        string partial = b.Partial ? " [grey]~partial[/]" : "";
        return $"{band} [green]{Fmt.Usd(b.BidUsd),7} {Fmt.Blocks(bidShare, 8),-8}[/] [red]{Fmt.Usd(b.AskUsd),7} {Fmt.Blocks(1 - bidShare, 8),-8}[/] {label}{partial}";
    }

    /// <summary>VWAP deviation, tick direction, trade size trend, trades/s intensity.</summary>
    public static PanelSpec Momentum(MetricsSnapshot s, string? asset, int rows)
    {
        var lines = new List<string>();
        var vwap = new List<string>();
        foreach (var i in s.Flow.Instruments)
        {
            if (!string.Equals(i.Asset, asset, StringComparison.Ordinal) || i.Market == MarketKind.Spot)
            {
                continue;
            }

            double dev = 100 * (i.Ticks.LastPrice - i.FiveMinutes.Vwap) / i.FiveMinutes.Vwap;
            vwap.Add(double.IsFinite(dev)
                ? $"{Markup.Escape(Fmt.Instrument(i.Instrument))} [{Fmt.SignColor(dev)}]{Fmt.Pct(dev, 2)} {(dev >= 0 ? "above" : "below")}[/]"
                : $"{Markup.Escape(Fmt.Instrument(i.Instrument))} {Fmt.Na(i.FiveMinutes.UnavailableReason)}");
        }

        lines.Add("• VWAP DEV (last vs 5m VWAP): " + (vwap.Count == 0 ? Fmt.Na("no perpetual trade") : string.Join(" | ", vwap)));
        long up = 0, down = 0;
        foreach (var i in s.Flow.Instruments)
        {
            if (string.Equals(i.Asset, asset, StringComparison.Ordinal))
            {
                up += i.Ticks.Upticks;
                down += i.Ticks.Downticks;
            }
        }

        lines.Add(up + down > 0
            ? $"• TICK DIRECTION 1m: [green]↑{Fmt.Int(up)}[/] [red]↓{Fmt.Int(down)}[/] ({Fmt.Num(100.0 * up / (up + down), "0")}% upticks)"
            : "• TICK DIRECTION 1m: " + Fmt.Na("no price change in 1m"));
        AssetFlow? flow = null;
        foreach (var a in s.Flow.Assets)
        {
            if (string.Equals(a.Asset, asset, StringComparison.Ordinal))
            {
                flow = a;
            }
        }

        if (flow is null)
        {
            lines.Add("• TRADE SIZE / SPEED: " + Fmt.Na("no trade yet"));
        }
        else
        {
            var st = flow.SizeTrend;
            lines.Add(st.Direction is { } dir
                ? $"• TRADE SIZE TREND: {dir} (avg {Fmt.Usd(st.FromAvgUsd)} → {Fmt.Usd(st.ToAvgUsd)}, {Fmt.Pct(st.ChangePercent, 0)})"
                : "• TRADE SIZE TREND: " + Fmt.Na(st.UnavailableReason));
            var it = flow.Intensity;
            string level = it.Level switch
            {
                IntensityLevel.High => "[yellow]HIGH[/]",
                IntensityLevel.Low => "[grey]LOW[/]",
                IntensityLevel.Medium => "MEDIUM",
                _ => Fmt.Na(it.UnavailableReason),
            };
            lines.Add(double.IsFinite(it.TradesPerSecond)
                ? $"• TIME&SALES SPEED: {Fmt.Num(it.TradesPerSecond, "0.0")} trades/s ({level}; baseline {Fmt.Num(it.BaselineTradesPerSecond, "0.0")})"
                : "• TIME&SALES SPEED: " + Fmt.Na(it.UnavailableReason));
        }

        if (lines.Count > rows)
        {
            lines.RemoveRange(rows, lines.Count - rows);
        }

        return DashboardRenderer.Box("MOMENTUM SIGNALS " + Markup.Escape(asset ?? ""), lines);
    }
}
