using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>Best bid and ask (level 1). Sizes are in the base asset.</summary>
/// <param name="Instrument">The market.</param>
/// <param name="ExchangeTime">Venue time, UTC µs (receive time where the venue sends none, e.g. Binance spot bookTicker).</param>
/// <param name="ReceiveTime">Receive time, UTC µs.</param>
/// <param name="BidPrice">Best bid price.</param>
/// <param name="BidSize">Size at the best bid, base asset.</param>
/// <param name="AskPrice">Best ask price.</param>
/// <param name="AskSize">Size at the best ask, base asset.</param>
/// <param name="UpdateId">The venue's update id for the top (0 when none).</param>
public readonly record struct BookTop(
    Instrument Instrument,
    long ExchangeTime,
    long ReceiveTime,
    double BidPrice,
    double BidSize,
    double AskPrice,
    double AskSize,
    long UpdateId)
{
    /// <summary>Mid price.</summary>
    public double Mid => (BidPrice + AskPrice) * 0.5;
}
