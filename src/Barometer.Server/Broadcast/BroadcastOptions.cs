using System.Net;
using Barometer.Core.Configuration;

namespace Barometer.Server.Broadcast;

/// <summary>Where the data on the wire comes from; every broadcast payload says it (<c>data_source</c>).</summary>
public enum DataSource : byte
{
    /// <summary>Live venue connections.</summary>
    Live = 0,

    /// <summary>The market simulator and venue emulators (<c>--simulate</c>).</summary>
    Simulated = 1,

    /// <summary>A recording or normalized-event file played back.</summary>
    Replay = 2,
}

/// <summary>Helpers for <see cref="DataSource"/>.</summary>
public static class DataSources
{
    /// <summary>Wire name: live, simulated, replay.</summary>
    public static string ToWireName(this DataSource source) => source switch
    {
        DataSource.Simulated => "simulated",
        DataSource.Replay => "replay",
        _ => "live",
    };
}

/// <summary>
/// Settings of the broadcast WebSocket (<see cref="BroadcastServer"/>) and its fan-out
/// (<see cref="BroadcastHub"/>). <see cref="FromServer"/> takes the address, port and key from the
/// <c>Server</c> configuration section; the rest are the documented defaults
/// (docs/schema/websocket.md).
/// </summary>
public sealed record BroadcastOptions
{
    /// <summary>Default broadcast port.</summary>
    public const int DefaultPort = 9001;

    /// <summary>Shortest API key accepted when binding a non-loopback address (as <see cref="ServerOptions"/> validates).</summary>
    public const int MinApiKeyLength = 16;

    /// <summary>Address to bind. Default 127.0.0.1; anything that is not loopback requires <see cref="ApiKey"/>.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (see <see cref="BroadcastServer.Port"/>). Default 9001.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// API key clients must present (<c>?api_key=</c> or header <c>X-Api-Key</c>). Required when
    /// <see cref="BindAddress"/> is not loopback; when set it is enforced on loopback too. Empty by default.
    /// </summary>
    public string ApiKey { get; init; } = string.Empty;

    /// <summary>Label written into every payload. Default live.</summary>
    public DataSource DataSource { get; init; } = DataSource.Live;

    /// <summary>
    /// Ordinary events (trades, book tops and updates, funding, open interest) queued per client;
    /// when full, the oldest is skipped and the client is told with a <c>lag</c> message. Default 10,000.
    /// </summary>
    public int ClientQueueCapacity { get; init; } = 10_000;

    /// <summary>
    /// Reliable events (liquidations, alerts, connection status, data gaps) queued per client; they
    /// are never skipped, and a client that falls this far behind is disconnected (close 1008).
    /// Default 100,000.
    /// </summary>
    public int ReliableQueueCapacity { get; init; } = 100_000;

    /// <summary>WebSocket Ping interval (and of the <c>ping</c> message). Default 30 s.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A client that does not answer a Ping with a Pong within this time is dropped. Default 30 s.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest client message (a subscribe); a longer one closes the connection with 1009. Default 64 KiB.</summary>
    public int MaxClientMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Connections held at most; further upgrades get 503. Default 10,000.</summary>
    public int MaxClients { get; init; } = 10_000;

    /// <summary>How long a closing client gets to complete the close handshake before it is aborted. Default 2 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Browser origins allowed to connect (exact <c>Origin</c> header values). Empty (default): the
    /// Origin header is not checked; non-browser clients send none.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>True when <see cref="BindAddress"/> is a loopback address (or "localhost").</summary>
    public bool IsLoopback => IPAddress.TryParse(BindAddress, out var address) ? IPAddress.IsLoopback(address)
        : string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The broadcast settings of a <c>Server</c> configuration section.</summary>
    public static BroadcastOptions FromServer(ServerOptions server, DataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new BroadcastOptions
        {
            BindAddress = server.BindAddress,
            Port = server.WebSocketPort,
            ApiKey = server.ApiKey,
            DataSource = dataSource,
        };
    }

    /// <summary>Problems with these settings, one line each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!IPAddress.TryParse(BindAddress, out _) && !string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"BindAddress: '{BindAddress}' is not an IP address");
        }

        if (Port is < 0 or > 65535)
        {
            problems.Add($"Port: {Port} is not a TCP port (0-65535)");
        }

        if (!IsLoopback && ApiKey.Length < MinApiKeyLength)
        {
            problems.Add($"ApiKey: binding {BindAddress} (not loopback) requires an API key of at least {MinApiKeyLength} characters (--api-key)");
        }

        if (ClientQueueCapacity is < 1 or > 1 << 24)
        {
            problems.Add($"ClientQueueCapacity: {ClientQueueCapacity} is not between 1 and 16,777,216");
        }

        if (ReliableQueueCapacity is < 1 or > 1 << 24)
        {
            problems.Add($"ReliableQueueCapacity: {ReliableQueueCapacity} is not between 1 and 16,777,216");
        }

        if (KeepAliveInterval <= TimeSpan.Zero)
        {
            problems.Add($"KeepAliveInterval: {KeepAliveInterval} must be positive");
        }

        if (KeepAliveTimeout <= TimeSpan.Zero)
        {
            problems.Add($"KeepAliveTimeout: {KeepAliveTimeout} must be positive");
        }

        if (MaxClientMessageBytes is < 1024 or > 16 << 20)
        {
            problems.Add($"MaxClientMessageBytes: {MaxClientMessageBytes} is not between 1,024 and 16,777,216");
        }

        if (MaxClients < 1)
        {
            problems.Add($"MaxClients: {MaxClients} must be at least 1");
        }

        if (CloseTimeout <= TimeSpan.Zero)
        {
            problems.Add($"CloseTimeout: {CloseTimeout} must be positive");
        }

        return problems;
    }

    internal void ThrowIfInvalid()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("broadcast WebSocket: " + string.Join("; ", problems));
        }
    }
}
