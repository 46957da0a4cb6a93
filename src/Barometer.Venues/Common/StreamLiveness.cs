namespace Barometer.Venues.Common;

/// <summary>
/// Per-stream liveness (../CONNECTORS.md): a subscribed stream that was acknowledged but delivers
/// nothing for longer than its expected cadence is stale, even while the connection itself is busy
/// with other streams. In 2026 Binance's retired USD-M paths accepted subscriptions and sent
/// nothing; only this check catches that. Pure state driven by the times it is given, so tests
/// need no clock. Owned by one connector task.
/// </summary>
public sealed class StreamLiveness
{
    private readonly List<Entry> _streams = [];

    /// <summary>Number of tracked streams.</summary>
    public int Count => _streams.Count;

    /// <summary>
    /// Tracks a stream that is expected to deliver at least once per <paramref name="maxSilence"/>
    /// (its cadence with a margin), starting at <paramref name="subscribedAt"/> (UTC µs).
    /// Returns the stream's index for <see cref="OnMessage"/>.
    /// </summary>
    public int Track(string name, TimeSpan maxSilence, long subscribedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxSilence, TimeSpan.Zero);
        _streams.Add(new Entry(name, (long)(maxSilence.Ticks / (TimeSpan.TicksPerMillisecond / 1000.0)), subscribedAt));
        return _streams.Count - 1;
    }

    /// <summary>Forgets every stream (a new connection tracks its streams again).</summary>
    public void Clear() => _streams.Clear();

    /// <summary>The name of a tracked stream.</summary>
    public string NameOf(int index) => _streams[index].Name;

    /// <summary>True when the stream is currently stale.</summary>
    public bool IsStale(int index) => _streams[index].Stale;

    /// <summary>
    /// Records a message of the stream at <paramref name="time"/>. Returns true when the stream
    /// was stale and has resumed; <paramref name="silentSince"/> is then the start of the silence
    /// (its previous message, or its subscription), for a closed data-gap event.
    /// </summary>
    public bool OnMessage(int index, long time, out long silentSince)
    {
        var entry = _streams[index];
        bool resumed = entry.Stale;
        silentSince = entry.LastSeen;
        entry.LastSeen = Math.Max(entry.LastSeen, time);
        entry.Stale = false;
        return resumed;
    }

    /// <summary>
    /// Marks streams silent for longer than their limit at <paramref name="now"/> as stale and
    /// adds the index of each newly stale stream to <paramref name="newlyStale"/>.
    /// </summary>
    public void Check(long now, List<int> newlyStale)
    {
        ArgumentNullException.ThrowIfNull(newlyStale);
        for (int i = 0; i < _streams.Count; i++)
        {
            var entry = _streams[i];
            if (!entry.Stale && now - entry.LastSeen > entry.MaxSilenceMicros)
            {
                entry.Stale = true;
                newlyStale.Add(i);
            }
        }
    }

    private sealed class Entry(string name, long maxSilenceMicros, long lastSeen)
    {
        public string Name { get; } = name;

        public long MaxSilenceMicros { get; } = maxSilenceMicros;

        public long LastSeen { get; set; } = lastSeen;

        public bool Stale { get; set; }
    }
}
