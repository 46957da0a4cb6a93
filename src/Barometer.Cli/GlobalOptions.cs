using System.CommandLine;
using Barometer.Cli.Configuration;
using Barometer.Core.Configuration;

namespace Barometer.Cli;

/// <summary>
/// Flags every verb accepts. They override appsettings.json and BAROMETER_* variables.
/// </summary>
internal sealed class GlobalOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = "JSON configuration file (default ./appsettings.json when present)", Recursive = true };

    public Option<string?> DataDirectory { get; } = new("--data-dir") { Description = "Data directory (SQLite, logs, recordings)", Recursive = true };

    public Option<string?> Instruments { get; } = new("--instruments") { Description = "Base assets, comma-separated (default BTC,ETH,SOL)", Recursive = true };

    public Option<string?> Venues { get; } = new("--venues") { Description = "Venues, comma-separated (default all: binance-futures,binance-spot,bybit-linear,bybit-spot,okx-swap,okx-spot)", Recursive = true };

    public Option<string?> Bind { get; } = new("--bind") { Description = "Bind address for the servers (default 127.0.0.1)", Recursive = true };

    public Option<int?> HttpPort { get; } = new("--http-port") { Description = "HTTP API port (default 8080)", Recursive = true };

    public Option<int?> WebSocketPort { get; } = new("--ws-port") { Description = "Broadcast WebSocket port (default 9001)", Recursive = true };

    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key, required when binding a non-loopback address", Recursive = true };

    public void AddTo(RootCommand root)
    {
        root.Add(Config);
        root.Add(DataDirectory);
        root.Add(Instruments);
        root.Add(Venues);
        root.Add(Bind);
        root.Add(HttpPort);
        root.Add(WebSocketPort);
        root.Add(ApiKey);
    }

    /// <summary>Loads options; on failure writes one line to stderr and returns null (exit code 2).</summary>
    public BarometerOptions? Load(ParseResult parse, TextWriter error)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        void Put(string key, string? value)
        {
            if (value is not null)
            {
                flags[key] = value;
            }
        }

        Put("DataDirectory", parse.GetValue(DataDirectory));
        Put("Instruments", parse.GetValue(Instruments));
        Put("Venues", parse.GetValue(Venues));
        Put("Server:BindAddress", parse.GetValue(Bind));
        Put("Server:HttpPort", parse.GetValue(HttpPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Put("Server:WebSocketPort", parse.GetValue(WebSocketPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Put("Server:ApiKey", parse.GetValue(ApiKey));
        if (!OptionsLoader.TryLoad(parse.GetValue(Config), flags, Environment.GetEnvironmentVariables(), out var options, out string problem))
        {
            error.WriteLine("barometer: " + problem);
            return null;
        }

        return options;
    }
}
