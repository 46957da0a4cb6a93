using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Venues.Common;

/// <summary>
/// Turns one raw venue frame into normalized events, with the same pure parsers the live
/// connector uses. Used by `barometer normalize`, by replay of raw recordings, and inside the
/// connectors. Stateless for trades, liquidations, tops, funding and open interest; book frames
/// are published as parsed (the live connector additionally runs its book sequencer).
/// </summary>
public interface IFrameNormalizer
{
    /// <summary>The venue whose frames this understands.</summary>
    VenueId Venue { get; }

    /// <summary>
    /// Parses <paramref name="frame"/> (UTF-8 JSON text, any envelope the venue uses) received at
    /// <paramref name="receiveTime"/> (UTC µs) and publishes its events to <paramref name="sink"/>.
    /// Instruments not yet in the registry are registered on first sight.
    /// </summary>
    NormalizeResult Normalize(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink);
}
