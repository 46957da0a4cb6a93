using Barometer.Core.Instruments;

namespace Barometer.Venues.Common;

/// <summary>
/// A live connection set to one venue: loads the venue's instrument metadata, validates the
/// configured symbols, subscribes, keeps books in sync, polls REST, reconnects, and publishes
/// normalized events to the context's sink. One task owns each socket; nothing blocks the caller.
/// </summary>
public interface IVenueConnector : IAsyncDisposable
{
    /// <summary>The venue.</summary>
    VenueId Venue { get; }

    /// <summary>Counters per connection and stream (for health and metrics), live objects.</summary>
    IReadOnlyList<StreamCounters> Streams { get; }

    /// <summary>
    /// Runs until cancelled. Venue outages are retried with backoff, never thrown. Throws
    /// <see cref="VenueConfigurationException"/> when the venue answers that a configured symbol
    /// does not exist (one clear start-up error naming it).
    /// </summary>
    Task RunAsync(CancellationToken cancellationToken);
}
