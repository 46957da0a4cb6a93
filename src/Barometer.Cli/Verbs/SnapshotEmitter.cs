using System.Text;
using Barometer.Analytics;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;

namespace Barometer.Cli.Verbs;

/// <summary>
/// Feeds an <see cref="AnalyticsEngine"/> and writes its snapshot as one JSON line each time event
/// time crosses a multiple of <c>every</c> (UTC-aligned: with 60 s, at each whole minute), and
/// once at the end. The snapshot written for a boundary is the state after the last event before
/// it (its <c>time</c> field says which); an interval without events writes nothing. Driven by
/// event time only, so the same input gives byte-identical snapshots.
/// </summary>
internal sealed class SnapshotEmitter : IEventSink, IDisposable
{
    private readonly AnalyticsEngine _engine;
    private readonly Stream _output;
    private readonly long _every;
    private long _nextBoundary = long.MinValue;
    private long _writtenAt = long.MinValue;

    public SnapshotEmitter(Stream output, long everyMicros, AnalyticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(everyMicros, 1);
        _output = output;
        _every = everyMicros;
        _engine = new AnalyticsEngine(options);
    }

    /// <summary>Snapshots written.</summary>
    public long Written { get; private set; }

    public AnalyticsEngine Engine => _engine;

    public void Publish(in MarketEvent e)
    {
        long time = EventTime.Of(e);
        if (_nextBoundary == long.MinValue)
        {
            _nextBoundary = NextBoundary(time);
        }
        else if (time >= _nextBoundary)
        {
            Write();
            _nextBoundary = NextBoundary(time);
        }

        _engine.Publish(e);
    }

    /// <summary>The final snapshot (unless the last boundary already wrote this exact state).</summary>
    public void Complete()
    {
        if (_engine.Events > 0 && _writtenAt != _engine.Events)
        {
            Write();
        }

        _output.Flush();
    }

    public void Dispose() => _output.Dispose();

    private long NextBoundary(long time) => ((time / _every) + 1) * _every;

    private void Write()
    {
        var snapshot = _engine.Snapshot();
        SnapshotJson.Write(_output, snapshot);
        _output.Write("\n"u8);
        _writtenAt = _engine.Events;
        Written++;
    }

    /// <summary>Text for the summary line.</summary>
    public string Describe(string path) =>
        new StringBuilder().Append("  snapshots: ").Append(Written).Append(" written to ").Append(path).Append('\n').ToString();
}
