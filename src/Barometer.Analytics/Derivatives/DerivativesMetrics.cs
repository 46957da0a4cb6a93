using Barometer.Core.Events;

namespace Barometer.Analytics.Derivatives;

/// <summary>PLACEHOLDER (replaced by the Derivatives metrics work; not wired to any screen yet).</summary>
internal sealed class DerivativesMetrics : IMetricFamily<DerivativesSection>
{
    public DerivativesMetrics(AnalyticsOptions options) => _ = options;

    public void OnEvent(in MarketEvent e, long time)
    {
    }

    public DerivativesSection Snapshot(long now) => new();
}

/// <summary>PLACEHOLDER section.</summary>
public sealed record DerivativesSection;
