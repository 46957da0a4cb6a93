using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Barometer.Server.Broadcast;

/// <summary>
/// The broadcast WebSocket of <c>barometer serve</c> (default ws://127.0.0.1:9001): a Kestrel host
/// that accepts WebSocket upgrades on <c>/</c> and <c>/ws</c> and hands each connection to a
/// <see cref="BroadcastHub"/>. Refuses to start on a non-loopback address without an API key;
/// with a key, a request without it (<c>?api_key=</c> or header <c>X-Api-Key</c>, compared in
/// constant time) gets 401 before the upgrade. WebSocket Pings every
/// <see cref="BroadcastOptions.KeepAliveInterval"/>; a client that does not answer within
/// <see cref="BroadcastOptions.KeepAliveTimeout"/> is dropped. Protocol: docs/schema/websocket.md.
/// </summary>
public sealed class BroadcastServer : IAsyncDisposable
{
    /// <summary>Header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>Query parameter that carries the API key.</summary>
    public const string ApiKeyQuery = "api_key";

    private readonly WebApplication _app;
    private readonly ITimer _pingTimer;
    private readonly ILogger _logger;
    private int _stopped;

    private BroadcastServer(BroadcastHub hub, WebApplication app, int port, ILogger logger)
    {
        Hub = hub;
        _app = app;
        Port = port;
        _logger = logger;
        string host = hub.Options.BindAddress.Contains(':', StringComparison.Ordinal) ? $"[{hub.Options.BindAddress}]" : hub.Options.BindAddress;
        Address = new Uri($"ws://{host}:{port}/");
        var interval = hub.Options.KeepAliveInterval;
        _pingTimer = hub.Time.CreateTimer(static s =>
        {
            var h = (BroadcastHub)s!;
            h.Broadcast(WireMessages.Ping(h.Options.DataSource, h.NowMicros()));
        }, hub, interval, interval);
    }

    /// <summary>The hub this server feeds.</summary>
    public BroadcastHub Hub { get; }

    /// <summary>The bound TCP port (the real one when the options asked for 0).</summary>
    public int Port { get; }

    /// <summary>ws://address:port/ as bound.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Binds and starts. Throws <see cref="InvalidOperationException"/> naming the setting when the
    /// options are invalid — in particular a non-loopback address without an API key of at least
    /// <see cref="BroadcastOptions.MinApiKeyLength"/> characters.
    /// </summary>
    public static async Task<BroadcastServer> StartAsync(BroadcastHub hub, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var options = hub.Options;
        options.ThrowIfInvalid();
        var logger = (ILogger?)loggerFactory?.CreateLogger<BroadcastServer>() ?? NullLogger.Instance;
        byte[]? keyHash = options.ApiKey.Length > 0 ? SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey)) : null;
        var address = IPAddress.TryParse(options.BindAddress, out var ip) ? ip : IPAddress.Loopback;

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxClientMessageBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Listen(address, options.Port);
        });
        builder.Services.AddLogging();
        var app = builder.Build();

        // The WebSocket is created over a batching stream (see BatchingStream): the upgrade
        // feature is wrapped before the WebSocket middleware takes it.
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Features.Set<IHttpUpgradeFeature>(new BatchingUpgradeFeature(upgrade));
            }

            return next(context);
        });
        var webSocketOptions = new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval, KeepAliveTimeout = options.KeepAliveTimeout };
        foreach (string origin in options.AllowedOrigins)
        {
            webSocketOptions.AllowedOrigins.Add(origin);
        }

        app.UseWebSockets(webSocketOptions);
        app.Run(context => HandleAsync(context, hub, keyHash, logger));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(bound).Port;
        var server = new BroadcastServer(hub, app, port, logger);
        logger.LogInformation("Broadcast WebSocket listening on {Address} ({DataSource})", server.Address, options.DataSource.ToWireName());
        return server;
    }

    /// <summary>Closes every client with 1001 (going away), waits for the close handshakes (bounded), then stops listening.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _pingTimer.DisposeAsync().ConfigureAwait(false);
        Hub.CloseAll(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Hub.Options.CloseTimeout * 3);
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Broadcast WebSocket: some clients did not close in time");
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static async Task HandleAsync(HttpContext context, BroadcastHub hub, byte[]? keyHash, ILogger logger)
    {
        string path = context.Request.Path.Value ?? "/";
        if (path is not ("/" or "/ws"))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "websocket";
            await context.Response.WriteAsync("this endpoint speaks WebSocket (docs/schema/websocket.md)\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        string remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        if (keyHash is not null && !KeyMatches(context.Request, keyHash))
        {
            logger.LogDebug("Broadcast WebSocket: 401 for {Remote} (missing or wrong API key)", remote);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("missing or wrong API key (?api_key= or X-Api-Key)\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (hub.ClientCount >= hub.Options.MaxClients)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"at most {hub.Options.MaxClients} clients\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = hub.Options.KeepAliveInterval,
            KeepAliveTimeout = hub.Options.KeepAliveTimeout,
            DangerousEnableCompression = false,
        }).ConfigureAwait(false);
        if ((context.Features.Get<IHttpUpgradeFeature>() as BatchingUpgradeFeature)?.Stream is not { } stream)
        {
            // Not upgraded through our feature (e.g. an HTTP/2 WebSocket): not served.
            await socket.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, "unsupported transport", CancellationToken.None).ConfigureAwait(false);
            socket.Dispose();
            return;
        }

        var cause = await hub.RunClientAsync(socket, stream, remote).ConfigureAwait(false);
        if (cause == CloseCause.ReliableOverflow)
        {
            logger.LogWarning("Broadcast WebSocket: disconnected {Remote}: its reliable queue ({Capacity}) overflowed", remote, hub.Options.ReliableQueueCapacity);
        }

        socket.Dispose();
    }

    /// <summary>Constant-time comparison of SHA-256 digests (equal length whatever was presented).</summary>
    private static bool KeyMatches(HttpRequest request, byte[] expectedHash)
    {
        string? presented = request.Headers.TryGetValue(ApiKeyHeader, out var header) && header.Count > 0 ? header[0]
            : request.Query.TryGetValue(ApiKeyQuery, out var query) && query.Count > 0 ? query[0] : null;
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, expectedHash);
    }
}
