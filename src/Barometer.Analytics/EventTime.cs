using Barometer.Core.Events;

namespace Barometer.Analytics;

/// <summary>The time analytics use for an event: the venue's time, or the receive time when the venue sent none (UTC µs).</summary>
public static class EventTime
{
    /// <summary>Event time of <paramref name="e"/>.</summary>
    public static long Of(in MarketEvent e) => e.ExchangeTime > 0 ? e.ExchangeTime : e.ReceiveTime;
}
