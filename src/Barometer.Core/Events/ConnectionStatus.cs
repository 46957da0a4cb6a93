using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>Data-health state of a venue connection or one of its streams.</summary>
public enum ConnectionState : byte
{
    /// <summary>Opening the socket / sending subscriptions.</summary>
    Connecting = 0,

    /// <summary>Subscribed and delivering.</summary>
    Subscribed = 1,

    /// <summary>Subscribed but silent for longer than its expected cadence.</summary>
    Stale = 2,

    /// <summary>Not connected; a reconnect is scheduled.</summary>
    Disconnected = 3,

    /// <summary>Connected, but a book is being rebuilt after a gap.</summary>
    Resyncing = 4,
}

/// <summary>
/// A change of data health, for one venue connection or one stream on it.
/// </summary>
/// <param name="Venue">The venue.</param>
/// <param name="Instrument">The instrument when the change concerns one (a book resync), else null.</param>
/// <param name="Stream">The stream or connection name, e.g. "btcusdt@depth@100ms" or "connection".</param>
/// <param name="Time">When the change happened, UTC µs.</param>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why, in plain words (empty when nothing to say).</param>
public readonly record struct ConnectionStatus(
    VenueId Venue,
    Instrument? Instrument,
    string Stream,
    long Time,
    ConnectionState State,
    string Reason);
