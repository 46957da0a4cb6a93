using System.Text.Json;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Time;

namespace Barometer.Server.Api;

/// <summary>
/// The guards, evaluated at most once per <c>maxAge</c> and kept as serialized JSON, so a request
/// costs a clock read and a copy. A request that finds the entry at least <c>maxAge</c> old (or
/// from the future: the clock went back) evaluates again; concurrent requests then wait for one
/// evaluation instead of each running it.
/// </summary>
internal sealed class GuardsCache
{
    private readonly IMarketState _state;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _maxAge;
    private readonly Lock _refresh = new();
    private volatile Entry? _entry;

    public GuardsCache(IMarketState state, TimeProvider clock, TimeSpan maxAge)
    {
        _state = state;
        _clock = clock;
        _maxAge = maxAge;
    }

    /// <summary>Maximum age of a served entry.</summary>
    public TimeSpan MaxAge => _maxAge;

    /// <summary>The entry to serve now and its age.</summary>
    public (Entry Entry, TimeSpan Age) Get()
    {
        var now = _clock.GetUtcNow();
        var entry = _entry;
        if (!IsFresh(entry, now))
        {
            lock (_refresh)
            {
                entry = _entry;
                if (!IsFresh(entry, now))
                {
                    entry = Evaluate(now);
                    _entry = entry;
                }
            }
        }

        return (entry!, now - entry!.EvaluatedAt);
    }

    private bool IsFresh(Entry? entry, DateTimeOffset now) =>
        entry is not null && now >= entry.EvaluatedAt && now - entry.EvaluatedAt < _maxAge;

    private Entry Evaluate(DateTimeOffset now)
    {
        object? guards = _state.Guards();
        byte[]? json = guards is null ? null : JsonSerializer.SerializeToUtf8Bytes(guards, guards.GetType(), SnapshotJson.Options);
        return new Entry(now, UnixMicros.FromDateTimeOffset(now), json);
    }

    /// <summary>One evaluation.</summary>
    /// <param name="EvaluatedAt">When, by the cache's clock.</param>
    /// <param name="EvaluatedAtMicros">The same, UTC µs.</param>
    /// <param name="Json">The guards as JSON, or null when the state had none.</param>
    internal sealed record Entry(DateTimeOffset EvaluatedAt, long EvaluatedAtMicros, byte[]? Json);
}
