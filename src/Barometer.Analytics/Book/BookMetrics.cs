using Barometer.Core.Events;

namespace Barometer.Analytics.Book;

/// <summary>PLACEHOLDER (replaced by the Book metrics work; not wired to any screen yet).</summary>
internal sealed class BookMetrics : IMetricFamily<BookSection>
{
    public BookMetrics(AnalyticsOptions options) => _ = options;

    public void OnEvent(in MarketEvent e, long time)
    {
    }

    public BookSection Snapshot(long now) => new();
}

/// <summary>PLACEHOLDER section.</summary>
public sealed record BookSection;
