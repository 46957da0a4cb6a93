using System.Net;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Barometer.Core.Time;
using Microsoft.Extensions.Logging;

namespace Barometer.Venues.Common;

/// <summary>The outcome of one REST call after retries.</summary>
/// <param name="StatusCode">The last HTTP status (0 when no response arrived).</param>
/// <param name="Body">The body of the last response (empty when none).</param>
/// <param name="ReceiveTime">When the last response arrived, UTC µs.</param>
/// <param name="Attempts">Requests made.</param>
/// <param name="Error">Why it failed, empty on success.</param>
public readonly record struct RestResponse(int StatusCode, byte[] Body, long ReceiveTime, int Attempts, string Error)
{
    /// <summary>True for a 2xx response.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

/// <summary>
/// GET requests to a venue's REST API with the retry rules every connector needs: 429 and 418
/// (rate limited / banned) wait for Retry-After (or the backoff when absent); 5xx, timeouts and
/// connection failures retry with jittered exponential backoff; other 4xx are final (an unknown
/// symbol is an answer, not an outage). Every response body is tapped raw for recording.
/// </summary>
public sealed class VenueRestClient
{
    private readonly HttpClient _http;
    private readonly VenueId _venue;
    private readonly VenueConnectorContext _context;
    private readonly ILogger _logger;
    private long _requests;
    private long _rateLimited;
    private long _failures;

    /// <summary>Creates a client over <paramref name="http"/> (its BaseAddress is the venue's REST root; owned by the caller).</summary>
    public VenueRestClient(VenueId venue, HttpClient http, VenueConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(context);
        _venue = venue;
        _http = http;
        _context = context;
        _logger = context.LoggerFactory.CreateLogger("Barometer.Venues." + venue.ToWireName() + ".Rest");
    }

    /// <summary>Attempts per call before giving up. Default 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Per-request timeout. Default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait honoured from a Retry-After header. Default 120 s.</summary>
    public TimeSpan MaximumRetryAfter { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Requests sent.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// Health counters of the venue's REST traffic (null: none): every response counts as a frame,
    /// every failed call as a parse error.
    /// </summary>
    public StreamCounters? Counters { get; init; }

    /// <summary>HTTP statuses that mean "rate limited: wait (Retry-After) and retry". Default 429 and 418 (Binance); Bybit adds 403.</summary>
    public IReadOnlySet<int> RateLimitStatuses { get; init; } = new HashSet<int> { 429, 418 };

    /// <summary>A 2xx body that still means "rate limited" (Bybit retCode 10006), retried with backoff. Null: none.</summary>
    public Func<byte[], bool>? IsRateLimitedBody { get; init; }

    /// <summary>Rate-limited answers received (statuses of <see cref="RateLimitStatuses"/> or bodies matching <see cref="IsRateLimitedBody"/>).</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Calls that failed after every retry.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>GETs <paramref name="pathAndQuery"/> (relative to the HttpClient's base address), retrying as described.</summary>
    public async Task<RestResponse> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var response = await GetCoreAsync(pathAndQuery, cancellationToken).ConfigureAwait(false);
        if (Counters is { } counters)
        {
            if (response.StatusCode != 0)
            {
                counters.OnFrame(response.Body.Length, response.ReceiveTime);
            }

            if (!response.IsSuccess)
            {
                counters.OnParseError();
            }
        }

        return response;
    }

    private async Task<RestResponse> GetCoreAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var backoff = new ReconnectBackoff(seed: pathAndQuery.Length, initial: InitialBackoff, maximum: TimeSpan.FromSeconds(30));
        int status = 0;
        byte[] body = [];
        string error = string.Empty;
        long receiveTime = 0;
        int attempts = 0;
        for (int attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            TimeSpan? wait = null;
            attempts = attempt;
            Interlocked.Increment(ref _requests);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Timeout);
                using var response = await _http.GetAsync(new Uri(pathAndQuery, UriKind.Relative), timeout.Token).ConfigureAwait(false);
                body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                receiveTime = UnixMicros.Now(_context.Clock);
                status = (int)response.StatusCode;
                _context.RawFrames?.OnFrame(_venue, RawFrameSource.Rest, pathAndQuery, receiveTime, body);
                if (response.IsSuccessStatusCode)
                {
                    if (IsRateLimitedBody is not { } limitedBody || !limitedBody(body))
                    {
                        return new RestResponse(status, body, receiveTime, attempt, string.Empty);
                    }

                    // A 200 whose body says "rate limited" (Bybit retCode 10006): wait and retry.
                    error = $"HTTP {status}, rate limited by the venue's reply";
                    Interlocked.Increment(ref _rateLimited);
                }
                else if (RateLimitStatuses.Contains(status))
                {
                    error = $"HTTP {status}";
                    Interlocked.Increment(ref _rateLimited);
                    wait = RetryAfter(response);
                }
                else if (status < 500)
                {
                    error = $"HTTP {status}";
                    break;
                }
                else
                {
                    error = $"HTTP {status}";
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                status = 0;
                body = [];
                error = ex is OperationCanceledException ? $"timed out after {Timeout.TotalSeconds:F0} s" : ex.Message;
            }

            if (attempt == MaxAttempts)
            {
                break;
            }

            var delay = wait ?? backoff.NextDelay();
            _logger.LogWarning("{Venue} GET {Path}: {Error}; retry {Attempt} in {Delay:F1} s", _venue.ToWireName(), pathAndQuery, error, attempt, delay.TotalSeconds);
            await Task.Delay(delay, _context.Clock, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _failures);
        return new RestResponse(status, body, receiveTime, attempts, error);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - _context.Clock.GetUtcNow() : null);
        if (wait is not { } w)
        {
            return null;
        }

        return w < TimeSpan.Zero ? TimeSpan.Zero : w > MaximumRetryAfter ? MaximumRetryAfter : w;
    }
}
