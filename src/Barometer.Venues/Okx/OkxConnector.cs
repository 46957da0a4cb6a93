using System.Globalization;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;
using Microsoft.Extensions.Logging;

namespace Barometer.Venues.Okx;

/// <summary>
/// Live OKX v5 public market data for okx-swap (USDT- and USDC-margined perpetual swaps) or
/// okx-spot, to the standard in ../CONNECTORS.md. At start: /api/v5/public/instruments validates
/// the configured instruments (a missing one is a <see cref="VenueConfigurationException"/>
/// naming it) and gives ctVal × ctMult (swap sizes are contracts) and tick sizes, read again
/// daily; swaps backfill funding-rate history and the current open interest. Then connections to
/// <c>{ws}/ws/v5/public</c>: trades, books (400 levels, seeded from REST /api/v5/market/books),
/// bbo-tbt, and for swaps funding-rate, mark-price, open-interest and liquidation-orders
/// (instType SWAP). Keepalive: the text "ping" after 25 s without a message; venue outages are
/// retried for ever.
/// </summary>
public sealed class OkxConnector : IVenueConnector
{
    /// <summary>Health note of the liquidation-orders stream.</summary>
    public const string LiquidationNote = "sampled: OKX pushes at most one liquidation per contract per second and says the feed is not the total; totals are lower bounds";

    private static readonly byte[] PingFrame = "ping"u8.ToArray();

    private readonly VenueConnectorContext _context;
    private readonly ILogger _logger;
    private readonly List<OkxStreamHandler> _handlers = [];
    private readonly List<WebSocketConnection> _connections = [];
    private readonly StreamCounters _restCounters;
    private volatile IReadOnlyList<StreamCounters> _streams = [];
    private HttpClient? _http;
    private VenueRestClient? _rest;
    private List<Instrument> _instruments = [];
    private OkxInstruments _metadata = OkxInstruments.Empty;

    /// <summary>Creates the connector of <paramref name="venue"/> (okx-swap or okx-spot).</summary>
    public OkxConnector(VenueId venue, VenueConnectorContext context, OkxConnectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (venue is not (VenueId.OkxSwap or VenueId.OkxSpot))
        {
            throw new ArgumentOutOfRangeException(nameof(venue), venue, "not an OKX venue");
        }

        Options = options ?? new OkxConnectorOptions();
        var problems = Options.Validate();
        if (problems.Count > 0)
        {
            throw new VenueConfigurationException(venue.ToWireName() + ": " + string.Join("; ", problems));
        }

        Venue = venue;
        InstType = venue == VenueId.OkxSwap ? "SWAP" : "SPOT";
        _context = context;
        _logger = context.LoggerFactory.CreateLogger("Barometer.Venues." + venue.ToWireName());
        Log = new RateLimitedLog(_logger, context.Clock);
        _restCounters = new StreamCounters("rest");
        _streams = [_restCounters];
        WebSocketRoot = HandlerSupport.Root(context.Endpoint.WebSocketUrl, OkxConnectorOptions.WebSocketDefault);
        RestRoot = HandlerSupport.Root(context.Endpoint.RestUrl, OkxConnectorOptions.RestDefault);
    }

    /// <inheritdoc />
    public VenueId Venue { get; }

    /// <summary>SWAP or SPOT.</summary>
    public string InstType { get; }

    /// <summary>Settings.</summary>
    public OkxConnectorOptions Options { get; }

    /// <summary>WebSocket root in use (no trailing slash).</summary>
    public string WebSocketRoot { get; }

    /// <summary>REST root in use (no trailing slash).</summary>
    public string RestRoot { get; }

    /// <summary>Counters, live objects: "rest", then each connection followed by its channels ("books:BTC-USDT-SWAP").</summary>
    public IReadOnlyList<StreamCounters> Streams => _streams;

    /// <summary>REST requests sent so far.</summary>
    public long RestRequests => _rest?.Requests ?? 0;

    /// <summary>REST rate-limit answers so far (HTTP 429).</summary>
    public long RestRateLimited => _rest?.RateLimited ?? 0;

    /// <summary>The validated instruments (after start-up), with ContractMultiplier = ctVal × ctMult for swaps.</summary>
    public IReadOnlyList<Instrument> Instruments => _instruments;

    internal IReadOnlyList<WebSocketConnection> Connections => _connections;

    internal IEventSink Sink => _context.Sink;

    internal TimeProvider Clock => _context.Clock;

    internal RateLimitedLog Log { get; }

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _http = new HttpClient { BaseAddress = new Uri(RestRoot + "/"), Timeout = Timeout.InfiniteTimeSpan };
        _rest = new VenueRestClient(Venue, _http, _context) { InitialBackoff = Options.RestInitialBackoff, Counters = _restCounters };
        try
        {
            var infos = await LoadInstrumentsAsync(cancellationToken).ConfigureAwait(false);
            _instruments = Validate(infos);
            if (Venue == VenueId.OkxSwap)
            {
                await BackfillAsync(cancellationToken).ConfigureAwait(false);
            }

            BuildConnections();
            var tasks = new List<Task>(_connections.Count + 1);
            foreach (var connection in _connections)
            {
                tasks.Add(connection.RunAsync(cancellationToken));
            }

            tasks.Add(RefreshInstrumentsAsync(cancellationToken));
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

    /// <summary>GET /api/v5/market/books?instId=…&amp;sz=… (the REST seed with seqId; 40 requests / 2 s per IP).</summary>
    internal Task<RestResponse> FetchBooksAsync(string instId, CancellationToken cancellationToken) =>
        _rest!.GetAsync("api/v5/market/books?instId=" + instId + "&sz=" + Options.SeedDepth.ToString(CultureInfo.InvariantCulture), cancellationToken);

    private Task<List<OkxInstrumentInfo>> LoadInstrumentsAsync(CancellationToken cancellationToken)
    {
        string path = "api/v5/public/instruments?instType=" + InstType;
        return StartupRest.RetryAsync<List<OkxInstrumentInfo>>(path, async cancel =>
        {
            var response = await _rest!.GetAsync(path, cancel).ConfigureAwait(false);
            return response.IsSuccess && OkxRest.TryParseInstruments(response.Body, out var infos) ? (infos, string.Empty)
                : (null, response.IsSuccess ? "unparseable instruments response" : response.Error);
        }, Venue, _restCounters, _context, _logger, Options.InitialBackoff, Options.MaximumBackoff, cancellationToken);
    }

    private List<Instrument> Validate(List<OkxInstrumentInfo> infos)
    {
        _metadata = new OkxInstruments(infos);
        var missing = new List<string>();
        var unusable = new List<string>();
        var result = new List<Instrument>();
        foreach (string asset in _context.Assets)
        {
            foreach (string quote in Venue == VenueId.OkxSwap ? Options.SwapQuotes : Options.SpotQuotes)
            {
                string instId = asset.ToUpperInvariant() + "-" + quote.ToUpperInvariant() + (Venue == VenueId.OkxSwap ? "-SWAP" : string.Empty);
                if (!_metadata.TryGet(instId, out var info) || info.State is not ("live" or ""))
                {
                    missing.Add(instId);
                }
                else if (!OkxInstruments.TryRegister(_context.Registry, Venue, info, out var instrument))
                {
                    unusable.Add($"{instId} (ctVal {info.CtVal.ToString(CultureInfo.InvariantCulture)} {info.CtValCcy}, ctMult {info.CtMult.ToString(CultureInfo.InvariantCulture)}, {info.CtType})");
                }
                else
                {
                    result.Add(instrument);
                }
            }
        }

        if (missing.Count > 0 || unusable.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0)
            {
                parts.Add($"configured instrument{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} not listed (live) in the venue's /api/v5/public/instruments");
            }

            if (unusable.Count > 0)
            {
                parts.Add("no base-currency contract value for " + string.Join(", ", unusable));
            }

            throw new VenueConfigurationException($"{Venue.ToWireName()}: {string.Join("; ", parts)} (check Assets and the venue's quotes)");
        }

        return result;
    }

    /// <summary>
    /// ctVal/ctMult are read again every <see cref="OkxConnectorOptions.InstrumentsRefreshInterval"/>.
    /// Instruments are immutable once registered (events already published keep their meaning), so a
    /// changed contract value of a followed swap is reported loudly — status and error log — and
    /// needs a restart to take effect; an instrument that stopped trading is reported the same way.
    /// </summary>
    private async Task RefreshInstrumentsAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.InstrumentsRefreshInterval, Clock);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var response = await _rest!.GetAsync("api/v5/public/instruments?instType=" + InstType, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess || !OkxRest.TryParseInstruments(response.Body, out var infos))
            {
                Log.Warn("instruments-refresh", "daily instruments refresh failed (" + (response.IsSuccess ? "unparseable" : response.Error) + "); keeping the known contract values", response.Body);
                continue;
            }

            var fresh = new OkxInstruments(infos);
            foreach (var instrument in _instruments)
            {
                string? problem = null;
                if (!fresh.TryGet(instrument.VenueSymbol, out var info) || info.State is not ("live" or ""))
                {
                    problem = $"{instrument.VenueSymbol} is no longer listed as live";
                }
                else if (Venue == VenueId.OkxSwap && !(Math.Abs(info.BasePerUnit - instrument.ContractMultiplier) <= 1e-12 * instrument.ContractMultiplier))
                {
                    problem = $"{instrument.VenueSymbol} contract value changed from {instrument.ContractMultiplier.ToString(CultureInfo.InvariantCulture)} to " +
                        $"{info.BasePerUnit.ToString(CultureInfo.InvariantCulture)} {info.CtValCcy} per contract; restart the connector to apply it";
                }

                if (problem is not null)
                {
                    _logger.LogError("{Venue}: {Problem}", Venue.ToWireName(), problem);
                    _context.Sink.Publish(MarketEvent.From(new ConnectionStatus(Venue, instrument, "rest", UnixMicros.Now(Clock), ConnectionState.Stale, problem)));
                }
            }
        }
    }

    private async Task BackfillAsync(CancellationToken cancellationToken)
    {
        var normalizer = new OkxNormalizer(Venue, _context.Registry, _metadata, registerUnknownSymbols: false);
        foreach (var instrument in _instruments)
        {
            if (Options.FundingHistoryLimit > 0)
            {
                await BackfillOneAsync(normalizer, "funding history", "api/v5/public/funding-rate-history?instId=" + instrument.VenueSymbol
                    + "&limit=" + Options.FundingHistoryLimit.ToString(CultureInfo.InvariantCulture), instrument, cancellationToken).ConfigureAwait(false);
            }

            await BackfillOneAsync(normalizer, "open interest", "api/v5/public/open-interest?instType=SWAP&instId=" + instrument.VenueSymbol,
                instrument, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task BackfillOneAsync(OkxNormalizer normalizer, string what, string path, Instrument instrument, CancellationToken cancellationToken)
    {
        var response = await _rest!.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            _logger.LogWarning("{Venue}: {What} of {Symbol} unavailable ({Error}); continuing without it",
                Venue.ToWireName(), what, instrument.VenueSymbol, response.Error);
            return;
        }

        var result = normalizer.NormalizeRest("/" + path, response.Body, response.ReceiveTime, _context.Sink);
        if (result.Outcome != NormalizeOutcome.Data)
        {
            _restCounters.OnUnknownMessage();
            Log.Warn(what, what + " of " + instrument.VenueSymbol + " skipped: " + result.SkipReason, response.Body);
        }
    }

    private void BuildConnections()
    {
        OkxStreamHandler? handler = null;
        int part = 0;
        bool swap = Venue == VenueId.OkxSwap;
        foreach (var instrument in _instruments)
        {
            var channels = new List<(string Channel, TimeSpan Silence)>
            {
                ("trades", Options.TradeMaxSilence),
                ("books", Options.BookMaxSilence),
                ("bbo-tbt", Options.BookMaxSilence),
            };
            if (swap)
            {
                channels.Add(("funding-rate", Options.FundingMaxSilence));
                channels.Add(("mark-price", Options.MarkPriceMaxSilence));
                channels.Add(("open-interest", Options.OpenInterestMaxSilence));
            }

            // All channels of an instrument share a connection: its normalizer joins mark and funding.
            if (handler is null || handler.Count + channels.Count > Options.MaxChannelsPerConnection)
            {
                handler = NewConnection(part++);
                if (swap && part == 1)
                {
                    // Liquidations are subscribed by instrument type; legitimately silent for long stretches.
                    handler.Add("liquidation-orders", "instType", "SWAP", null, TimeSpan.MaxValue, LiquidationNote);
                }
            }

            foreach (var (channel, silence) in channels)
            {
                handler.Add(channel, "instId", instrument.VenueSymbol, instrument, silence);
            }
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

    private OkxStreamHandler NewConnection(int part)
    {
        string name = Venue.ToWireName() + (part > 0 ? "#" + (part + 1).ToString(CultureInfo.InvariantCulture) : string.Empty);
        var normalizer = new OkxNormalizer(Venue, _context.Registry, _metadata, registerUnknownSymbols: false);
        var handler = new OkxStreamHandler(this, name, normalizer);
        var options = new WebSocketConnectionOptions
        {
            Name = name,
            Address = new Uri(WebSocketRoot + "/ws/v5/public"),
            IdleTimeout = Options.IdleTimeout,
            InitialBackoff = Options.InitialBackoff,
            MaximumBackoff = Options.MaximumBackoff,
        };
        _handlers.Add(handler);
        _connections.Add(new WebSocketConnection(Venue, options, handler, _context)
        {
            ClientPing = PingFrame,
            ClientPingInterval = Options.PingWhenIdle,
            PingOnlyWhenIdle = true,
        });
        return handler;
    }
}
