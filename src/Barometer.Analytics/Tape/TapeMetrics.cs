using Barometer.Core.Events;

namespace Barometer.Analytics.Tape;

/// <summary>PLACEHOLDER (replaced by the Tape metrics work; not wired to any screen yet).</summary>
internal sealed class TapeMetrics : IMetricFamily<TapeSection>
{
    public TapeMetrics(AnalyticsOptions options) => _ = options;

    public void OnEvent(in MarketEvent e, long time)
    {
    }

    public TapeSection Snapshot(long now) => new();
}

/// <summary>PLACEHOLDER section.</summary>
public sealed record TapeSection;
