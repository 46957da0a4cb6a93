using Barometer.Core.Events;

namespace Barometer.Analytics.Flow;

/// <summary>PLACEHOLDER (replaced by the Flow metrics work; not wired to any screen yet).</summary>
internal sealed class FlowMetrics : IMetricFamily<FlowSection>
{
    public FlowMetrics(AnalyticsOptions options) => _ = options;

    public void OnEvent(in MarketEvent e, long time)
    {
    }

    public FlowSection Snapshot(long now) => new();
}

/// <summary>PLACEHOLDER section.</summary>
public sealed record FlowSection;
