using Barometer.Analytics.Book;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Guards;
using Barometer.Analytics.Liquidations;
using Barometer.Analytics.Risk;
using Barometer.Analytics.Snapshots;
using Barometer.Analytics.Tape;
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
    private readonly TapeMetrics _tape;
    private readonly LiquidationMetrics _liquidations;
    private readonly RegimeMetrics _regime;
    private readonly CorrelationMetrics _correlation;

    /// <summary>Creates the engine.</summary>
    /// <param name="options">Settings (defaults when null).</param>
    /// <param name="alerts">Where alerts (liquidation cascades: opened, updated, closed) are published, from the thread that feeds
    /// <see cref="Publish"/>; null publishes none.</param>
    public AnalyticsEngine(AnalyticsOptions? options = null, IEventSink? alerts = null)
    {
        Options = options ?? new AnalyticsOptions();
        _flow = new FlowMetrics(Options);
        _derivatives = new DerivativesMetrics(Options);
        _books = new BookMetrics(Options);
        _tape = new TapeMetrics(Options);
        _liquidations = new LiquidationMetrics(Options, alerts);
        _regime = new RegimeMetrics(Options, _books);
        _correlation = new CorrelationMetrics(Options);
    }

    /// <summary>Settings.</summary>
    public AnalyticsOptions Options { get; }

    /// <summary>The latest event time seen (UTC µs), 0 before any event.</summary>
    public long Now { get; private set; }

    /// <summary>
    /// Moves <see cref="Now"/> forward to <paramref name="time"/> (UTC µs) without an event, so that
    /// a snapshot taken while every feed is silent shows its inputs ageing and going stale. Only a
    /// live host calls it (from the wall clock, when no event arrived for a while); replays never
    /// do, so their output stays a function of the recording alone.
    /// </summary>
    public void AdvanceTime(long time)
    {
        if (time > Now)
        {
            Now = time;
        }
    }

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
        _tape.OnEvent(e, time);
        _derivatives.OnEvent(e, time);

        // Regime samples book depth at 10 s boundaries as it was before the crossing event: it must see the event before the book family applies it.
        _regime.OnEvent(e, time);
        _books.OnEvent(e, time);
        _liquidations.OnEvent(e, time);
        _correlation.OnEvent(e, time);
    }

    /// <summary>Completed bars dropped because <see cref="DrainCompletedBars"/> was not called often enough.</summary>
    public long DroppedBars => _tape.DroppedBars;

    /// <summary>
    /// Moves the one-minute bars completed since the last call into <paramref name="into"/>, oldest
    /// first (only with <see cref="AnalyticsOptions.QueueCompletedBars"/>); returns how many.
    /// </summary>
    public int DrainCompletedBars(List<MinuteBar> into) => _tape.DrainCompletedBars(into);

    /// <summary>All metrics at <see cref="Now"/>.</summary>
    public MetricsSnapshot Snapshot()
    {
        var flow = _flow.Snapshot(Now);
        var derivatives = _derivatives.Snapshot(Now);
        var books = _books.Snapshot(Now);
        var liquidations = _liquidations.Snapshot(Now);
        return new(SnapshotSchema.Version, Now, Events, flow, _tape.Snapshot(Now), derivatives, books, liquidations,
            _regime.Snapshot(Now), _correlation.Snapshot(Now), Guards(flow, books, derivatives, liquidations));
    }

    private GuardSection Guards(FlowSection flow, BookSection books, DerivativesSection derivatives, LiquidationSection liquidations)
    {
        var assets = new List<string>(Options.Assets);
        void Add(string asset)
        {
            if (!assets.Contains(asset))
            {
                assets.Add(asset);
            }
        }

        if (assets.Count == 0)
        {
            foreach (var f in flow.Assets)
            {
                Add(f.Asset);
            }

            foreach (var m in books.Markets)
            {
                Add(m.Asset);
            }

            foreach (var r in derivatives.Funding)
            {
                Add(r.Asset);
            }
        }

        var counts = new Dictionary<string, GuardLiquidations>(StringComparer.Ordinal);
        foreach (var a in liquidations.Assets)
        {
            counts[a.Asset] = new GuardLiquidations(a.FiveMinutes.Count, a.FiveMinutes.IsLowerBound);
        }

        return GuardEvaluator.Evaluate(assets, flow, books, derivatives, counts, Options.Guards, Options.DataSource);
    }
}
