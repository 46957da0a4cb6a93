using Barometer.Core.Instruments;
using Barometer.Core.Recording;

namespace Barometer.Storage.Recording;

/// <summary>
/// One raw frame read back from a recording. <see cref="Frame"/> points into the reader's buffer
/// and is valid until the next read; copy it to keep it.
/// </summary>
/// <param name="Line">1-based line number in the (decompressed) file.</param>
/// <param name="ReceiveTime">Receive time, UTC µs since the Unix epoch.</param>
/// <param name="Venue">Venue the frame came from.</param>
/// <param name="Source">WebSocket message or REST body.</param>
/// <param name="Channel">Connection path (WebSocket) or request path and query (REST).</param>
/// <param name="Frame">The frame's bytes exactly as received.</param>
public readonly record struct RecordedFrame(long Line, long ReceiveTime, VenueId Venue, RawFrameSource Source, string Channel, ReadOnlyMemory<byte> Frame);

/// <summary>A line of a recording that could not be read; the reader went on with the next line.</summary>
/// <param name="Line">1-based line number (0 when the problem is not tied to a line).</param>
/// <param name="Message">What is wrong with it.</param>
public readonly record struct RecordingError(long Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"line {Line}: {Message}" : Message;
}

/// <summary>The header line of a recording (docs/recording.md).</summary>
/// <param name="Version">Format version.</param>
/// <param name="Label">"live", "simulated" or "replayed": where the frames came from.</param>
/// <param name="Created">When the recording was started, UTC µs.</param>
/// <param name="Tool">Program and version that wrote it.</param>
public sealed record RecordingHeader(int Version, string Label, long Created, string Tool);

/// <summary>The trailer line a writer adds when it closes the file cleanly.</summary>
/// <param name="Frames">Frames written.</param>
/// <param name="Dropped">Frames offered but not written (queue full, writer failed or closed).</param>
/// <param name="Closed">When the file was closed, UTC µs.</param>
public sealed record RecordingTrailer(long Frames, long Dropped, long Closed);

/// <summary>Names and constants of the recording format (docs/recording.md).</summary>
public static class RecordingFormat
{
    /// <summary>Current format version.</summary>
    public const int Version = 1;

    /// <summary>Value of the header's "format" property.</summary>
    public const string FormatName = "barometer-recording";

    /// <summary>Frames from the venues' live endpoints.</summary>
    public const string LiveLabel = "live";

    /// <summary>Frames from the venue emulator fed by the market simulator.</summary>
    public const string SimulatedLabel = "simulated";

    /// <summary>Wire name of a frame source ("ws" or "rest").</summary>
    public static string ToWireName(this RawFrameSource source) => source == RawFrameSource.Rest ? "rest" : "ws";

    /// <summary>True when the stream starts with the gzip magic bytes (1f 8b); the position is restored.</summary>
    public static bool IsGzip(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("gzip detection needs a seekable stream", nameof(stream));
        }

        long position = stream.Position;
        int b0 = stream.ReadByte();
        int b1 = stream.ReadByte();
        stream.Position = position;
        return b0 == 0x1f && b1 == 0x8b;
    }
}
