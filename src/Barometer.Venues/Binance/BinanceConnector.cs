using System.Globalization;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;
using Microsoft.Extensions.Logging;

namespace Barometer.Venues.Binance;

/// <summary>
/// Live market data from Binance USD-M futures (binance-futures) or spot (binance-spot), to
/// ../CONNECTORS.md. At start: exchangeInfo validates the configured symbols (a missing one is a
/// <see cref="VenueConfigurationException"/> naming it) and supplies tick sizes; futures backfill
/// funding history. Then, per category and in chunks of
/// <see cref="BinanceConnectorOptions.MaxStreamsPerConnection"/>, combined-stream connections:
/// futures book streams (bookTicker, depth@100ms) on {ws}/public/stream and the rest (aggTrade,
/// markPrice@1s, forceOrder) on {ws}/market/stream — the 2026 split; the retired unrouted paths
/// acknowledge and never deliver, which per-stream liveness would catch — and spot's on {ws}/stream.
/// Open interest is polled per perpetual. Each connection reconnects with backoff, proactively
/// before the 24 h cut, and resubscribes; venue outages are retried for ever.
/// </summary>
public sealed class BinanceConnector : IVenueConnector
{
    /// <summary>Health note of forceOrder streams (Binance pushes only a sample).</summary>
    public const string ForceOrderNote =
        "sampled: Binance pushes only the latest liquidation per symbol per 1000 ms; totals are lower bounds";

    private readonly VenueConnectorContext _context;
    private readonly ILogger _logger;
    private readonly List<BinanceStreamHandler> _handlers = [];
    private readonly List<WebSocketConnection> _connections = [];
    private volatile IReadOnlyList<StreamCounters> _streams = [];
    private readonly StreamCounters _restCounters;
    private HttpClient? _http;
    private VenueRestClient? _rest;
    private readonly BinanceMarkSink _marks;
    private List<Instrument> _instruments = [];

    /// <summary>Creates the connector of <paramref name="venue"/> (binance-futures or binance-spot).</summary>
    public BinanceConnector(VenueId venue, VenueConnectorContext context, BinanceConnectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (venue is not (VenueId.BinanceFutures or VenueId.BinanceSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "not a Binance venue");
        }

        Options = options ?? new BinanceConnectorOptions();
        var problems = Options.Validate();
        if (problems.Count > 0)
        {
            throw new VenueConfigurationException(venue.ToWireName() + ": " + string.Join("; ", problems));
        }

        Venue = venue;
        _context = context;
        _logger = context.LoggerFactory.CreateLogger("Barometer.Venues." + venue.ToWireName());
        Log = new RateLimitedLog(_logger, context.Clock);
        Normalizer = new BinanceNormalizer(venue, context.Registry, registerUnknownSymbols: false);
        _marks = new BinanceMarkSink(context.Sink);
        _restCounters = new StreamCounters("rest");
        _streams = [_restCounters];
        bool futures = venue == VenueId.BinanceFutures;
        WebSocketRoot = HandlerSupport.Root(context.Endpoint.WebSocketUrl, futures ? BinanceConnectorOptions.FuturesWebSocketDefault : BinanceConnectorOptions.SpotWebSocketDefault);
        RestRoot = HandlerSupport.Root(context.Endpoint.RestUrl, futures ? BinanceConnectorOptions.FuturesRestDefault : BinanceConnectorOptions.SpotRestDefault);
    }

    /// <inheritdoc />
    public VenueId Venue { get; }

    /// <summary>Settings.</summary>
    public BinanceConnectorOptions Options { get; }

    /// <summary>WebSocket root in use (no trailing slash).</summary>
    public string WebSocketRoot { get; }

    /// <summary>REST root in use (no trailing slash).</summary>
    public string RestRoot { get; }

    /// <summary>
    /// Counters, live objects: "rest" (responses as frames, failed calls as parse errors; see also
    /// <see cref="RestRequests"/> and <see cref="RestRateLimited"/>), then each connection followed
    /// by its streams.
    /// </summary>
    public IReadOnlyList<StreamCounters> Streams => _streams;

    /// <summary>REST requests sent so far.</summary>
    public long RestRequests => _rest?.Requests ?? 0;

    /// <summary>REST 429/418 answers so far.</summary>
    public long RestRateLimited => _rest?.RateLimited ?? 0;

    /// <summary>The validated instruments (after start-up).</summary>
    public IReadOnlyList<Instrument> Instruments => _instruments;

    /// <summary>The connections (after start-up), for tests and health.</summary>
    internal IReadOnlyList<WebSocketConnection> Connections => _connections;

    internal IEventSink Sink => _marks;

    internal TimeProvider Clock => _context.Clock;

    internal BinanceNormalizer Normalizer { get; }

    internal RateLimitedLog Log { get; }

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _http = new HttpClient { BaseAddress = new Uri(RestRoot + "/"), Timeout = Timeout.InfiniteTimeSpan };
        _rest = new VenueRestClient(Venue, _http, _context) { InitialBackoff = Options.RestInitialBackoff, Counters = _restCounters };
        try
        {
            _instruments = await LoadInstrumentsAsync(cancellationToken).ConfigureAwait(false);
            _marks.Track(_instruments);
            if (Venue == VenueId.BinanceFutures)
            {
                await BackfillFundingAsync(cancellationToken).ConfigureAwait(false);
            }

            BuildConnections();
            var tasks = new List<Task>();
            foreach (var connection in _connections)
            {
                tasks.Add(connection.RunAsync(cancellationToken));
            }

            if (Venue == VenueId.BinanceFutures)
            {
                tasks.Add(PollOpenInterestAsync(cancellationToken));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _http?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>GET the REST depth snapshot of <paramref name="instrument"/> (weight 20 on futures at limit 1000, 50 on spot).</summary>
    internal Task<RestResponse> FetchDepthAsync(Instrument instrument, CancellationToken cancellationToken)
    {
        string path = (Venue == VenueId.BinanceFutures ? "fapi/v1/depth" : "api/v3/depth")
            + "?symbol=" + instrument.VenueSymbol + "&limit=" + Options.DepthSnapshotLimit.ToString(CultureInfo.InvariantCulture);
        return _rest!.GetAsync(path, cancellationToken);
    }

    private async Task<List<Instrument>> LoadInstrumentsAsync(CancellationToken cancellationToken)
    {
        string path = Venue == VenueId.BinanceFutures ? "fapi/v1/exchangeInfo" : "api/v3/exchangeInfo";
        var symbols = await StartupRest.RetryAsync<List<BinanceSymbolInfo>>(path, async cancel =>
        {
            var response = await _rest!.GetAsync(path, cancel).ConfigureAwait(false);
            return response.IsSuccess && BinanceRest.TryParseExchangeInfo(response.Body, out var parsed) ? (parsed, string.Empty)
                : (null, response.IsSuccess ? "unparseable exchangeInfo response" : response.Error);
        }, Venue, _restCounters, _context, _logger, Options.InitialBackoff, Options.MaximumBackoff, cancellationToken).ConfigureAwait(false);
        return Validate(symbols);
    }

    private List<Instrument> Validate(List<BinanceSymbolInfo> symbols)
    {
        var bySymbol = new Dictionary<string, BinanceSymbolInfo>(StringComparer.Ordinal);
        foreach (var s in symbols)
        {
            if (Venue == VenueId.BinanceSpot || s.ContractType is "PERPETUAL" or "")
            {
                bySymbol.TryAdd(s.Symbol, s);
            }
        }

        var missing = new List<string>();
        var result = new List<Instrument>();
        foreach (string asset in _context.Assets)
        {
            foreach (string quote in Options.QuotesFor(Venue))
            {
                string symbol = asset.ToUpperInvariant() + quote.ToUpperInvariant();
                if (!bySymbol.TryGetValue(symbol, out var info))
                {
                    missing.Add(symbol);
                    continue;
                }

                if (info.Status is not ("TRADING" or ""))
                {
                    _logger.LogWarning("{Venue}: {Symbol} is listed with status {Status}; subscribing anyway", Venue.ToWireName(), symbol, info.Status);
                }

                result.Add(_context.Registry.GetOrAdd(Venue, info.BaseAsset, info.QuoteAsset, symbol, 1.0, info.TickSize > 0 ? info.TickSize : 1e-8));
            }
        }

        if (missing.Count > 0)
        {
            string kind = Venue == VenueId.BinanceFutures ? "perpetual" : "spot pair";
            throw new VenueConfigurationException(
                $"{Venue.ToWireName()}: configured {kind}{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} not listed in the venue's exchangeInfo " +
                "(check Assets and the venue's quotes)");
        }

        return result;
    }

    private async Task BackfillFundingAsync(CancellationToken cancellationToken)
    {
        if (Options.FundingHistoryLimit == 0)
        {
            return;
        }

        foreach (var instrument in _instruments)
        {
            string path = "fapi/v1/fundingRate?symbol=" + instrument.VenueSymbol + "&limit=" + Options.FundingHistoryLimit.ToString(CultureInfo.InvariantCulture);
            var response = await _rest!.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                _logger.LogWarning("{Venue}: funding history of {Symbol} unavailable ({Error}); continuing without it",
                    Venue.ToWireName(), instrument.VenueSymbol, response.Error);
                continue;
            }

            var result = Normalizer.NormalizeRest("/" + path, response.Body, response.ReceiveTime, _context.Sink);
            if (result.Outcome != NormalizeOutcome.Data)
            {
                Log.Warn("funding-history", "funding history of " + instrument.VenueSymbol + " skipped: " + result.SkipReason, response.Body);
            }
        }
    }

    private async Task PollOpenInterestAsync(CancellationToken cancellationToken)
    {
        var sink = _marks.ForOpenInterest();
        using var timer = new PeriodicTimer(Options.OpenInterestInterval, Clock);
        do
        {
            foreach (var instrument in _instruments)
            {
                string path = "fapi/v1/openInterest?symbol=" + instrument.VenueSymbol;
                var response = await _rest!.GetAsync(path, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccess)
                {
                    Log.Warn("open-interest", $"open interest of {instrument.VenueSymbol} unavailable ({response.Error})", response.Body);
                    continue;
                }

                var result = Normalizer.NormalizeRest("/" + path, response.Body, response.ReceiveTime, sink);
                if (result.Outcome != NormalizeOutcome.Data)
                {
                    _restCounters.OnUnknownMessage();
                    Log.Warn("open-interest", "open interest response skipped: " + result.SkipReason, response.Body);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private void BuildConnections()
    {
        bool futures = Venue == VenueId.BinanceFutures;
        if (futures)
        {
            AddStreams("public", [BinanceChannel.BookTicker, BinanceChannel.Depth]);
            AddStreams("market", [BinanceChannel.AggTrade, BinanceChannel.MarkPrice, BinanceChannel.ForceOrder]);
        }
        else
        {
            AddStreams(string.Empty, [BinanceChannel.AggTrade, BinanceChannel.BookTicker, BinanceChannel.Depth]);
        }

        var all = new List<StreamCounters> { _restCounters };
        for (int i = 0; i < _handlers.Count; i++)
        {
            all.Add(_connections[i].Counters);
            for (int s = 0; s < _handlers[i].Count; s++)
            {
                all.Add(_handlers[i].Subscriptions.Counters(s));
            }
        }

        _streams = all;
    }

    private void AddStreams(string category, BinanceChannel[] channels)
    {
        BinanceStreamHandler? handler = null;
        int part = 0;
        foreach (var instrument in _instruments)
        {
            foreach (var channel in channels)
            {
                if (handler is null || handler.Count >= Options.MaxStreamsPerConnection)
                {
                    handler = NewConnection(category, part++);
                }

                var (suffix, silence, note) = channel switch
                {
                    BinanceChannel.AggTrade => ("aggTrade", Options.TradeMaxSilence, string.Empty),
                    BinanceChannel.BookTicker => ("bookTicker", Options.BookMaxSilence, string.Empty),
                    BinanceChannel.Depth => ("depth@100ms", Options.BookMaxSilence, string.Empty),
                    BinanceChannel.MarkPrice => ("markPrice@1s", Options.MarkPriceMaxSilence, string.Empty),
                    // A liquidation stream is legitimately silent for hours: never stale on its own
                    // (markPrice@1s on the same connection catches a silent path).
                    _ => ("forceOrder", TimeSpan.MaxValue, ForceOrderNote),
                };
                handler.Add(channel, instrument, BinanceSymbols.StreamName(instrument.VenueSymbol, suffix), silence, note);
            }
        }
    }

    private BinanceStreamHandler NewConnection(string category, int part)
    {
        string name = Venue.ToWireName() + (category.Length > 0 ? "/" + category : string.Empty) + (part > 0 ? "#" + (part + 1).ToString(CultureInfo.InvariantCulture) : string.Empty);
        var handler = new BinanceStreamHandler(this, name);
        var options = new WebSocketConnectionOptions
        {
            Name = name,
            Address = new Uri(WebSocketRoot + (category.Length > 0 ? "/" + category : string.Empty) + "/stream"),
            IdleTimeout = Options.IdleTimeout,
            MaxLifetime = Options.MaxConnectionLifetime,
            InitialBackoff = Options.InitialBackoff,
            MaximumBackoff = Options.MaximumBackoff,
        };
        _handlers.Add(handler);
        _connections.Add(new WebSocketConnection(Venue, options, handler, _context));
        return handler;
    }
}
