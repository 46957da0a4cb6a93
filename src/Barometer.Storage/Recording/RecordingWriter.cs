using System.Buffers;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using System.Threading.Channels;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;

namespace Barometer.Storage.Recording;

/// <summary>
/// Writes raw frames to a recording file (docs/recording.md). <see cref="OnFrame"/> copies the
/// bytes into a pooled buffer (<see cref="FrameBufferPool"/>), queues them and returns at once: it never blocks and never throws.
/// A single background task drains the queue to disk. When the queue is full, or the disk failed,
/// the frame is dropped and counted; the count is written into the trailer on
/// <see cref="DisposeAsync"/>, so a reader can tell a complete recording from a lossy one.
/// </summary>
public sealed class RecordingWriter : IRawFrameSink, IAsyncDisposable
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Frames stay readable (no \u escapes for non-ASCII); reading back restores the exact bytes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly FrameBufferPool _pool = new();
    private readonly Channel<Pending> _queue;
    private readonly Stream _file;
    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly RecordingWriterOptions _options;
    private readonly Task _drain;
    private long _written;
    private long _dropped;
    private int _disposed;
    private Exception? _failure;

    private RecordingWriter(Stream file, bool gzip, RecordingWriterOptions options)
    {
        _options = options;
        _file = file;
        _output = gzip ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : file;
        _json = new Utf8JsonWriter(_line, JsonOptions);
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once, and the frame is counted as dropped
        });
        WriteHeader();
        _drain = Task.Run(DrainAsync);
    }

    /// <summary>Frames written to the file so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Frames dropped so far (queue full, writer failed, or offered after close).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The I/O error that stopped the writer, if any (later frames are dropped and counted).</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>
    /// Creates (or overwrites) <paramref name="path"/> and writes its header. Throws on a path that
    /// cannot be created; everything after that is reported through <see cref="Failure"/> and
    /// <see cref="Dropped"/>, never thrown at the connector.
    /// </summary>
    public static RecordingWriter Create(string path, RecordingWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new RecordingWriterOptions();
        Validate(options);
        bool gzip = options.Gzip ?? path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        return new RecordingWriter(file, gzip, options);
    }

    /// <summary>Writes to <paramref name="stream"/> (left open on dispose).</summary>
    public static RecordingWriter Create(Stream stream, RecordingWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new RecordingWriterOptions();
        Validate(options);
        return new RecordingWriter(new NonClosingStream(stream), options.Gzip ?? false, options);
    }

    /// <inheritdoc />
    public void OnFrame(VenueId venue, RawFrameSource source, string channel, long receiveTime, ReadOnlySpan<byte> frame)
    {
        if (Volatile.Read(ref _disposed) != 0 || Volatile.Read(ref _failure) is not null)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        byte[] buffer = _pool.Rent(frame.Length);
        frame.CopyTo(buffer);
        if (!_queue.Writer.TryWrite(new Pending(receiveTime, venue, source, channel ?? string.Empty, buffer, frame.Length)))
        {
            _pool.Return(buffer);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>
    /// Completes once every frame queued before the call is written and flushed to the OS (not
    /// fsync'ed). Waits for room in the queue when it is full; returns at once after close. Not
    /// for the connectors' receive loops.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancel = default)
    {
        if (Volatile.Read(ref _disposed) != 0 || Volatile.Read(ref _failure) is not null)
        {
            return;
        }

        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Pending(0, default, default, string.Empty, null, 0, flushed), cancel).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return; // closed meanwhile: DisposeAsync writes and flushes everything
        }

        await flushed.Task.WaitAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued, the trailer, and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _drain.ConfigureAwait(false);
        try
        {
            if (_failure is null)
            {
                WriteTrailer();
            }
        }
        catch (IOException ex)
        {
            _failure = ex;
        }

        await _json.DisposeAsync().ConfigureAwait(false);
        if (!ReferenceEquals(_output, _file))
        {
            await DisposeQuietly(_output).ConfigureAwait(false);
        }

        await DisposeQuietly(_file).ConfigureAwait(false);
    }

    private static void Validate(RecordingWriterOptions options)
    {
        if (options.QueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.QueueCapacity, "QueueCapacity must be at least 1");
        }

        if (options.Label is not (RecordingFormat.LiveLabel or RecordingFormat.SimulatedLabel))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Label, "Label must be \"live\" or \"simulated\"");
        }
    }

    private static async ValueTask DisposeQuietly(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The failure is already reported through Failure/Dropped.
        }
    }

    private long NowMicros() => (_options.Clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    private void WriteHeader()
    {
        _json.WriteStartObject();
        _json.WriteString("format"u8, RecordingFormat.FormatName);
        _json.WriteNumber("version"u8, RecordingFormat.Version);
        _json.WriteString("label"u8, _options.Label);
        _json.WriteNumber("created"u8, NowMicros());
        _json.WriteString("tool"u8, _options.Tool);
        _json.WriteEndObject();
        EndLine();
    }

    private void WriteTrailer()
    {
        _json.WriteStartObject();
        _json.WriteBoolean("end"u8, true);
        _json.WriteNumber("frames"u8, Written);
        _json.WriteNumber("dropped"u8, Dropped);
        _json.WriteNumber("closed"u8, NowMicros());
        _json.WriteEndObject();
        EndLine();
        _output.Flush();
    }

    private void EndLine()
    {
        // The JSON goes to a memory buffer first: flushing a Utf8JsonWriter bound to the stream
        // would flush the file (and end a gzip block) once per frame.
        _json.Flush();
        _line.Write(NewLine);
        _output.Write(_line.WrittenSpan);
        _line.ResetWrittenCount();
        _json.Reset(_line);
    }

    private void WriteFrame(in Pending p)
    {
        var frame = new ReadOnlySpan<byte>(p.Buffer, 0, p.Length);
        _json.WriteStartObject();
        _json.WriteNumber("t"u8, p.ReceiveTime);
        _json.WriteString("v"u8, p.Venue.ToWireName());
        _json.WriteString("s"u8, p.Source.ToWireName());
        _json.WriteString("c"u8, p.Channel);
        if (Utf8.IsValid(frame))
        {
            _json.WriteString("f"u8, frame);
        }
        else
        {
            _json.WriteBase64String("b"u8, frame);
        }

        _json.WriteEndObject();
        EndLine();
    }

    private async Task DrainAsync()
    {
        var reader = _queue.Reader;
        bool dirty = false;
        long lastFlush = _options.Clock.GetTimestamp();
        try
        {
            while (true)
            {
                while (reader.TryRead(out var p))
                {
                    if (p.Flushed is { } flushed)
                    {
                        await _output.FlushAsync().ConfigureAwait(false);
                        dirty = false;
                        lastFlush = _options.Clock.GetTimestamp();
                        flushed.TrySetResult();
                        continue;
                    }

                    try
                    {
                        WriteFrame(p);
                        Interlocked.Increment(ref _written);
                        dirty = true;
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                    {
                        // A frame the JSON writer refused (e.g. a channel with a lone surrogate): the
                        // line went to the memory buffer only, so drop it and carry on with the next.
                        Interlocked.Increment(ref _dropped);
                        _line.ResetWrittenCount();
                        _json.Reset(_line);
                    }
                    catch
                    {
                        Interlocked.Increment(ref _dropped);
                        throw;
                    }
                    finally
                    {
                        _pool.Return(p.Buffer!);
                    }
                }

                var more = reader.WaitToReadAsync();
                if (dirty && !more.IsCompleted)
                {
                    // Queue momentarily empty: push what we have to the OS, but at most once per
                    // FlushInterval (a gzip flush ends a deflate block; one per frame would cost
                    // compression when frames trickle in).
                    var wait = _options.FlushInterval - _options.Clock.GetElapsedTime(lastFlush);
                    bool flushNow = wait <= TimeSpan.Zero;
                    if (!flushNow)
                    {
                        var waiting = more.AsTask();
                        flushNow = await Task.WhenAny(waiting, Task.Delay(wait, _options.Clock)).ConfigureAwait(false) != waiting;
                        more = new ValueTask<bool>(waiting);
                    }

                    if (flushNow)
                    {
                        await _output.FlushAsync().ConfigureAwait(false);
                        dirty = false;
                        lastFlush = _options.Clock.GetTimestamp();
                    }
                }

                if (!await more.ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
            Volatile.Write(ref _failure, ex);
            // No one drains from here on: close the queue so that later frames are counted as
            // dropped at once and FlushAsync does not wait for a drain that will not come.
            _queue.Writer.TryComplete();
            while (reader.TryRead(out var p))
            {
                if (p.Flushed is { } flushed)
                {
                    flushed.TrySetResult();
                    continue;
                }

                _pool.Return(p.Buffer!);
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    private readonly record struct Pending(long ReceiveTime, VenueId Venue, RawFrameSource Source, string Channel, byte[]? Buffer, int Length,
        TaskCompletionSource? Flushed = null);

    /// <summary>Lets the writer dispose its stream chain without closing a caller's stream.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing) => inner.Flush();
    }
}
