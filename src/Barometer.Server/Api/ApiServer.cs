using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Barometer.Server.Api;

/// <summary>
/// The HTTP API of <c>barometer serve</c> (docs/api.md): Kestrel minimal APIs over an
/// <see cref="IMarketState"/>. Read-only (GET), JSON in the snapshot's conventions, errors as
/// application/problem+json. Binds loopback unless configured otherwise; a non-loopback bind
/// needs an API key, and with a key every request must present it. No CORS headers are sent.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    /// <summary>Largest request body accepted (the API takes none), bytes.</summary>
    public const int MaxRequestBodyBytes = 1_024;

    private readonly WebApplication _app;

    private ApiServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address, e.g. http://127.0.0.1:8080 (the real port when 0 was asked).</summary>
    public Uri Address { get; }

    /// <summary>The bound TCP port.</summary>
    public int Port => Address.Port;

    /// <summary>
    /// Starts listening. Throws <see cref="InvalidOperationException"/> (naming the setting)
    /// when the options are invalid — in particular a non-loopback bind without an API key.
    /// </summary>
    public static async Task<ApiServer> StartAsync(ApiServerOptions options, IMarketState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("HTTP API not started: " + string.Join("; ", problems));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Nothing from appsettings.json or ASPNETCORE_* reaches this host: its options are the whole configuration.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var bind = string.Equals(options.BindAddress, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(options.BindAddress);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeaderCount = 32;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 256;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            kestrel.Listen(bind, options.Port);
        });

        var app = builder.Build();
        var endpoints = new ApiEndpoints(options, state);
        var logger = options.LoggerFactory?.CreateLogger<ApiServer>() ?? (ILogger)NullLogger.Instance;
        byte[]? keyHash = options.ApiKey.Length > 0 ? SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey)) : null;
        var web = WebAssets.Load(options.WebRoot);
        app.Use((context, next) => Guard(context, next, endpoints, web, keyHash, logger));
        app.MapGet("/api/config", (RequestDelegate)endpoints.Config);
        app.MapGet("/api/engine/guards", (RequestDelegate)endpoints.Guards);
        app.MapGet("/api/market/snapshot", (RequestDelegate)endpoints.Snapshot);
        app.MapGet("/api/market/oi_history", (RequestDelegate)endpoints.OpenInterestHistory);
        app.MapGet("/api/market/funding_history", (RequestDelegate)endpoints.FundingHistory);
        app.MapGet("/api/market/liq_heatmap", (RequestDelegate)endpoints.LiquidationHeatmap);
        app.MapGet("/api/market/bars", (RequestDelegate)endpoints.Bars);
        app.MapGet("/api/liquidations", (RequestDelegate)endpoints.Liquidations);
        app.MapGet("/api/health", (RequestDelegate)endpoints.Health);
        app.MapGet("/metrics", (RequestDelegate)endpoints.Metrics);
        app.MapFallback("{**path}", (RequestDelegate)ApiEndpoints.NotFound);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiServer(app, new Uri(address));
    }

    /// <summary>Stops listening (in-flight requests get up to 5 s).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs before every endpoint: API key (not asked for the dashboard's static files, which hold
    /// no data), method, body size; serves the dashboard's files; turns failures into problem
    /// responses; counts responses.
    /// </summary>
    private static async Task Guard(HttpContext context, RequestDelegate next, ApiEndpoints endpoints, WebAssets web, byte[]? keyHash, ILogger logger)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        try
        {
            bool asset = web.Contains(context.Request.Path);
            if (keyHash is not null && !asset && !HasKey(context.Request, keyHash))
            {
                response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
                throw new ApiProblem(StatusCodes.Status401Unauthorized, "this server requires an API key: X-Api-Key header or api_key query parameter");
            }

            if (!HttpMethods.IsGet(context.Request.Method))
            {
                response.Headers.Allow = "GET";
                throw new ApiProblem(StatusCodes.Status405MethodNotAllowed, $"{context.Request.Method} is not allowed: the API is read-only (GET)");
            }

            if (context.Request.ContentLength > MaxRequestBodyBytes || (context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0))
            {
                throw new ApiProblem(StatusCodes.Status413PayloadTooLarge, $"request bodies are limited to {MaxRequestBodyBytes} bytes (the API takes none)");
            }

            if (asset)
            {
                await web.WriteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }
        catch (ApiProblem problem) when (!response.HasStarted)
        {
            await ApiProblem.WriteAsync(context, problem.Status, problem.Message, problem.Parameter).ConfigureAwait(false);
        }
        catch (SqliteException error) when (!response.HasStarted)
        {
            logger.LogError(error, "History query failed: {Path}", context.Request.Path.Value);
            await ApiProblem.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"the history store could not answer (SQLite error {error.SqliteErrorCode})", null).ConfigureAwait(false);
        }
        catch (Exception error) when (!response.HasStarted && error is not OperationCanceledException)
        {
            logger.LogError(error, "Request failed: {Path}", context.Request.Path.Value);
            await ApiProblem.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal error", null).ConfigureAwait(false);
        }
        finally
        {
            endpoints.CountResponse(response.StatusCode);
        }
    }

    /// <summary>Compares SHA-256 digests in constant time (equal lengths, so nothing about the key's length leaks either).</summary>
    private static bool HasKey(HttpRequest request, byte[] keyHash)
    {
        string? presented = request.Headers.TryGetValue("X-Api-Key", out var header) && header.Count == 1 ? header.ToString()
            : request.Query.TryGetValue("api_key", out var query) && query.Count == 1 ? query.ToString()
            : null;
        if (presented is null)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        return CryptographicOperations.FixedTimeEquals(digest, keyHash);
    }
}
