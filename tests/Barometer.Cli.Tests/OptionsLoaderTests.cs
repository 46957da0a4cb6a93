using System.Collections;
using Barometer.Cli.Configuration;
using Barometer.Core.Instruments;

namespace Barometer.Cli.Tests;

public sealed class OptionsLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-options-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Dictionary<string, string?> NoFlags() => new();

    private string WriteConfig(string json)
    {
        string path = Path.Combine(_directory, "appsettings.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Defaults_apply_when_nothing_is_given()
    {
        Assert.True(OptionsLoader.TryLoad(null, NoFlags(), new Hashtable(), out var options, out _));
        Assert.Equal(["BTC", "ETH", "SOL"], options.Instruments);
        Assert.Equal(6, options.Venues.Count);
        Assert.Equal(8080, options.Server.HttpPort);
        Assert.Equal(9001, options.Server.WebSocketPort);
        Assert.Equal("127.0.0.1", options.Server.BindAddress);
        Assert.Equal(500_000, options.Thresholds.WhaleTradeUsd);
    }

    [Fact]
    public void Environment_overrides_the_file_and_flags_override_the_environment()
    {
        string file = WriteConfig("""{ "Server": { "HttpPort": 8100, "WebSocketPort": 9100 }, "Instruments": ["BTC"] }""");
        var environment = new Hashtable { ["BAROMETER_SERVER__HTTPPORT"] = "8200" };
        var flags = new Dictionary<string, string?> { ["Server:WebSocketPort"] = "9300" };
        Assert.True(OptionsLoader.TryLoad(file, flags, environment, out var options, out string error), error);
        Assert.Equal(8200, options.Server.HttpPort);
        Assert.Equal(9300, options.Server.WebSocketPort);
        Assert.Equal(["BTC"], options.Instruments);
    }

    [Fact]
    public void A_list_given_as_a_comma_separated_string_replaces_the_default()
    {
        var environment = new Hashtable { ["BAROMETER_VENUES"] = "okx-swap, bybit-linear" };
        Assert.True(OptionsLoader.TryLoad(null, NoFlags(), environment, out var options, out string error), error);
        Assert.Equal([VenueId.OkxSwap, VenueId.BybitLinear], options.Venues);
    }

    [Fact]
    public void Nested_keys_not_given_keep_their_defaults()
    {
        string file = WriteConfig("""{ "Thresholds": { "WhaleTradeUsd": 750000 } }""");
        Assert.True(OptionsLoader.TryLoad(file, NoFlags(), new Hashtable(), out var options, out string error), error);
        Assert.Equal(750_000, options.Thresholds.WhaleTradeUsd);
        Assert.Equal(100_000, options.Thresholds.LargeTradeUsd);
        Assert.Equal(100, options.Thresholds.LiquidationBucketSizes["BTC"]);
    }

    [Theory]
    [InlineData("""{ "Server": { "HttpPort": "eighty" } }""", "Server:HttpPort: 'eighty' is not a valid whole number")]
    [InlineData("""{ "Server": { "HttpPort": 70000 } }""", "Server:HttpPort: 70000 is not a TCP port")]
    [InlineData("""{ "Sever": { "HttpPort": 80 } }""", "Sever: unknown key")]
    [InlineData("""{ "Venues": ["binance"] }""", "Venues:0: 'binance' is not a venue")]
    [InlineData("""{ "Thresholds": { "MegaTradeUsd": 1000 } }""", "Thresholds:MegaTradeUsd: 1000 must not be below WhaleTradeUsd")]
    [InlineData("""{ "Instruments": [] }""", "Instruments: must name at least one base asset")]
    [InlineData("""{ "Server": { "BindAddress": "0.0.0.0" } }""", "Server:ApiKey: binding a non-loopback address requires an API key")]
    public void An_invalid_value_is_one_error_naming_the_key(string json, string expected)
    {
        string file = WriteConfig(json);
        Assert.False(OptionsLoader.TryLoad(file, NoFlags(), new Hashtable(), out _, out string error));
        Assert.StartsWith("config: " + expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void A_missing_config_file_named_explicitly_is_an_error()
    {
        Assert.False(OptionsLoader.TryLoad(Path.Combine(_directory, "nope.json"), NoFlags(), new Hashtable(), out _, out string error));
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_is_an_error_not_a_crash()
    {
        string file = WriteConfig("{ \"Server\": ");
        Assert.False(OptionsLoader.TryLoad(file, NoFlags(), new Hashtable(), out _, out string error));
        Assert.Contains("not valid JSON", error, StringComparison.Ordinal);
    }
}
