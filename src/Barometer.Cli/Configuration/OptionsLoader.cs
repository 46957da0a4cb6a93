using System.Collections;
using Barometer.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Barometer.Cli.Configuration;

/// <summary>
/// Builds <see cref="BarometerOptions"/> from, in increasing precedence: a JSON file
/// (--config FILE, else BAROMETER_CONFIG, else ./appsettings.json when present), BAROMETER_*
/// environment variables (BAROMETER_SERVER__HTTPPORT=8081; "__" separates sections), and
/// command-line flags. The result is validated; the first problem is reported as one line.
/// </summary>
internal static class OptionsLoader
{
    public const string EnvironmentPrefix = "BAROMETER_";

    public static bool TryLoad(string? configFile, IReadOnlyDictionary<string, string?> flagOverrides, IDictionary environment,
        out BarometerOptions options, out string error)
    {
        options = new BarometerOptions();
        error = string.Empty;
        configFile ??= environment[EnvironmentPrefix + "CONFIG"] as string;
        bool explicitFile = configFile is not null;
        configFile ??= Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        var builder = new ConfigurationBuilder();
        if (File.Exists(configFile))
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        else if (explicitFile)
        {
            error = $"config: file '{configFile}' does not exist";
            return false;
        }

        var environmentValues = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            string name = (string)entry.Key;
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(name, EnvironmentPrefix + "CONFIG", StringComparison.OrdinalIgnoreCase))
            {
                environmentValues[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = entry.Value as string;
            }
        }

        builder.AddInMemoryCollection(environmentValues);
        builder.AddInMemoryCollection(flagOverrides);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
        {
            error = $"config: '{configFile}' is not valid JSON: {ex.InnerException?.Message ?? ex.Message}";
            return false;
        }

        var problems = new List<OptionsProblem>();
        options = OptionsBinder.Bind<BarometerOptions>(configuration, problems);
        if (problems.Count == 0)
        {
            problems.AddRange(options.Validate());
        }

        if (problems.Count > 0)
        {
            error = $"config: {problems[0]}" + (problems.Count > 1 ? $" (and {problems.Count - 1} more)" : string.Empty);
            return false;
        }

        return true;
    }
}
