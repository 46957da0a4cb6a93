using System.IO.Compression;
using System.Text.Json;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;

namespace Barometer.Storage.Recording;

/// <summary>
/// Streams a recording (docs/recording.md) back, plain or gzip (detected from the magic bytes,
/// not the name). A line that cannot be read is reported with its line number through
/// <see cref="Errors"/> / <see cref="ErrorRaised"/> and the reader goes on with the next line; a
/// compressed stream that is cut short ends the recording with an error, never an exception.
/// Not thread-safe: one reader, one consumer.
/// </summary>
public sealed class RecordingReader : IDisposable
{
    /// <summary>Longest line accepted (a longer one is reported and skipped).</summary>
    public const int MaxLineBytes = 64 << 20;

    /// <summary>How many errors <see cref="Errors"/> keeps (all are counted in <see cref="ErrorCount"/>).</summary>
    public const int KeptErrors = 1000;

    private readonly Stream _stream;
    private readonly List<RecordingError> _errors = new();
    private readonly List<string> _channels = new();
    private byte[] _buffer = new byte[1 << 16];
    private byte[] _frame = new byte[1 << 12];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _skippingLongLine;
    private bool _lastLineUnterminated;
    private bool _reportedCut;
    private long _line;

    // Gzip only: .NET's GZipStream ends quietly when the compressed data stops early, so the
    // reader compares the bytes it decompressed with the size in the gzip trailer (ISIZE, the last
    // 4 bytes of the file) to tell a cut-short file from a complete one.
    private readonly uint? _gzipSize;
    private long _decompressed;

    private RecordingReader(Stream stream, uint? gzipSize)
    {
        _stream = stream;
        _gzipSize = gzipSize;
    }

    /// <summary>The header, once the first line has been read (null if the file has none).</summary>
    public RecordingHeader? Header { get; private set; }

    /// <summary>The trailer, once read: null means the writer did not close the file cleanly (or not yet reached).</summary>
    public RecordingTrailer? Trailer { get; private set; }

    /// <summary>The first <see cref="KeptErrors"/> problems, in file order.</summary>
    public IReadOnlyList<RecordingError> Errors => _errors;

    /// <summary>Number of problems found so far.</summary>
    public long ErrorCount { get; private set; }

    /// <summary>Lines read so far.</summary>
    public long LinesRead => _line;

    /// <summary>Raised for every problem, as it is found.</summary>
    public event Action<RecordingError>? ErrorRaised;

    /// <summary>Opens <paramref name="path"/>; gzip is detected from its first two bytes.</summary>
    public static RecordingReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        try
        {
            return Open(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads <paramref name="stream"/> (disposed with the reader); gzip is detected when the stream can seek.</summary>
    public static RecordingReader Open(Stream stream, bool? gzip = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        bool compressed = gzip ?? (stream.CanSeek && RecordingFormat.IsGzip(stream));
        if (!compressed)
        {
            return new RecordingReader(stream, null);
        }

        return new RecordingReader(new GZipStream(stream, CompressionMode.Decompress), stream.CanSeek ? ReadGzipSize(stream) : null);
    }

    /// <summary>
    /// The next frame, skipping (and reporting) lines that cannot be read; false at the end. The
    /// frame's bytes are valid until the next call.
    /// </summary>
    public bool TryRead(out RecordedFrame frame)
    {
        while (NextLine(out var line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            if (TryParseLine(line, out frame))
            {
                return true;
            }
        }

        frame = default;
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    /// <summary>ISIZE, the uncompressed length mod 2^32 in the last 4 bytes of a gzip file (little-endian); the position is restored.</summary>
    private static uint? ReadGzipSize(Stream stream)
    {
        long position = stream.Position;
        if (stream.Length - position < 18)
        {
            return uint.MaxValue; // shorter than an empty gzip member: cannot be complete (and 0 bytes decompress)
        }

        Span<byte> tail = stackalloc byte[4];
        stream.Seek(-4, SeekOrigin.End);
        stream.ReadExactly(tail);
        stream.Position = position;
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail);
    }

    private void Report(long line, string message)
    {
        ErrorCount++;
        var error = new RecordingError(line, message);
        if (_errors.Count < KeptErrors)
        {
            _errors.Add(error);
        }

        ErrorRaised?.Invoke(error);
    }

    private bool NextLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var span = new ReadOnlySpan<byte>(_buffer, _start, newline - _start);
                _start = newline + 1;
                _line++;
                if (_skippingLongLine)
                {
                    _skippingLongLine = false;
                    continue;
                }

                line = TrimCr(span);
                return true;
            }

            if (_eof)
            {
                if (_start < _end)
                {
                    var span = new ReadOnlySpan<byte>(_buffer, _start, _end - _start);
                    _start = _end;
                    _line++;
                    if (!_skippingLongLine)
                    {
                        _lastLineUnterminated = true;
                        line = TrimCr(span);
                        return true;
                    }
                }

                line = default;
                return false;
            }

            Fill();
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> span) =>
        span.Length > 0 && span[^1] == (byte)'\r' ? span[..^1] : span;

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                // One line fills the whole buffer: report it, drop what we have, skip to its end.
                Report(_line + 1, $"line longer than {MaxLineBytes} bytes, skipped");
                _skippingLongLine = true;
                _end = 0;
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes));
            }
        }

        int read;
        try
        {
            read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            Report(_line + 1, $"compressed stream is corrupt or truncated after line {_line} ({ex.Message}); stopped reading");
            _reportedCut = true;
            read = 0;
        }

        if (read == 0)
        {
            _eof = true;
            if (!_reportedCut && Trailer is null && _gzipSize is { } size && size != (uint)_decompressed)
            {
                _reportedCut = true;
                Report(0, $"gzip data ends early (its trailer does not match): the file was cut short after line {_line}");
            }
        }
        else
        {
            _end += read;
            _decompressed += read;
        }
    }

    private bool TryParseLine(ReadOnlySpan<byte> line, out RecordedFrame frame)
    {
        frame = default;
        long lineNo = _line;
        try
        {
            return ParseLine(line, lineNo, out frame);
        }
        catch (JsonException ex) when (_lastLineUnterminated)
        {
            Report(lineNo, $"last line is cut short (no newline at the end of the file; {ex.Message})");
            return false;
        }
        catch (JsonException ex)
        {
            Report(lineNo, $"not a JSON object ({ex.Message})");
            return false;
        }
        catch (FormatException ex)
        {
            Report(lineNo, $"bad base64 frame ({ex.Message})");
            return false;
        }
        catch (InvalidOperationException ex)
        {
            Report(lineNo, $"bad value ({ex.Message})");
            return false;
        }
    }

    private bool ParseLine(ReadOnlySpan<byte> line, long lineNo, out RecordedFrame frame)
    {
        frame = default;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 4 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            Report(lineNo, "not a JSON object");
            return false;
        }

        long? time = null;
        VenueId? venue = null;
        RawFrameSource? source = null;
        string? channel = null;
        int frameLength = -1;
        string? format = null;
        int version = 0;
        string? label = null;
        long created = 0;
        string? tool = null;
        bool end = false;
        long frames = 0;
        long dropped = 0;
        long closed = 0;
        string? bad = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("t"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long t))
                {
                    time = t;
                }
                else
                {
                    bad ??= "\"t\" is not an integer (µs since the epoch)";
                }
            }
            else if (reader.ValueTextEquals("v"u8))
            {
                reader.Read();
                venue = MatchVenue(ref reader);
                if (venue is null)
                {
                    bad ??= $"\"v\" is not a venue ({Text(ref reader)})";
                }
            }
            else if (reader.ValueTextEquals("s"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("ws"u8))
                {
                    source = RawFrameSource.WebSocket;
                }
                else if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("rest"u8))
                {
                    source = RawFrameSource.Rest;
                }
                else
                {
                    bad ??= $"\"s\" must be \"ws\" or \"rest\" ({Text(ref reader)})";
                }
            }
            else if (reader.ValueTextEquals("c"u8))
            {
                reader.Read();
                channel = reader.TokenType == JsonTokenType.String ? InternChannel(ref reader) : null;
                if (channel is null)
                {
                    bad ??= "\"c\" is not a string";
                }
            }
            else if (reader.ValueTextEquals("f"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    bad ??= "\"f\" is not a string";
                    continue;
                }

                int needed = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
                if (_frame.Length < needed)
                {
                    _frame = new byte[Math.Max(needed, _frame.Length * 2)];
                }

                frameLength = reader.CopyString(_frame);
            }
            else if (reader.ValueTextEquals("b"u8))
            {
                reader.Read();
                byte[] bytes = reader.GetBytesFromBase64();
                if (_frame.Length < bytes.Length)
                {
                    _frame = new byte[Math.Max(bytes.Length, _frame.Length * 2)];
                }

                bytes.CopyTo(_frame, 0);
                frameLength = bytes.Length;
            }
            else if (reader.ValueTextEquals("format"u8))
            {
                reader.Read();
                format = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("version"u8))
            {
                reader.Read();
                version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int v) ? v : -1;
            }
            else if (reader.ValueTextEquals("label"u8))
            {
                reader.Read();
                label = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                reader.Read();
                created = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long c) ? c : 0;
            }
            else if (reader.ValueTextEquals("tool"u8))
            {
                reader.Read();
                tool = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("end"u8))
            {
                reader.Read();
                end = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("frames"u8))
            {
                reader.Read();
                frames = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long n) ? n : 0;
            }
            else if (reader.ValueTextEquals("dropped"u8))
            {
                reader.Read();
                dropped = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long d) ? d : 0;
            }
            else if (reader.ValueTextEquals("closed"u8))
            {
                reader.Read();
                closed = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long c) ? c : 0;
            }
            else
            {
                // Unknown property: a newer writer; skip its value.
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            Report(lineNo, "not a JSON object (cut short?)");
            return false;
        }

        // Anything after the object is an error (a line is exactly one object).
        if (reader.Read())
        {
            Report(lineNo, "trailing data after the object");
            return false;
        }

        if (format is not null)
        {
            if (format != RecordingFormat.FormatName)
            {
                Report(lineNo, $"header names format '{format}', not '{RecordingFormat.FormatName}'");
            }
            else if (version != RecordingFormat.Version)
            {
                Report(lineNo, $"format version {version} is not {RecordingFormat.Version}; reading what matches version {RecordingFormat.Version}");
            }

            Header = new RecordingHeader(version, label ?? "unlabelled", created, tool ?? string.Empty);
            return false;
        }

        if (end)
        {
            Trailer = new RecordingTrailer(frames, dropped, closed);
            return false;
        }

        if (bad is not null)
        {
            Report(lineNo, bad);
            return false;
        }

        string? missing = time is null ? "t" : venue is null ? "v" : source is null ? "s" : channel is null ? "c" : frameLength < 0 ? "f" : null;
        if (missing is not null)
        {
            Report(lineNo, $"missing \"{missing}\"");
            return false;
        }

        frame = new RecordedFrame(lineNo, time!.Value, venue!.Value, source!.Value, channel!, new ReadOnlyMemory<byte>(_frame, 0, frameLength));
        return true;
    }

    private static VenueId? MatchVenue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        var all = VenueIds.All;
        for (int i = 0; i < all.Count; i++)
        {
            if (reader.ValueTextEquals(all[i].ToWireName()))
            {
                return all[i];
            }
        }

        return null;
    }

    private static string Text(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? "'" + reader.GetString() + "'" : reader.TokenType.ToString();

    private string InternChannel(ref Utf8JsonReader reader)
    {
        for (int i = 0; i < _channels.Count; i++)
        {
            if (reader.ValueTextEquals(_channels[i]))
            {
                return _channels[i];
            }
        }

        string channel = reader.GetString() ?? string.Empty;
        if (_channels.Count < 256)
        {
            _channels.Add(channel);
        }

        return channel;
    }
}
