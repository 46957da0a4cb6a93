using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;

namespace Barometer.Simulation.Tests.Emulator;

/// <summary>
/// Every <see cref="EmulatorFaults"/> switch on every Bybit and OKX market. "Nothing arrives"
/// checks wait a bounded time for a message that must not come; nothing is asserted on elapsed
/// time except "a slow response took at least its delay".
/// </summary>
public sealed class FaultInjectionTests
{
    private const long T0 = 1_700_000_000_123_456;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    public static TheoryData<VenueId> Venues => new() { VenueId.BybitLinear, VenueId.BybitSpot, VenueId.OkxSwap, VenueId.OkxSpot };

    // ------------------------------------------------------------------ drop

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Dropped_connections_end_without_a_close_frame_and_reconnects_work(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        await using var raw = await RawWebSocket.ConnectAsync(venue.WebSocketUri);
        using var managed = new ClientWebSocket();
        await managed.ConnectAsync(venue.WebSocketUri, Timeout(5).Token);
        await raw.SendTextAsync(venue.SubscribeTrades("1"));
        Assert.Equal(RawWebSocket.Text, (await raw.ReceiveAsync()).Opcode);
        await WaitForAsync(() => venue.Emulator.SessionCount == 2);

        var pending = managed.ReceiveAsync(new byte[1024], Timeout(10).Token);
        venue.Emulator.Faults.DropConnections();

        Assert.True(await raw.EndedAsync(TimeSpan.FromSeconds(10)), "the raw connection is still open");
        Assert.False(raw.SawCloseFrame);
        var error = await Assert.ThrowsAsync<WebSocketException>(async () => await pending);
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
        Assert.Null(managed.CloseStatus);
        await WaitForAsync(() => venue.Emulator.SessionCount == 0);

        await using var again = await venue.ConnectAsync();
        await venue.SubscribeTradesAsync(again);
        venue.PublishTrade(101);
        Assert.Contains("101", await again.ReceiveAsync());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Drop_during_a_stall_still_cuts_the_connection(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        await using var raw = await RawWebSocket.ConnectAsync(venue.WebSocketUri);
        await raw.SendTextAsync(venue.Ping);
        await raw.ReceiveAsync();
        venue.Emulator.Faults.Stalled = true;
        venue.Emulator.Faults.DropConnections();
        Assert.True(await raw.EndedAsync(TimeSpan.FromSeconds(10)), "the raw connection is still open");
        Assert.False(raw.SawCloseFrame);
        // The host is disposed while still stalled: that must not hang either.
    }

    // ------------------------------------------------------------------ stall

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Stalled_venue_answers_no_websocket_ping_until_it_resumes(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        await using var raw = await RawWebSocket.ConnectAsync(venue.WebSocketUri);

        await raw.SendAsync(RawWebSocket.Ping, "p1"u8.ToArray());
        var pong = await raw.ReceiveAsync();
        Assert.Equal(RawWebSocket.Pong, pong.Opcode);
        Assert.Equal("p1", pong.Text);

        venue.Emulator.Faults.Stalled = true;
        await raw.SendAsync(RawWebSocket.Ping, "p2"u8.ToArray());
        Assert.Null(await raw.TryReceiveAsync(Quiet));

        venue.Emulator.Faults.Stalled = false;
        var late = await raw.ReceiveAsync();
        Assert.Equal(RawWebSocket.Pong, late.Opcode);
        Assert.Equal("p2", late.Text);
        Assert.False(raw.SawCloseFrame);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Keep_alive_client_times_out_on_a_stalled_venue(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        using var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
        client.Options.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        await client.ConnectAsync(venue.WebSocketUri, Timeout(5).Token);

        // Live venue: the client's keep-alive pings are answered and an app ping round-trips.
        await client.SendAsync(Encoding.UTF8.GetBytes(venue.Ping), WebSocketMessageType.Text, true, Timeout(5).Token);
        var buffer = new byte[4096];
        var first = await client.ReceiveAsync(buffer, Timeout(5).Token);
        Assert.Contains("pong", Encoding.UTF8.GetString(buffer, 0, first.Count), StringComparison.Ordinal);

        venue.Emulator.Faults.Stalled = true;
        using var guard = Timeout(10);
        await Assert.ThrowsAnyAsync<Exception>(async () => await client.ReceiveAsync(buffer, guard.Token));
        Assert.False(guard.IsCancellationRequested, "the client gave up on the 10 s guard, not on its keep-alive timeout");
        Assert.Equal(WebSocketState.Aborted, client.State);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Stalled_venue_sends_no_data_acks_or_pongs_and_drops_what_is_published(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        await using var client = await venue.ConnectAsync();
        await venue.SubscribeTradesAsync(client);

        venue.Emulator.Faults.Stalled = true;
        venue.PublishTrade(111);
        venue.Emulator.Faults.InjectFrame("{\"injected\":\"while stalled\"}");
        await client.SendAsync(venue.Ping);
        await client.SendAsync(venue.SubscribeBook("2"));
        Assert.Null(await client.TryReceiveAsync(Quiet));

        venue.Emulator.Faults.Stalled = false;
        // What the client sent meanwhile waited in the socket and is answered now, in order.
        Assert.Contains("pong", await client.ReceiveAsync(), StringComparison.Ordinal);
        Assert.Contains("subscribe", await client.ReceiveAsync(), StringComparison.Ordinal);
        venue.PublishTrade(222);
        string trade = await client.ReceiveAsync();
        Assert.Contains("\"222", trade, StringComparison.Ordinal);
        Assert.Null(await client.TryReceiveAsync(Quiet)); // neither the stalled trade nor the injected frame
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Book_updates_published_during_a_stall_are_lost_and_show_as_a_sequence_gap(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        venue.PublishBookSnapshot();
        await using var client = await venue.ConnectAsync();
        await venue.SubscribeBookAsync(client);
        var before = await venue.NextBookUpdateAsync(client, 1);

        venue.Emulator.Faults.Stalled = true;
        venue.PublishBookUpdate(2);
        venue.PublishBookUpdate(3);
        Assert.Null(await client.TryReceiveAsync(Quiet));
        venue.Emulator.Faults.Stalled = false;

        var after = await venue.NextBookUpdateAsync(client, 4);
        Assert.True(after.Previous > before.Current, $"{after.Previous} should skip past {before.Current}");
        var next = await venue.NextBookUpdateAsync(client, 5);
        Assert.Equal(after.Current, next.Previous);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Sequence_gap_fault_breaks_book_continuity_once(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        venue.PublishBookSnapshot();
        await using var client = await venue.ConnectAsync();
        await venue.SubscribeBookAsync(client);
        var first = await venue.NextBookUpdateAsync(client, 1);
        venue.Emulator.Faults.GapNextSequence();
        var gapped = await venue.NextBookUpdateAsync(client, 2);
        Assert.NotEqual(first.Current, gapped.Previous);
        var next = await venue.NextBookUpdateAsync(client, 3);
        Assert.Equal(gapped.Current, next.Previous);
    }

    // ------------------------------------------------------------------ injected frames

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Injected_malformed_truncated_unknown_and_garbage_frames_reach_every_session_verbatim(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        await using var a = await venue.ConnectAsync();
        await using var b = await venue.ConnectAsync();
        await venue.SubscribeTradesAsync(a);
        await WaitForAsync(() => venue.Emulator.SessionCount == 2);

        string[] frames =
        [
            venue.MalformedFrame,
            venue.TruncatedFrame,
            venue.UnknownTypeFrame,
            "\u0001\u00ff\ufffd\u0000garbage\u00e9\u4e2d",
            "",
        ];
        foreach (string frame in frames)
        {
            venue.Emulator.Faults.InjectFrame(frame);
        }

        foreach (string frame in frames)
        {
            Assert.Equal(frame, await a.ReceiveAsync());
            Assert.Equal(frame, await b.ReceiveAsync());
        }

        // The stream carries on normally afterwards.
        venue.PublishTrade(333);
        Assert.Contains("\"333", await a.ReceiveAsync(), StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ subscriptions

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Rejected_topic_gets_the_venue_error_and_silent_topic_is_acked_but_never_delivers(VenueId id)
    {
        await using var venue = await TestVenue.StartAsync(id);
        venue.Emulator.Faults.RejectedTopics[venue.BookTopic] = true;
        venue.Emulator.Faults.SilentTopics[venue.TradeTopic] = true;
        await using var client = await venue.ConnectAsync();

        await client.SendAsync(venue.SubscribeBook("9"));
        var rejected = await client.ReceiveJsonAsync();
        Assert.True(venue.IsRejection(rejected), rejected.GetRawText());

        await venue.SubscribeTradesAsync(client);
        venue.PublishTrade(444);
        Assert.Null(await client.TryReceiveAsync(Quiet));
    }

    // ------------------------------------------------------------------ REST

    [Theory]
    [InlineData(VenueId.BybitLinear, 429, 403, null)]
    [InlineData(VenueId.BybitSpot, 429, 403, null)]
    [InlineData(VenueId.BybitLinear, 500, 500, "10016")]
    [InlineData(VenueId.BybitSpot, 503, 503, "10016")]
    [InlineData(VenueId.OkxSwap, 429, 429, "50011")]
    [InlineData(VenueId.OkxSpot, 429, 429, "50011")]
    [InlineData(VenueId.OkxSwap, 500, 500, "50026")]
    [InlineData(VenueId.OkxSpot, 503, 503, "50001")]
    public async Task Scripted_rest_failures_use_the_venue_reply_then_succeed(VenueId id, int asked, int status, string? code)
    {
        await using var venue = await TestVenue.StartAsync(id);
        using var http = venue.Http();
        venue.Emulator.Faults.FailNextRest(asked, 2);
        for (int i = 0; i < 2; i++)
        {
            using var failed = await http.GetAsync(venue.RestPath);
            Assert.Equal(status, (int)failed.StatusCode);
            string body = await failed.Content.ReadAsStringAsync();
            if (code is null)
            {
                Assert.Equal("text/plain", failed.Content.Headers.ContentType?.MediaType);
                Assert.Equal("access too frequent", body);
            }
            else
            {
                Assert.Equal("application/json", failed.Content.Headers.ContentType?.MediaType);
                using var doc = JsonDocument.Parse(body);
                Assert.Equal(code, venue.ErrorCode(doc.RootElement));
            }
        }

        using var ok = await http.GetAsync(venue.RestPath);
        Assert.Equal(200, (int)ok.StatusCode);
        using var success = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
        Assert.Equal("0", venue.ErrorCode(success.RootElement));
    }

    [Fact]
    public async Task Bybit_api_rate_limit_mode_answers_10006_in_a_200_body()
    {
        await using var venue = await TestVenue.StartAsync(VenueId.BybitLinear, e => ((BybitEmulator)e).ApiRateLimitReplies = true);
        using var http = venue.Http();
        venue.Emulator.Faults.FailNextRest(429);
        using var limited = await http.GetAsync(venue.RestPath);
        Assert.Equal(200, (int)limited.StatusCode);
        using var doc = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal(10006, doc.RootElement.GetProperty("retCode").GetInt32());
        Assert.Equal("Too many visits!", doc.RootElement.GetProperty("retMsg").GetString());
        Assert.Equal("retCode,retMsg,result,retExtInfo,time", FrameJson.Keys(doc.RootElement));
    }

    [Fact]
    public async Task Okx_rate_limit_body_is_the_gateway_short_form()
    {
        await using var venue = await TestVenue.StartAsync(VenueId.OkxSwap);
        using var http = venue.Http();
        venue.Emulator.Faults.FailNextRest(429);
        using var limited = await http.GetAsync(venue.RestPath);
        Assert.Equal("{\"msg\":\"Too Many Requests\",\"code\":\"50011\"}", await limited.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Slow_rest_responses_take_at_least_the_delay_and_failures_are_slow_too(VenueId id)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        // Timers may fire a few milliseconds early against the stopwatch (seen: 247.99 ms for a
        // 250 ms delay on a loaded 2-core machine); an undelayed reply takes about 1 ms, so a
        // 25 ms allowance still tells a delayed reply from an undelayed one.
        var atLeast = delay - TimeSpan.FromMilliseconds(25);
        await using var venue = await TestVenue.StartAsync(id);
        using var http = venue.Http();
        venue.Emulator.Faults.RestDelay = delay;

        var watch = Stopwatch.StartNew();
        using (var slow = await http.GetAsync(venue.RestPath))
        {
            Assert.Equal(200, (int)slow.StatusCode);
        }

        Assert.True(watch.Elapsed >= atLeast, $"answered after {watch.Elapsed}");

        venue.Emulator.Faults.FailNextRest(503);
        watch.Restart();
        using (var failed = await http.GetAsync(venue.RestPath))
        {
            Assert.Equal(503, (int)failed.StatusCode);
        }

        Assert.True(watch.Elapsed >= atLeast, $"failed after {watch.Elapsed}");

        venue.Emulator.Faults.RestDelay = TimeSpan.Zero;
        using var fast = await http.GetAsync(venue.RestPath);
        Assert.Equal(200, (int)fast.StatusCode);
    }

    // ------------------------------------------------------------------ FaultScript

    [Fact]
    public void Script_applies_due_steps_in_time_order_once()
    {
        var faults = new EmulatorFaults();
        int drops = 0;
        faults.ConnectionsDropped += () => drops++;
        var script = new FaultScript(faults)
            .Stall(2_000, 5_000)
            .Drop(1_000)
            .FailRest(3_000, 429, 2)
            .Gap(3_000)
            .Silence("publicTrade.BTCUSDT", 4_000, 6_000)
            .Reject("orderbook.50.BTCUSDT", 4_000);
        Assert.Equal(8, script.Pending);

        Assert.Equal(0, script.Advance(999));
        Assert.Equal(1, script.Advance(1_000));
        Assert.Equal(1, drops);
        Assert.Equal(1, script.Advance(2_500));
        Assert.True(faults.Stalled);
        Assert.Equal(4, script.Advance(4_000));
        Assert.True(faults.TryTakeRestFailure(out int status) && status == 429);
        Assert.True(faults.TryTakeRestFailure(out _));
        Assert.False(faults.TryTakeRestFailure(out _));
        Assert.True(faults.TryTakeSequenceGap());
        Assert.True(faults.SilentTopics.ContainsKey("publicTrade.BTCUSDT"));
        Assert.True(faults.RejectedTopics.ContainsKey("orderbook.50.BTCUSDT"));

        Assert.Equal(2, script.Advance(10_000));
        Assert.False(faults.Stalled);
        Assert.False(faults.SilentTopics.ContainsKey("publicTrade.BTCUSDT"));
        Assert.True(faults.RejectedTopics.ContainsKey("orderbook.50.BTCUSDT")); // no end given
        Assert.Equal(0, script.Advance(20_000));
        Assert.Equal(1, drops);
        Assert.Equal(
            new[] { "1000:drop", "2000:stall", "3000:rest 429x2", "3000:gap", "4000:silence publicTrade.BTCUSDT",
             "4000:reject orderbook.50.BTCUSDT", "5000:resume", "6000:unsilence publicTrade.BTCUSDT" },
            script.Applied);
    }

    [Fact]
    public void Script_text_plan_parses_relative_to_its_origin()
    {
        var faults = new EmulatorFaults();
        string? injected = null;
        faults.FrameInjected += text => injected = text;
        var script = FaultScript.Parse(faults, """
            # soak plan
            10s drop; 20s..30s stall
            40s gap ; 45s checksum
            50s rest 503 3
            1m..90s slow 1.5s
            70s inject {"topic":"publicTrade.BTCUSDT","data":[
            80s..100s reject tickers.BTCUSDT
            500ms silence trades:BTC-USDT
            """, originMicros: T0);
        Assert.Equal(12, script.Pending);

        script.Advance(T0 + 500_000);
        Assert.True(faults.SilentTopics.ContainsKey("trades:BTC-USDT"));
        script.Advance(T0 + 25_000_000);
        Assert.True(faults.Stalled);
        script.Advance(T0 + 61_000_000);
        Assert.False(faults.Stalled);
        Assert.True(faults.TryTakeSequenceGap());
        Assert.True(faults.TryTakeBadChecksum());
        Assert.Equal(TimeSpan.FromSeconds(1.5), faults.RestDelay);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(faults.TryTakeRestFailure(out int status) && status == 503);
        }

        script.Advance(DateTimeOffset.UnixEpoch.AddTicks((T0 + 85_000_000) * TimeSpan.TicksPerMicrosecond));
        Assert.Equal("{\"topic\":\"publicTrade.BTCUSDT\",\"data\":[", injected);
        Assert.True(faults.RejectedTopics.ContainsKey("tickers.BTCUSDT"));
        script.Advance(T0 + 100_000_000);
        Assert.Equal(TimeSpan.Zero, faults.RestDelay);
        Assert.False(faults.RejectedTopics.ContainsKey("tickers.BTCUSDT"));
        Assert.Equal(0, script.Pending);
    }

    [Theory]
    [InlineData("10s")]
    [InlineData("10s explode")]
    [InlineData("10 drop")]
    [InlineData("10s..20s drop")]
    [InlineData("10s stall")]
    [InlineData("20s..10s stall")]
    [InlineData("10s rest")]
    [InlineData("10s rest 42")]
    [InlineData("10s rest 429 0")]
    [InlineData("10s..20s slow")]
    [InlineData("10s inject")]
    [InlineData("10s reject a b")]
    public void Script_text_plan_rejects_bad_entries(string plan)
    {
        var error = Record.Exception(() => FaultScript.Parse(new EmulatorFaults(), plan));
        Assert.True(error is FormatException or ArgumentOutOfRangeException, error?.ToString() ?? "no error");
    }

    [Fact]
    public async Task Script_drives_a_running_venue()
    {
        await using var venue = await TestVenue.StartAsync(VenueId.BybitLinear);
        await using var client = await venue.ConnectAsync();
        await venue.SubscribeTradesAsync(client);
        var script = FaultScript.Parse(venue.Emulator.Faults, "1s..2s stall; 3s drop", T0);

        script.Advance(T0 + 1_000_000);
        venue.PublishTrade(555);
        Assert.Null(await client.TryReceiveAsync(Quiet));
        script.Advance(T0 + 2_000_000);
        venue.PublishTrade(666);
        Assert.Contains("\"666", await client.ReceiveAsync(), StringComparison.Ordinal);
        script.Advance(T0 + 3_000_000);
        await WaitForAsync(() => venue.Emulator.SessionCount == 0);
    }

    // ------------------------------------------------------------------ helpers

    private static CancellationTokenSource Timeout(int seconds) => new(TimeSpan.FromSeconds(seconds));

    /// <summary>Polls a condition the emulator reaches asynchronously; fails after 10 s.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }

    /// <summary>One running venue with its protocol details, so the fault tests read the same for each.</summary>
    private sealed class TestVenue : IAsyncDisposable
    {
        private readonly EmulatorHost _host;
        private long _tradeId;

        private TestVenue(EmulatorHost host, VenueEmulator emulator, Instrument btc)
        {
            _host = host;
            Emulator = emulator;
            Btc = btc;
        }

        public VenueEmulator Emulator { get; }

        public Instrument Btc { get; }

        public bool IsBybit => Emulator.Venue is VenueId.BybitLinear or VenueId.BybitSpot;

        private string Symbol => Btc.VenueSymbol;

        public Uri WebSocketUri => new(_host.WebSocketBase(Emulator.Venue), IsBybit ? ((BybitEmulator)Emulator).WebSocketPath : "/ws/v5/public");

        public string Ping => IsBybit ? "{\"op\":\"ping\"}" : "ping";

        public string TradeTopic => IsBybit ? "publicTrade." + Symbol : "trades:" + Symbol;

        public string BookTopic => IsBybit ? "orderbook.50." + Symbol : "books:" + Symbol;

        public string RestPath => Emulator.Venue switch
        {
            VenueId.BybitLinear => "/v5/market/instruments-info?category=linear",
            VenueId.BybitSpot => "/v5/market/instruments-info?category=spot",
            VenueId.OkxSwap => "/api/v5/public/instruments?instType=SWAP",
            _ => "/api/v5/public/instruments?instType=SPOT",
        };

        public string MalformedFrame => IsBybit
            ? "{\"topic\":\"publicTrade." + Symbol + "\",\"type\":snapshot,,\"data\":[}"
            : "{\"arg\":{\"channel\":\"trades\",\"instId\":\"" + Symbol + "\"},\"data\":[{\"px\":}]}";

        public string TruncatedFrame => IsBybit
            ? "{\"topic\":\"publicTrade." + Symbol + "\",\"type\":\"snapshot\",\"ts\":1700000000123,\"data\":[{\"T\":17000"
            : "{\"arg\":{\"channel\":\"trades\",\"instId\":\"" + Symbol + "\"},\"data\":[{\"instId\":\"" + Symbol + "\",\"tradeId\":\"1";

        public string UnknownTypeFrame => IsBybit
            ? "{\"topic\":\"brandNewTopic." + Symbol + "\",\"type\":\"mystery\",\"ts\":1700000000123,\"data\":{}}"
            : "{\"event\":\"mystery\",\"code\":\"0\",\"msg\":\"\",\"connId\":\"a4d3ae55\"}";

        public static async Task<TestVenue> StartAsync(VenueId id, Action<VenueEmulator>? configure = null)
        {
            var registry = new InstrumentRegistry();
            Instrument btc = id switch
            {
                VenueId.BybitLinear => registry.GetOrAdd(id, "BTC", "USDT", "BTCUSDT", 1, 0.1),
                VenueId.BybitSpot => registry.GetOrAdd(id, "BTC", "USDT", "BTCUSDT", 1, 0.01),
                VenueId.OkxSwap => registry.GetOrAdd(id, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1),
                _ => registry.GetOrAdd(id, "BTC", "USDT", "BTC-USDT", 1, 0.1),
            };
            VenueEmulator emulator = id is VenueId.BybitLinear or VenueId.BybitSpot
                ? new BybitEmulator(id, [btc], TimeProvider.System)
                : new OkxEmulator(id, [btc], TimeProvider.System);
            configure?.Invoke(emulator);
            return new TestVenue(await EmulatorHost.StartAsync([emulator]), emulator, btc);
        }

        public Task<WsTestClient> ConnectAsync() => WsTestClient.ConnectAsync(WebSocketUri);

        public HttpClient Http() => new() { BaseAddress = _host.HttpBase(Emulator.Venue), Timeout = TimeSpan.FromSeconds(10) };

        public string SubscribeTrades(string id) => IsBybit
            ? "{\"req_id\":\"" + id + "\",\"op\":\"subscribe\",\"args\":[\"" + TradeTopic + "\"]}"
            : "{\"id\":\"" + id + "\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"" + Symbol + "\"}]}";

        public string SubscribeBook(string id) => IsBybit
            ? "{\"req_id\":\"" + id + "\",\"op\":\"subscribe\",\"args\":[\"" + BookTopic + "\"]}"
            : "{\"id\":\"" + id + "\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"books\",\"instId\":\"" + Symbol + "\"}]}";

        public async Task SubscribeTradesAsync(WsTestClient client)
        {
            await client.SendAsync(SubscribeTrades("t"));
            var ack = await client.ReceiveJsonAsync();
            Assert.False(IsRejection(ack), ack.GetRawText());
        }

        /// <summary>Subscribes the book; Bybit answers with a snapshot, which is read and skipped.</summary>
        public async Task SubscribeBookAsync(WsTestClient client)
        {
            await client.SendAsync(SubscribeBook("b"));
            var ack = await client.ReceiveJsonAsync();
            Assert.False(IsRejection(ack), ack.GetRawText());
            if (IsBybit)
            {
                Assert.Equal("snapshot", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
            }
        }

        public bool IsRejection(JsonElement reply) => IsBybit
            ? !reply.GetProperty("success").GetBoolean()
            : reply.GetProperty("event").GetString() == "error";

        public string ErrorCode(JsonElement body) => IsBybit
            ? body.GetProperty("retCode").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)
            : body.GetProperty("code").GetString()!;

        public void PublishTrade(double price) =>
            _host.Publish(MarketEvent.From(new Trade(Btc, T0, T0, price, 1, Side.Buy, TradeId.FromNumber(++_tradeId))));

        public void PublishBookSnapshot() =>
            _host.Publish(MarketEvent.From(new BookUpdate(Btc, T0, T0, true, 1, 1, 0, [Level(100.0, 0.5)], [Level(100.5, 1)])));

        /// <summary>Changes the best bid's size to <paramref name="size"/> (every call is a real change).</summary>
        public void PublishBookUpdate(double size) =>
            _host.Publish(MarketEvent.From(new BookUpdate(Btc, T0 + (long)(size * 1000), T0, false, 1, 1, 0, [Level(100.0, size)], [])));

        /// <summary>Publishes an update and reads its sequence link: Bybit (u−1, u), OKX (prevSeqId, seqId).</summary>
        public async Task<(long Previous, long Current)> NextBookUpdateAsync(WsTestClient client, double size)
        {
            PublishBookUpdate(size);
            var frame = await client.ReceiveJsonAsync();
            if (IsBybit)
            {
                Assert.Equal("delta", frame.GetProperty("type").GetString());
                long u = frame.GetProperty("data").GetProperty("u").GetInt64();
                return (u - 1, u);
            }

            var d = frame.GetProperty("data")[0];
            return (d.GetProperty("prevSeqId").GetInt64(), d.GetProperty("seqId").GetInt64());
        }

        public ValueTask DisposeAsync() => _host.DisposeAsync();

        private BookLevel Level(double price, double size) => new(Btc.ToTicks(price), price, size);
    }

    /// <summary>
    /// A WebSocket client over a bare TCP socket: it sends any frame (Ping control frames included),
    /// sees every frame the server sends (Pongs included) and tells a close frame from a cut.
    /// </summary>
    private sealed class RawWebSocket : IAsyncDisposable
    {
        public const int Text = 0x1;
        public const int Close = 0x8;
        public const int Ping = 0x9;
        public const int Pong = 0xA;

        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _sendGate = new(1, 1);
        private Task _loop = Task.CompletedTask;

        private RawWebSocket(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        public bool SawCloseFrame { get; private set; }

        public static async Task<RawWebSocket> ConnectAsync(Uri uri)
        {
            var tcp = new TcpClient();
            using var timeout = Timeout(5);
            await tcp.ConnectAsync(uri.Host, uri.Port, timeout.Token);
            var client = new RawWebSocket(tcp);
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            string request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);

            // Read the response head byte by byte so no frame byte is consumed.
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await client._stream.ReadAsync(one, timeout.Token) == 0)
                {
                    throw new IOException("connection closed during the handshake");
                }

                head.Append((char)one[0]);
            }

            Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);
            client._loop = client.ReadLoopAsync();
            return client;
        }

        public Task SendTextAsync(string text) => SendAsync(Text, Encoding.UTF8.GetBytes(text));

        public async Task SendAsync(int opcode, byte[] payload)
        {
            Assert.True(payload.Length < 126);
            var frame = new byte[2 + 4 + payload.Length];
            frame[0] = (byte)(0x80 | opcode);
            frame[1] = (byte)(0x80 | payload.Length);
            byte[] mask = RandomNumberGenerator.GetBytes(4);
            mask.CopyTo(frame, 2);
            for (int i = 0; i < payload.Length; i++)
            {
                frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
            }

            await _sendGate.WaitAsync();
            try
            {
                using var timeout = Timeout(5);
                await _stream.WriteAsync(frame, timeout.Token);
            }
            finally
            {
                _sendGate.Release();
            }
        }

        public async Task<Frame> ReceiveAsync() =>
            await TryReceiveAsync(TimeSpan.FromSeconds(5)) ?? throw new TimeoutException("no frame within 5 s");

        public async Task<Frame?> TryReceiveAsync(TimeSpan wait)
        {
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                return await _frames.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        /// <summary>True when the server ended the connection (closed or cut) within <paramref name="wait"/>.</summary>
        public async Task<bool> EndedAsync(TimeSpan wait)
        {
            var first = await Task.WhenAny(_ended.Task, Task.Delay(wait));
            return first == _ended.Task;
        }

        public async ValueTask DisposeAsync()
        {
            _tcp.Dispose();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
            }

            _sendGate.Dispose();
        }

        private async Task ReadLoopAsync()
        {
            try
            {
                while (true)
                {
                    var header = new byte[2];
                    if (!await ReadExactlyOrEndAsync(header))
                    {
                        return;
                    }

                    int opcode = header[0] & 0x0F;
                    long length = header[1] & 0x7F;
                    if (length == 126)
                    {
                        var ext = new byte[2];
                        if (!await ReadExactlyOrEndAsync(ext))
                        {
                            return;
                        }

                        length = (ext[0] << 8) | ext[1];
                    }
                    else if (length == 127)
                    {
                        var ext = new byte[8];
                        if (!await ReadExactlyOrEndAsync(ext))
                        {
                            return;
                        }

                        length = 0;
                        foreach (byte b in ext)
                        {
                            length = (length << 8) | b;
                        }
                    }

                    var payload = new byte[length];
                    if (!await ReadExactlyOrEndAsync(payload))
                    {
                        return;
                    }

                    if (opcode == Close)
                    {
                        SawCloseFrame = true;
                    }

                    _frames.Writer.TryWrite(new Frame(opcode, payload));
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
                // A reset or our own dispose: the connection is over.
            }
            finally
            {
                _frames.Writer.TryComplete();
                _ended.TrySetResult();
            }
        }

        private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer)
        {
            int read = 0;
            while (read < buffer.Length)
            {
                int n = await _stream.ReadAsync(buffer.AsMemory(read));
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return true;
        }

        public sealed record Frame(int Opcode, byte[] Payload)
        {
            public string Text => Encoding.UTF8.GetString(Payload);
        }
    }
}
