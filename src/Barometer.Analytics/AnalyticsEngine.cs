using Barometer.Analytics.Book;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Risk;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;

namespace Barometer.Analytics;

/// <summary>
/// Computes every metric from normalized events, driven by event time only (a replay of the same
/// input gives the same snapshots). Feed it as an <see cref="IEventSink"/> from one consumer
/// task; take <see cref="Snapshot"/> from the same task (snapshots are immutable afterwards).
/// </summary>
public sealed class AnalyticsEngine : IEventSink
{
    private readonly FlowMetrics _flow;
    private readonly DerivativesMetrics _derivatives;
    private readonly BookMetrics _books;
    private readonly RegimeMetrics _regime;
    private readonly CorrelationMetrics _correlation;

    /// <summary>Creates the engine.</summary>
    public AnalyticsEngine(AnalyticsOptions? options = null)
    {
        Options = options ?? new AnalyticsOptions();
        _flow = new FlowMetrics(Options);
        _derivatives = new DerivativesMetrics(Options);
        _books = new BookMetrics(Options);
        _regime = new RegimeMetrics(Options, _books);
        _correlation = new CorrelationMetrics(Options);
    }

    /// <summary>Settings.</summary>
    public AnalyticsOptions Options { get; }

    /// <summary>The latest event time seen (UTC µs), 0 before any event.</summary>
    public long Now { get; private set; }

    /// <summary>Events consumed.</summary>
    public long Events { get; private set; }

    /// <inheritdoc />
    public void Publish(in MarketEvent e)
    {
        long time = EventTime.Of(e);
        if (time > Now)
        {
            Now = time;
        }

        Events++;
        _flow.OnEvent(e, time);
        _derivatives.OnEvent(e, time);

        // Regime samples book depth at 10 s boundaries as it was before the crossing event: it must see the event before the book family applies it.
        _regime.OnEvent(e, time);
        _books.OnEvent(e, time);
        _correlation.OnEvent(e, time);
    }

    /// <summary>All metrics at <see cref="Now"/>.</summary>
    public MetricsSnapshot Snapshot() => new(SnapshotSchema.Version, Now, Events, _flow.Snapshot(Now), _derivatives.Snapshot(Now), _books.Snapshot(Now),
        _regime.Snapshot(Now), _correlation.Snapshot(Now));
}
