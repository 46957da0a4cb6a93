namespace Barometer.Venues.Okx;

/// <summary>
/// Settings of an OKX v5 connector. Defaults are OKX's documented addresses and limits
/// (../shared/venues/okx.md §1) with a safety margin; tests shorten the timers.
/// </summary>
public sealed record OkxConnectorOptions
{
    /// <summary>Public WebSocket root; the connector uses {root}/ws/v5/public.</summary>
    public const string WebSocketDefault = "wss://ws.okx.com:8443";

    /// <summary>REST root.</summary>
    public const string RestDefault = "https://openapi.okx.com";

    /// <summary>Swap settle currencies followed per base asset: USDT- and USDC-margined (the USDT/USDC basis). Default both.</summary>
    public IReadOnlyList<string> SwapQuotes { get; init; } = ["USDT", "USDC"];

    /// <summary>Spot quote currencies followed per base asset. Default USDT.</summary>
    public IReadOnlyList<string> SpotQuotes { get; init; } = ["USDT"];

    /// <summary>How books are seeded: REST snapshot (OKX's procedure since the initial WebSocket snapshot was removed, 2026) or the WebSocket snapshot.</summary>
    public OkxBookSeeding BookSeeding { get; init; } = OkxBookSeeding.RestSnapshot;

    /// <summary>Channels per connection. OKX advises fewer than 30 depth channels per connection; every instrument has one. Default 60 (≤ 10 books).</summary>
    public int MaxChannelsPerConnection { get; init; } = 60;

    /// <summary>Args per subscribe request (total ≤ 64 KB per request). Default 20.</summary>
    public int ArgsPerSubscribe { get; init; } = 20;

    /// <summary>
    /// Subscribe requests per second per connection. OKX limits subscribe + unsubscribe + login to
    /// 480 per hour per connection; error 60014 "requests too frequent" otherwise. Default 3.
    /// </summary>
    public int SubscribeMessagesPerSecond { get; init; } = 3;

    /// <summary>The text "ping" is sent when nothing arrived for this long (OKX: under 30 s). Default 25 s.</summary>
    public TimeSpan PingWhenIdle { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Nothing received (not even "pong") for this long ⇒ the connection is recycled. Default 35 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(35);

    /// <summary>trades silent this long ⇒ stale. Default 120 s.</summary>
    public TimeSpan TradeMaxSilence { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>books and bbo-tbt silent this long ⇒ stale (OKX sends a keep-alive after ~60 s without change). Default 90 s.</summary>
    public TimeSpan BookMaxSilence { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>mark-price silent this long ⇒ stale (pushed every 10 s when unchanged). Default 30 s.</summary>
    public TimeSpan MarkPriceMaxSilence { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>funding-rate silent this long ⇒ stale (pushed every 30–90 s). Default 180 s.</summary>
    public TimeSpan FundingMaxSilence { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>open-interest silent this long ⇒ stale (every 3 s when it changes). Default 300 s.</summary>
    public TimeSpan OpenInterestMaxSilence { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>A stale channel recycles its connection at most this often. Default 5 min.</summary>
    public TimeSpan StaleRecycleInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Full local-book checkpoint published this often. Default 60 s.</summary>
    public TimeSpan BookCheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Updates buffered per book while its REST seed is fetched. Default 2000.</summary>
    public int MaxBufferedUpdates { get; init; } = 2000;

    /// <summary>Levels per side of the REST seed (GET /api/v5/market/books sz ≤ 400). Default 400.</summary>
    public int SeedDepth { get; init; } = 400;

    /// <summary>Instruments (ctVal, ctMult, tick size) are read again this often. Default 24 h.</summary>
    public TimeSpan InstrumentsRefreshInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Funding records fetched per swap at start (GET /api/v5/public/funding-rate-history, max 400). Default 90.</summary>
    public int FundingHistoryLimit { get; init; } = 90;

    /// <summary>First reconnect delay (doubling to <see cref="MaximumBackoff"/>, jittered).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest reconnect delay.</summary>
    public TimeSpan MaximumBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay of REST calls.</summary>
    public TimeSpan RestInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the values; returns the problems found (empty when valid).</summary>
    public List<string> Validate()
    {
        var problems = new List<string>();
        if (MaxChannelsPerConnection < 1)
        {
            problems.Add("MaxChannelsPerConnection must be at least 1");
        }

        if (ArgsPerSubscribe < 1)
        {
            problems.Add("ArgsPerSubscribe must be at least 1");
        }

        if (SubscribeMessagesPerSecond is < 1 or > 10)
        {
            problems.Add("SubscribeMessagesPerSecond must be 1..10");
        }

        if (PingWhenIdle <= TimeSpan.Zero || PingWhenIdle >= TimeSpan.FromSeconds(30))
        {
            problems.Add("PingWhenIdle must be positive and under 30 s (OKX closes idle connections after 30 s)");
        }

        if (IdleTimeout <= PingWhenIdle)
        {
            problems.Add("IdleTimeout must be longer than PingWhenIdle (the pong must have time to arrive)");
        }

        if (SeedDepth is < 1 or > 400)
        {
            problems.Add("SeedDepth must be 1..400");
        }

        if (FundingHistoryLimit is < 0 or > 400)
        {
            problems.Add("FundingHistoryLimit must be 0..400");
        }

        if (InstrumentsRefreshInterval < TimeSpan.FromMinutes(1))
        {
            problems.Add("InstrumentsRefreshInterval must be at least 1 min");
        }

        return problems;
    }
}
