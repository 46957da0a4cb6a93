using System.Text.Json;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Storage.Sqlite;
using Microsoft.AspNetCore.Http;

namespace Barometer.Server.Api;

/// <summary>The request handlers of every endpoint (docs/api.md). Each one validates its query strictly, then answers JSON.</summary>
internal sealed class ApiEndpoints
{
    /// <summary>At most this many data gaps are listed with a history response.</summary>
    public const int MaxGaps = 1_000;

    private const string Json = "application/json; charset=utf-8";

    private readonly ApiServerOptions _options;
    private readonly IMarketState _state;
    private readonly GuardsCache _guards;
    private readonly long[] _responses = new long[600];
    private readonly string _version;

    public ApiEndpoints(ApiServerOptions options, IMarketState state)
    {
        _options = options;
        _state = state;
        _guards = new GuardsCache(state, options.Clock, options.GuardsMaxAge);
        _version = typeof(ApiEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }

    private long Now => UnixMicros.Now(_options.Clock);

    /// <summary>Counts one response for /metrics.</summary>
    public void CountResponse(int status) => Interlocked.Increment(ref _responses[status is >= 100 and < 600 ? status : 0]);

    /// <summary>GET /api/engine/guards.</summary>
    public async Task Guards(HttpContext context)
    {
        _ = new QueryReader(context.Request.Query);
        var (entry, age) = _guards.Get();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 + (entry.Json?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("data_source", _options.DataSource);
            writer.WriteNumber("evaluated_at", entry.EvaluatedAtMicros);
            writer.WriteNumber("age_ms", Math.Round(age.TotalMilliseconds, 3));
            writer.WriteNumber("max_age_ms", _guards.MaxAge.TotalMilliseconds);
            writer.WritePropertyName("guards");
            if (entry.Json is { } json)
            {
                writer.WriteRawValue(json, skipInputValidation: true);
                writer.WriteNull("unavailable_reason");
            }
            else
            {
                writer.WriteNullValue();
                writer.WriteString("unavailable_reason", "guards are not evaluated yet");
            }

            writer.WriteEndObject();
        }

        await WriteAsync(context, buffer.WrittenMemory, Json).ConfigureAwait(false);
    }

    /// <summary>GET /api/config: what the web dashboard needs to connect (docs/web.md).</summary>
    public Task Config(HttpContext context)
    {
        _ = new QueryReader(context.Request.Query);
        var assets = new List<string>(_state.Assets.Count);
        foreach (string asset in _state.Assets)
        {
            assets.Add(asset.ToUpperInvariant());
        }

        return WriteJsonAsync(context, new ConfigResponse(_options.DataSource, _options.WebSocketPort, _options.WebSocketPath,
            _options.ApiKey.Length > 0, assets, _version));
    }

    /// <summary>GET /api/market/snapshot?instrument=.</summary>
    public Task Snapshot(HttpContext context)
    {
        var query = new QueryReader(context.Request.Query, "instrument");
        string? text = query.Text("instrument");
        var selection = text is null ? default : Resolve("instrument", text, venue: null);
        var snapshot = _state.LatestSnapshot
            ?? throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "no snapshot yet: the analytics engine has not produced one");
        if (selection.Asset is not null)
        {
            snapshot = SnapshotSlicer.Slice(snapshot, selection.Asset, selection.Instrument?.Key);
        }

        return WriteJsonAsync(context, new SnapshotResponse(_options.DataSource, selection.Instrument?.Key, selection.Asset, snapshot));
    }

    /// <summary>GET /api/market/oi_history?hours=24&amp;to=&amp;instrument=.</summary>
    public Task OpenInterestHistory(HttpContext context)
    {
        var query = new QueryReader(context.Request.Query, "hours", "to", "instrument");
        var (range, selection, history) = HoursRequest(query, 24);
        var page = history.OpenInterestHourly(range, Filter(selection, venue: null));
        return WriteHistoryAsync(context, history, range, selection, null, page.Rows, page.Truncated, null);
    }

    /// <summary>GET /api/market/funding_history?hours=24&amp;to=&amp;instrument=.</summary>
    public Task FundingHistory(HttpContext context)
    {
        var query = new QueryReader(context.Request.Query, "hours", "to", "instrument");
        var (range, selection, history) = HoursRequest(query, 24);
        var page = history.FundingHourly(range, Filter(selection, venue: null));
        return WriteHistoryAsync(context, history, range, selection, null, page.Rows, page.Truncated, null);
    }

    /// <summary>GET /api/market/liq_heatmap?hours=1&amp;to=&amp;instrument=&amp;price_bins=50&amp;time_bins=60.</summary>
    public Task LiquidationHeatmap(HttpContext context)
    {
        var query = new QueryReader(context.Request.Query, "hours", "to", "instrument", "price_bins", "time_bins");
        int priceBins = query.Integer("price_bins", 50, 1, SqliteHistory.MaxBins);
        int timeBins = query.Integer("time_bins", 60, 1, SqliteHistory.MaxBins);
        var (range, selection, history) = HoursRequest(query, 1);
        var maps = history.LiquidationHeatmaps(range, Filter(selection, venue: null), priceBins, timeBins);
        return WriteHistoryAsync(context, history, range, selection, null, maps, false, null);
    }

    /// <summary>GET /api/market/bars?instrument=&amp;venue=&amp;from=&amp;to=&amp;limit=.</summary>
    public Task Bars(HttpContext context)
    {
        var query = new QueryReader(context.Request.Query, "instrument", "venue", "from", "to", "limit");
        string text = query.Text("instrument") ?? throw ApiProblem.BadParameter("instrument", "is required (an asset such as BTC, an instrument key such as binance-futures:BTCUSDT, or a venue symbol with venue=)");
        string? venue = Venue(query);
        int limit = query.Integer("limit", 1_440, 1, SqliteHistory.MaxRows);
        long to = query.Time("to") ?? Now;
        long from = query.Time("from") ?? to - UnixMicros.PerHour;
        var selection = Resolve("instrument", text, venue);
        if (from >= to)
        {
            throw ApiProblem.BadParameter("from", $"{UnixMicros.ToIso(from)} is not before to ({UnixMicros.ToIso(to)})");
        }

        var history = History();
        var range = new TimeRange(from, to);
        var page = history.Bars(range, Filter(selection, venue), limit);
        return WriteHistoryAsync(context, history, range, selection, venue, page.Rows, page.Truncated, null);
    }

    /// <summary>GET /api/liquidations?since=&amp;instrument=&amp;limit=.</summary>
    public Task Liquidations(HttpContext context)
    {
        var query = new QueryReader(context.Request.Query, "since", "instrument", "limit");
        string? text = query.Text("instrument");
        var selection = text is null ? default : Resolve("instrument", text, venue: null);
        int limit = query.Integer("limit", 500, 1, 10_000);
        long to = Now + 1;
        long since = query.Time("since") ?? to - UnixMicros.PerHour;
        var history = History();
        if (since >= to)
        {
            return WriteJsonAsync(context, new HistoryResponse<LiquidationRow>(_options.DataSource, since, to, Describe(selection), null, [], false, null, [], false));
        }

        var range = new TimeRange(since, to);
        var page = history.Liquidations(range, Filter(selection, venue: null), limit);
        long? next = page.Truncated ? page.Rows[^1].ExchangeTime : null;
        return WriteHistoryAsync(context, history, range, selection, null, page.Rows, page.Truncated, next);
    }

    /// <summary>GET /api/health.</summary>
    public Task Health(HttpContext context)
    {
        _ = new QueryReader(context.Request.Query);
        var report = _state.Health();
        return WriteJsonAsync(context, new HealthResponse(_options.DataSource, report.Status, report.Time, report.Venues, report.Consumers, report.Clients, report.Storage));
    }

    /// <summary>GET /metrics (Prometheus text format).</summary>
    public Task Metrics(HttpContext context)
    {
        _ = new QueryReader(context.Request.Query);
        var requests = new List<(int, long)>();
        for (int code = 0; code < _responses.Length; code++)
        {
            long count = Interlocked.Read(ref _responses[code]);
            if (count > 0)
            {
                requests.Add((code, count));
            }
        }

        string text = PrometheusText.Write(_state.Health(), _state.LatestSnapshot, _options.DataSource, requests, _version);
        return WriteAsync(context, System.Text.Encoding.UTF8.GetBytes(text), PrometheusText.ContentType);
    }

    /// <summary>Any other path.</summary>
    public static Task NotFound(HttpContext context) =>
        throw new ApiProblem(StatusCodes.Status404NotFound, $"no endpoint {context.Request.Path} (see docs/api.md)");

    private (TimeRange Range, Selection Selection, SqliteHistory History) HoursRequest(QueryReader query, double defaultHours)
    {
        double hours = query.Hours("hours", defaultHours);
        long to = query.Time("to") ?? Now;
        string? text = query.Text("instrument");
        var selection = text is null ? default : Resolve("instrument", text, venue: null);
        var history = History();
        return (new TimeRange(to - (long)Math.Round(hours * UnixMicros.PerHour), to), selection, history);
    }

    private SqliteHistory History() => _state.History
        ?? throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "no history store: this process does not store data");

    private static string? Venue(QueryReader query)
    {
        string? text = query.Text("venue");
        if (text is null)
        {
            return null;
        }

        return VenueIds.TryParse(text, out var venue) ? venue.ToWireName()
            : throw ApiProblem.BadParameter("venue", $"'{text}' is not a venue (binance-futures, binance-spot, bybit-linear, bybit-spot, okx-swap, okx-spot)");
    }

    /// <summary>
    /// An instrument key (venue:SYMBOL), a base asset (BTC), or — with a venue — a venue symbol.
    /// 404 naming the parameter when none is known; 400 when a venue contradicts the key.
    /// </summary>
    private Selection Resolve(string parameter, string text, string? venue)
    {
        var instruments = _state.Instruments;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            var instrument = FindKey(instruments, text)
                ?? throw new ApiProblem(StatusCodes.Status404NotFound, $"{parameter}: no instrument '{text}' is known", parameter);
            if (venue is not null && instrument.Venue.ToWireName() != venue)
            {
                throw ApiProblem.BadParameter("venue", $"'{venue}' is not the venue of {instrument.Key}");
            }

            return new Selection(instrument.Base, instrument);
        }

        if (venue is not null && FindKey(instruments, venue + ":" + text) is { } bySymbol)
        {
            return new Selection(bySymbol.Base, bySymbol);
        }

        foreach (string asset in _state.Assets)
        {
            if (string.Equals(asset, text, StringComparison.OrdinalIgnoreCase))
            {
                return new Selection(asset.ToUpperInvariant(), null);
            }
        }

        foreach (var instrument in instruments)
        {
            if (string.Equals(instrument.Base, text, StringComparison.OrdinalIgnoreCase))
            {
                return new Selection(instrument.Base, null);
            }
        }

        throw new ApiProblem(StatusCodes.Status404NotFound, $"{parameter}: '{text}' is neither a known asset nor a known instrument key", parameter);
    }

    private static Instrument? FindKey(IReadOnlyList<Instrument> instruments, string key)
    {
        Instrument? caseless = null;
        foreach (var instrument in instruments)
        {
            if (string.Equals(instrument.Key, key, StringComparison.Ordinal))
            {
                return instrument;
            }

            if (caseless is null && string.Equals(instrument.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                caseless = instrument;
            }
        }

        return caseless;
    }

    private static SeriesFilter Filter(Selection selection, string? venue) => selection switch
    {
        { Instrument: { } i } => new SeriesFilter(Venue: i.Venue.ToWireName(), Symbol: i.VenueSymbol),
        { Asset: { } asset } => new SeriesFilter(Asset: asset, Venue: venue),
        _ => new SeriesFilter(Venue: venue),
    };

    private static string? Describe(Selection selection) => selection.Instrument?.Key ?? selection.Asset;

    private Task WriteHistoryAsync<T>(HttpContext context, SqliteHistory history, TimeRange range, Selection selection, string? venue,
        IReadOnlyList<T> rows, bool truncated, long? nextSince)
    {
        string? gapVenue = selection.Instrument?.Venue.ToWireName() ?? venue;
        var gaps = history.Gaps(range, gapVenue, MaxGaps);
        return WriteJsonAsync(context, new HistoryResponse<T>(_options.DataSource, range.From, range.To, Describe(selection), venue, rows, truncated,
            nextSince, gaps.Rows, gaps.Truncated));
    }

    private static Task WriteJsonAsync<T>(HttpContext context, T value) =>
        WriteAsync(context, JsonSerializer.SerializeToUtf8Bytes(value, SnapshotJson.Options), Json);

    private static async Task WriteAsync(HttpContext context, ReadOnlyMemory<byte> body, string contentType)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>What a request is about: an asset (Instrument null) or one instrument (and its asset); both null = everything.</summary>
    private readonly record struct Selection(string? Asset, Instrument? Instrument);
}
