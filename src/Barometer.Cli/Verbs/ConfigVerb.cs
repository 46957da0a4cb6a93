using System.CommandLine;
using System.Text.Json;
using Barometer.Core.Instruments;

namespace Barometer.Cli.Verbs;

/// <summary>`barometer config`: prints the effective configuration after all sources are applied.</summary>
internal static class ConfigVerb
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("config", "Print the effective configuration (file, then BAROMETER_* variables, then flags) as JSON, or the problem with it");
        command.SetAction(parse =>
        {
            var options = global.Load(parse, Console.Error);
            if (options is null)
            {
                return ExitCodes.BadConfiguration;
            }

            var view = new
            {
                options.Instruments,
                Venues = options.Venues.Select(v => v.ToWireName()).ToArray(),
                options.DataDirectory,
                options.Thresholds,
                Server = new { options.Server.BindAddress, options.Server.HttpPort, options.Server.WebSocketPort, ApiKey = options.Server.ApiKey.Length > 0 ? "(set)" : "" },
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(view, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        });
        return command;
    }
}
