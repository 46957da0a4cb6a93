using Barometer.Core.Events;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Barometer.Core.Bus;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;
using Barometer.Storage.Recording;

namespace Barometer.Cli.Verbs;

/// <summary>
/// `barometer replay` of normalized-event NDJSON (the output of `normalize` or of a replay):
/// every line is parsed back into its event (docs/schema/normalized-events.md) and published
/// through the event bus — to the NDJSON output and, with --snapshots, to the analytics engine —
/// paced by the events' receive times like a recording. Bad lines are reported with their line
/// number and skipped.
/// </summary>
internal static class NormalizedEventInput
{
    /// <summary>True when the first non-empty line of the file (plain or gzip) is a normalized event rather than a recording line.</summary>
    public static bool Detect(string path)
    {
        if (Directory.Exists(path) || !File.Exists(path))
        {
            return false; // the recording path reports the error
        }

        using var reader = OpenText(path);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            return line.StartsWith("{\"v\":1,\"kind\":", StringComparison.Ordinal);
        }

        return false;
    }

    public static async Task<int> ReplayAsync(string path, string? outputPath, Stream? stdout, double speed, SnapshotEmitter? snapshots,
        string? snapshotsPath, TextWriter error, CancellationToken cancel)
    {
        Stream output;
        try
        {
            output = outputPath is null or "-" ? stdout ?? new BufferedStream(Console.OpenStandardOutput(), 1 << 16) : File.Create(outputPath, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"barometer: --output: cannot create '{outputPath}': {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        var clock = TimeProvider.System;
        long start = clock.GetTimestamp();
        var registry = new InstrumentRegistry();
        using var bus = new EventBus();
        var consumer = bus.Subscribe("replay-output", EventBus.DefaultCapacity, BusConsumerMode.Lossless);
        var sink = new NdjsonEventWriter(output);
        var writing = ReplayDrain.Run(consumer, sink, sink.Flush);
        EventBusConsumer? analyticsConsumer = null;
        var analysing = Task.CompletedTask;
        if (snapshots is not null)
        {
            analyticsConsumer = bus.Subscribe("replay-analytics", EventBus.DefaultCapacity, BusConsumerMode.Lossless);
            analysing = ReplayDrain.Run(analyticsConsumer, snapshots, snapshots.Complete);
        }

        NormalizedFeed fed;
        try
        {
            fed = await FeedAsync(path, registry, bus, speed, error, cancel).ConfigureAwait(false);
        }
        finally
        {
            consumer.Complete();
            analyticsConsumer?.Complete();
            await writing.ConfigureAwait(false);
            await analysing.ConfigureAwait(false);
            sink.Dispose();
            if (!ReferenceEquals(output, stdout))
            {
                await output.DisposeAsync().ConfigureAwait(false);
            }
        }

        var summary = new StringBuilder();
        summary.Append(CultureInfo.InvariantCulture, $"replay {path} (normalized events): {fed.Lines} lines read, {sink.Events} events written in {clock.GetElapsedTime(start).TotalSeconds:F2} s wall\n");
        if (fed.Cancelled)
        {
            summary.Append("  cancelled before the end of the file\n");
        }

        foreach (var (kind, count) in sink.EventsByKind)
        {
            summary.Append(CultureInfo.InvariantCulture, $"  {kind}: {count}\n");
        }

        summary.Append(CultureInfo.InvariantCulture, $"  bad lines: {fed.Bad}\n");
        if (snapshots is not null)
        {
            summary.Append(snapshots.Describe(snapshotsPath!));
        }

        await error.WriteAsync(summary.ToString()).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Publishes every valid line of the normalized-event file <paramref name="path"/> to
    /// <paramref name="sink"/>, paced by the recorded receive times (<paramref name="speed"/> 0: as fast
    /// as possible); bad lines are reported (the first few) and counted.
    /// </summary>
    public static async Task<NormalizedFeed> FeedAsync(string path, InstrumentRegistry registry, IEventSink sink, double speed, TextWriter error, CancellationToken cancel)
    {
        long lineNumber = 0, lines = 0, bad = 0, first = long.MinValue;
        var clock = TimeProvider.System;
        long start = clock.GetTimestamp();
        bool cancelled = false;
        try
        {
            using var reader = OpenText(path);
            string? text;
            while (!cancel.IsCancellationRequested && (text = await reader.ReadLineAsync(cancel).ConfigureAwait(false)) is not null)
            {
                lineNumber++;
                if (text.Length == 0)
                {
                    continue;
                }

                lines++;

                if (!NormalizedEventJson.TryParse(Encoding.UTF8.GetBytes(text), registry, out var e, out string reason))
                {
                    bad++;
                    if (bad <= ReplayVerb.ListedErrors)
                    {
                        await error.WriteLineAsync($"barometer: replay: line {lineNumber.ToString(CultureInfo.InvariantCulture)}: {reason}; continuing with the next line").ConfigureAwait(false);
                    }

                    continue;
                }

                if (first == long.MinValue)
                {
                    first = e.ReceiveTime;
                }

                var delay = ReplayVerb.DelayBeforeFrame(first, e.ReceiveTime, speed, clock.GetElapsedTime(start));
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, clock, cancel).ConfigureAwait(false);
                }

                sink.Publish(e);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            await error.WriteLineAsync($"barometer: replay: reading '{path}' stopped at line {lineNumber.ToString(CultureInfo.InvariantCulture)}: {ex.Message}").ConfigureAwait(false);
        }

        return new NormalizedFeed(lines, bad, cancelled);
    }

    private static StreamReader OpenText(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        Stream stream = RecordingFormat.IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16);
    }
}

/// <summary>What <see cref="NormalizedEventInput.FeedAsync"/> read.</summary>
internal readonly record struct NormalizedFeed(long Lines, long Bad, bool Cancelled);
