using Barometer.Analytics;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Barometer.Tui.Tests;

/// <summary>Instruments, event builders and text rendering for the dashboard tests (time = exchange time, UTC µs).</summary>
internal static class TuiFixtures
{
    public const long Second = 1_000_000;

    /// <summary>2026-12-01 00:00:00 UTC.</summary>
    public const long T0 = 1_796_083_200_000_000;

    public static readonly InstrumentRegistry Registry = new();
    public static readonly Instrument BinancePerp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    public static readonly Instrument BinanceSpot = Registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument BybitPerp = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    public static readonly Instrument EthPerp = Registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "USDT", "ETHUSDT", 1, 0.01);

    public static MarketEvent Trade(Instrument i, long time, double price, double quantity, Side side = Side.Buy) =>
        MarketEvent.From(new Trade(i, time, time, price, quantity, side, TradeId.FromNumber(time)));

    /// <summary>A book top with bid = mid − 1 and ask = mid + 1.</summary>
    public static MarketEvent Top(Instrument i, long time, double mid) =>
        MarketEvent.From(new BookTop(i, time, time, mid - 1, 1, mid + 1, 1, 0));

    public static MarketEvent Funding(Instrument i, long time, double rate, double mark) =>
        MarketEvent.From(new Funding(i, time, time, rate, 8, time + (8 * 3600 * Second), mark, mark));

    public static MarketEvent Liq(Instrument i, long time, double price, double quantity, PositionSide side,
        FeedCompleteness completeness = FeedCompleteness.Complete) =>
        MarketEvent.From(new Liquidation(i, time, time, price, quantity, side, Liquidation.OrderSideFor(side), completeness));

    public static BookLevel L(Instrument i, double price, double quantity) => new(i.ToTicks(price), price, quantity);

    public static MarketEvent Book(Instrument i, long time, BookLevel[] bids, BookLevel[] asks) =>
        MarketEvent.From(new BookUpdate(i, time, time, true, 1, 1, -1, bids, asks));

    /// <summary>Feeds the events through a real engine and takes its snapshot.</summary>
    public static MetricsSnapshot Snapshot(params MarketEvent[] events)
    {
        var engine = new AnalyticsEngine(new AnalyticsOptions { DataSource = "simulated" });
        foreach (var e in events)
        {
            engine.Publish(e);
        }

        return engine.Snapshot();
    }

    /// <summary>Renders to plain text (no ANSI, no colors) at a fixed width.</summary>
    public static string Text(IRenderable renderable, int width = 120)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Profile.Capabilities.Unicode = true;
        console.Write(renderable);
        return writer.ToString().Replace('\u00A0', ' '); // no-break spaces (panels do not wrap) read as spaces
    }

    /// <summary>The whole frame of a dashboard as text.</summary>
    public static string Frame(MetricsSnapshot? snapshot, DashboardKind kind, int width = 120, int height = 40, ViewState? state = null) =>
        Text(DashboardRenderer.Render(snapshot, (state ?? new ViewState()) with { Dashboard = kind, Width = width, Height = height, Feed = FeedState.Connected }), width);

    /// <summary>The line of <paramref name="text"/> containing <paramref name="needle"/>.</summary>
    public static string LineWith(string text, string needle)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Contains(needle, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new Xunit.Sdk.XunitException($"no line contains '{needle}' in:\n{text}");
    }
}
