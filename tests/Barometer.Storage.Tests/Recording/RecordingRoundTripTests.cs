using System.IO.Compression;
using System.Text;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Barometer.Storage.Recording;

namespace Barometer.Storage.Tests.Recording;

public sealed class RecordingRoundTripTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "barometer-rec-" + Guid.NewGuid().ToString("N"));

    public RecordingRoundTripTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Created = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    // 2026-12-06T12:00:00Z in µs since the epoch: 1796558400 s × 10^6.
    private const long CreatedMicros = 1_796_558_400_000_000;

    private static List<(RecordedFrame Frame, byte[] Bytes)> ReadAll(RecordingReader reader)
    {
        var list = new List<(RecordedFrame, byte[])>();
        while (reader.TryRead(out var f))
        {
            list.Add((f, f.Frame.ToArray()));
        }

        return list;
    }

    [Theory]
    [InlineData("rec.ndjson")]
    [InlineData("rec.ndjson.gz")]
    public async Task Frames_read_back_byte_for_byte_with_time_venue_source_and_channel(string name)
    {
        string path = Path.Combine(_dir, name);
        byte[] trade = "{\"e\":\"aggTrade\",\"s\":\"BTCUSDT\",\"p\":\"97000.10\",\"q\":\"0.002\"}"u8.ToArray();
        byte[] escapes = Encoding.UTF8.GetBytes("{\"msg\":\"line\\nbreak \\\"quoted\\\" tab\\t slash\\\\ \\u00e9\"}");
        byte[] unicode = Encoding.UTF8.GetBytes("{\"note\":\"é 中文 😀\"}");
        byte[] notUtf8 = [0x7b, 0xff, 0xfe, 0x00, 0x7d];
        byte[] rest = "{\"lastUpdateId\":1027024,\"bids\":[[\"4.00000000\",\"431.00000000\"]],\"asks\":[]}"u8.ToArray();

        await using (var writer = RecordingWriter.Create(path, new RecordingWriterOptions { Clock = new FixedClock(Created) }))
        {
            writer.OnFrame(VenueId.BinanceFutures, RawFrameSource.WebSocket, "/market/stream", 1_000_001, trade);
            writer.OnFrame(VenueId.OkxSwap, RawFrameSource.WebSocket, "/ws/v5/public", 1_000_002, escapes);
            writer.OnFrame(VenueId.BybitLinear, RawFrameSource.WebSocket, "/v5/public/linear", 1_000_003, unicode);
            writer.OnFrame(VenueId.BybitSpot, RawFrameSource.WebSocket, "/v5/public/spot", 1_000_004, notUtf8);
            writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.Rest, "/api/v3/depth?symbol=BTCUSDT&limit=1000", 1_000_005, rest);
        }

        using var reader = RecordingReader.Open(path);
        var frames = ReadAll(reader);

        Assert.Equal(5, frames.Count);
        Assert.Equal(trade, frames[0].Bytes);
        Assert.Equal(escapes, frames[1].Bytes);
        Assert.Equal(unicode, frames[2].Bytes);
        Assert.Equal(notUtf8, frames[3].Bytes);
        Assert.Equal(rest, frames[4].Bytes);
        Assert.Equal(new[] { 1_000_001L, 1_000_002, 1_000_003, 1_000_004, 1_000_005 }, frames.Select(f => f.Frame.ReceiveTime));
        Assert.Equal(new[] { VenueId.BinanceFutures, VenueId.OkxSwap, VenueId.BybitLinear, VenueId.BybitSpot, VenueId.BinanceSpot }, frames.Select(f => f.Frame.Venue));
        Assert.Equal(RawFrameSource.Rest, frames[4].Frame.Source);
        Assert.Equal("/api/v3/depth?symbol=BTCUSDT&limit=1000", frames[4].Frame.Channel);
        Assert.Equal("/market/stream", frames[0].Frame.Channel);
        Assert.Equal(new long[] { 2, 3, 4, 5, 6 }, frames.Select(f => f.Frame.Line)); // line 1 is the header
        Assert.Equal(new RecordingHeader(1, "live", CreatedMicros, reader.Header!.Tool), reader.Header);
        Assert.StartsWith("barometer ", reader.Header.Tool, StringComparison.Ordinal);
        Assert.Equal(new RecordingTrailer(5, 0, CreatedMicros), reader.Trailer);
        Assert.Equal(0, reader.ErrorCount);
    }

    [Fact]
    public async Task Gzip_is_detected_from_the_magic_bytes_not_the_name()
    {
        string path = Path.Combine(_dir, "no-extension");
        await using (var writer = RecordingWriter.Create(path, new RecordingWriterOptions { Gzip = true }))
        {
            writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws", 7, "{\"a\":1}"u8);
        }

        byte[] head = File.ReadAllBytes(path)[..2];
        Assert.Equal(new byte[] { 0x1f, 0x8b }, head);
        using var reader = RecordingReader.Open(path);
        Assert.True(reader.TryRead(out var f));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(f.Frame.Span));
    }

    [Fact]
    public async Task The_file_is_ndjson_with_a_header_one_line_per_frame_and_a_trailer()
    {
        string path = Path.Combine(_dir, "plain.ndjson");
        await using (var writer = RecordingWriter.Create(path, new RecordingWriterOptions { Clock = new FixedClock(Created), Label = "simulated", Tool = "barometer test" }))
        {
            writer.OnFrame(VenueId.BinanceFutures, RawFrameSource.WebSocket, "/market/ws/btcusdt@aggTrade", 1_796_558_400_123_456, "{\"e\":\"aggTrade\"}"u8);
        }

        string[] lines = File.ReadAllLines(path);
        Assert.Equal(
            [
                "{\"format\":\"barometer-recording\",\"version\":1,\"label\":\"simulated\",\"created\":1796558400000000,\"tool\":\"barometer test\"}",
                "{\"t\":1796558400123456,\"v\":\"binance-futures\",\"s\":\"ws\",\"c\":\"/market/ws/btcusdt@aggTrade\",\"f\":\"{\\\"e\\\":\\\"aggTrade\\\"}\"}",
                "{\"end\":true,\"frames\":1,\"dropped\":0,\"closed\":1796558400000000}",
            ],
            lines);
    }

    [Fact]
    public async Task A_corrupt_line_is_reported_with_its_number_and_reading_continues()
    {
        string path = Path.Combine(_dir, "corrupt.ndjson");
        File.WriteAllLines(path,
        [
            "{\"format\":\"barometer-recording\",\"version\":1,\"label\":\"live\",\"created\":0,\"tool\":\"t\"}",
            "{\"t\":1,\"v\":\"binance-spot\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"one\"}",
            "{\"t\":2,\"v\":\"binance-spot\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"tw",
            "garbage",
            "{\"t\":3,\"v\":\"kraken\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"x\"}",
            "{\"t\":4,\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"x\"}",
            "{\"t\":\"5\",\"v\":\"binance-spot\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"x\"}",
            "{\"t\":6,\"v\":\"binance-spot\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"x\"} {}",
            "",
            "{\"t\":9,\"v\":\"okx-spot\",\"s\":\"rest\",\"c\":\"/api/v5/market/books\",\"f\":\"nine\",\"future\":{\"x\":1}}",
        ]);

        using var reader = RecordingReader.Open(path);
        var frames = ReadAll(reader);

        Assert.Equal(new[] { "one", "nine" }, frames.Select(f => Encoding.UTF8.GetString(f.Bytes)));
        Assert.Equal(new long[] { 2, 10 }, frames.Select(f => f.Frame.Line));
        Assert.Equal(new long[] { 3, 4, 5, 6, 7, 8 }, reader.Errors.Select(e => e.Line));
        Assert.Equal(6, reader.ErrorCount);
        Assert.Contains("venue", reader.Errors[2].Message, StringComparison.Ordinal);
        Assert.Equal("missing \"v\"", reader.Errors[3].Message);
        Assert.Contains("\"t\"", reader.Errors[4].Message, StringComparison.Ordinal);
        Assert.Null(reader.Trailer);
    }

    [Fact]
    public async Task A_truncated_gzip_file_yields_the_frames_before_the_cut_and_an_error()
    {
        string path = Path.Combine(_dir, "cut.ndjson.gz");
        // Incompressible-ish frames so the compressed file is long enough to cut in the middle.
        var random = new Random(42);
        await using (var writer = RecordingWriter.Create(path))
        {
            for (int i = 0; i < 2000; i++)
            {
                string payload = "{\"i\":" + i + ",\"pad\":\"" + Convert.ToHexString(RandomBytes(random, 64)) + "\"}";
                writer.OnFrame(VenueId.BinanceFutures, RawFrameSource.WebSocket, "/market/stream", i, Encoding.UTF8.GetBytes(payload));
            }
        }

        byte[] whole = File.ReadAllBytes(path);
        string cut = Path.Combine(_dir, "cut2.ndjson.gz");
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]);

        using var reader = RecordingReader.Open(cut);
        var frames = ReadAll(reader);

        Assert.InRange(frames.Count, 100, 1999);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(i, frames[i].Frame.ReceiveTime);
        }

        Assert.Null(reader.Trailer);
        // The cut lands inside a line: that line is reported as cut short, and the gzip data as ending early.
        long cutLine = frames[^1].Frame.Line + 1;
        Assert.Equal(2, reader.ErrorCount);
        Assert.Equal(new RecordingError(0, $"gzip data ends early (its trailer does not match): the file was cut short after line {cutLine - 1}"), reader.Errors[0]);
        Assert.Equal(cutLine, reader.Errors[1].Line);
        Assert.StartsWith("last line is cut short (no newline at the end of the file", reader.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_file_cut_exactly_between_two_lines_is_still_reported_as_cut_short()
    {
        string header = "{\"format\":\"barometer-recording\",\"version\":1,\"label\":\"live\",\"created\":0,\"tool\":\"t\"}\n";
        string one = "{\"t\":1,\"v\":\"binance-spot\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"one\"}\n";
        string two = "{\"t\":2,\"v\":\"binance-spot\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"two\"}\n";
        var file = new MemoryStream();
        long boundary;
        using (var gz = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(header + one));
            gz.Flush(); // sync flush: everything so far decodes on its own
            boundary = file.Length;
            gz.Write(Encoding.UTF8.GetBytes(two));
        }

        var cut = new MemoryStream(file.ToArray()[..(int)boundary]);
        using var reader = RecordingReader.Open(cut);
        var frames = ReadAll(reader);

        Assert.Equal(new[] { "one" }, frames.Select(f => Encoding.UTF8.GetString(f.Bytes)));
        Assert.Equal(new RecordingError(0, "gzip data ends early (its trailer does not match): the file was cut short after line 2"), Assert.Single(reader.Errors));
    }

    [Fact]
    public async Task A_complete_gzip_file_has_no_cut_short_error()
    {
        var stream = new MemoryStream();
        await using (var writer = RecordingWriter.Create(stream, new RecordingWriterOptions { Gzip = true }))
        {
            writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws", 1, "{}"u8);
        }

        stream.Position = 0;
        using var reader = RecordingReader.Open(stream);
        Assert.Single(ReadAll(reader));
        Assert.NotNull(reader.Trailer);
        Assert.Equal(0, reader.ErrorCount);
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_frames_instead_of_blocking_and_the_trailer_says_so()
    {
        var gate = new GatedStream();
        var options = new RecordingWriterOptions { QueueCapacity = 2 };
        var writer = RecordingWriter.Create(gate, options);
        gate.Arm();
        // From now on the drain task blocks in its first write; the queue holds 2.
        for (int i = 0; i < 10; i++)
        {
            writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws", i, "{}"u8);
        }

        long dropped = writer.Dropped;
        Assert.InRange(dropped, 7, 8); // 2 queued, at most 1 taken by the blocked drain task
        gate.Open();
        await writer.DisposeAsync();

        Assert.Equal(10, writer.Written + writer.Dropped);
        gate.Inner.Position = 0;
        using var reader = RecordingReader.Open(gate.Inner, gzip: false);
        var frames = ReadAll(reader);
        Assert.Equal(writer.Written, frames.Count);
        Assert.Equal(new RecordingTrailer(writer.Written, dropped, reader.Trailer!.Closed), reader.Trailer);
    }

    [Fact]
    public async Task Frames_offered_after_close_are_counted_not_thrown()
    {
        var stream = new MemoryStream();
        var writer = RecordingWriter.Create(stream);
        await writer.DisposeAsync();
        writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws", 1, "{}"u8);
        Assert.Equal(1, writer.Dropped);
    }

    [Fact]
    public async Task A_failing_disk_stops_writing_and_counts_the_rest_as_dropped()
    {
        var failing = new FailingStream();
        var writer = RecordingWriter.Create(failing);
        for (int i = 0; i < 5; i++)
        {
            writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws", i, "{}"u8);
        }

        await writer.DisposeAsync();
        Assert.IsType<IOException>(writer.Failure);
        Assert.Equal(5, writer.Dropped + writer.Written);
        Assert.Equal(0, writer.Written);
    }

    [Fact]
    public async Task A_frame_the_json_writer_refuses_is_dropped_and_the_next_frames_are_still_written()
    {
        var stream = new MemoryStream();
        var writer = RecordingWriter.Create(stream);
        // A lone surrogate cannot be encoded as UTF-8; whether the writer replaces or refuses it,
        // it must not stop the drain task or corrupt the following line.
        writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws\ud800", 1, "{\"a\":1}"u8);
        writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws", 2, "{\"b\":2}"u8);
        await writer.DisposeAsync();

        Assert.Null(writer.Failure);
        Assert.Equal(2, writer.Written + writer.Dropped);
        stream.Position = 0;
        using var reader = RecordingReader.Open(stream, gzip: false);
        var frames = ReadAll(reader);
        Assert.Equal("{\"b\":2}", Encoding.UTF8.GetString(frames[^1].Bytes));
        Assert.Equal(2, frames[^1].Frame.ReceiveTime);
        Assert.Equal(0, reader.ErrorCount);
        Assert.Equal(new RecordingTrailer(writer.Written, writer.Dropped, reader.Trailer!.Closed), reader.Trailer);
    }

    [Theory]
    [InlineData("live")]
    [InlineData("simulated")]
    public async Task The_header_label_says_whether_the_frames_are_live_or_simulated(string label)
    {
        var stream = new MemoryStream();
        await using (var writer = RecordingWriter.Create(stream, new RecordingWriterOptions { Label = label, Clock = new FixedClock(Created) }))
        {
            writer.OnFrame(VenueId.OkxSwap, RawFrameSource.WebSocket, "/ws/v5/public", 5, "{}"u8);
        }

        stream.Position = 0;
        using var reader = RecordingReader.Open(stream, gzip: false);
        Assert.True(reader.TryRead(out _));
        Assert.Equal(label, reader.Header!.Label);
        Assert.Equal(CreatedMicros, reader.Header.Created);
        Assert.Equal(RecordingFormat.Version, reader.Header.Version);
    }

    [Fact]
    public void A_header_of_another_version_is_reported_and_the_frames_are_still_read()
    {
        var stream = new MemoryStream(Encoding.UTF8.GetBytes(
            "{\"format\":\"barometer-recording\",\"version\":2,\"label\":\"live\",\"created\":0,\"tool\":\"future\"}\n" +
            "{\"t\":1,\"v\":\"okx-spot\",\"s\":\"ws\",\"c\":\"/ws\",\"f\":\"x\"}\n"));
        using var reader = RecordingReader.Open(stream, gzip: false);
        var frames = ReadAll(reader);

        Assert.Single(frames);
        Assert.Equal(2, reader.Header!.Version);
        Assert.Equal(new RecordingError(1, "format version 2 is not 1; reading what matches version 1"), Assert.Single(reader.Errors));
    }

    [Fact]
    public async Task FlushAsync_makes_every_frame_offered_before_it_readable_before_close()
    {
        // An hour between automatic flushes: only FlushAsync can push the gzip data out.
        var stream = new MemoryStream();
        var writer = RecordingWriter.Create(stream, new RecordingWriterOptions { Gzip = true, FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 3; i++)
        {
            writer.OnFrame(VenueId.BinanceFutures, RawFrameSource.WebSocket, "/stream", 100 + i, Encoding.UTF8.GetBytes("{\"n\":" + i + "}"));
        }

        await writer.FlushAsync();

        using (var reader = RecordingReader.Open(new MemoryStream(stream.ToArray())))
        {
            var frames = ReadAll(reader);
            Assert.Equal(new long[] { 100, 101, 102 }, frames.Select(f => f.Frame.ReceiveTime));
            Assert.Equal("{\"n\":2}", Encoding.UTF8.GetString(frames[2].Bytes));
            Assert.NotNull(reader.Header);
            Assert.Null(reader.Trailer); // still open: a reader sees a recording being written
        }

        await writer.DisposeAsync();
        await writer.FlushAsync(); // after close: returns at once
        stream.Position = 0;
        using var closed = RecordingReader.Open(stream);
        Assert.Equal(3, ReadAll(closed).Count);
        Assert.Equal(3, closed.Trailer!.Frames);
    }

    [Fact]
    public async Task FlushAsync_after_a_disk_failure_returns_instead_of_waiting_forever()
    {
        var writer = RecordingWriter.Create(new FailingStream());
        writer.OnFrame(VenueId.BinanceSpot, RawFrameSource.WebSocket, "/ws", 1, "{}"u8);
        await writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await writer.DisposeAsync();
        Assert.IsType<IOException>(writer.Failure);
        Assert.Equal(1, writer.Dropped);
    }

    [Fact]
    public void Bad_writer_options_are_refused_with_the_option_named()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => RecordingWriter.Create(new MemoryStream(), new RecordingWriterOptions { Label = "demo" }));
        Assert.Contains("Label", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordingWriter.Create(new MemoryStream(), new RecordingWriterOptions { QueueCapacity = 0 }));
    }

    /// <summary>Blocks every write until opened, to hold the drain task.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly ManualResetEventSlim _open = new(false);
        private volatile bool _armed;

        public MemoryStream Inner { get; } = new();

        public void Open() => _open.Set();

        public void Arm() => _armed = true;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Inner.Length;

        public override long Position { get => Inner.Position; set => Inner.Position = value; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            // The header is written synchronously by Create on the caller's thread: let it through.
            if (_armed)
            {
                Wait();
            }

            Inner.Write(buffer);
        }

        private void Wait() => _open.Wait(TimeSpan.FromSeconds(30));

        protected override void Dispose(bool disposing)
        {
            // Keep Inner readable for the test.
        }
    }

    private sealed class FailingStream : Stream
    {
        private int _writes;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get => 0; set { } }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Interlocked.Increment(ref _writes) > 1)
            {
                throw new IOException("No space left on device");
            }
        }
    }
}
