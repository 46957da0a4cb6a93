using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Barometer.Venues.Common;

/// <summary>
/// Logs bad input at most once per second per kind, with a sample and the number suppressed since
/// the last line, so a flood of malformed frames is visible without flooding the log.
/// </summary>
public sealed class RateLimitedLog
{
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Creates a limiter writing to <paramref name="logger"/>.</summary>
    public RateLimitedLog(ILogger logger, TimeProvider clock)
    {
        _logger = logger;
        _clock = clock;
    }

    /// <summary>Logs a warning of <paramref name="kind"/> unless one was logged in the last second.</summary>
    public void Warn(string kind, string message, ReadOnlySpan<byte> sample)
    {
        long now = _clock.GetTimestamp();
        var entry = _entries.GetOrAdd(kind, _ => new Entry());
        long last = Interlocked.Read(ref entry.LastTimestamp);
        if (last != 0 && _clock.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1))
        {
            Interlocked.Increment(ref entry.Suppressed);
            return;
        }

        if (Interlocked.CompareExchange(ref entry.LastTimestamp, now, last) != last)
        {
            Interlocked.Increment(ref entry.Suppressed);
            return;
        }

        long suppressed = Interlocked.Exchange(ref entry.Suppressed, 0);
        string text = System.Text.Encoding.UTF8.GetString(sample[..Math.Min(sample.Length, 200)]);
        _logger.LogWarning("{Kind}: {Message} ({Suppressed} similar suppressed); sample: {Sample}", kind, message, suppressed, text);
    }

    private sealed class Entry
    {
        public long LastTimestamp;
        public long Suppressed;
    }
}
