namespace Barometer.Venues.Common;

/// <summary>Where one subscription stands on the current connection.</summary>
public enum SubscriptionState : byte
{
    /// <summary>Requested, no answer yet.</summary>
    Pending = 0,

    /// <summary>Acknowledged by the venue.</summary>
    Confirmed = 1,

    /// <summary>Refused by the venue (its reason is kept).</summary>
    Rejected = 2,
}
