namespace Barometer.Core.Configuration;

/// <summary>
/// Addresses of one venue. Empty means the venue's official production address (each venue
/// folder documents its defaults); tests and `--simulate` point these at the emulator.
/// </summary>
public sealed record EndpointOptions
{
    /// <summary>WebSocket base address, e.g. wss://fstream.binance.com or ws://127.0.0.1:40123.</summary>
    public string WebSocketUrl { get; init; } = string.Empty;

    /// <summary>REST base address, e.g. https://fapi.binance.com.</summary>
    public string RestUrl { get; init; } = string.Empty;

    internal void Validate(string prefix, List<OptionsProblem> problems)
    {
        Check(prefix + ":WebSocketUrl", WebSocketUrl, ["ws", "wss"], problems);
        Check(prefix + ":RestUrl", RestUrl, ["http", "https"], problems);
    }

    private static void Check(string key, string value, string[] schemes, List<OptionsProblem> problems)
    {
        if (value.Length == 0)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || Array.IndexOf(schemes, uri.Scheme) < 0)
        {
            problems.Add(new(key, $"'{value}' is not an absolute {string.Join(" or ", schemes)} URL"));
        }
    }
}
