using Barometer.Core.Events;

namespace Barometer.Tui;

/// <summary>The four dashboards (keys 1–4).</summary>
public enum DashboardKind
{
    /// <summary>Market microstructure (refresh 250 ms).</summary>
    Microstructure = 1,

    /// <summary>Institutional flow (refresh 1 s).</summary>
    Flow = 2,

    /// <summary>Risk scanner (refresh 5 s).</summary>
    Risk = 3,

    /// <summary>Liquidation tape and cascades (refresh 250 ms).</summary>
    Liquidations = 4,
}

/// <summary>Names and refresh periods of the dashboards.</summary>
public static class Dashboards
{
    /// <summary>Parses a dashboard name of the command line ("microstructure", "flow", "risk", "liquidations").</summary>
    /// <param name="name">The name, case-insensitive.</param>
    /// <param name="kind">The dashboard when known.</param>
    /// <returns>True when the name is known.</returns>
    public static bool TryParse(string? name, out DashboardKind kind)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "microstructure" or "1": kind = DashboardKind.Microstructure; return true;
            case "flow" or "2": kind = DashboardKind.Flow; return true;
            case "risk" or "3": kind = DashboardKind.Risk; return true;
            case "liquidations" or "4": kind = DashboardKind.Liquidations; return true;
            default: kind = DashboardKind.Microstructure; return false;
        }
    }

    /// <summary>How often a dashboard is redrawn.</summary>
    /// <param name="kind">The dashboard.</param>
    /// <returns>Its refresh period.</returns>
    public static TimeSpan RefreshOf(DashboardKind kind) => kind switch
    {
        DashboardKind.Flow => TimeSpan.FromSeconds(1),
        DashboardKind.Risk => TimeSpan.FromSeconds(5),
        _ => TimeSpan.FromMilliseconds(250),
    };

    /// <summary>The dashboard's title.</summary>
    /// <param name="kind">The dashboard.</param>
    /// <returns>Upper-case title.</returns>
    public static string TitleOf(DashboardKind kind) => kind switch
    {
        DashboardKind.Flow => "INSTITUTIONAL FLOW",
        DashboardKind.Risk => "RISK SCANNER",
        DashboardKind.Liquidations => "LIQUIDATIONS",
        _ => "MARKET MICROSTRUCTURE",
    };
}

/// <summary>State of the connection to the data (server or embedded pipeline).</summary>
public enum FeedState
{
    /// <summary>Connecting for the first time.</summary>
    Connecting,

    /// <summary>Receiving messages.</summary>
    Connected,

    /// <summary>The server cannot be reached; retrying.</summary>
    Unreachable,
}

/// <summary>One venue's latest connection state (from connection_status events).</summary>
/// <param name="Venue">Venue wire name.</param>
/// <param name="State">Latest state.</param>
/// <param name="Time">When it changed, UTC µs.</param>
public sealed record VenueStatus(string Venue, ConnectionState State, long Time);

/// <summary>One liquidation print of the live tape.</summary>
/// <param name="Time">Event time, UTC µs.</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="LongLiquidated">True when a long position was liquidated (a sell order).</param>
/// <param name="Price">Price.</param>
/// <param name="Usd">USD notional (NaN when the quote is not USD).</param>
public sealed record LiquidationPrint(long Time, string Venue, string Asset, bool LongLiquidated, double Price, double Usd);

/// <summary>One alert message (liquidation cascade phases and others).</summary>
/// <param name="Time">Alert time, UTC µs.</param>
/// <param name="Asset">Asset.</param>
/// <param name="Type">Alert type, e.g. "liquidation_cascade".</param>
/// <param name="Phase">opened / updated / closed.</param>
/// <param name="Severity">Severity text.</param>
/// <param name="Message">One line.</param>
public sealed record AlertLine(long Time, string Asset, string Type, string Phase, string Severity, string Message);

/// <summary>
/// What a frame needs besides the snapshot: which dashboard, selected asset, paused, help, the
/// feed's status and the wall-clock time used only for "data age" (never for metric values).
/// </summary>
public sealed record ViewState
{
    /// <summary>The dashboard shown.</summary>
    public DashboardKind Dashboard { get; init; } = DashboardKind.Microstructure;

    /// <summary>Asset for the single-asset panels (depth, dominance); null = the first asset of the snapshot.</summary>
    public string? SelectedAsset { get; init; }

    /// <summary>Frame updates are frozen.</summary>
    public bool Paused { get; init; }

    /// <summary>Show the key help.</summary>
    public bool Help { get; init; }

    /// <summary>State of the feed.</summary>
    public FeedState Feed { get; init; } = FeedState.Connecting;

    /// <summary>Where the data comes from: "ws://…" or "embedded".</summary>
    public string Address { get; init; } = "embedded";

    /// <summary>Last connection error, shown on the unreachable screen.</summary>
    public string? FeedError { get; init; }

    /// <summary>"live", "simulated" or "replay" (hello's data_source, else the guards' data_source).</summary>
    public string? DataSource { get; init; }

    /// <summary>Wall-clock time of the frame, UTC µs: only for the snapshot's data age.</summary>
    public long WallTime { get; init; }

    /// <summary>Per-venue connection state.</summary>
    public IReadOnlyList<VenueStatus> Venues { get; init; } = [];

    /// <summary>Newest liquidation prints, newest first.</summary>
    public IReadOnlyList<LiquidationPrint> Tape { get; init; } = [];

    /// <summary>Newest alerts, newest first.</summary>
    public IReadOnlyList<AlertLine> Alerts { get; init; } = [];

    /// <summary>Terminal width in columns (layout: two panel columns from 80); 120 by default.</summary>
    public int Width { get; init; } = 120;

    /// <summary>Terminal height in rows (row budgets of lists); 24 by default.</summary>
    public int Height { get; init; } = 24;

    /// <summary>A value older than this (seconds of event time) is dimmed with its age.</summary>
    public double StaleSeconds { get; init; } = 10;
}
