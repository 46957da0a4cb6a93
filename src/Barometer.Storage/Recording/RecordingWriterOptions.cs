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

    /// <summary>Clock for the header and trailer times (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Written into the header's "tool" property.</summary>
    public string Tool { get; init; } = "barometer " + (typeof(RecordingWriterOptions).Assembly.GetName().Version?.ToString(3) ?? "0");
}
