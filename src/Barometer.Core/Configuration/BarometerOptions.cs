using Barometer.Core.Instruments;

namespace Barometer.Core.Configuration;

/// <summary>
/// The whole configuration of a Barometer process, bound once by the host (appsettings.json, then
/// BAROMETER_* environment variables, then command-line flags) and validated before anything
/// starts. Nothing below the host reads configuration sources directly. Keys are the property
/// paths, e.g. "Server:HttpPort" (environment: BAROMETER_SERVER__HTTPPORT).
/// </summary>
public sealed record BarometerOptions
{
    /// <summary>Base assets to follow on every venue. Default BTC, ETH, SOL.</summary>
    public IReadOnlyList<string> Instruments { get; init; } = ["BTC", "ETH", "SOL"];

    /// <summary>Venues to connect. Default all six.</summary>
    public IReadOnlyList<VenueId> Venues { get; init; } = VenueIds.All;

    /// <summary>Where SQLite, logs and recordings go. Default ./data.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>Analytics thresholds.</summary>
    public ThresholdOptions Thresholds { get; init; } = new();

    /// <summary>History storage.</summary>
    public StorageOptions Storage { get; init; } = new();

    /// <summary>Risk guard thresholds.</summary>
    public GuardOptions Guards { get; init; } = new();

    /// <summary>HTTP and WebSocket servers.</summary>
    public ServerOptions Server { get; init; } = new();

    /// <summary>Venue address overrides (empty: the venues' official addresses).</summary>
    public VenueEndpointsOptions Endpoints { get; init; } = new();

    /// <summary>Checks every value; returns (key, problem) for each invalid one.</summary>
    public IReadOnlyList<OptionsProblem> Validate()
    {
        var problems = new List<OptionsProblem>();
        if (Instruments.Count == 0)
        {
            problems.Add(new("Instruments", "must name at least one base asset"));
        }

        for (int i = 0; i < Instruments.Count; i++)
        {
            string asset = Instruments[i];
            if (string.IsNullOrWhiteSpace(asset) || asset.Length > 20 || !IsAlphanumeric(asset))
            {
                problems.Add(new($"Instruments:{i}", $"'{asset}' is not a base asset symbol (letters and digits, at most 20)"));
            }
        }

        if (Venues.Count == 0)
        {
            problems.Add(new("Venues", "must name at least one venue"));
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add(new("DataDirectory", "must not be empty"));
        }

        Thresholds.Validate("Thresholds", problems);
        Guards.Validate("Guards", problems);
        Storage.Validate("Storage", problems);
        Server.Validate("Server", problems);
        Endpoints.Validate("Endpoints", problems);
        return problems;
    }

    private static bool IsAlphanumeric(string text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One invalid configuration value: the key and what is wrong with it.</summary>
/// <param name="Key">Configuration key path, e.g. "Server:HttpPort".</param>
/// <param name="Problem">What is wrong.</param>
public readonly record struct OptionsProblem(string Key, string Problem)
{
    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Problem}";
}
