using Barometer.Core.Instruments;

namespace Barometer.Venues.Binance;

/// <summary>
/// Settings of a Binance connector. Defaults are Binance's documented addresses and limits
/// (../shared/venues/binance.md §1) with a safety margin; tests shorten the timers.
/// </summary>
public sealed record BinanceConnectorOptions
{
    /// <summary>USD-M futures WebSocket root; streams go to {root}/public and {root}/market (2026 split).</summary>
    public const string FuturesWebSocketDefault = "wss://fstream.binance.com";

    /// <summary>USD-M futures REST root.</summary>
    public const string FuturesRestDefault = "https://fapi.binance.com";

    /// <summary>Spot WebSocket root.</summary>
    public const string SpotWebSocketDefault = "wss://stream.binance.com:9443";

    /// <summary>Spot REST root.</summary>
    public const string SpotRestDefault = "https://api.binance.com";

    /// <summary>Quote assets followed per base asset: futures USDT and USDC perpetuals (USDT/USDC basis), spot USDT.</summary>
    public IReadOnlyList<string>? Quotes { get; init; }

    /// <summary>Open interest poll interval per perpetual (GET /fapi/v1/openInterest, weight 1). Default 10 s.</summary>
    public TimeSpan OpenInterestInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Funding records fetched per perpetual at start (GET /fapi/v1/fundingRate, max 1000). Default 90 (30 days at 8 h).</summary>
    public int FundingHistoryLimit { get; init; } = 90;

    /// <summary>Levels per REST depth snapshot: futures 1000 (weight 20); spot 1000 (weight 50).</summary>
    public int DepthSnapshotLimit { get; init; } = 1000;

    /// <summary>Streams per connection (Binance allows 1024; kept lower so a reconnect resubscribes quickly). Default 200.</summary>
    public int MaxStreamsPerConnection { get; init; } = 200;

    /// <summary>Streams per SUBSCRIBE message. Default 50.</summary>
    public int StreamsPerSubscribeMessage { get; init; } = 50;

    /// <summary>
    /// Control messages sent per second per connection. Binance: futures 10/s, spot 5/s (pings,
    /// pongs and control messages all count); the defaults leave room for keepalive pongs.
    /// </summary>
    public int? SubscribeMessagesPerSecond { get; init; }

    /// <summary>Proactive reconnect before Binance's 24 h forced disconnect. Default 23 h 50 min.</summary>
    public TimeSpan MaxConnectionLifetime { get; init; } = TimeSpan.FromHours(23) + TimeSpan.FromMinutes(50);

    /// <summary>Nothing at all received for this long ⇒ the connection is recycled. Default 30 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>aggTrade silent this long ⇒ stale. Default 120 s (USDC perpetuals can be quiet).</summary>
    public TimeSpan TradeMaxSilence { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>bookTicker and depth silent this long ⇒ stale. Default 30 s.</summary>
    public TimeSpan BookMaxSilence { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>markPrice@1s silent this long ⇒ stale. Default 10 s.</summary>
    public TimeSpan MarkPriceMaxSilence { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A stale stream recycles its connection at most this often; in between it is only reported
    /// (a quiet market must not make the connector churn). Default 5 min.
    /// </summary>
    public TimeSpan StaleRecycleInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Full local-book snapshot published as a checkpoint this often (consumers that lost diffs recover). Default 60 s.</summary>
    public TimeSpan BookCheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Depth diffs buffered per book while its snapshot is fetched. Default 2000 (200 s at 100 ms).</summary>
    public int MaxBufferedDiffs { get; init; } = 2000;

    /// <summary>First reconnect delay (doubling to <see cref="MaximumBackoff"/>, jittered).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest reconnect delay.</summary>
    public TimeSpan MaximumBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay of REST calls.</summary>
    public TimeSpan RestInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The quotes for <paramref name="venue"/> (configured or default).</summary>
    public IReadOnlyList<string> QuotesFor(VenueId venue) =>
        Quotes ?? (venue == VenueId.BinanceFutures ? ["USDT", "USDC"] : ["USDT"]);

    /// <summary>The subscribe message rate for <paramref name="venue"/>.</summary>
    public int MessagesPerSecondFor(VenueId venue) => SubscribeMessagesPerSecond ?? (venue == VenueId.BinanceFutures ? 5 : 2);

    /// <summary>Checks the values; returns the problems found (empty when valid).</summary>
    public List<string> Validate()
    {
        var problems = new List<string>();
        if (OpenInterestInterval < TimeSpan.FromSeconds(1))
        {
            problems.Add("OpenInterestInterval must be at least 1 s (Binance weight budget)");
        }

        if (FundingHistoryLimit is < 0 or > 1000)
        {
            problems.Add("FundingHistoryLimit must be 0..1000");
        }

        if (DepthSnapshotLimit is not (5 or 10 or 20 or 50 or 100 or 500 or 1000))
        {
            problems.Add("DepthSnapshotLimit must be one of 5, 10, 20, 50, 100, 500, 1000");
        }

        if (MaxStreamsPerConnection is < 1 or > 1024)
        {
            problems.Add("MaxStreamsPerConnection must be 1..1024");
        }

        if (StreamsPerSubscribeMessage < 1)
        {
            problems.Add("StreamsPerSubscribeMessage must be at least 1");
        }

        if (SubscribeMessagesPerSecond is < 1 or > 10)
        {
            problems.Add("SubscribeMessagesPerSecond must be 1..10");
        }

        if (MaxConnectionLifetime <= TimeSpan.Zero || MaxConnectionLifetime >= TimeSpan.FromHours(24))
        {
            problems.Add("MaxConnectionLifetime must be positive and under 24 h");
        }

        return problems;
    }
}
