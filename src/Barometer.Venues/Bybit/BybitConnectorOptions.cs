using Barometer.Core.Instruments;

namespace Barometer.Venues.Bybit;

/// <summary>
/// Settings of a Bybit V5 connector. Defaults are Bybit's documented addresses and limits
/// (../shared/venues/bybit.md §1) with a safety margin; tests shorten the timers.
/// </summary>
public sealed record BybitConnectorOptions
{
    /// <summary>Public WebSocket root; categories are {root}/v5/public/linear and {root}/v5/public/spot.</summary>
    public const string WebSocketDefault = "wss://stream.bybit.com";

    /// <summary>REST root.</summary>
    public const string RestDefault = "https://api.bybit.com";

    /// <summary>Quote assets followed per base asset. Default USDT (linear USDT perpetuals; spot USDT pairs).</summary>
    public IReadOnlyList<string> Quotes { get; init; } = ["USDT"];

    /// <summary>Depth of the kept book topic <c>orderbook.{depth}</c>: 50 (20 ms), 200 (100 ms) or 1000 (200 ms). Default 50.</summary>
    public int BookDepth { get; init; } = 50;

    /// <summary>
    /// True: a delta's <c>u</c> must be the previous + 1 (a jump is a sequence gap and resyncs).
    /// False: only increasing. Default true (see <see cref="BybitBookSync"/>).
    /// </summary>
    public bool StrictBookContinuity { get; init; } = true;

    /// <summary>Topics per subscribe request: spot allows 10; linear has no documented limit. Default 10.</summary>
    public int TopicsPerSubscribe { get; init; } = 10;

    /// <summary>Topics per connection (args length ≤ 21,000 characters per connection). Default 200.</summary>
    public int MaxTopicsPerConnection { get; init; } = 200;

    /// <summary>Subscribe requests sent per second per connection (no documented limit). Default 5.</summary>
    public int SubscribeMessagesPerSecond { get; init; } = 5;

    /// <summary>Client keepalive <c>{"op":"ping"}</c> interval (Bybit recommends 20 s; it cuts idle connections after 10 min).</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Nothing at all received for this long ⇒ the connection is recycled. Default 30 s (tickers push every 100 ms).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>publicTrade silent this long ⇒ stale. Default 120 s.</summary>
    public TimeSpan TradeMaxSilence { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>orderbook.{depth} silent this long ⇒ stale. Default 30 s.</summary>
    public TimeSpan BookMaxSilence { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>orderbook.1 silent this long ⇒ stale (Bybit re-pushes it every 3 s when unchanged). Default 10 s.</summary>
    public TimeSpan TopMaxSilence { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Linear tickers silent this long ⇒ stale (pushed every 100 ms on change). Default 30 s.</summary>
    public TimeSpan TickerMaxSilence { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A stale topic recycles its connection at most this often. Default 5 min.</summary>
    public TimeSpan StaleRecycleInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Minimum time between two resubscriptions of one broken book topic. Default 1 s.</summary>
    public TimeSpan BookResubscribeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Full local-book checkpoint published this often. Default 60 s.</summary>
    public TimeSpan BookCheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Funding records fetched per perpetual at start (GET /v5/market/funding/history, max 200). Default 90.</summary>
    public int FundingHistoryLimit { get; init; } = 90;

    /// <summary>Open-interest history interval at start (GET /v5/market/open-interest intervalTime). Default 5min.</summary>
    public string OpenInterestHistoryInterval { get; init; } = "5min";

    /// <summary>Open-interest history rows fetched per perpetual at start (max 200). Default 200 (16 h 40 min at 5 min).</summary>
    public int OpenInterestHistoryLimit { get; init; } = 200;

    /// <summary>First reconnect delay (doubling to <see cref="MaximumBackoff"/>, jittered).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest reconnect delay.</summary>
    public TimeSpan MaximumBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay of REST calls.</summary>
    public TimeSpan RestInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The V5 category of <paramref name="venue"/>.</summary>
    public static string CategoryOf(VenueId venue) => venue == VenueId.BybitLinear ? "linear" : "spot";

    /// <summary>Checks the values; returns the problems found (empty when valid).</summary>
    public List<string> Validate()
    {
        var problems = new List<string>();
        if (BookDepth is not (50 or 200 or 1000))
        {
            problems.Add("BookDepth must be 50, 200 or 1000 (orderbook.500 was retired in 2025)");
        }

        if (TopicsPerSubscribe is < 1 or > 10)
        {
            problems.Add("TopicsPerSubscribe must be 1..10 (Bybit spot allows 10 args per request)");
        }

        if (MaxTopicsPerConnection < 1)
        {
            problems.Add("MaxTopicsPerConnection must be at least 1");
        }

        if (SubscribeMessagesPerSecond < 1)
        {
            problems.Add("SubscribeMessagesPerSecond must be at least 1");
        }

        if (PingInterval <= TimeSpan.Zero || PingInterval >= TimeSpan.FromMinutes(10))
        {
            problems.Add("PingInterval must be positive and under 10 min (Bybit's idle cut)");
        }

        if (FundingHistoryLimit is < 0 or > 200)
        {
            problems.Add("FundingHistoryLimit must be 0..200");
        }

        if (OpenInterestHistoryLimit is < 0 or > 200)
        {
            problems.Add("OpenInterestHistoryLimit must be 0..200");
        }

        if (OpenInterestHistoryInterval is not ("5min" or "15min" or "30min" or "1h" or "4h" or "1d"))
        {
            problems.Add("OpenInterestHistoryInterval must be one of 5min, 15min, 30min, 1h, 4h, 1d");
        }

        return problems;
    }
}
