namespace Barometer.Venues.Common;

/// <summary>What became of one raw frame.</summary>
public enum NormalizeOutcome : byte
{
    /// <summary>Market data; <see cref="NormalizeResult.EventCount"/> events were published (may be 0 for an empty batch).</summary>
    Data = 0,

    /// <summary>A control message (subscribe ack, pong, heartbeat): no events, nothing wrong.</summary>
    Control = 1,

    /// <summary>Well-formed JSON of a kind this parser does not handle (counted, skipped).</summary>
    Unknown = 2,

    /// <summary>Not valid JSON, truncated, or a required field missing or invalid (counted, skipped).</summary>
    Malformed = 3,

    /// <summary>A venue error reply (e.g. subscription rejected).</summary>
    VenueError = 4,
}

/// <summary>The result of normalizing one frame.</summary>
/// <param name="Outcome">What the frame was.</param>
/// <param name="EventCount">Events published.</param>
/// <param name="Reason">For Unknown, Malformed and VenueError: a short reason (a constant string, not allocated per frame).</param>
public readonly record struct NormalizeResult(NormalizeOutcome Outcome, int EventCount, string? Reason)
{
    /// <summary>Data with <paramref name="count"/> events.</summary>
    public static NormalizeResult Data(int count) => new(NormalizeOutcome.Data, count, null);

    /// <summary>
    /// Why the frame produced no events, for the skip counts of `normalize` and `replay`: null for
    /// data, "control message", or "outcome: reason" (allocated; only for frames that are skipped).
    /// </summary>
    public string? SkipReason => Outcome switch
    {
        NormalizeOutcome.Data => null,
        NormalizeOutcome.Control => "control message",
        _ => $"{Outcome.ToString().ToLowerInvariant()}: {Reason}",
    };

    /// <summary>A control message.</summary>
    public static NormalizeResult Control => new(NormalizeOutcome.Control, 0, null);

    /// <summary>An unknown message.</summary>
    public static NormalizeResult Unknown(string reason) => new(NormalizeOutcome.Unknown, 0, reason);

    /// <summary>A malformed frame.</summary>
    public static NormalizeResult Malformed(string reason) => new(NormalizeOutcome.Malformed, 0, reason);

    /// <summary>A venue error reply.</summary>
    public static NormalizeResult VenueError(string reason) => new(NormalizeOutcome.VenueError, 0, reason);
}
