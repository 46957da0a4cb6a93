using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>Why data is missing for a period.</summary>
public enum GapCause : byte
{
    /// <summary>The connection dropped.</summary>
    Disconnect = 0,

    /// <summary>The venue's sequence ids skipped (book or trade stream).</summary>
    SequenceGap = 1,

    /// <summary>A subscribed stream delivered nothing for longer than its cadence.</summary>
    Stale = 2,

    /// <summary>An order-book checksum did not match.</summary>
    ChecksumMismatch = 3,

    /// <summary>A slow consumer lost events on the bus or in storage.</summary>
    Overflow = 4,
}

/// <summary>
/// A period with missing data, closed: it is published when data flows again, so start and end are
/// both known. Stored, and shown next to the data it affects.
/// </summary>
/// <param name="Venue">The venue.</param>
/// <param name="Instrument">The instrument when the gap concerns one, else null (whole connection).</param>
/// <param name="Stream">The stream name, or "connection".</param>
/// <param name="Start">First moment without data, UTC µs.</param>
/// <param name="End">When data resumed, UTC µs.</param>
/// <param name="Cause">Why.</param>
/// <param name="Detail">Plain-words detail (e.g. "expected pu=12 got 15").</param>
public readonly record struct DataGap(
    VenueId Venue,
    Instrument? Instrument,
    string Stream,
    long Start,
    long End,
    GapCause Cause,
    string Detail);
