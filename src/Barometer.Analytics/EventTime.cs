using Barometer.Core.Events;

namespace Barometer.Analytics;

/// <summary>The time analytics use for an event: the venue's time, or the receive time when the venue sent none (UTC µs).</summary>
public static class EventTime
{
    /// <summary>Event time of <paramref name="e"/>.</summary>
    public static long Of(in MarketEvent e) => e.ExchangeTime > 0 ? e.ExchangeTime : e.ReceiveTime;

    /// <summary>Floor division (rounds toward negative infinity): the bucket of a time, e.g. its second or minute.</summary>
    internal static long FloorDiv(long value, long divisor)
    {
        long q = value / divisor;
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? q - 1 : q;
    }
}
