using System.Globalization;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;
using Microsoft.Extensions.Logging;

namespace Barometer.Venues.Bybit;

/// <summary>
/// Live Bybit V5 public market data for bybit-linear (USDT perpetuals) or bybit-spot, to the
/// standard in ../CONNECTORS.md. At start: instruments-info validates the configured symbols (a
/// missing one is a <see cref="VenueConfigurationException"/> naming it) and gives tick sizes;
/// linear backfills funding history and open-interest history. Then one connection per up to
/// <see cref="BybitConnectorOptions.MaxTopicsPerConnection"/> topics on
/// <c>{ws}/v5/public/{linear|spot}</c>: <c>publicTrade</c>, <c>orderbook.{50}</c> (local book),
/// <c>orderbook.1</c> (best bid/ask), and on linear <c>allLiquidation</c> and <c>tickers</c>
/// (merged into funding and open-interest events). Client keepalive <c>{"op":"ping"}</c> every
/// 20 s; venue outages are retried for ever.
/// </summary>
public sealed class BybitConnector : IVenueConnector
{
    /// <summary>Health note of allLiquidation topics.</summary>
    public const string LiquidationNote = "complete: Bybit's allLiquidation pushes every liquidation, batched every 500 ms";

    private static readonly byte[] PingFrame = "{\"op\":\"ping\"}"u8.ToArray();

    private readonly VenueConnectorContext _context;
    private readonly ILogger _logger;
    private readonly List<BybitStreamHandler> _handlers = [];
    private readonly List<WebSocketConnection> _connections = [];
    private readonly StreamCounters _restCounters;
    private volatile IReadOnlyList<StreamCounters> _streams = [];
    private HttpClient? _http;
    private VenueRestClient? _rest;
    private List<Instrument> _instruments = [];

    /// <summary>Creates the connector of <paramref name="venue"/> (bybit-linear or bybit-spot).</summary>
    public BybitConnector(VenueId venue, VenueConnectorContext context, BybitConnectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (venue is not (VenueId.BybitLinear or VenueId.BybitSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "not a Bybit venue");
        }

        Options = options ?? new BybitConnectorOptions();
        var problems = Options.Validate();
        if (problems.Count > 0)
        {
            throw new VenueConfigurationException(venue.ToWireName() + ": " + string.Join("; ", problems));
        }

        Venue = venue;
        Category = BybitConnectorOptions.CategoryOf(venue);
        _context = context;
        _logger = context.LoggerFactory.CreateLogger("Barometer.Venues." + venue.ToWireName());
        Log = new RateLimitedLog(_logger, context.Clock);
        RestNormalizer = new BybitNormalizer(venue, context.Registry, registerUnknownSymbols: false);
        _restCounters = new StreamCounters("rest");
        _streams = [_restCounters];
        WebSocketRoot = HandlerSupport.Root(context.Endpoint.WebSocketUrl, BybitConnectorOptions.WebSocketDefault);
        RestRoot = HandlerSupport.Root(context.Endpoint.RestUrl, BybitConnectorOptions.RestDefault);
    }

    /// <inheritdoc />
    public VenueId Venue { get; }

    /// <summary>The V5 category: linear or spot.</summary>
    public string Category { get; }

    /// <summary>Settings.</summary>
    public BybitConnectorOptions Options { get; }

    /// <summary>WebSocket root in use (no trailing slash).</summary>
    public string WebSocketRoot { get; }

    /// <summary>REST root in use (no trailing slash).</summary>
    public string RestRoot { get; }

    /// <summary>Counters, live objects: "rest", then each connection followed by its topics.</summary>
    public IReadOnlyList<StreamCounters> Streams => _streams;

    /// <summary>REST requests sent so far.</summary>
    public long RestRequests => _rest?.Requests ?? 0;

    /// <summary>REST rate-limit answers so far (HTTP 403/429, or retCode 10006).</summary>
    public long RestRateLimited => _rest?.RateLimited ?? 0;

    /// <summary>The validated instruments (after start-up).</summary>
    public IReadOnlyList<Instrument> Instruments => _instruments;

    internal IReadOnlyList<WebSocketConnection> Connections => _connections;

    internal IEventSink Sink => _context.Sink;

    internal InstrumentRegistry Registry => _context.Registry;

    internal TimeProvider Clock => _context.Clock;

    internal RateLimitedLog Log { get; }

    private BybitNormalizer RestNormalizer { get; }

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _http = new HttpClient { BaseAddress = new Uri(RestRoot + "/"), Timeout = Timeout.InfiniteTimeSpan };
        _rest = new VenueRestClient(Venue, _http, _context)
        {
            InitialBackoff = Options.RestInitialBackoff,
            Counters = _restCounters,
            // Public endpoints hit the IP limit: HTTP 403 "access too frequent"; the per-UID limit is
            // HTTP 200 with retCode 10006 "Too many visits!" (../shared/venues/bybit.md, rate-limit page).
            RateLimitStatuses = new HashSet<int> { 429, 403 },
            IsRateLimitedBody = static body => BybitRest.TryParseError(body, out int code, out _) && code == 10006,
        };
        try
        {
            _instruments = await LoadInstrumentsAsync(cancellationToken).ConfigureAwait(false);
            if (Venue == VenueId.BybitLinear)
            {
                await BackfillAsync(cancellationToken).ConfigureAwait(false);
            }

            BuildConnections();
            var tasks = new List<Task>(_connections.Count);
            foreach (var connection in _connections)
            {
                tasks.Add(connection.RunAsync(cancellationToken));
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

    private async Task<List<Instrument>> LoadInstrumentsAsync(CancellationToken cancellationToken)
    {
        var infos = await StartupRest.RetryAsync<List<BybitInstrumentInfo>>("v5/market/instruments-info", FetchInstrumentsAsync, Venue, _restCounters,
            _context, _logger, Options.InitialBackoff, Options.MaximumBackoff, cancellationToken).ConfigureAwait(false);
        return Validate(infos);
    }

    /// <summary>All pages of instruments-info (linear has more than one page at 1000 per page only in theory; the cursor is followed).</summary>
    private async Task<(List<BybitInstrumentInfo>? Infos, string Failure)> FetchInstrumentsAsync(CancellationToken cancellationToken)
    {
        var all = new List<BybitInstrumentInfo>();
        string cursor = string.Empty;
        for (int page = 0; page < 20; page++)
        {
            string path = "v5/market/instruments-info?category=" + Category + "&limit=1000"
                + (cursor.Length > 0 ? "&cursor=" + Uri.EscapeDataString(cursor) : string.Empty);
            var response = await _rest!.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                return (null, response.Error);
            }

            if (BybitRest.TryParseError(response.Body, out int code, out string message))
            {
                return (null, $"retCode {code.ToString(CultureInfo.InvariantCulture)}: {message}");
            }

            if (!BybitRest.TryParseInstruments(response.Body, out var parsed))
            {
                return (null, "unparseable instruments-info response");
            }

            all.AddRange(parsed.Instruments);
            if (parsed.NextPageCursor.Length == 0 || parsed.NextPageCursor == cursor)
            {
                return (all, string.Empty);
            }

            cursor = parsed.NextPageCursor;
        }

        return (all, string.Empty);
    }

    private List<Instrument> Validate(List<BybitInstrumentInfo> infos)
    {
        var bySymbol = new Dictionary<string, BybitInstrumentInfo>(StringComparer.Ordinal);
        foreach (var info in infos)
        {
            bool perpetual = Venue == VenueId.BybitSpot || info.ContractType is "LinearPerpetual" or "";
            if (perpetual && info.Status is "Trading" or "")
            {
                bySymbol.TryAdd(info.Symbol, info);
            }
        }

        var missing = new List<string>();
        var wanted = new List<BybitInstrumentInfo>();
        foreach (string asset in _context.Assets)
        {
            foreach (string quote in Options.Quotes)
            {
                string symbol = asset.ToUpperInvariant() + quote.ToUpperInvariant();
                if (bySymbol.TryGetValue(symbol, out var info))
                {
                    wanted.Add(info);
                }
                else
                {
                    missing.Add(symbol);
                }
            }
        }

        if (missing.Count > 0)
        {
            string kind = Venue == VenueId.BybitLinear ? "perpetual" : "spot pair";
            throw new VenueConfigurationException(
                $"{Venue.ToWireName()}: configured {kind}{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} not listed (trading) in the venue's instruments-info " +
                "(check Assets and the venue's quotes)");
        }

        return [.. BybitRest.Register(_context.Registry, Venue, wanted)];
    }

    private async Task BackfillAsync(CancellationToken cancellationToken)
    {
        foreach (var instrument in _instruments)
        {
            if (Options.FundingHistoryLimit > 0)
            {
                await BackfillOneAsync("funding history", "v5/market/funding/history?category=linear&symbol=" + instrument.VenueSymbol
                    + "&limit=" + Options.FundingHistoryLimit.ToString(CultureInfo.InvariantCulture), instrument, cancellationToken).ConfigureAwait(false);
            }

            if (Options.OpenInterestHistoryLimit > 0)
            {
                await BackfillOneAsync("open-interest history", "v5/market/open-interest?category=linear&symbol=" + instrument.VenueSymbol
                    + "&intervalTime=" + Options.OpenInterestHistoryInterval + "&limit=" + Options.OpenInterestHistoryLimit.ToString(CultureInfo.InvariantCulture),
                    instrument, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task BackfillOneAsync(string what, string path, Instrument instrument, CancellationToken cancellationToken)
    {
        var response = await _rest!.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            _logger.LogWarning("{Venue}: {What} of {Symbol} unavailable ({Error}); continuing without it",
                Venue.ToWireName(), what, instrument.VenueSymbol, response.Error);
            return;
        }

        var result = RestNormalizer.NormalizeRest("/" + path, response.Body, response.ReceiveTime, _context.Sink);
        if (result.Outcome != NormalizeOutcome.Data)
        {
            _restCounters.OnUnknownMessage();
            Log.Warn(what, what + " of " + instrument.VenueSymbol + " skipped: " + result.SkipReason, response.Body);
        }
    }

    private void BuildConnections()
    {
        BybitStreamHandler? handler = null;
        int part = 0;
        bool linear = Venue == VenueId.BybitLinear;
        foreach (var instrument in _instruments)
        {
            string s = instrument.VenueSymbol;
            var topics = new List<(BybitChannel Channel, string Topic, TimeSpan Silence, string Note)>
            {
                (BybitChannel.Trade, "publicTrade." + s, Options.TradeMaxSilence, string.Empty),
                (BybitChannel.Book, "orderbook." + Options.BookDepth.ToString(CultureInfo.InvariantCulture) + "." + s, Options.BookMaxSilence, string.Empty),
                (BybitChannel.Top, "orderbook.1." + s, Options.TopMaxSilence, string.Empty),
            };
            if (linear)
            {
                topics.Add((BybitChannel.Ticker, "tickers." + s, Options.TickerMaxSilence, string.Empty));
                // Liquidations can be absent for hours: never stale on their own (tickers on the same connection catch a dead socket).
                topics.Add((BybitChannel.Liquidation, "allLiquidation." + s, TimeSpan.MaxValue, LiquidationNote));
            }

            foreach (var (channel, topic, silence, note) in topics)
            {
                if (handler is null || handler.Count >= Options.MaxTopicsPerConnection)
                {
                    handler = NewConnection(part++);
                }

                handler.Add(channel, instrument, topic, silence, note);
            }
        }

        var all = new List<StreamCounters> { _restCounters };
        for (int i = 0; i < _handlers.Count; i++)
        {
            all.Add(_connections[i].Counters);
            for (int t = 0; t < _handlers[i].Count; t++)
            {
                all.Add(_handlers[i].Subscriptions.Counters(t));
            }
        }

        _streams = all;
    }

    private BybitStreamHandler NewConnection(int part)
    {
        string name = Venue.ToWireName() + (part > 0 ? "#" + (part + 1).ToString(CultureInfo.InvariantCulture) : string.Empty);
        var handler = new BybitStreamHandler(this, name);
        var options = new WebSocketConnectionOptions
        {
            Name = name,
            Address = new Uri(WebSocketRoot + "/v5/public/" + Category),
            IdleTimeout = Options.IdleTimeout,
            InitialBackoff = Options.InitialBackoff,
            MaximumBackoff = Options.MaximumBackoff,
        };
        _handlers.Add(handler);
        _connections.Add(new WebSocketConnection(Venue, options, handler, _context)
        {
            ClientPing = PingFrame,
            ClientPingInterval = Options.PingInterval,
        });
        return handler;
    }
}
