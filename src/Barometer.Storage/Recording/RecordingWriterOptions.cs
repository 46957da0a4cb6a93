namespace Barometer.Storage.Recording;

/// <summary>How a <see cref="RecordingWriter"/> writes.</summary>
public sealed record RecordingWriterOptions
{
    /// <summary>Gzip the file (default: when the path ends in ".gz").</summary>
    public bool? Gzip { get; init; }

    /// <summary>Header label: "live" or "simulated" (docs/recording.md).</summary>
    public string Label { get; init; } = RecordingFormat.LiveLabel;

    /// <summary>Frames that may wait for the disk; beyond that new frames are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 65_536;

    /// <summary>
    /// Longest time written frames may wait in the writer's buffers (and gzip's) before they are
    /// flushed to the OS; zero flushes whenever the queue runs empty. Default 200 ms.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Clock for the header and trailer times and the flush interval (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Written into the header's "tool" property.</summary>
    public string Tool { get; init; } = "barometer " + (typeof(RecordingWriterOptions).Assembly.GetName().Version?.ToString(3) ?? "0");
}
