namespace Barometer.Core.Events;

/// <summary>The kinds of normalized events that travel on the bus.</summary>
public enum EventKind : byte
{
    /// <summary>Default value; never published.</summary>
    None = 0,

    /// <summary>A <see cref="Events.Trade"/>.</summary>
    Trade = 1,

    /// <summary>A <see cref="Events.Liquidation"/> (reliable lane).</summary>
    Liquidation = 2,

    /// <summary>A <see cref="Events.BookTop"/>.</summary>
    BookTop = 3,

    /// <summary>A <see cref="Events.BookUpdate"/>.</summary>
    BookUpdate = 4,

    /// <summary>A <see cref="Events.Funding"/>.</summary>
    Funding = 5,

    /// <summary>An <see cref="Events.OpenInterest"/>.</summary>
    OpenInterest = 6,

    /// <summary>A <see cref="Events.ConnectionStatus"/> (reliable lane).</summary>
    ConnectionStatus = 7,

    /// <summary>A <see cref="Events.DataGap"/> (reliable lane).</summary>
    DataGap = 8,

    /// <summary>An <see cref="Events.Alert"/> (reliable lane).</summary>
    Alert = 9,
}

/// <summary>Helpers for <see cref="EventKind"/>.</summary>
public static class EventKinds
{
    /// <summary>
    /// Kinds that are never dropped for a slow consumer: liquidations, alerts, status and gaps.
    /// Every other kind may be dropped for that consumer only, counted.
    /// </summary>
    public static bool IsReliable(this EventKind kind) =>
        kind is EventKind.Liquidation or EventKind.ConnectionStatus or EventKind.DataGap or EventKind.Alert;

    /// <summary>Wire name used in JSON payloads: trade, liquidation, book_top …</summary>
    public static string ToWireName(this EventKind kind) => kind switch
    {
        EventKind.Trade => "trade",
        EventKind.Liquidation => "liquidation",
        EventKind.BookTop => "book_top",
        EventKind.BookUpdate => "book_update",
        EventKind.Funding => "funding",
        EventKind.OpenInterest => "open_interest",
        EventKind.ConnectionStatus => "connection_status",
        EventKind.DataGap => "data_gap",
        EventKind.Alert => "alert",
        _ => "none",
    };

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? text, out EventKind kind)
    {
        for (var k = EventKind.Trade; k <= EventKind.Alert; k++)
        {
            if (string.Equals(k.ToWireName(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = EventKind.None;
        return false;
    }
}
