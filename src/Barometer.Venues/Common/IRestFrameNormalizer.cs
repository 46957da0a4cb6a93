using Barometer.Core.Events;

namespace Barometer.Venues.Common;

/// <summary>
/// A normalizer that also understands recorded REST response bodies (depth snapshots, open
/// interest), whose meaning depends on the request they answered. Used by `barometer replay`.
/// </summary>
public interface IRestFrameNormalizer : IFrameNormalizer
{
    /// <summary>
    /// Parses the body of the REST response to <paramref name="pathAndQuery"/> (e.g.
    /// "/fapi/v1/depth?symbol=BTCUSDT&amp;limit=1000") received at <paramref name="receiveTime"/>
    /// and publishes its events. Never throws.
    /// </summary>
    NormalizeResult NormalizeRest(string pathAndQuery, ReadOnlySpan<byte> body, long receiveTime, IEventSink sink);
}
