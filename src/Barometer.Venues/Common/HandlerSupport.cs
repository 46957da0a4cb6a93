using Barometer.Core.Instruments;
using Barometer.Core.Events;

namespace Barometer.Venues.Common;

/// <summary>A sink that discards (parsing a frame only for its result).</summary>
public sealed class NullEventSink : IEventSink
{
    /// <summary>The one instance.</summary>
    public static readonly NullEventSink Instance = new();

    private NullEventSink()
    {
    }

    /// <inheritdoc />
    public void Publish(in MarketEvent e)
    {
    }
}

/// <summary>
/// Stream name → subscription index for the connection handlers, looked up straight from the
/// frame's UTF-8 bytes (names are ASCII; no string per frame).
/// </summary>
internal sealed class StreamIndex
{
    private const int MaxNameLength = 160;

    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StreamIndex() => _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();

    public void Add(string name, int index) => _byName[name] = index;

    public bool TryFind(string name, out int index) => _byName.TryGetValue(name, out index);

    public bool TryFind(ReadOnlySpan<char> name, out int index) => _lookup.TryGetValue(name, out index);

    public bool TryFind(ReadOnlySpan<byte> name, out int index)
    {
        index = -1;
        if (name.Length > MaxNameLength)
        {
            return false;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return _lookup.TryGetValue(chars, out index);
    }
}

/// <summary>What the connection handlers of every venue share.</summary>
internal static class HandlerSupport
{
    /// <summary>µs of a limit; <see cref="TimeSpan.MaxValue"/> (never) stays far in the future without overflowing.</summary>
    public static long Micros(TimeSpan span) => span == TimeSpan.MaxValue ? long.MaxValue / 2 : span.Ticks / 10;

    /// <summary>Counts a frame that produced no event (malformed, unknown, venue error) on its stream and logs it, rate-limited.</summary>
    public static void Tally(in NormalizeResult result, StreamCounters counters, string stream, ReadOnlySpan<byte> frame, RateLimitedLog log)
    {
        switch (result.Outcome)
        {
            case NormalizeOutcome.Malformed:
                counters.OnParseError();
                log.Warn(stream + ":malformed", "malformed frame skipped: " + result.Reason, frame);
                break;
            case NormalizeOutcome.Unknown:
                counters.OnUnknownMessage();
                log.Warn(stream + ":unknown", "unknown message skipped: " + result.Reason, frame);
                break;
            case NormalizeOutcome.VenueError:
                counters.OnUnknownMessage();
                log.Warn(stream + ":error", "venue error: " + result.Reason, frame);
                break;
        }
    }

    /// <summary>Sends control messages one per <paramref name="pace"/>; a connection that ends stops it (the next one subscribes everything again).</summary>
    public static async Task SendPacedAsync(WebSocketConnection connection, IReadOnlyList<byte[]> messages, TimeSpan pace, TimeProvider clock,
        bool delayFirst, CancellationToken cancellationToken)
    {
        try
        {
            for (int i = 0; i < messages.Count; i++)
            {
                if (i > 0 || delayFirst)
                {
                    await Task.Delay(pace, clock, cancellationToken).ConfigureAwait(false);
                }

                await connection.SendAsync(messages[i], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A configured root URL, or the venue default, without a trailing slash.</summary>
    public static string Root(string configured, string fallback) => (configured.Length > 0 ? configured : fallback).TrimEnd('/');
}

/// <summary>The start-up REST call every connector retries until the venue answers (symbols, instruments).</summary>
internal static class StartupRest
{
    /// <summary>
    /// Calls <paramref name="attempt"/> until it returns a value. After each failure: the "rest"
    /// counters go Disconnected, a ConnectionStatus on stream "rest" says what failed and when the
    /// next try is ("GET /{path} failed: …; retrying in 2 s"), one warning is logged on the first
    /// and every tenth attempt (not a flood), and it waits with jittered backoff. Cancellation ends it.
    /// </summary>
    public static async Task<T> RetryAsync<T>(string path, Func<CancellationToken, Task<(T? Value, string Failure)>> attempt, VenueId venue,
        StreamCounters counters, VenueConnectorContext context, Microsoft.Extensions.Logging.ILogger logger, TimeSpan initial, TimeSpan maximum,
        CancellationToken cancellationToken)
        where T : class
    {
        var backoff = new ReconnectBackoff(initial: initial, maximum: maximum);
        while (true)
        {
            var (value, why) = await attempt(cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                counters.State = ConnectionState.Subscribed;
                return value;
            }

            counters.State = ConnectionState.Disconnected;
            var delay = backoff.NextDelay();
            context.Sink.Publish(MarketEvent.From(new ConnectionStatus(venue, null, "rest", Core.Time.UnixMicros.Now(context.Clock), ConnectionState.Disconnected,
                $"GET /{path} failed: {why}; retrying in {delay.TotalSeconds:0.#} s")));
            if (backoff.Attempt <= 1 || backoff.Attempt % 10 == 0)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger,
                    "{Venue}: GET /{Path} failed ({Why}); venue unreachable, retrying in {Delay:0.#} s (attempt {Attempt})",
                    venue.ToWireName(), path, why, delay.TotalSeconds, backoff.Attempt);
            }

            await Task.Delay(delay, context.Clock, cancellationToken).ConfigureAwait(false);
        }
    }
}
