using System.Text;
using Barometer.Cli.Verbs;
using Barometer.Core.Instruments;
using Barometer.Storage.Recording;
using Barometer.Venues.Common;

namespace Barometer.Cli.Tests;

public sealed class ReplayVerbTests : IDisposable
{
    private static readonly string Sample = Path.Combine(AppContext.BaseDirectory, "TestData", "replay", "binance-2021-04.ndjson");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "barometer-replay-" + Guid.NewGuid().ToString("N"));

    public ReplayVerbTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Output, string Errors)> Replay(string path, string? speed = "max")
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = await ReplayVerb.ExecuteAsync(path, speed, null, stdout, stderr, CancellationToken.None);
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    [Fact]
    public async Task A_recording_of_real_binance_frames_replays_to_the_normalized_events()
    {
        var (code, output, errors) = await Replay(Sample);

        Assert.Equal(0, code);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(9, lines.Length); // 5 aggTrades, 2 depth diffs, 1 REST snapshot, 1 Bybit publicTrade
        // Frame: {"e":"aggTrade","E":1618677448238,"a":52599685,"s":"YFIUSDT","p":"49966.7","q":"0.001",…,"T":1618677448084,"m":false}
        // recorded at t = 1618677448238500. m:false = the buyer took liquidity → side buy; T in ms → µs.
        Assert.Equal(
            """{"v":1,"kind":"trade","venue":"binance-futures","symbol":"YFIUSDT","base":"YFI","quote":"USDT","exchange_time_us":1618677448084000,"receive_time_us":1618677448238500,"price":49966.7,"quantity":0.001,"side":"buy","trade_id":"52599685","notional_usd":49.966699999999996}""",
            lines[4]);
        // The REST body of /fapi/v1/depth?symbol=KSMUSDT (lastUpdateId 335340592949, T 1618677448305) is a snapshot
        // whose symbol comes from the recorded request, not the body.
        Assert.StartsWith(
            """{"v":1,"kind":"book_update","venue":"binance-futures","symbol":"KSMUSDT","base":"KSM","quote":"USDT","exchange_time_us":1618677448305000,"receive_time_us":1618677448330000,"snapshot":true,"first_update_id":335340592949,"last_update_id":335340592949,""",
            lines[5], StringComparison.Ordinal);
        Assert.Contains("9 frames read, 9 events written", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("not replayed", errors, StringComparison.Ordinal);
        // The Bybit frame (official publicTrade example): S "Buy" is the taker side, i a UUID.
        Assert.StartsWith(
            """{"v":1,"kind":"trade","venue":"bybit-linear","symbol":"BTCUSDT","base":"BTC","quote":"USDT","exchange_time_us":1672304486865000,""",
            lines[8], StringComparison.Ordinal);
        Assert.Contains(""""price":16578.5,"quantity":0.001,"side":"buy","trade_id":"20f43950-d8dd-5b31-9112-a178eb6023af"""", lines[8], StringComparison.Ordinal);
        Assert.Contains("recorded 2021-04-17T16:36:13.913500Z → 2021-04-17T16:37:29.000000Z", errors, StringComparison.Ordinal);
        Assert.Contains("(live recording)", errors, StringComparison.Ordinal);
        Assert.Contains("bad lines: 0", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("no trailer", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replaying_the_same_recording_twice_gives_byte_identical_output()
    {
        var first = await Replay(Sample);
        var second = await Replay(Sample);
        Assert.False(string.IsNullOrEmpty(first.Output));
        Assert.Equal(first.Output, second.Output);
    }

    [Fact]
    public async Task Corrupt_lines_are_reported_by_number_and_the_rest_is_replayed()
    {
        string[] lines = File.ReadAllLines(Sample);
        // Line 4 (KSMUSDT depth diff) becomes garbage and line 6 (first YFIUSDT trade) is cut in half.
        lines[3] = "this is not json";
        lines[5] = lines[5][..(lines[5].Length / 2)];
        string path = Path.Combine(_dir, "corrupt.ndjson");
        File.WriteAllLines(path, lines);

        var (code, output, errors) = await Replay(path);

        Assert.Equal(0, code); // bad lines are reported, not fatal: everything else was replayed
        Assert.Equal(7, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("\"trade_id\":\"52599685\"", output, StringComparison.Ordinal);
        Assert.Contains("\"trade_id\":\"52599686\"", output, StringComparison.Ordinal);
        Assert.Contains("barometer: replay: line 4: not a JSON object", errors, StringComparison.Ordinal);
        Assert.Contains("barometer: replay: line 6: ", errors, StringComparison.Ordinal);
        Assert.Contains("bad lines: 2", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recording_cut_short_replays_what_it_has_and_says_it_has_no_trailer()
    {
        string[] lines = File.ReadAllLines(Sample);
        string path = Path.Combine(_dir, "cut.ndjson");
        File.WriteAllLines(path, lines[..5]);

        var (code, output, errors) = await Replay(path);

        Assert.Equal(0, code);
        Assert.Equal(4, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("no trailer: the recording was not closed cleanly", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gzip_recording_written_by_the_recorder_replays_like_the_plain_one()
    {
        string gz = Path.Combine(_dir, "copy.rec");
        using (var reader = RecordingReader.Open(Sample))
        {
            await using var writer = RecordingWriter.Create(gz, new RecordingWriterOptions { Gzip = true });
            while (reader.TryRead(out var f))
            {
                writer.OnFrame(f.Venue, f.Source, f.Channel, f.ReceiveTime, f.Frame.Span);
            }
        }

        var plain = await Replay(Sample);
        var compressed = await Replay(gz);
        Assert.Equal(plain.Output, compressed.Output);
    }

    [Fact]
    public async Task A_missing_file_is_a_clear_error_with_exit_code_2()
    {
        var (code, output, errors) = await Replay(Path.Combine(_dir, "nope.ndjson"));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("barometer: replay: cannot read '", errors, StringComparison.Ordinal);
        Assert.Contains("nope.ndjson", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_with_nothing_readable_is_not_a_recording_and_fails_with_exit_code_1()
    {
        string path = Path.Combine(_dir, "notes.txt");
        File.WriteAllLines(path, ["hello", "world"]);

        var (code, output, errors) = await Replay(path);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("barometer: replay: line 1: not a JSON object", errors, StringComparison.Ordinal);
        Assert.Contains("barometer: replay: line 2: not a JSON object", errors, StringComparison.Ordinal);
        Assert.Contains("is not a recording", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_file_is_not_a_recording_and_fails_with_exit_code_1()
    {
        string path = Path.Combine(_dir, "empty.ndjson");
        File.WriteAllBytes(path, []);

        var (code, output, errors) = await Replay(path);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("is not a recording", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_gzip_recording_replays_up_to_the_cut_and_reports_it()
    {
        string gz = Path.Combine(_dir, "whole.ndjson.gz");
        using (var reader = RecordingReader.Open(Sample))
        {
            await using var writer = RecordingWriter.Create(gz);
            while (reader.TryRead(out var f))
            {
                writer.OnFrame(f.Venue, f.Source, f.Channel, f.ReceiveTime, f.Frame.Span);
            }
        }

        byte[] whole = File.ReadAllBytes(gz);
        string cut = Path.Combine(_dir, "cut.ndjson.gz");
        File.WriteAllBytes(cut, whole[..(whole.Length - 40)]);

        var (code, output, errors) = await Replay(cut);

        Assert.Equal(0, code);
        Assert.NotEqual(string.Empty, output);
        Assert.Contains("barometer: replay: gzip data ends early (its trailer does not match): the file was cut short after line", errors, StringComparison.Ordinal);
        Assert.Contains("no trailer: the recording was not closed cleanly", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_simulated_recording_is_labelled_simulated_in_the_summary()
    {
        string[] lines = File.ReadAllLines(Sample);
        lines[0] = lines[0].Replace("\"label\":\"live\"", "\"label\":\"simulated\"", StringComparison.Ordinal);
        string path = Path.Combine(_dir, "sim.ndjson");
        File.WriteAllLines(path, lines);

        var (code, _, errors) = await Replay(path);

        Assert.Equal(0, code);
        Assert.Contains("(simulated recording)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_lines_beyond_the_first_twenty_are_counted_not_listed()
    {
        var lines = new List<string>(File.ReadAllLines(Sample));
        for (int i = 0; i < 25; i++)
        {
            lines.Insert(1, "garbage");
        }

        string path = Path.Combine(_dir, "many-bad.ndjson");
        File.WriteAllLines(path, lines);

        var (code, output, errors) = await Replay(path);

        Assert.Equal(0, code);
        Assert.Equal(9, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("barometer: replay: line 21: not a JSON object", errors, StringComparison.Ordinal); // lines 2..21 = first 20
        Assert.DoesNotContain("line 22:", errors, StringComparison.Ordinal);
        Assert.Contains("bad lines: 25", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_refused_with_exit_code_2_and_says_so()
    {
        var (code, output, errors) = await Replay(_dir);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("it is a directory, not a recording file", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public async Task A_bad_speed_is_refused_with_exit_code_2(string speed)
    {
        var (code, _, errors) = await Replay(Sample, speed);
        Assert.Equal(2, code);
        Assert.Equal($"barometer: --speed: '{speed}' is not 'max' or a positive number{Environment.NewLine}", errors);
    }

    [Theory]
    [InlineData("max", 0)]
    [InlineData("MAX", 0)]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("60", 60)]
    [InlineData("0.5", 0.5)]
    public void Speed_is_max_or_a_factor(string text, double expected)
    {
        Assert.True(ReplayVerb.TryParseSpeed(text, out double speed));
        Assert.Equal(expected, speed);
    }

    [Theory]
    // first frame at 0 µs, this one 2 s later in recorded time
    [InlineData(0, 2_000_000, 0, 0, 0)]            // max speed never waits
    [InlineData(0, 2_000_000, 1, 500, 1500)]       // real time: 2 s target, 0.5 s gone → wait 1.5 s
    [InlineData(0, 2_000_000, 10, 0, 200)]         // ten times faster: 0.2 s
    [InlineData(0, 2_000_000, 60, 0, 33.3333)]     // 2 s / 60 = 33.3333 ms
    [InlineData(0, 2_000_000, 1, 2500, 0)]         // already late: no wait
    [InlineData(5_000_000, 4_000_000, 1, 0, 0)]    // recorded before the first frame (venues interleave): no wait
    public void Pacing_follows_recorded_time_divided_by_speed(long first, long frame, double speed, double elapsedMs, double expectedMs)
    {
        var delay = ReplayVerb.DelayBeforeFrame(first, frame, speed, TimeSpan.FromMilliseconds(elapsedMs));
        Assert.Equal(expectedMs, delay.TotalMilliseconds, 3);
    }

    [Fact]
    public async Task At_speed_one_a_recording_is_paced_by_its_receive_times()
    {
        // Three frames 1 s apart at speed 1 against a hand-driven clock: the replay waits exactly 1 s,
        // then 1 s more, and not before.
        string path = Path.Combine(_dir, "paced.ndjson");
        string trade = File.ReadAllLines(Sample)[5];
        var lines = new List<string> { File.ReadAllLines(Sample)[0] };
        for (int i = 0; i < 3; i++)
        {
            lines.Add(trade.Replace("\"t\":1618677448238500", $"\"t\":{1_000_000 * (i + 1)}", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(trade, lines);
        File.WriteAllLines(path, lines);
        var clock = new ManualClock();
        var registry = new InstrumentRegistry();
        using var reader = RecordingReader.Open(path);
        var output = new MemoryStream();
        var run = ReplayVerb.RunAsync(reader, v => VenueNormalizers.TryCreate(v, registry), output, 1, clock, TextWriter.Null, CancellationToken.None);

        await clock.WaitForTimers(1);
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await clock.WaitForTimers(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        var summary = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, summary.Frames);
        Assert.Equal(3, summary.Events);
        Assert.Equal(TimeSpan.FromSeconds(2), summary.Wall);
    }

    /// <summary>A TimeProvider moved by hand (Microsoft.Extensions.TimeProvider.Testing is not available here).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private readonly Lock _gate = new();
        private readonly List<ManualTimer> _timers = new();
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            lock (_gate)
            {
                return _ticks;
            }
        }

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(GetTimestamp());

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state);
            timer.Change(dueTime, period);
            return timer;
        }

        public async Task WaitForTimers(int count)
        {
            for (int i = 0; i < 1000; i++)
            {
                lock (_gate)
                {
                    if (_timers.Count >= count)
                    {
                        return;
                    }
                }

                await Task.Delay(10);
            }

            throw new TimeoutException("no timer was created");
        }

        public void Advance(TimeSpan by)
        {
            List<ManualTimer> due = new();
            lock (_gate)
            {
                _ticks += by.Ticks;
                foreach (var t in _timers)
                {
                    if (t.Due <= _ticks)
                    {
                        due.Add(t);
                    }
                }

                foreach (var t in due)
                {
                    _timers.Remove(t);
                }
            }

            foreach (var t in due)
            {
                t.Fire();
            }
        }

        private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
        {
            public long Due { get; private set; }

            public void Fire() => callback(state);

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                lock (clock._gate)
                {
                    clock._timers.Remove(this);
                    if (dueTime != Timeout.InfiniteTimeSpan)
                    {
                        Due = clock._ticks + dueTime.Ticks;
                        clock._timers.Add(this);
                    }
                }

                return true;
            }

            public void Dispose()
            {
                lock (clock._gate)
                {
                    clock._timers.Remove(this);
                }
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
