using System.Text;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Barometer.Tui;

/// <summary>
/// Rendering is a pure function: (snapshot, view state) → a Spectre renderable. Nothing here reads
/// the clock or the terminal; every number comes from the snapshot (or the view state's feed
/// status), and an unavailable value is shown as "—" with its reason.
/// </summary>
public static class DashboardRenderer
{
    /// <summary>One panel before layout: title, markup lines, border color.</summary>
    /// <param name="Title">Upper-case title.</param>
    /// <param name="Lines">Markup lines (one screen line each).</param>
    /// <param name="Color">Border color.</param>
    internal sealed record PanelSpec(string Title, IReadOnlyList<string> Lines, string Color);

    /// <summary>One whole frame: banner and status line, the dashboard's panels, the key line.</summary>
    /// <param name="snapshot">The latest snapshot, or null before the first one.</param>
    /// <param name="state">The view state.</param>
    /// <returns>The frame.</returns>
    public static IRenderable Render(MetricsSnapshot? snapshot, ViewState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var status = new List<string>();
        foreach (var line in StatusLine(snapshot, state).Split('\n'))
        {
            status.Add(CropMarkup(line, state.Width));
        }

        var parts = new List<IRenderable> { new Markup(string.Join('\n', status)) };
        if (state.Help)
        {
            parts.Add(HelpPanel());
        }
        else if (state.Feed == FeedState.Unreachable && snapshot is null)
        {
            parts.Add(UnreachablePanel(state));
        }
        else if (snapshot is null)
        {
            parts.Add(new Panel(new Markup("[yellow]Waiting for the first snapshot from " + Markup.Escape(state.Address) + " …[/]"))
                .Header(" " + Dashboards.TitleOf(state.Dashboard) + " ").Expand());
        }
        else
        {
            if (state.Feed == FeedState.Unreachable)
            {
                parts.Add(new Markup("[red]Server " + Markup.Escape(state.Address) + " unreachable — retrying; showing the last snapshot[/]"));
            }

            parts.Add(Body(snapshot, state));
        }

        parts.Add(new Markup(CropMarkup("[grey]q quit · p pause · 1 microstructure · 2 flow · 3 risk · 4 liquidations · a asset · ? help[/]", state.Width)));
        return new Rows(parts);
    }

    /// <summary>The dashboard's panels only (no status and key lines).</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <param name="state">The view state.</param>
    /// <returns>The panels.</returns>
    public static IRenderable Body(MetricsSnapshot snapshot, ViewState state)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(state);
        return state.Dashboard switch
        {
            DashboardKind.Flow => FlowPanels.Render(snapshot, state),
            DashboardKind.Risk => RiskPanels.Render(snapshot, state),
            DashboardKind.Liquidations => LiquidationPanels.Render(snapshot, state),
            _ => MicrostructurePanels.Render(snapshot, state),
        };
    }

    /// <summary>Title, SIMULATED/REPLAY banner, per-venue state, snapshot age, paused.</summary>
    internal static string StatusLine(MetricsSnapshot? snapshot, ViewState state)
    {
        var sb = new StringBuilder();
        sb.Append("[bold]BAROMETER · ").Append(Dashboards.TitleOf(state.Dashboard)).Append("[/]");
        string? source = state.DataSource ?? snapshot?.Guards.DataSource;
        if (string.Equals(source, "simulated", StringComparison.Ordinal))
        {
            sb.Append(" [black on yellow] SIMULATED [/]");
        }
        else if (string.Equals(source, "replay", StringComparison.Ordinal))
        {
            sb.Append(" [black on yellow] REPLAY [/]");
        }
        else if (source is not null)
        {
            sb.Append(" [green]LIVE[/]");
        }

        if (state.Paused)
        {
            sb.Append(" [black on aqua] PAUSED [/]");
        }

        sb.Append(' ');
        switch (state.Feed)
        {
            case FeedState.Connected:
                sb.Append("[green]●[/] ");
                break;
            case FeedState.Unreachable:
                sb.Append("[red]● unreachable[/] ");
                break;
            default:
                sb.Append("[yellow]● connecting[/] ");
                break;
        }

        sb.Append("[grey]").Append(Markup.Escape(state.Address)).Append("[/]");
        if (snapshot is not null)
        {
            double age = state.WallTime > 0 ? (state.WallTime - snapshot.Time) / 1e6 : double.NaN;
            sb.Append(" · data ").Append(Fmt.Clock(snapshot.Time)).Append(" UTC");
            if (double.IsFinite(age))
            {
                string color = age > state.StaleSeconds ? "red" : age > 2 ? "yellow" : "green";
                sb.Append(" [").Append(color).Append("]age ").Append(Fmt.Age(age)).Append("[/]");
            }
        }

        if (state.Venues.Count > 0)
        {
            sb.Append("\n[grey]venues[/]");
        }

        foreach (var v in state.Venues)
        {
            string color = v.State switch
            {
                ConnectionState.Subscribed => "green",
                ConnectionState.Disconnected => "red",
                _ => "yellow",
            };
            sb.Append(" [").Append(color).Append(']').Append(Markup.Escape(Fmt.Venue(v.Venue))).Append(' ')
                .Append(StateName(v.State)).Append("[/]");
        }

        return sb.ToString();
    }

    private static string StateName(ConnectionState s) => s switch
    {
        ConnectionState.Subscribed => "ok",
        ConnectionState.Connecting => "connecting",
        ConnectionState.Stale => "stale",
        ConnectionState.Disconnected => "down",
        ConnectionState.Resyncing => "resync",
        _ => "?",
    };

    private static Panel UnreachablePanel(ViewState state) =>
        new Panel(new Markup(
            "[red bold]Server unreachable[/]\n\n" +
            "Address: " + Markup.Escape(state.Address) + "\n" +
            (state.FeedError is null ? "" : "Last error: " + Markup.Escape(Fmt.Shorten(state.FeedError, 200)) + "\n") +
            "[yellow]Retrying every 2 s …[/]\n\n" +
            "Start a server with `barometer serve` (or `serve --simulate`), or run `barometer tui … --embedded`."))
            .Header(" CONNECTION ").Expand();

    private static Panel HelpPanel() =>
        new Panel(new Markup(
            "[bold]Keys[/]\n" +
            "  q        quit\n" +
            "  p        pause / resume the display (data keeps flowing)\n" +
            "  1 … 4    microstructure · flow · risk · liquidations\n" +
            "  a        next asset (single-asset panels)\n" +
            "  ?        this help (any key closes it)\n\n" +
            "[bold]Notation[/]\n" +
            "  ↑↑↑ / ↓↓↓ beyond 2σ · ↑↑ / ↓↓ beyond 1σ · ↑ / ↓ mild · → neutral\n" +
            "  [green]green[/] buy / safe · [red]red[/] sell / danger · [yellow]yellow[/] caution · [magenta]magenta[/] whales · [aqua]cyan[/] arbitrage\n" +
            "  — (reason): the snapshot has no value, and says why · [dim]dimmed (age old)[/]: stale input"))
            .Header(" HELP ").Expand();

    /// <summary>A panel of markup lines with a title (built into a Spectre panel by <see cref="TwoColumns"/>).</summary>
    internal static PanelSpec Box(string title, IReadOnlyList<string> lines, string color = "white") => new(title, lines, color);

    /// <summary>Builds the panel, each line cut to <paramref name="inner"/> cells with an ellipsis (a line never wraps, so the layout keeps its rows).</summary>
    internal static Panel Build(PanelSpec spec, int inner)
    {
        var text = spec.Lines.Count == 0 ? Fmt.Na("no data yet") : string.Join('\n', Crop(spec.Lines, inner));
        return new Panel(new Markup(text))
        {
            Header = new PanelHeader(" " + Fmt.Shorten(spec.Title, Math.Max(8, inner - 2)) + " "),
            Border = BoxBorder.Square,
            BorderStyle = Style.Parse(spec.Color),
            Expand = true,
        };
    }

    private static List<string> Crop(IReadOnlyList<string> lines, int inner)
    {
        var result = new List<string>(lines.Count);
        foreach (var line in lines)
        {
            result.Add(CropMarkup(line, inner));
        }

        return result;
    }

    /// <summary>Cuts markup to <paramref name="cells"/> visible characters ("…" last), keeping tags balanced.</summary>
    internal static string CropMarkup(string markup, int cells)
    {
        int visible = 0;
        for (int i = 0; i < markup.Length; i++)
        {
            char c = markup[i];
            if ((c == '[' || c == ']') && i + 1 < markup.Length && markup[i + 1] == c)
            {
                visible++;
                i++;
            }
            else if (c == '[')
            {
                int close = markup.IndexOf(']', i);
                i = close < 0 ? markup.Length : close;
            }
            else if (!char.IsLowSurrogate(c))
            {
                visible++;
            }
        }

        if (visible <= cells || cells < 2)
        {
            return markup;
        }

        var sb = new StringBuilder(markup.Length);
        int open = 0, count = 0;
        for (int i = 0; i < markup.Length && count < cells - 1; i++)
        {
            char c = markup[i];
            if ((c == '[' || c == ']') && i + 1 < markup.Length && markup[i + 1] == c)
            {
                sb.Append(c).Append(c);
                count++;
                i++;
            }
            else if (c == '[')
            {
                int close = markup.IndexOf(']', i);
                string tag = markup[i..(close + 1)];
                open += tag == "[/]" ? -1 : 1;
                sb.Append(tag);
                i = close;
            }
            else
            {
                sb.Append(c);
                if (!char.IsHighSurrogate(c))
                {
                    count++;
                }
            }
        }

        sb.Append('…');
        for (; open > 0; open--)
        {
            sb.Append("[/]");
        }

        return sb.ToString();
    }

    /// <summary>Panels in two columns when the terminal is wide enough, else one.</summary>
    internal static IRenderable TwoColumns(ViewState state, params PanelSpec[] panels)
    {
        if (state.Width < 80)
        {
            var stacked = new List<IRenderable>(panels.Length);
            foreach (var p in panels)
            {
                stacked.Add(Build(p, state.Width - 4));
            }

            return new Rows(stacked);
        }

        var grid = new Grid();
        int half = state.Width / 2;
        grid.AddColumn(new GridColumn().Width(half).Padding(0, 0, 0, 0));
        grid.AddColumn(new GridColumn().Width(state.Width - half).Padding(0, 0, 0, 0));
        for (int i = 0; i < panels.Length; i += 2)
        {
            grid.AddRow(Build(panels[i], half - 4), i + 1 < panels.Length ? Build(panels[i + 1], state.Width - half - 4) : new Text(""));
        }

        return grid;
    }

    /// <summary>List rows a panel may use when <paramref name="panelRows"/> panels are stacked.</summary>
    internal static int RowBudget(ViewState state, int panelRows) => Math.Max(3, ((state.Height - 4) / panelRows) - 2);
}
