using Barometer.Core.Configuration;
using Barometer.Analytics;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Barometer.Core.Bus;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Barometer.Storage.Recording;
using Barometer.Venues.Common;

namespace Barometer.Cli.Verbs;

/// <summary>
/// `barometer replay FILE [--speed max|N] [--output FILE]`: feeds a recording (docs/recording.md)
/// through the live normalizers and the event bus, driven by the recorded receive times, and
/// writes the normalized events as NDJSON. Same file → byte-identical output. Bad lines are
/// reported with their line number and skipped; they do not fail the replay (exit code 0). A
/// missing or unreadable file, an uncreatable output or a bad --speed is exit code 2.
/// </summary>
internal static class ReplayVerb
{
    /// <summary>Bad lines printed one by one; the rest are only counted.</summary>
    internal const int ListedErrors = 20;

    public static Command Create(GlobalOptions global)
    {
        var file = new Argument<string>("FILE") { Description = "Recording (.ndjson or .ndjson.gz; gzip is detected from the content)" };
        var speed = new Option<string>("--speed") { Description = "max (default: as fast as possible) or a factor of recorded time: 1 = real time, 60 = sixty times faster", DefaultValueFactory = _ => "max" };
        var output = new Option<string?>("--output") { Description = "Normalized-event NDJSON output; default (or -) standard output" };
        var snapshots = new Option<string?>("--snapshots") { Description = "Also run the analytics engine and write its metric snapshots (JSON lines, docs/schema/snapshot.md) to this file" };
        var every = new Option<string>("--every") { Description = "Snapshot interval of event time, e.g. 60s, 5m (default 60s); a snapshot is also written at the end", DefaultValueFactory = _ => "60s" };
        var command = new Command("replay", "Replay a recording of raw frames (or normalized-event NDJSON) through the normal pipeline (normalizers → event bus → analytics) to normalized-event NDJSON")
        {
            file, speed, output, snapshots, every,
        };
        command.SetAction((parse, cancel) =>
        {
            var options = global.Load(parse, Console.Error);
            if (options is null)
            {
                return Task.FromResult(ExitCodes.BadConfiguration);
            }

            return ExecuteAsync(parse.GetValue(file)!, parse.GetValue(speed), parse.GetValue(output), null, Console.Error, cancel,
                parse.GetValue(snapshots), parse.GetValue(every), AnalyticsFor(options, "replay"));
        });
        return command;
    }

    /// <summary>The verb: returns the exit code. <paramref name="stdout"/> replaces standard output (tests).</summary>
    internal static async Task<int> ExecuteAsync(string path, string? speedText, string? outputPath, Stream? stdout, TextWriter error,
        CancellationToken cancel, string? snapshotsPath = null, string? everyText = "60s", AnalyticsOptions? analytics = null)
    {
        if (!TryParseSpeed(speedText, out double factor))
        {
            await error.WriteLineAsync($"barometer: --speed: '{speedText}' is not 'max' or a positive number").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        long every = 0;
        if (snapshotsPath is not null && !SimulateVerb.TryParseDuration(everyText ?? "60s", out every))
        {
            await error.WriteLineAsync($"barometer: --every: '{everyText}' is not a duration such as 60s, 5m or 1h").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        if (Directory.Exists(path))
        {
            await error.WriteLineAsync($"barometer: replay: cannot read '{path}': it is a directory, not a recording file").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        SnapshotEmitter? emitter = null;
        if (snapshotsPath is not null)
        {
            try
            {
                emitter = new SnapshotEmitter(File.Create(snapshotsPath, 1 << 16), every, analytics);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"barometer: --snapshots: cannot create '{snapshotsPath}': {ex.Message}").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }
        }

        using var snapshotOwner = emitter;
        bool normalizedInput;
        try
        {
            normalizedInput = NormalizedEventInput.Detect(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"barometer: replay: cannot read '{path}': {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        if (normalizedInput)
        {
            return await NormalizedEventInput.ReplayAsync(path, outputPath, stdout, factor, emitter, snapshotsPath, error, cancel).ConfigureAwait(false);
        }

        RecordingReader reader;
        try
        {
            reader = RecordingReader.Open(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"barometer: replay: cannot read '{path}': {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadConfiguration;
        }

        using (reader)
        {
            Stream stream;
            try
            {
                // Standard output is unbuffered: one write per event would be two system calls each.
                stream = outputPath is null or "-" ? stdout ?? new BufferedStream(Console.OpenStandardOutput(), 1 << 16) : File.Create(outputPath, 1 << 16);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"barometer: --output: cannot create '{outputPath}': {ex.Message}").ConfigureAwait(false);
                return ExitCodes.BadConfiguration;
            }

            try
            {
                var registry = new InstrumentRegistry();
                var summary = await RunAsync(reader, venue => VenueNormalizers.TryCreate(venue, registry), stream, factor,
                    TimeProvider.System, error, cancel, emitter).ConfigureAwait(false);
                await error.WriteAsync(summary.Format(path)).ConfigureAwait(false);
                if (emitter is not null)
                {
                    await error.WriteAsync(emitter.Describe(snapshotsPath!)).ConfigureAwait(false);
                }
                if (summary.Frames == 0 && summary.Header is null)
                {
                    // Empty, or nothing in it parsed: not a recording (one with a header and no frames is fine).
                    await error.WriteLineAsync($"barometer: replay: '{path}' is not a recording (no header and no readable frame; docs/recording.md)").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                // Bad lines were reported one by one and counted in the summary; the rest was replayed.
                return ExitCodes.Ok;
            }
            finally
            {
                if (!ReferenceEquals(stream, stdout))
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The analytics settings of a configuration (thresholds, guards, assets) for <paramref name="dataSource"/>.</summary>
    internal static AnalyticsOptions AnalyticsFor(BarometerOptions options, string dataSource) => new()
    {
        Thresholds = options.Thresholds,
        Guards = options.Guards,
        Assets = options.Instruments,
        DataSource = dataSource,
    };

    /// <summary>"max" or "0" → 0 (as fast as possible); a positive finite number → that factor.</summary>
    internal static bool TryParseSpeed(string? text, out double speed)
    {
        speed = 0;
        if (string.Equals(text, "max", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) && double.IsFinite(speed) && speed >= 0;
    }

    /// <summary>
    /// How long to wait before handing on a frame received <paramref name="frameTime"/> (µs) when
    /// the first frame was received at <paramref name="firstTime"/> and <paramref name="elapsed"/>
    /// of wall time has passed since it was handed on. Zero for speed 0 (as fast as possible) and
    /// for frames whose recorded time is behind (receive times of different venues interleave).
    /// </summary>
    internal static TimeSpan DelayBeforeFrame(long firstTime, long frameTime, double speed, TimeSpan elapsed)
    {
        if (speed <= 0 || frameTime <= firstTime)
        {
            return TimeSpan.Zero;
        }

        double targetTicks = (frameTime - firstTime) * (double)TimeSpan.TicksPerMicrosecond / speed;
        var target = targetTicks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)targetTicks);
        return target > elapsed ? target - elapsed : TimeSpan.Zero;
    }

    /// <summary>Replays every frame of <paramref name="reader"/>; the events go through an <see cref="EventBus"/> to <paramref name="output"/>.</summary>
    internal static async Task<ReplaySummary> RunAsync(RecordingReader reader, Func<VenueId, IFrameNormalizer?> createNormalizer,
        Stream output, double speed, TimeProvider clock, TextWriter errors, CancellationToken cancel, SnapshotEmitter? snapshots = null)
    {
        var summary = new ReplaySummary();
        reader.ErrorRaised += error =>
        {
            summary.BadLines++;
            if (summary.BadLines <= ListedErrors)
            {
                errors.WriteLine($"barometer: replay: {error}; continuing with the next line");
            }
            else if (summary.BadLines == ListedErrors + 1)
            {
                errors.WriteLine($"barometer: replay: more bad lines; only counting them from here (total in the summary)");
            }
        };

        EventBusConsumer? analyticsConsumer = null;
        using var bus = new EventBus();
        // Lossless: replay is offline, so the reader waits for the writer instead of dropping.
        var consumer = bus.Subscribe("replay-output", EventBus.DefaultCapacity, BusConsumerMode.Lossless);
        using var sink = new NdjsonEventWriter(output);
        var writing = ReplayDrain.Run(consumer, sink, sink.Flush);
        var analysing = Task.CompletedTask;
        if (snapshots is not null)
        {
            analyticsConsumer = bus.Subscribe("replay-analytics", EventBus.DefaultCapacity, BusConsumerMode.Lossless);
            analysing = ReplayDrain.Run(analyticsConsumer, snapshots, snapshots.Complete);
        }

        long start = clock.GetTimestamp();
        try
        {
            await FeedAsync(reader, createNormalizer, bus, speed, clock, summary, cancel).ConfigureAwait(false);
        }
        finally
        {
            consumer.Complete();
            analyticsConsumer?.Complete();
            await writing.ConfigureAwait(false);
            await analysing.ConfigureAwait(false);
        }

        summary.Cancelled |= cancel.IsCancellationRequested;
        summary.Events = sink.Events;
        foreach (var (kind, count) in sink.EventsByKind)
        {
            summary.EventsByKind[kind] = count;
        }

        summary.Header = reader.Header;
        summary.Trailer = reader.Trailer;
        summary.Wall = clock.GetElapsedTime(start);
        return summary;
    }
    /// <summary>
    /// Reads every frame of <paramref name="reader"/> through the venue normalizers into
    /// <paramref name="bus"/>, paced by the recorded receive times (<paramref name="speed"/> 0: as fast
    /// as possible), counting in <paramref name="summary"/>. Cancellation ends it quietly (Cancelled).
    /// </summary>
    internal static async Task FeedAsync(RecordingReader reader, Func<VenueId, IFrameNormalizer?> createNormalizer, IEventSink bus,
        double speed, TimeProvider clock, ReplaySummary summary, CancellationToken cancel)
    {
        var normalizers = new IFrameNormalizer?[VenueIds.Count];
        var created = new bool[VenueIds.Count];
        long start = clock.GetTimestamp();
        long first = long.MinValue;
        try
        {
            while (!cancel.IsCancellationRequested && reader.TryRead(out var frame))
            {
                summary.Frames++;
                if (first == long.MinValue)
                {
                    first = frame.ReceiveTime;
                }

                summary.FirstTime = Math.Min(summary.FirstTime, frame.ReceiveTime);
                summary.LastTime = Math.Max(summary.LastTime, frame.ReceiveTime);
                var delay = DelayBeforeFrame(first, frame.ReceiveTime, speed, clock.GetElapsedTime(start));
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, clock, cancel).ConfigureAwait(false);
                }

                int v = (int)frame.Venue;
                if (!created[v])
                {
                    created[v] = true;
                    normalizers[v] = createNormalizer(frame.Venue);
                }

                if (normalizers[v] is not { } normalizer)
                {
                    summary.Count(summary.WithoutParser, frame.Venue.ToWireName());
                    continue;
                }

                var result = frame.Source == RawFrameSource.Rest && normalizer is IRestFrameNormalizer rest
                    ? rest.NormalizeRest(frame.Channel, frame.Frame.Span, frame.ReceiveTime, bus)
                    : normalizer.Normalize(frame.Frame.Span, frame.ReceiveTime, bus);
                if (result.SkipReason is { } reason)
                {
                    summary.Count(summary.Skipped, result.Outcome == NormalizeOutcome.Control ? reason : frame.Venue.ToWireName() + " " + reason);
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            summary.Cancelled = true;
        }
    }
}

/// <summary>Bus consumers of the replay (one task each, in order).</summary>
internal static class ReplayDrain
{
    public static Task Run(EventBusConsumer consumer, IEventSink sink, Action complete) => Task.Run(async () =>
    {
        while (await consumer.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (consumer.TryRead(out var e))
            {
                sink.Publish(e);
            }
        }

        complete();
    }, CancellationToken.None);
}

/// <summary>Counts of one replay.</summary>
internal sealed class ReplaySummary
{
    public long Frames { get; set; }

    public long Events { get; set; }

    public long BadLines { get; set; }

    public long FirstTime { get; set; } = long.MaxValue;

    public long LastTime { get; set; } = long.MinValue;

    public TimeSpan Wall { get; set; }

    public bool Cancelled { get; set; }

    public RecordingHeader? Header { get; set; }

    public RecordingTrailer? Trailer { get; set; }

    public SortedDictionary<string, long> EventsByKind { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> WithoutParser { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> Skipped { get; } = new(StringComparer.Ordinal);

    public void Count(SortedDictionary<string, long> map, string key) => map[key] = map.GetValueOrDefault(key) + 1;

    public string Format(string path)
    {
        var text = new StringBuilder();
        string label = Header?.Label ?? "unlabelled (no header)";
        text.Append(CultureInfo.InvariantCulture, $"replay {path} ({label} recording): {Frames} frames read, {Events} events written in {Wall.TotalSeconds:F2} s wall");
        if (Frames > 0)
        {
            double span = (LastTime - FirstTime) / 1e6;
            text.Append(CultureInfo.InvariantCulture, $"; recorded {Iso(FirstTime)} → {Iso(LastTime)} ({span:F3} s)");
        }

        text.Append('\n');
        if (Cancelled)
        {
            text.Append("  cancelled before the end of the recording\n");
        }

        foreach (var (kind, count) in EventsByKind)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {kind}: {count}\n");
        }

        foreach (var (venue, count) in WithoutParser)
        {
            text.Append(CultureInfo.InvariantCulture, $"  frames of {venue} not replayed (no parser for it in this build): {count}\n");
        }

        foreach (var (reason, count) in Skipped)
        {
            text.Append(CultureInfo.InvariantCulture, $"  frames without events, {reason}: {count}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"  bad lines: {BadLines}\n");
        if (Trailer is null)
        {
            text.Append("  no trailer: the recording was not closed cleanly (cut short or still being written)\n");
        }
        else if (Trailer.Dropped > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  the recorder dropped {Trailer.Dropped} frames while recording (queue full or disk error)\n");
        }

        return text.ToString();
    }

    private static string Iso(long micros) =>
        DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
}
