using System.CommandLine;
using System.IO.Compression;
using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;
using Barometer.Venues.Common;

namespace Barometer.Cli.Verbs;

/// <summary>
/// `barometer normalize --venue ID [--input FILE] [--output FILE] [--instruments FILE]`: raw venue
/// frames, one per line (plain or .gz), through the live parsers to normalized-event NDJSON
/// (docs/schema/normalized-events.md). A summary goes to stderr.
/// </summary>
internal static class NormalizeVerb
{
    public static Command Create(GlobalOptions global)
    {
        var venue = new Option<string>("--venue") { Description = "Venue id: binance-futures, binance-spot, bybit-linear, bybit-spot, okx-swap, okx-spot", Required = true };
        var input = new Option<string?>("--input") { Description = "Raw frames, one per line (.gz accepted); default standard input" };
        var output = new Option<string?>("--output") { Description = "Normalized NDJSON output; default standard output" };
        var instruments = new Option<string?>("--instruments") { Description = "Saved instruments response of the venue (OKX contract values); default the bundled snapshot" };
        var command = new Command("normalize", "Normalize raw venue frames into Barometer events (NDJSON), with the live parsers") { venue, input, output, instruments };
        command.SetAction(parse =>
        {
            _ = global;
            if (!VenueIds.TryParse(parse.GetValue(venue), out var venueId))
            {
                Console.Error.WriteLine($"barometer: --venue: '{parse.GetValue(venue)}' is not a venue (expected one of {string.Join(", ", VenueIds.All.Select(v => v.ToWireName()))})");
                return ExitCodes.BadConfiguration;
            }

            var registry = new InstrumentRegistry();
            IFrameNormalizer? normalizer;
            try
            {
                normalizer = VenueNormalizers.TryCreate(venueId, registry, new NormalizerOptions { InstrumentsFile = parse.GetValue(instruments) });
            }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine($"barometer: --instruments: {ex.Message}");
                return ExitCodes.BadConfiguration;
            }

            if (normalizer is null)
            {
                Console.Error.WriteLine($"barometer: --venue: {venueId.ToWireName()} has no parser in this build");
                return ExitCodes.BadConfiguration;
            }

            string? inputPath = parse.GetValue(input);
            if (inputPath is not null && !File.Exists(inputPath))
            {
                Console.Error.WriteLine($"barometer: --input: file '{inputPath}' does not exist");
                return ExitCodes.BadConfiguration;
            }

            using var inputStream = OpenInput(inputPath);
            string? outputPath = parse.GetValue(output);
            using var outputStream = outputPath is null ? Console.OpenStandardOutput() : File.Create(outputPath);
            var summary = Run(normalizer, inputStream, outputStream, TimeProvider.System);
            Console.Error.Write(summary.Format(venueId));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Normalizes every line of <paramref name="input"/> into <paramref name="output"/>.</summary>
    internal static NormalizeSummary Run(IFrameNormalizer normalizer, Stream input, Stream output, TimeProvider clock)
    {
        var summary = new NormalizeSummary();
        using var sink = new NdjsonEventWriter(output);
        using var reader = new StreamReader(input, Encoding.UTF8);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            summary.Frames++;
            var result = normalizer.Normalize(Encoding.UTF8.GetBytes(line), UnixMicros.Now(clock), sink);
            if (result.SkipReason is { } reason)
            {
                summary.Count(summary.Skipped, reason);
            }
        }

        sink.Flush();
        summary.Events = sink.Events;
        foreach (var (kind, count) in sink.EventsByKind)
        {
            summary.EventsByKind[kind] = count;
        }

        return summary;
    }

    private static Stream OpenInput(string? path)
    {
        if (path is null)
        {
            return Console.OpenStandardInput();
        }

        Stream file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }
}

/// <summary>Counts of one normalize run.</summary>
internal sealed class NormalizeSummary
{
    public long Frames { get; set; }

    public long Events { get; set; }

    public SortedDictionary<string, long> EventsByKind { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> Skipped { get; } = new(StringComparer.Ordinal);

    public void Count(SortedDictionary<string, long> map, string key) => map[key] = map.GetValueOrDefault(key) + 1;

    public string Format(VenueId venue)
    {
        var text = new StringBuilder();
        text.Append($"normalize {venue.ToWireName()}: {Frames} frames read, {Events} events written\n");
        foreach (var (kind, count) in EventsByKind)
        {
            text.Append($"  {kind}: {count}\n");
        }

        long skipped = Skipped.Values.Sum();
        text.Append($"  skipped lines: {skipped}\n");
        foreach (var (reason, count) in Skipped)
        {
            text.Append($"    {reason}: {count}\n");
        }

        return text.ToString();
    }
}
