using System.Globalization;

namespace Barometer.Core.Time;

/// <summary>
/// Timestamps in Barometer are UTC microseconds since the Unix epoch held in a <see cref="long"/>
/// ("µs time"). Venues send milliseconds (Binance, Bybit, OKX) or nanoseconds; converting once at
/// the parser keeps every event comparable and allocation-free.
/// </summary>
public static class UnixMicros
{
    /// <summary>Microseconds per millisecond.</summary>
    public const long PerMillisecond = 1_000;

    /// <summary>Microseconds per second.</summary>
    public const long PerSecond = 1_000_000;

    /// <summary>Microseconds per minute.</summary>
    public const long PerMinute = 60 * PerSecond;

    /// <summary>Microseconds per hour.</summary>
    public const long PerHour = 60 * PerMinute;

    /// <summary>Converts Unix milliseconds to µs time.</summary>
    public static long FromMilliseconds(long unixMilliseconds) => unixMilliseconds * PerMillisecond;

    /// <summary>Converts µs time to Unix milliseconds (truncating).</summary>
    public static long ToMilliseconds(long unixMicros) => unixMicros / PerMillisecond;

    /// <summary>Converts a <see cref="DateTimeOffset"/> to µs time.</summary>
    public static long FromDateTimeOffset(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (TimeSpan.TicksPerMillisecond / 1000);

    /// <summary>Converts µs time to a UTC <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset ToDateTimeOffset(long unixMicros) =>
        DateTimeOffset.UnixEpoch.AddTicks(unixMicros * (TimeSpan.TicksPerMillisecond / 1000));

    /// <summary>Now, from a <see cref="TimeProvider"/> (never from DateTime.UtcNow directly).</summary>
    public static long Now(TimeProvider clock) => FromDateTimeOffset(clock.GetUtcNow());

    /// <summary>ISO-8601 UTC text with microseconds, e.g. 2026-11-22T08:53:11.123456Z.</summary>
    public static string ToIso(long unixMicros) =>
        ToDateTimeOffset(unixMicros).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
