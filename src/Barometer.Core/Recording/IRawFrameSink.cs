using Barometer.Core.Instruments;

namespace Barometer.Core.Recording;

/// <summary>Where a raw frame came from.</summary>
public enum RawFrameSource : byte
{
    /// <summary>A WebSocket text message.</summary>
    WebSocket = 0,

    /// <summary>A REST response body (depth snapshot, open interest, instruments …).</summary>
    Rest = 1,
}

/// <summary>
/// A tap on the raw venue bytes, exactly as received, before any parsing: `barometer record`
/// writes them to a recording file, which `barometer replay` feeds back through the same
/// normalizers. Connectors call it from their receive loop, so implementations copy what they need
/// and return at once (never block, never throw).
/// </summary>
public interface IRawFrameSink
{
    /// <summary>
    /// One raw frame. <paramref name="channel"/> names the connection path (WebSocket, e.g.
    /// "/market/stream") or the request path and query (REST, e.g. "/fapi/v1/depth?symbol=BTCUSDT&amp;limit=1000").
    /// </summary>
    void OnFrame(VenueId venue, RawFrameSource source, string channel, long receiveTime, ReadOnlySpan<byte> frame);
}
