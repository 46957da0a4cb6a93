using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// A reusable compact JSON writer for venue frames: key order is write order, no whitespace, and
/// quotes escaped as <c>\"</c> (relaxed escaping, as venues send). Not thread-safe.
/// </summary>
internal sealed class FrameWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public FrameWriter() => Json = new Utf8JsonWriter(_buffer, Options);

    /// <summary>The writer; call <see cref="ToArray"/> when the frame is complete.</summary>
    public Utf8JsonWriter Json { get; }

    /// <summary>Returns the frame and resets the writer for the next one.</summary>
    public byte[] ToArray()
    {
        Json.Flush();
        byte[] bytes = _buffer.WrittenSpan.ToArray();
        _buffer.ResetWrittenCount();
        Json.Reset(_buffer);
        return bytes;
    }
}
