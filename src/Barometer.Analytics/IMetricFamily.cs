using Barometer.Core.Events;

namespace Barometer.Analytics;

/// <summary>
/// One group of metrics (flow, derivatives, book). Fed every event in arrival order with its
/// event time; <see cref="Snapshot"/> returns an immutable, serializable section for the time
/// <paramref name="now"/> (the latest event time seen). Single-threaded: the engine's consumer
/// task owns it. Memory is bounded (windows prune by time); updating is O(1) amortized.
/// </summary>
/// <typeparam name="TSection">The snapshot section type.</typeparam>
internal interface IMetricFamily<out TSection>
{
    void OnEvent(in MarketEvent e, long time);

    TSection Snapshot(long now);
}
