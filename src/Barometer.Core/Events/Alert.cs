namespace Barometer.Core.Events;

/// <summary>Lifecycle of an alert: opened, updated while it grows, closed when it ends.</summary>
public enum AlertPhase : byte
{
    /// <summary>First publication.</summary>
    Opened = 0,

    /// <summary>The condition grew or changed.</summary>
    Updated = 1,

    /// <summary>The condition ended.</summary>
    Closed = 2,
}

/// <summary>
/// An alert raised by analytics (e.g. a liquidation cascade). Immutable; every phase is a new
/// instance with the same <see cref="Id"/>. Specific alerts derive from it and add their fields.
/// </summary>
public record Alert
{
    /// <summary>Stable id across the alert's phases.</summary>
    public required string Id { get; init; }

    /// <summary>Alert type, e.g. "liquidation_cascade".</summary>
    public required string Type { get; init; }

    /// <summary>Base asset concerned (BTC), or empty.</summary>
    public required string Asset { get; init; }

    /// <summary>Phase.</summary>
    public required AlertPhase Phase { get; init; }

    /// <summary>Severity label, e.g. Low, Medium, High, Critical.</summary>
    public required string Severity { get; init; }

    /// <summary>Event time of this phase, UTC µs.</summary>
    public required long Time { get; init; }

    /// <summary>One line for people.</summary>
    public required string Message { get; init; }
}
