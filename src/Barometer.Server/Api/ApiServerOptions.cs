using System.Net;
using Barometer.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace Barometer.Server.Api;

/// <summary>
/// Settings of the HTTP API (<see cref="ApiServer"/>). Loopback by default; any other address
/// requires <see cref="ApiKey"/> (the server refuses to start without one).
/// </summary>
public sealed record ApiServerOptions
{
    /// <summary>Shortest API key accepted (the same rule as <c>Server:ApiKey</c>).</summary>
    public const int MinimumApiKeyLength = 16;

    /// <summary>Address to bind: an IP address or "localhost". Default 127.0.0.1.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 = an ephemeral port (see <see cref="ApiServer.Port"/>). Default 8080.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>
    /// When not empty every request must carry it (<c>X-Api-Key</c> header or <c>api_key</c>
    /// query parameter). Required, at least <see cref="MinimumApiKeyLength"/> characters, when
    /// <see cref="BindAddress"/> is not loopback.
    /// </summary>
    public string ApiKey { get; init; } = string.Empty;

    /// <summary>Where the data comes from, echoed in responses: "live", "simulated" or "replayed".</summary>
    public string DataSource { get; init; } = "live";

    /// <summary>
    /// The clock of "now" (default ends of history ranges) and of the guards cache. The serve
    /// pipeline passes the simulation's clock when it runs a simulation.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Oldest guards evaluation the guards endpoint serves. Above 0 and at most 5 s; default 5 s.</summary>
    public TimeSpan GuardsMaxAge { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Directory of the built web dashboard served at <c>/</c> (docs/web.md); default the
    /// <c>wwwroot</c> folder beside the assemblies. Null, empty or missing: no dashboard.
    /// </summary>
    public string? WebRoot { get; init; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>Port of the broadcast WebSocket that GET /api/config tells the page; null when none runs.</summary>
    public int? WebSocketPort { get; init; }

    /// <summary>Path of the broadcast WebSocket that GET /api/config tells the page.</summary>
    public string WebSocketPath { get; init; } = "/ws";

    /// <summary>Logs of the server (errors answered with 500); null for none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>True when <see cref="BindAddress"/> is a loopback address or "localhost".</summary>
    public bool IsLoopback => string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(BindAddress, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The API part of the process configuration (<c>Server:BindAddress</c>, <c>Server:HttpPort</c>, <c>Server:ApiKey</c>).</summary>
    public static ApiServerOptions From(ServerOptions server, string dataSource)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new ApiServerOptions { BindAddress = server.BindAddress, Port = server.HttpPort, ApiKey = server.ApiKey, DataSource = dataSource };
    }

    /// <summary>The problems that stop the server from starting (empty when none), each naming its setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(BindAddress, out _))
        {
            problems.Add($"BindAddress: '{BindAddress}' is not an IP address");
        }
        else if (!IsLoopback && ApiKey.Length < MinimumApiKeyLength)
        {
            problems.Add($"ApiKey: binding the non-loopback address {BindAddress} requires an API key of at least {MinimumApiKeyLength} characters");
        }

        if (ApiKey.Length > 0 && ApiKey.Length < MinimumApiKeyLength)
        {
            problems.Add($"ApiKey: must be at least {MinimumApiKeyLength} characters");
        }

        if (Port is < 0 or > 65535)
        {
            problems.Add($"Port: {Port} is not a TCP port (0-65535)");
        }

        if (string.IsNullOrWhiteSpace(DataSource))
        {
            problems.Add("DataSource: must not be empty");
        }

        if (GuardsMaxAge <= TimeSpan.Zero || GuardsMaxAge > TimeSpan.FromSeconds(5))
        {
            problems.Add($"GuardsMaxAge: {GuardsMaxAge} must be above 0 and at most 5 s");
        }

        if (WebSocketPort is < 0 or > 65535)
        {
            problems.Add($"WebSocketPort: {WebSocketPort} is not a TCP port (0-65535)");
        }

        if (!WebSocketPath.StartsWith('/'))
        {
            problems.Add($"WebSocketPath: '{WebSocketPath}' must start with /");
        }

        ArgumentNullException.ThrowIfNull(Clock);
        return problems;
    }
}
