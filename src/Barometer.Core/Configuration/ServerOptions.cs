using System.Net;

namespace Barometer.Core.Configuration;

/// <summary>The HTTP API and broadcast WebSocket servers.</summary>
public sealed record ServerOptions
{
    /// <summary>Address both servers bind to. Default 127.0.0.1 (loopback only).</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>HTTP API and web dashboard port. Default 8080.</summary>
    public int HttpPort { get; init; } = 8080;

    /// <summary>Broadcast WebSocket port. Default 9001.</summary>
    public int WebSocketPort { get; init; } = 9001;

    /// <summary>
    /// API key required on HTTP and WebSocket when binding anything other than loopback.
    /// Empty by default.
    /// </summary>
    public string ApiKey { get; init; } = string.Empty;

    /// <summary>True when <see cref="BindAddress"/> is a loopback address.</summary>
    public bool IsLoopback => IPAddress.TryParse(BindAddress, out var address) ? IPAddress.IsLoopback(address)
        : string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase);

    internal void Validate(string prefix, List<OptionsProblem> problems)
    {
        if (!IPAddress.TryParse(BindAddress, out _) && !string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new(prefix + ":BindAddress", $"'{BindAddress}' is not an IP address"));
        }

        Port(prefix + ":HttpPort", HttpPort, problems);
        Port(prefix + ":WebSocketPort", WebSocketPort, problems);
        if (HttpPort == WebSocketPort && HttpPort != 0)
        {
            problems.Add(new(prefix + ":WebSocketPort", $"{WebSocketPort} is the same as HttpPort"));
        }

        if (!IsLoopback && ApiKey.Length < 16)
        {
            problems.Add(new(prefix + ":ApiKey", "binding a non-loopback address requires an API key of at least 16 characters (--api-key)"));
        }
    }

    private static void Port(string key, int port, List<OptionsProblem> problems)
    {
        if (port is < 0 or > 65535)
        {
            problems.Add(new(key, $"{port} is not a TCP port (0-65535)"));
        }
    }
}
