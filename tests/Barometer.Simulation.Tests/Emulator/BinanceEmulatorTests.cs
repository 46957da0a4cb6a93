using System.Diagnostics;
using System.Net;
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
/// The Binance emulator (USD-M futures + spot): frames byte-for-byte in the official example
/// shapes, every path form, control replies and errors, the silent legacy futures paths, server
/// keepalive, the 24 h limit on a fake clock, REST and every fault. "Nothing was delivered" is
/// proved by ordering (a LIST_SUBSCRIPTIONS reply queued after the publish arrives first), not by
/// waiting, except where the venue itself is frozen.
/// </summary>
public sealed class BinanceEmulatorTests
{
    private const long T0 = 1_700_000_000_123_456; // µs → 1700000000123 ms
    private const long Ms0 = 1_700_000_000_123;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly InstrumentRegistry _registry = new();
    private long _listId = 9000;

    private Instrument FutBtc => _registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    private Instrument FutEth => _registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "USDT", "ETHUSDT", 1, 0.01);

    private Instrument SpotBtc => _registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);

    public static TheoryData<VenueId> Venues => new() { VenueId.BinanceFutures, VenueId.BinanceSpot };

    // ------------------------------------------------------------------ setup helpers

    private async Task<(EmulatorHost Host, BinanceEmulator Emulator)> StartAsync(VenueId venue, TimeProvider? clock = null,
        Action<BinanceEmulator>? configure = null)
    {
        Instrument[] instruments = venue == VenueId.BinanceFutures ? [FutBtc, FutEth] : [SpotBtc];
        var emulator = new BinanceEmulator(venue, instruments, clock ?? TimeProvider.System);
        // Server pings are tested on their own; elsewhere they would only add noise to raw sockets.
        emulator.PingInterval = TimeSpan.FromHours(1);
        emulator.PongTimeout = TimeSpan.FromHours(2);
        configure?.Invoke(emulator);
        return (await EmulatorHost.StartAsync([emulator]), emulator);
    }

    private static Uri Ws(EmulatorHost host, VenueId venue, string pathAndQuery) => new(host.WebSocketBase(venue), pathAndQuery);

    private static Task<WsTestClient> ConnectAsync(EmulatorHost host, VenueId venue, string pathAndQuery) =>
        WsTestClient.ConnectAsync(Ws(host, venue, pathAndQuery));

    private static HttpClient Http(EmulatorHost host, VenueId venue) =>
        new() { BaseAddress = host.HttpBase(venue), Timeout = TimeSpan.FromSeconds(10) };

    private Instrument Btc(VenueId venue) => venue == VenueId.BinanceFutures ? FutBtc : SpotBtc;

    private static string DataPath(VenueId venue, string stream, bool book) => venue == VenueId.BinanceFutures
        ? (book ? "/public/ws/" : "/market/ws/") + stream
        : "/ws/" + stream;

    private static BookLevel L(Instrument i, double price, double qty) => new(i.ToTicks(price), price, qty);

    private static MarketEvent Book(Instrument i, long time, bool snapshot, BookLevel[] bids, BookLevel[] asks) =>
        MarketEvent.From(new BookUpdate(i, time, time, snapshot, 1, 1, 0, bids, asks));

    private static MarketEvent TradeEvent(Instrument i, double price, double qty, Side side, long id, long time = T0) =>
        MarketEvent.From(new Trade(i, time, time, price, qty, side, TradeId.FromNumber(id)));

    private static async Task<string> SubscribeAsync(WsTestClient client, string stream, int id = 1)
    {
        await client.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"" + stream + "\"],\"id\":" + id + "}");
        string ack = await client.ReceiveAsync();
        Assert.Equal("{\"result\":null,\"id\":" + id + "}", ack);
        return ack;
    }

    /// <summary>
    /// Proves nothing was queued for the client: a LIST_SUBSCRIPTIONS reply sent now is the next
    /// message (anything published before it would have been queued first).
    /// </summary>
    private async Task AssertNothingQueuedAsync(WsTestClient client)
    {
        long id = ++_listId;
        await client.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + id + "}");
        string next = await client.ReceiveAsync();
        Assert.StartsWith("{\"result\":[", next, StringComparison.Ordinal);
        Assert.EndsWith("\"id\":" + id + "}", next, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ trades

    [Fact]
    public async Task Futures_aggTrade_on_the_market_raw_path_is_the_bare_official_shape()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/ws/btcusdt@aggTrade");
        await AssertNothingQueuedAsync(client); // the session is registered

        host.Publish(TradeEvent(FutBtc, 65000.5, 0.012, Side.Sell, 42));
        Assert.Equal(
            "{\"e\":\"aggTrade\",\"E\":1700000000123,\"s\":\"BTCUSDT\",\"a\":42,\"p\":\"65000.5\",\"q\":\"0.012\",\"f\":42,\"l\":42," +
            "\"T\":1700000000123,\"m\":true}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task Futures_combined_market_stream_wraps_payloads_with_the_stream_name()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade");
        await AssertNothingQueuedAsync(client);

        host.Publish(TradeEvent(FutEth, 3000.25, 1.5, Side.Buy, 7));
        Assert.Equal(
            "{\"stream\":\"ethusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":1700000000123,\"s\":\"ETHUSDT\",\"a\":7,\"p\":\"3000.25\"," +
            "\"q\":\"1.500\",\"f\":7,\"l\":7,\"T\":1700000000123,\"m\":false}}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task Spot_aggTrade_and_trade_carry_M_and_eight_decimals()
    {
        var (host, _) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceSpot, "/stream?streams=btcusdt@aggTrade/btcusdt@trade");
        await AssertNothingQueuedAsync(client);

        host.Publish(TradeEvent(SpotBtc, 65000.5, 0.012, Side.Buy, 12345));
        Assert.Equal(
            "{\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":1700000000123,\"s\":\"BTCUSDT\",\"a\":12345," +
            "\"p\":\"65000.50000000\",\"q\":\"0.01200000\",\"f\":12345,\"l\":12345,\"T\":1700000000123,\"m\":false,\"M\":true}}",
            await client.ReceiveAsync());
        Assert.Equal(
            "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1700000000123,\"s\":\"BTCUSDT\",\"t\":12345," +
            "\"p\":\"65000.50000000\",\"q\":\"0.01200000\",\"T\":1700000000123,\"m\":false,\"M\":true}}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task Futures_raw_trade_stream_has_the_futures_shape()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/ws/btcusdt@trade");
        await AssertNothingQueuedAsync(client);

        host.Publish(TradeEvent(FutBtc, 65000.5, 0.012, Side.Sell, 42));
        Assert.Equal(
            "{\"e\":\"trade\",\"E\":1700000000123,\"T\":1700000000123,\"s\":\"BTCUSDT\",\"t\":42,\"p\":\"65000.5\",\"q\":\"0.012\"," +
            "\"X\":\"MARKET\",\"m\":true}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task Spot_raw_path_with_two_streams_sends_bare_payloads()
    {
        var (host, _) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceSpot, "/ws/btcusdt@aggTrade/btcusdt@bookTicker");
        await AssertNothingQueuedAsync(client);

        host.Publish(TradeEvent(SpotBtc, 100, 1, Side.Buy, 1));
        host.Publish(Book(SpotBtc, T0, true, [L(SpotBtc, 99.99, 2)], [L(SpotBtc, 100.01, 3)]));
        Assert.StartsWith("{\"e\":\"aggTrade\"", await client.ReceiveAsync(), StringComparison.Ordinal);
        Assert.Equal("{\"u\":1000002,\"s\":\"BTCUSDT\",\"b\":\"99.99000000\",\"B\":\"2.00000000\",\"a\":\"100.01000000\",\"A\":\"3.00000000\"}",
            await client.ReceiveAsync());
    }

    // ------------------------------------------------------------------ control messages

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Subscribe_list_and_unsubscribe_get_the_documented_replies(VenueId venue)
    {
        var (host, _) = await StartAsync(venue);
        await using var _h = host;
        string path = venue == VenueId.BinanceFutures ? "/market/ws" : "/ws";
        await using var client = await ConnectAsync(host, venue, path);

        await client.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@aggTrade\",\"btcusdt@depth\"],\"id\":1}");
        Assert.Equal("{\"result\":null,\"id\":1}", await client.ReceiveAsync());
        await client.SendAsync("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@depth\"],\"id\":312}");
        Assert.Equal("{\"result\":null,\"id\":312}", await client.ReceiveAsync());
        await client.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}");
        Assert.Equal("{\"result\":[\"btcusdt@aggTrade\"],\"id\":3}", await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\"],\"id\":\"abc123\"}");
        Assert.Equal("{\"result\":null,\"id\":\"abc123\"}", await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@aggTrade\",\"btcusdt@trade\"],\"id\":4}");
        Assert.Equal("{\"result\":null,\"id\":4}", await client.ReceiveAsync());
        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 1));
        await AssertNothingQueuedAsync(client);
    }

    [Fact]
    public async Task Url_streams_are_listed_as_subscriptions()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/public/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker");
        await client.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}");
        Assert.Equal("{\"result\":[\"btcusdt@depth@100ms\",\"btcusdt@bookTicker\"],\"id\":3}", await client.ReceiveAsync());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Bad_requests_get_Binance_error_codes(VenueId venue)
    {
        var (host, _) = await StartAsync(venue);
        await using var _h = host;
        await using var client = await ConnectAsync(host, venue, "/" + (venue == VenueId.BinanceFutures ? "market/" : "") + "ws");

        await client.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@aggTrade\"");
        string invalidJson = await client.ReceiveAsync();
        Assert.StartsWith("{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: expected value at line 1 column ", invalidJson, StringComparison.Ordinal);
        Assert.EndsWith("\"},\"id\":null}", invalidJson, StringComparison.Ordinal);

        await client.SendAsync("{\"method\":\"SUBSCRIBEX\",\"params\":[],\"id\":7}");
        Assert.Equal(
            "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown variant SUBSCRIBEX, expected one of SUBSCRIBE, UNSUBSCRIBE, " +
            "LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY at line 1 column 22\"},\"id\":7}",
            await client.ReceiveAsync());

        string noMethod = "{\"params\":[\"btcusdt@aggTrade\"],\"id\":8}";
        await client.SendAsync(noMethod);
        Assert.Equal("{\"error\":{\"code\":2,\"msg\":\"Invalid request: missing field method at line 1 column " + noMethod.Length + "\"},\"id\":8}",
            await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@aggTrade\"],\"id\":1.5}");
        Assert.Equal("{\"error\":{\"code\":2,\"msg\":\"Invalid request: request ID must be an unsigned integer\"},\"id\":null}",
            await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"not a stream\"],\"id\":9}");
        Assert.Equal("{\"error\":{\"code\":2,\"msg\":\"Invalid request: invalid stream\"},\"id\":9}", await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"params\":[\"x\"],\"id\":10}");
        Assert.Equal("{\"error\":{\"code\":2,\"msg\":\"Invalid request: too many parameters\"},\"id\":10}", await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"SET_PROPERTY\",\"params\":[\"colour\",true],\"id\":11}");
        Assert.Equal("{\"error\":{\"code\":0,\"msg\":\"Unknown property\"},\"id\":11}", await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",\"yes\"],\"id\":12}");
        Assert.Equal("{\"error\":{\"code\":1,\"msg\":\"Invalid value type: expected Boolean\"},\"id\":12}", await client.ReceiveAsync());

        await client.SendAsync("{\"method\":\"GET_PROPERTY\",\"params\":[5],\"id\":13}");
        Assert.Equal("{\"error\":{\"code\":2,\"msg\":\"Invalid request: property name must be a string\"},\"id\":13}", await client.ReceiveAsync());

        // A failed request subscribes nothing.
        await client.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":14}");
        Assert.Equal("{\"result\":[],\"id\":14}", await client.ReceiveAsync());
    }

    [Fact]
    public async Task Combined_property_switches_a_raw_connection_to_wrapped_frames()
    {
        var (host, _) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceSpot, "/ws/btcusdt@aggTrade");
        await client.SendAsync("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":2}");
        Assert.Equal("{\"result\":false,\"id\":2}", await client.ReceiveAsync());
        await client.SendAsync("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],\"id\":5}");
        Assert.Equal("{\"result\":null,\"id\":5}", await client.ReceiveAsync());
        await client.SendAsync("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":6}");
        Assert.Equal("{\"result\":true,\"id\":6}", await client.ReceiveAsync());

        host.Publish(TradeEvent(SpotBtc, 100, 1, Side.Buy, 1));
        Assert.StartsWith("{\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\"", await client.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Unknown_symbol_is_acknowledged_and_never_delivers(VenueId venue)
    {
        var (host, _) = await StartAsync(venue);
        await using var _h = host;
        await using var client = await ConnectAsync(host, venue, DataPath(venue, "nopeusdt@aggTrade", book: false));
        await SubscribeAsync(client, "BTCUSDT@aggTrade", 2); // upper-case symbol: not a Binance stream name either
        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 1));
        await AssertNothingQueuedAsync(client);
    }

    // ------------------------------------------------------------------ futures routing

    [Fact]
    public async Task Futures_public_path_delivers_book_streams_and_silences_market_streams()
    {
        var (host, emulator) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/public/ws");
        await SubscribeAsync(client, "btcusdt@aggTrade", 1);       // wrong category: acked, silent
        host.Publish(TradeEvent(FutBtc, 100, 1, Side.Buy, 1));
        await AssertNothingQueuedAsync(client);
        Assert.Equal(1, emulator.SilentSubscriptionCount);

        await SubscribeAsync(client, "btcusdt@bookTicker", 2);
        Assert.Equal(1, emulator.SilentSubscriptionCount);
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100, 1)], [L(FutBtc, 100.1, 2)]));
        Assert.StartsWith("{\"e\":\"bookTicker\"", await client.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Futures_market_path_silences_book_streams()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/stream?streams=btcusdt@depth/btcusdt@bookTicker/btcusdt@aggTrade");
        await AssertNothingQueuedAsync(client);
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100, 1)], [L(FutBtc, 100.1, 2)]));
        host.Publish(TradeEvent(FutBtc, 100, 1, Side.Buy, 5));
        Assert.StartsWith("{\"stream\":\"btcusdt@aggTrade\"", await client.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ws/btcusdt@aggTrade")]
    [InlineData("/stream?streams=btcusdt@aggTrade/btcusdt@depth/btcusdt@bookTicker")]
    [InlineData("/ws")]
    public async Task Futures_legacy_paths_ack_subscriptions_but_never_deliver(string path)
    {
        var (host, emulator) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, path);
        int urlStreams = path.StartsWith("/stream", StringComparison.Ordinal) ? 3 : path == "/ws" ? 0 : 1;
        await SubscribeAsync(client, "btcusdt@markPrice@1s", 21);
        await SubscribeAsync(client, "btcusdt@depth@100ms", 22);
        Assert.Equal(urlStreams + 2, emulator.SilentSubscriptionCount); // every legacy subscription is silent

        host.Publish(TradeEvent(FutBtc, 100, 1, Side.Buy, 1));
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100, 1)], [L(FutBtc, 100.1, 2)]));
        host.Publish(MarketEvent.From(new Funding(FutBtc, T0, T0, 0.0001, 8, T0 + 3_600_000_000, 100, 100)));
        await client.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":30}");
        string list = await client.ReceiveAsync();
        Assert.Contains("\"btcusdt@markPrice@1s\",\"btcusdt@depth@100ms\"],\"id\":30}", list, StringComparison.Ordinal);

        await client.SendAsync("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@markPrice@1s\"],\"id\":31}");
        Assert.Equal("{\"result\":null,\"id\":31}", await client.ReceiveAsync());
        Assert.Equal(urlStreams + 1, emulator.SilentSubscriptionCount);
    }

    // ------------------------------------------------------------------ book

    [Fact]
    public async Task Futures_depth_diffs_chain_with_U_u_pu()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/public/stream?streams=btcusdt@depth@100ms");
        await AssertNothingQueuedAsync(client);

        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100.0, 0.5), L(FutBtc, 99.9, 1)], [L(FutBtc, 100.1, 2)]));
        Assert.Equal(
            "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1700000000123,\"T\":1700000000123,\"s\":\"BTCUSDT\"," +
            "\"U\":1000001,\"u\":1000003,\"pu\":1000000,\"b\":[[\"99.9\",\"1.000\"],[\"100.0\",\"0.500\"]],\"a\":[[\"100.1\",\"2.000\"]]}}",
            await client.ReceiveAsync());

        host.Publish(Book(FutBtc, T0 + 1000, false, [L(FutBtc, 100.0, 0)], [L(FutBtc, 100.2, 1.5)]));
        Assert.Equal(
            "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1700000000124,\"T\":1700000000124,\"s\":\"BTCUSDT\"," +
            "\"U\":1000004,\"u\":1000005,\"pu\":1000003,\"b\":[[\"100.0\",\"0.000\"]],\"a\":[[\"100.2\",\"1.500\"]]}}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task Spot_depth_diff_has_U_u_no_pu_and_eight_decimals()
    {
        var (host, _) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceSpot, "/ws/btcusdt@depth");
        await AssertNothingQueuedAsync(client);
        host.Publish(Book(SpotBtc, T0, true, [L(SpotBtc, 64999.99, 10)], [L(SpotBtc, 65000.01, 0.5)]));
        Assert.Equal(
            "{\"e\":\"depthUpdate\",\"E\":1700000000123,\"s\":\"BTCUSDT\",\"U\":1000001,\"u\":1000002," +
            "\"b\":[[\"64999.99000000\",\"10.00000000\"]],\"a\":[[\"65000.01000000\",\"0.50000000\"]]}",
            await client.ReceiveAsync());
        host.Publish(Book(SpotBtc, T0, false, [L(SpotBtc, 64999.99, 0), L(SpotBtc, 64999.98, 1)], []));
        Assert.Equal(
            "{\"e\":\"depthUpdate\",\"E\":1700000000123,\"s\":\"BTCUSDT\",\"U\":1000003,\"u\":1000004," +
            "\"b\":[[\"64999.99000000\",\"0.00000000\"],[\"64999.98000000\",\"1.00000000\"]],\"a\":[]}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task A_new_truth_snapshot_reaches_clients_as_one_diff_with_removed_levels_at_zero()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/public/ws/btcusdt@depth");
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100.0, 1)], [L(FutBtc, 100.1, 1)]));
        await client.ReceiveAsync();
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 99.8, 2)], [L(FutBtc, 100.1, 1)]));
        var frame = await client.ReceiveJsonAsync();
        Assert.Equal("99.8:2.000|100.0:0.000", FrameJson.Levels(frame.GetProperty("b")));
        Assert.Equal("100.1:1.000", FrameJson.Levels(frame.GetProperty("a")));
        Assert.Equal(1000003, frame.GetProperty("U").GetInt64());
        Assert.Equal(1000005, frame.GetProperty("u").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Rest_snapshot_and_buffered_diffs_rebuild_the_venue_book(VenueId venue)
    {
        var (host, _) = await StartAsync(venue);
        await using var _h = host;
        var btc = Btc(venue);
        bool futures = venue == VenueId.BinanceFutures;
        await using var client = await ConnectAsync(host, venue, DataPath(venue, "btcusdt@depth@100ms", book: true));
        using var http = Http(host, venue);
        string depthPath = (futures ? "/fapi/v1/depth" : "/api/v3/depth") + "?symbol=BTCUSDT&limit=1000";
        await AssertNothingQueuedAsync(client);

        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1), L(btc, 99.9, 2), L(btc, 99.8, 3)], [L(btc, 100.1, 1), L(btc, 100.2, 2)]));
        host.Publish(Book(btc, T0 + 1, false, [L(btc, 100.0, 4)], [L(btc, 100.1, 0)]));

        // Mid-stream: the client buffers, takes a snapshot, then more diffs follow.
        string snapshotBody = await http.GetStringAsync(depthPath);
        host.Publish(Book(btc, T0 + 2, false, [L(btc, 99.9, 0), L(btc, 99.7, 5)], [L(btc, 100.3, 1)]));
        host.Publish(Book(btc, T0 + 3, false, [], [L(btc, 100.2, 7)]));

        using var snapshot = JsonDocument.Parse(snapshotBody);
        long lastUpdateId = snapshot.RootElement.GetProperty("lastUpdateId").GetInt64();
        var bids = ToBook(snapshot.RootElement.GetProperty("bids"));
        var asks = ToBook(snapshot.RootElement.GetProperty("asks"));
        long local = lastUpdateId;
        long previousU = -1;
        bool first = true;
        for (int i = 0; i < 4; i++)
        {
            var e = await client.ReceiveJsonAsync();
            long u1 = e.GetProperty("U").GetInt64();
            long u2 = e.GetProperty("u").GetInt64();
            if (futures && previousU >= 0)
            {
                Assert.Equal(previousU, e.GetProperty("pu").GetInt64()); // pu == previous u
            }

            previousU = u2;
            if (futures ? u2 < lastUpdateId : u2 <= lastUpdateId)
            {
                continue; // stale
            }

            if (first)
            {
                // Futures: U <= lastUpdateId <= u for the first processed event; spot: U <= lastUpdateId + 1 <= u.
                Assert.True(futures ? u1 <= lastUpdateId && u2 >= lastUpdateId : u1 <= lastUpdateId + 1 && u2 >= lastUpdateId + 1, e.GetRawText());
                first = false;
            }
            else
            {
                Assert.Equal(local + 1, u1);
            }

            Apply(bids, e.GetProperty("b"));
            Apply(asks, e.GetProperty("a"));
            local = u2;
        }

        using var final = JsonDocument.Parse(await http.GetStringAsync(depthPath));
        Assert.Equal(local, final.RootElement.GetProperty("lastUpdateId").GetInt64());
        Assert.Equal(Format(ToBook(final.RootElement.GetProperty("bids"))), Format(bids));
        Assert.Equal(Format(ToBook(final.RootElement.GetProperty("asks"))), Format(asks));
        Assert.Equal(futures ? "99.7:5.000|99.8:3.000|100.0:4.000" : "99.70000000:5.00000000|99.80000000:3.00000000|100.00000000:4.00000000",
            Format(bids));
    }

    private static SortedDictionary<decimal, string> ToBook(JsonElement levels)
    {
        var book = new SortedDictionary<decimal, string>();
        Apply(book, levels);
        return book;
    }

    private static void Apply(SortedDictionary<decimal, string> book, JsonElement levels)
    {
        foreach (var level in levels.EnumerateArray())
        {
            decimal price = decimal.Parse(level[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            string qty = level[1].GetString()!;
            if (decimal.Parse(qty, System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                book.Remove(price);
            }
            else
            {
                book[price] = level[0].GetString() + ":" + qty;
            }
        }
    }

    private static string Format(SortedDictionary<decimal, string> book) => string.Join("|", book.Values);

    [Fact]
    public async Task Futures_rest_depth_has_the_official_shape_and_limits()
    {
        var clock = new FakeClock();
        var (host, _) = await StartAsync(VenueId.BinanceFutures, clock);
        await using var _h = host;
        using var http = Http(host, VenueId.BinanceFutures);
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100.0, 0.5), L(FutBtc, 99.9, 1)], [L(FutBtc, 100.1, 2), L(FutBtc, 100.2, 3)]));
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();

        Assert.Equal(
            "{\"lastUpdateId\":1000004,\"E\":" + now + ",\"T\":1700000000123,\"bids\":[[\"100.0\",\"0.500\"],[\"99.9\",\"1.000\"]]," +
            "\"asks\":[[\"100.1\",\"2.000\"],[\"100.2\",\"3.000\"]]}",
            await http.GetStringAsync("/fapi/v1/depth?symbol=BTCUSDT&limit=5"));

        using var bad = await http.GetAsync("/fapi/v1/depth?symbol=BTCUSDT&limit=7");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("{\"code\":-1130,\"msg\":\"Data sent for parameter 'limit' is not valid.\"}", await bad.Content.ReadAsStringAsync());

        using var unknown = await http.GetAsync("/fapi/v1/depth?symbol=NOPEUSDT");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", await unknown.Content.ReadAsStringAsync());

        using var missing = await http.GetAsync("/fapi/v1/depth");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("{\"code\":-1102,\"msg\":\"Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.\"}",
            await missing.Content.ReadAsStringAsync());

        using var full = JsonDocument.Parse(await http.GetStringAsync("/fapi/v1/depth?symbol=BTCUSDT"));
        Assert.Equal(1000004, full.RootElement.GetProperty("lastUpdateId").GetInt64());
        Assert.Equal(2, full.RootElement.GetProperty("bids").GetArrayLength());
        Assert.Equal("100.0", full.RootElement.GetProperty("bids")[0][0].GetString());
    }

    [Fact]
    public async Task Spot_rest_depth_has_the_official_shape()
    {
        var (host, _) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        using var http = Http(host, VenueId.BinanceSpot);
        host.Publish(Book(SpotBtc, T0, true, [L(SpotBtc, 4.0, 431)], [L(SpotBtc, 4.01, 12)]));
        Assert.Equal(
            "{\"lastUpdateId\":1000002,\"bids\":[[\"4.00000000\",\"431.00000000\"]],\"asks\":[[\"4.01000000\",\"12.00000000\"]]}",
            await http.GetStringAsync("/api/v3/depth?symbol=BTCUSDT&limit=6000"));
        using var unknown = await http.GetAsync("/api/v3/depth?symbol=NOPE");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", await unknown.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Partial_depth_streams_send_the_top_levels(VenueId venue)
    {
        var (host, _) = await StartAsync(venue);
        await using var _h = host;
        var btc = Btc(venue);
        await using var client = await ConnectAsync(host, venue, DataPath(venue, "btcusdt@depth5@100ms", book: true));
        await AssertNothingQueuedAsync(client);
        var bids = new BookLevel[7];
        var asks = new BookLevel[7];
        for (int i = 0; i < 7; i++)
        {
            bids[i] = L(btc, 100 - i, 1 + i);
            asks[i] = L(btc, 101 + i, 1 + i);
        }

        host.Publish(Book(btc, T0, true, bids, asks));
        var frame = await client.ReceiveJsonAsync();
        if (venue == VenueId.BinanceFutures)
        {
            Assert.Equal("e,E,T,s,U,u,pu,b,a", FrameJson.Keys(frame));
            Assert.Equal("100.0:1.000|99.0:2.000|98.0:3.000|97.0:4.000|96.0:5.000", FrameJson.Levels(frame.GetProperty("b")));
            Assert.Equal(1000014, frame.GetProperty("u").GetInt64());
        }
        else
        {
            Assert.Equal("lastUpdateId,bids,asks", FrameJson.Keys(frame));
            Assert.Equal(1000014, frame.GetProperty("lastUpdateId").GetInt64());
            Assert.Equal("101.00000000:1.00000000|102.00000000:2.00000000|103.00000000:3.00000000|104.00000000:4.00000000|105.00000000:5.00000000",
                FrameJson.Levels(frame.GetProperty("asks")));
        }
    }

    [Fact]
    public async Task Futures_bookTicker_follows_the_book_top_with_its_update_id()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/public/ws/btcusdt@bookTicker");
        await AssertNothingQueuedAsync(client);
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100.0, 0.5), L(FutBtc, 99.9, 1)], [L(FutBtc, 100.1, 2)]));
        Assert.Equal(
            "{\"e\":\"bookTicker\",\"u\":1000003,\"E\":1700000000123,\"T\":1700000000123,\"s\":\"BTCUSDT\",\"b\":\"100.0\",\"B\":\"0.500\"," +
            "\"a\":\"100.1\",\"A\":\"2.000\"}",
            await client.ReceiveAsync());

        host.Publish(Book(FutBtc, T0, false, [L(FutBtc, 99.0, 1)], []));          // below the top: no bookTicker
        host.Publish(Book(FutBtc, T0, false, [L(FutBtc, 100.0, 0)], []));         // top removed
        Assert.Equal(
            "{\"e\":\"bookTicker\",\"u\":1000005,\"E\":1700000000123,\"T\":1700000000123,\"s\":\"BTCUSDT\",\"b\":\"99.9\",\"B\":\"1.000\"," +
            "\"a\":\"100.1\",\"A\":\"2.000\"}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task BookTop_truth_drives_bookTicker_when_there_is_no_book()
    {
        var (host, _) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceSpot, "/ws/btcusdt@bookTicker");
        await AssertNothingQueuedAsync(client);
        host.Publish(MarketEvent.From(new BookTop(SpotBtc, T0, T0, 25.3519, 31.21, 25.3652, 40.66, 0)));
        Assert.Equal("{\"u\":1000001,\"s\":\"BTCUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}",
            await client.ReceiveAsync());
    }

    // ------------------------------------------------------------------ futures-only streams

    [Fact]
    public async Task MarkPrice_1s_carries_rate_and_next_funding_time()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/stream?streams=btcusdt@markPrice@1s");
        await AssertNothingQueuedAsync(client);
        host.Publish(MarketEvent.From(new Funding(FutBtc, T0, T0, 0.00038167, 8, 1_700_006_400_000_000, 11794.15, 11784.62659091)));
        Assert.Equal(
            "{\"stream\":\"btcusdt@markPrice@1s\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":1700000000123,\"s\":\"BTCUSDT\"," +
            "\"p\":\"11794.15000000\",\"i\":\"11784.62659091\",\"P\":\"11784.62659091\",\"r\":\"0.00038167\",\"T\":1700006400000}}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task ForceOrder_has_the_official_shape_and_is_sampled_per_second()
    {
        var (host, emulator) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/ws/btcusdt@forceOrder");
        await AssertNothingQueuedAsync(client);
        host.Publish(MarketEvent.From(new Liquidation(FutBtc, T0, T0, 9910, 0.014, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));
        host.Publish(MarketEvent.From(new Liquidation(FutBtc, T0 + 500_000, T0, 9900, 1, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));
        host.Publish(MarketEvent.From(new Liquidation(FutBtc, T0 + 1_000_000, T0, 9920, 0.5, PositionSide.Short, Side.Unknown, FeedCompleteness.Complete)));
        Assert.Equal(
            "{\"e\":\"forceOrder\",\"E\":1700000000123,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"SELL\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"0.014\"," +
            "\"p\":\"9910.0\",\"ap\":\"9910.0\",\"X\":\"FILLED\",\"l\":\"0.014\",\"z\":\"0.014\",\"T\":1700000000123}}",
            await client.ReceiveAsync());
        string next = await client.ReceiveAsync();
        Assert.Contains("\"S\":\"BUY\"", next, StringComparison.Ordinal);
        Assert.Contains("\"p\":\"9920.0\"", next, StringComparison.Ordinal);
        Assert.Equal(1, emulator.LiquidationsSampledOut);
    }

    // ------------------------------------------------------------------ official examples
    // Official example payloads, copied (whitespace removed) from the Binance API docs as quoted in
    // the venue notes (binance.md §3.1–3.5: Spot WebSocket Streams; USD-M Aggregate-Trade,
    // Diff-Book-Depth, Individual-Symbol-Book-Ticker, Mark-Price, Liquidation-Order streams; spot
    // /api/v3/depth and USD-M /fapi/v1/depth responses). The project never reads the notes at test time.

    private const string OfficialFuturesAggTrade =
        "{\"e\":\"aggTrade\",\"E\":123456789,\"s\":\"BTCUSDT\",\"a\":5933014,\"p\":\"0.001\",\"q\":\"100\",\"f\":100,\"l\":105,\"T\":123456785,\"m\":true}";

    private const string OfficialFuturesDepthUpdate =
        "{\"e\":\"depthUpdate\",\"E\":123456789,\"T\":123456788,\"s\":\"BTCUSDT\",\"U\":157,\"u\":160,\"pu\":149,\"b\":[[\"0.0024\",\"10\"]],\"a\":[[\"0.0026\",\"100\"]]}";

    private const string OfficialFuturesBookTicker =
        "{\"e\":\"bookTicker\",\"u\":400900217,\"E\":1568014460893,\"T\":1568014460891,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}";

    private const string OfficialMarkPrice =
        "{\"e\":\"markPriceUpdate\",\"E\":1562305380000,\"s\":\"BTCUSDT\",\"p\":\"11794.15000000\",\"i\":\"11784.62659091\",\"P\":\"11784.25641265\",\"r\":\"0.00038167\",\"T\":1562306400000}";

    private const string OfficialForceOrder =
        "{\"e\":\"forceOrder\",\"E\":1568014460893,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"SELL\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"0.014\",\"p\":\"9910\",\"ap\":\"9910\",\"X\":\"FILLED\",\"l\":\"0.014\",\"z\":\"0.014\",\"T\":1568014460893}}";

    private const string OfficialFuturesRestDepth =
        "{\"lastUpdateId\":1027024,\"E\":1589436922972,\"T\":1589436922959,\"bids\":[[\"4.00000000\",\"431.00000000\"]],\"asks\":[[\"4.00000200\",\"12.00000000\"]]}";

    private const string OfficialSpotAggTrade =
        "{\"e\":\"aggTrade\",\"E\":1672515782136,\"s\":\"BNBBTC\",\"a\":12345,\"p\":\"0.001\",\"q\":\"100\",\"f\":100,\"l\":105,\"T\":1672515782136,\"m\":true,\"M\":true}";

    private const string OfficialSpotTrade =
        "{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BNBBTC\",\"t\":12345,\"p\":\"0.001\",\"q\":\"100\",\"T\":1672515782136,\"m\":true,\"M\":true}";

    private const string OfficialSpotDepthUpdate =
        "{\"e\":\"depthUpdate\",\"E\":1672515782136,\"s\":\"BNBBTC\",\"U\":157,\"u\":160,\"b\":[[\"0.0024\",\"10\"]],\"a\":[[\"0.0026\",\"100\"]]}";

    private const string OfficialSpotBookTicker =
        "{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}";

    private const string OfficialSpotRestDepth =
        "{\"lastUpdateId\":1027024,\"bids\":[[\"4.00000000\",\"431.00000000\"]],\"asks\":[[\"4.00000200\",\"12.00000000\"]]}";

    [Fact]
    public async Task ForceOrder_reproduces_the_official_example_byte_for_byte()
    {
        var registry = new InstrumentRegistry();
        var btc = registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 1); // tick 1: "9910"
        var emulator = new BinanceEmulator(VenueId.BinanceFutures, [btc], TimeProvider.System)
        {
            PingInterval = TimeSpan.FromHours(1),
            PongTimeout = TimeSpan.FromHours(2),
        };
        await using var host = await EmulatorHost.StartAsync([emulator]);
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/ws/btcusdt@forceOrder");
        await AssertNothingQueuedAsync(client);
        const long time = 1_568_014_460_893_000; // µs of the example's E and T
        host.Publish(MarketEvent.From(new Liquidation(btc, time, time, 9910, 0.014, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));
        Assert.Equal(OfficialForceOrder, await client.ReceiveAsync());
    }

    [Fact]
    public async Task Futures_frames_have_the_official_key_order_and_value_types()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var market = await ConnectAsync(host, VenueId.BinanceFutures, "/market/ws/btcusdt@aggTrade/btcusdt@markPrice@1s/btcusdt@forceOrder");
        await using var book = await ConnectAsync(host, VenueId.BinanceFutures, "/public/ws/btcusdt@depth@100ms/btcusdt@bookTicker");
        await AssertNothingQueuedAsync(market);
        await AssertNothingQueuedAsync(book);
        using var http = Http(host, VenueId.BinanceFutures);

        host.Publish(TradeEvent(FutBtc, 65000.5, 0.012, Side.Sell, 42));
        host.Publish(MarketEvent.From(new Funding(FutBtc, T0, T0, 0.0001, 8, 1_700_006_400_000_000, 65000, 64990)));
        host.Publish(MarketEvent.From(new Liquidation(FutBtc, T0, T0, 64000, 0.5, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 65000.0, 1)], [L(FutBtc, 65000.1, 2)]));

        Assert.Equal(Shape(OfficialFuturesAggTrade), Shape(await market.ReceiveAsync()));
        Assert.Equal(Shape(OfficialMarkPrice), Shape(await market.ReceiveAsync()));
        Assert.Equal(Shape(OfficialForceOrder), Shape(await market.ReceiveAsync()));
        Assert.Equal(Shape(OfficialFuturesDepthUpdate), Shape(await book.ReceiveAsync()));
        Assert.Equal(Shape(OfficialFuturesBookTicker), Shape(await book.ReceiveAsync()));
        Assert.Equal(Shape(OfficialFuturesRestDepth), Shape(await http.GetStringAsync("/fapi/v1/depth?symbol=BTCUSDT")));
    }

    [Fact]
    public async Task Spot_frames_have_the_official_key_order_and_value_types()
    {
        var (host, _) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceSpot, "/ws/btcusdt@aggTrade/btcusdt@trade/btcusdt@depth/btcusdt@bookTicker");
        await AssertNothingQueuedAsync(client);
        using var http = Http(host, VenueId.BinanceSpot);

        host.Publish(TradeEvent(SpotBtc, 65000.5, 0.012, Side.Buy, 42));
        host.Publish(Book(SpotBtc, T0, true, [L(SpotBtc, 65000.0, 1)], [L(SpotBtc, 65000.01, 2)]));

        Assert.Equal(Shape(OfficialSpotAggTrade), Shape(await client.ReceiveAsync()));
        Assert.Equal(Shape(OfficialSpotTrade), Shape(await client.ReceiveAsync()));
        Assert.Equal(Shape(OfficialSpotDepthUpdate), Shape(await client.ReceiveAsync()));
        Assert.Equal(Shape(OfficialSpotBookTicker), Shape(await client.ReceiveAsync()));
        Assert.Equal(Shape(OfficialSpotRestDepth), Shape(await http.GetStringAsync("/api/v3/depth?symbol=BTCUSDT")));
    }

    /// <summary>Keys in order with their JSON value kinds, recursively (an array by its first element).</summary>
    private static string Shape(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var sb = new StringBuilder();
        Append(doc.RootElement);
        return sb.ToString();

        void Append(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    sb.Append('{');
                    foreach (var p in e.EnumerateObject())
                    {
                        sb.Append(p.Name).Append(':');
                        Append(p.Value);
                        sb.Append(',');
                    }

                    sb.Append('}');
                    break;
                case JsonValueKind.Array:
                    sb.Append('[');
                    if (e.GetArrayLength() > 0)
                    {
                        Append(e[0]);
                    }

                    sb.Append(']');
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    sb.Append("bool");
                    break;
                default:
                    sb.Append(e.ValueKind.ToString().ToLowerInvariant());
                    break;
            }
        }
    }

    // ------------------------------------------------------------------ REST (futures data)

    [Fact]
    public async Task Futures_rest_open_interest_funding_history_and_premium_index()
    {
        var (host, _) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        using var http = Http(host, VenueId.BinanceFutures);
        long next1 = 1_700_006_400_000;
        host.Publish(MarketEvent.From(new OpenInterest(FutBtc, T0, T0, 10659.509, double.NaN)));
        host.Publish(MarketEvent.From(new Funding(FutBtc, T0, T0, -0.0375, 8, next1 * 1000, 34287.54619963, 34280)));
        host.Publish(MarketEvent.From(new Funding(FutBtc, T0 + 1_000, T0, 0.0001, 8, (next1 + 28_800_000) * 1000, double.NaN, double.NaN)));

        string oi = await http.GetStringAsync("/fapi/v1/openInterest?symbol=BTCUSDT");
        Assert.Equal("{\"openInterest\":\"10659.509\",\"symbol\":\"BTCUSDT\",\"time\":1700000000123}", oi);

        string history = await http.GetStringAsync("/fapi/v1/fundingRate?symbol=BTCUSDT");
        Assert.Equal("[{\"symbol\":\"BTCUSDT\",\"fundingRate\":\"-0.03750000\",\"fundingTime\":1700006400000,\"markPrice\":\"34287.54619963\"}]", history);
        Assert.Equal("[]", await http.GetStringAsync("/fapi/v1/fundingRate?symbol=BTCUSDT&startTime=1700006400001"));

        Assert.Equal(
            "{\"symbol\":\"BTCUSDT\",\"markPrice\":\"34287.54619963\",\"indexPrice\":\"34280.00000000\",\"estimatedSettlePrice\":\"34280.00000000\"," +
            "\"lastFundingRate\":\"0.00010000\",\"interestRate\":\"0.00010000\",\"nextFundingTime\":1700035200000,\"time\":1700000000124}",
            await http.GetStringAsync("/fapi/v1/premiumIndex?symbol=BTCUSDT"));
        using var all = JsonDocument.Parse(await http.GetStringAsync("/fapi/v1/premiumIndex"));
        Assert.Equal(2, all.RootElement.GetArrayLength());

        using var unknown = await http.GetAsync("/fapi/v1/openInterest?symbol=NOPEUSDT");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", await unknown.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Exchange_info_lists_the_instruments(VenueId venue)
    {
        var (host, _) = await StartAsync(venue);
        await using var _h = host;
        using var http = Http(host, venue);
        string body = await http.GetStringAsync(venue == VenueId.BinanceFutures ? "/fapi/v1/exchangeInfo" : "/api/v3/exchangeInfo");
        using var info = JsonDocument.Parse(body);
        var symbols = info.RootElement.GetProperty("symbols");
        Assert.Equal(venue == VenueId.BinanceFutures ? 2 : 1, symbols.GetArrayLength());
        var btc = symbols[0];
        Assert.Equal("BTCUSDT", btc.GetProperty("symbol").GetString());
        Assert.Equal("TRADING", btc.GetProperty("status").GetString());
        Assert.Equal("BTC", btc.GetProperty("baseAsset").GetString());
        Assert.Equal("USDT", btc.GetProperty("quoteAsset").GetString());
        Assert.Equal(venue == VenueId.BinanceFutures, btc.TryGetProperty("contractType", out var contractType));
        if (venue == VenueId.BinanceFutures)
        {
            Assert.Equal("PERPETUAL", contractType.GetString());
        }

        string? tickSize = null;
        foreach (var filter in btc.GetProperty("filters").EnumerateArray())
        {
            if (filter.GetProperty("filterType").GetString() == "PRICE_FILTER")
            {
                tickSize = filter.GetProperty("tickSize").GetString();
            }
        }

        Assert.NotNull(tickSize);
        Assert.Equal(venue == VenueId.BinanceFutures ? 0.1 : 0.01, double.Parse(tickSize, System.Globalization.CultureInfo.InvariantCulture), 12);

        if (venue == VenueId.BinanceSpot)
        {
            using var unknown = await http.GetAsync("/api/v3/exchangeInfo?symbol=NOPEUSDT");
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Equal("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", await unknown.Content.ReadAsStringAsync());
        }
    }

    // ------------------------------------------------------------------ keepalive and lifetime

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Server_pings_and_cuts_a_client_that_does_not_pong(VenueId venue)
    {
        var (host, _) = await StartAsync(venue, configure: e =>
        {
            e.PingInterval = TimeSpan.FromMilliseconds(200);
            e.PongTimeout = TimeSpan.FromSeconds(1);
        });
        await using var _h = host;
        await using var silent = await RawSocket.ConnectAsync(Ws(host, venue, DataPath(venue, "btcusdt@aggTrade", book: false)), autoPong: false);
        var ping = await silent.ReceiveAsync();
        Assert.Equal(RawSocket.Ping, ping.Opcode);
        Assert.True(await silent.EndedAsync(TimeSpan.FromSeconds(15)), "a client that never pongs was not cut");
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task A_client_that_pongs_stays_connected_past_the_pong_timeout(VenueId venue)
    {
        var (host, emulator) = await StartAsync(venue, configure: e =>
        {
            e.PingInterval = TimeSpan.FromMilliseconds(250);
            e.PongTimeout = TimeSpan.FromSeconds(2);
        });
        await using var _h = host;
        await using var raw = await RawSocket.ConnectAsync(Ws(host, venue, DataPath(venue, "btcusdt@aggTrade", book: false)), autoPong: true);
        await using var managed = await ConnectAsync(host, venue, DataPath(venue, "btcusdt@aggTrade", book: false));
        await WaitForAsync(() => emulator.SessionCount == 2);
        await raw.WaitForPingsAsync(12); // at least 3 s of pings answered: beyond the 2 s timeout
        Assert.False(await raw.EndedAsync(TimeSpan.FromMilliseconds(500)));
        host.Publish(TradeEvent(Btc(venue), 101, 1, Side.Buy, 9));
        Assert.Contains("\"a\":9", await managed.ReceiveAsync(), StringComparison.Ordinal); // ClientWebSocket pongs by itself
        Assert.Equal(2, emulator.SessionCount);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Connections_are_closed_at_24_hours_on_the_emulator_clock(VenueId venue)
    {
        var clock = new FakeClock();
        var (host, emulator) = await StartAsync(venue, clock);
        await using var _h = host;
        using var socket = new ClientWebSocket();
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await socket.ConnectAsync(Ws(host, venue, DataPath(venue, "btcusdt@aggTrade", book: false)), connect.Token);
        }

        await WaitForAsync(() => emulator.SessionCount == 1 && clock.TimerCount >= 1);
        clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 77));
        var buffer = new byte[4096];
        using (var receive = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            var data = await socket.ReceiveAsync(buffer, receive.Token);
            Assert.Equal(WebSocketMessageType.Text, data.MessageType);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        using (var receive = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            var close = await socket.ReceiveAsync(buffer, receive.Token);
            Assert.Equal(WebSocketMessageType.Close, close.MessageType);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, receive.Token); // complete the handshake
        }

        await WaitForAsync(() => emulator.SessionCount == 0);
    }

    [Fact]
    public async Task Incoming_message_limit_when_enabled_closes_a_client_that_exceeds_it()
    {
        var clock = new FakeClock();
        var (host, _) = await StartAsync(VenueId.BinanceSpot, clock, e => e.IncomingMessageLimit = 5);
        await using var _h = host;
        using var socket = new ClientWebSocket();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(Ws(host, VenueId.BinanceSpot, "/ws"), guard.Token);
        var buffer = new byte[4096];
        async Task<WebSocketReceiveResult> RoundTripAsync(int id)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + id + "}"),
                WebSocketMessageType.Text, true, guard.Token);
            return await socket.ReceiveAsync(buffer, guard.Token);
        }

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(WebSocketMessageType.Text, (await RoundTripAsync(i)).MessageType);
        }

        clock.Advance(TimeSpan.FromSeconds(1)); // a new one-second window
        for (int i = 5; i < 10; i++)
        {
            Assert.Equal(WebSocketMessageType.Text, (await RoundTripAsync(i)).MessageType);
        }

        Assert.Equal(WebSocketMessageType.Close, (await RoundTripAsync(10)).MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    // ------------------------------------------------------------------ faults

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Fault_drop_cuts_without_a_close_frame_and_reconnects_work(VenueId venue)
    {
        var (host, emulator) = await StartAsync(venue);
        await using var _h = host;
        string path = DataPath(venue, "btcusdt@aggTrade", book: false);
        await using var raw = await RawSocket.ConnectAsync(Ws(host, venue, path), autoPong: true);
        await WaitForAsync(() => emulator.SessionCount == 1);
        emulator.Faults.DropConnections();
        Assert.True(await raw.EndedAsync(TimeSpan.FromSeconds(10)));
        Assert.False(raw.SawCloseFrame);
        await WaitForAsync(() => emulator.SessionCount == 0);

        await using var again = await ConnectAsync(host, venue, path);
        await AssertNothingQueuedAsync(again);
        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 101));
        Assert.Contains("\"a\":101", await again.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Fault_stall_sends_nothing_answers_later_and_loses_what_was_published(VenueId venue)
    {
        var (host, emulator) = await StartAsync(venue);
        await using var _h = host;
        await using var client = await ConnectAsync(host, venue, DataPath(venue, "btcusdt@aggTrade", book: false));
        await AssertNothingQueuedAsync(client);
        await using var raw = await RawSocket.ConnectAsync(Ws(host, venue, DataPath(venue, "btcusdt@depth", book: true)), autoPong: false);

        emulator.Faults.Stalled = true;
        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 111));
        await client.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":50}");
        await raw.SendAsync(RawSocket.Ping, "p1"u8.ToArray());
        Assert.Null(await client.TryReceiveAsync(Quiet));
        Assert.Null(await raw.TryReceiveAsync(Quiet));

        emulator.Faults.Stalled = false;
        Assert.Equal("{\"result\":[\"btcusdt@aggTrade\"],\"id\":50}", await client.ReceiveAsync()); // the trade is gone
        var pong = await raw.ReceiveAsync();
        Assert.Equal(RawSocket.Pong, pong.Opcode);
        Assert.Equal("p1", pong.Text);
        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 112));
        Assert.Contains("\"a\":112", await client.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Fault_injected_frames_reach_every_session_verbatim(VenueId venue)
    {
        var (host, emulator) = await StartAsync(venue);
        await using var _h = host;
        await using var a = await ConnectAsync(host, venue, DataPath(venue, "btcusdt@aggTrade", book: false));
        await using var b = await ConnectAsync(host, venue, venue == VenueId.BinanceFutures ? "/ws" : "/stream");
        await WaitForAsync(() => emulator.SessionCount == 2);
        const string Truncated = "{\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"E\":17000";
        emulator.Faults.InjectFrame(Truncated);
        emulator.Faults.InjectFrame("{\"e\":\"mystery\"}");
        Assert.Equal(Truncated, await a.ReceiveAsync());
        Assert.Equal("{\"e\":\"mystery\"}", await a.ReceiveAsync());
        Assert.Equal(Truncated, await b.ReceiveAsync());
    }

    [Fact]
    public async Task Fault_gap_breaks_futures_pu_continuity_once()
    {
        var (host, emulator) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/public/ws/btcusdt@depth");
        await AssertNothingQueuedAsync(client);
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100, 1)], [L(FutBtc, 101, 1)]));
        long u0 = (await client.ReceiveJsonAsync()).GetProperty("u").GetInt64();

        emulator.Faults.GapNextSequence();
        host.Publish(Book(FutBtc, T0, false, [L(FutBtc, 100, 2)], []));
        var gapped = await client.ReceiveJsonAsync();
        Assert.NotEqual(u0, gapped.GetProperty("pu").GetInt64());
        Assert.Equal(u0 + 2, gapped.GetProperty("U").GetInt64());

        host.Publish(Book(FutBtc, T0, false, [L(FutBtc, 100, 3)], []));
        var after = await client.ReceiveJsonAsync();
        Assert.Equal(gapped.GetProperty("u").GetInt64(), after.GetProperty("pu").GetInt64());
    }

    [Fact]
    public async Task Fault_gap_makes_spot_U_skip_an_id()
    {
        var (host, emulator) = await StartAsync(VenueId.BinanceSpot);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceSpot, "/ws/btcusdt@depth");
        await AssertNothingQueuedAsync(client);
        host.Publish(Book(SpotBtc, T0, true, [L(SpotBtc, 100, 1)], [L(SpotBtc, 101, 1)]));
        long u0 = (await client.ReceiveJsonAsync()).GetProperty("u").GetInt64();
        emulator.Faults.GapNextSequence();
        host.Publish(Book(SpotBtc, T0, false, [L(SpotBtc, 100, 2)], []));
        Assert.Equal(u0 + 2, (await client.ReceiveJsonAsync()).GetProperty("U").GetInt64());
    }

    [Fact]
    public async Task Fault_stall_shows_as_a_sequence_gap_afterwards()
    {
        var (host, emulator) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/public/ws/btcusdt@depth");
        await AssertNothingQueuedAsync(client);
        host.Publish(Book(FutBtc, T0, true, [L(FutBtc, 100, 1)], [L(FutBtc, 101, 1)]));
        long u0 = (await client.ReceiveJsonAsync()).GetProperty("u").GetInt64();
        emulator.Faults.Stalled = true;
        host.Publish(Book(FutBtc, T0, false, [L(FutBtc, 100, 2)], []));
        emulator.Faults.Stalled = false;
        host.Publish(Book(FutBtc, T0, false, [L(FutBtc, 100, 3)], []));
        Assert.NotEqual(u0, (await client.ReceiveJsonAsync()).GetProperty("pu").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Fault_rejected_topic_gets_code_2_and_silent_topic_is_acked_but_never_delivers(VenueId venue)
    {
        var (host, emulator) = await StartAsync(venue);
        await using var _h = host;
        emulator.Faults.RejectedTopics["btcusdt@trade"] = true;
        emulator.Faults.SilentTopics["btcusdt@aggTrade"] = true;
        await using var client = await ConnectAsync(host, venue, DataPath(venue, "btcusdt@aggTrade", book: false));

        await client.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\"],\"id\":41}");
        Assert.Equal("{\"error\":{\"code\":2,\"msg\":\"Invalid request: invalid stream\"},\"id\":41}", await client.ReceiveAsync());

        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 1));
        await AssertNothingQueuedAsync(client);

        emulator.Faults.SilentTopics.TryRemove("btcusdt@aggTrade", out _);
        host.Publish(TradeEvent(Btc(venue), 100, 1, Side.Buy, 2));
        Assert.Contains("\"a\":2", await client.ReceiveAsync(), StringComparison.Ordinal);

        using var refused = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(Ws(host, venue, DataPath(venue, "btcusdt@trade", book: false)), timeout.Token));
    }

    [Theory]
    [InlineData(VenueId.BinanceFutures, 429, -1003, "Too much request weight used; current limit is 2400 request weight per 1 MINUTE.")]
    [InlineData(VenueId.BinanceSpot, 429, -1003, "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.")]
    [InlineData(VenueId.BinanceFutures, 418, -1003, "Way too much request weight used; IP banned until ")]
    [InlineData(VenueId.BinanceSpot, 500, -1000, "An unknown error occurred while processing the request.")]
    [InlineData(VenueId.BinanceFutures, 503, -1001, "Internal error; unable to process your request. Please try again.")]
    public async Task Fault_scripted_rest_failures_use_Binance_replies_then_succeed(VenueId venue, int status, int code, string message)
    {
        var (host, emulator) = await StartAsync(venue);
        await using var _h = host;
        using var http = Http(host, venue);
        string path = venue == VenueId.BinanceFutures ? "/fapi/v1/exchangeInfo" : "/api/v3/exchangeInfo";
        emulator.Faults.FailNextRest(status, 2);
        for (int i = 0; i < 2; i++)
        {
            using var failed = await http.GetAsync(path);
            Assert.Equal(status, (int)failed.StatusCode);
            Assert.Equal("application/json", failed.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await failed.Content.ReadAsStringAsync());
            Assert.Equal("code,msg", FrameJson.Keys(body.RootElement));
            Assert.Equal(code, body.RootElement.GetProperty("code").GetInt32());
            Assert.StartsWith(message, body.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
        }

        using var ok = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Fault_rest_delay_waits_on_the_emulator_clock()
    {
        var clock = new FakeClock();
        var (host, emulator) = await StartAsync(VenueId.BinanceFutures, clock);
        await using var _h = host;
        using var http = Http(host, VenueId.BinanceFutures);
        emulator.Faults.RestDelay = TimeSpan.FromSeconds(30);
        var pending = http.GetStringAsync("/fapi/v1/premiumIndex?symbol=BTCUSDT");
        await WaitForAsync(() => clock.TimerCount >= 1);
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.StartsWith("{\"symbol\":\"BTCUSDT\"", await pending, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fault_script_drives_a_running_Binance_venue()
    {
        var (host, emulator) = await StartAsync(VenueId.BinanceFutures);
        await using var _h = host;
        var script = FaultScript.Parse(emulator.Faults, "1s silence btcusdt@aggTrade; 2s rest 429; 3s gap", T0);
        await using var client = await ConnectAsync(host, VenueId.BinanceFutures, "/market/ws/btcusdt@aggTrade");
        await AssertNothingQueuedAsync(client);
        script.Advance(T0 + 1_000_000);
        host.Publish(TradeEvent(FutBtc, 100, 1, Side.Buy, 1));
        await AssertNothingQueuedAsync(client);
        script.Advance(T0 + 3_000_000);
        using var http = Http(host, VenueId.BinanceFutures);
        using var limited = await http.GetAsync("/fapi/v1/depth?symbol=BTCUSDT");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(emulator.Faults.TryTakeSequenceGap());
    }

    // ------------------------------------------------------------------ helpers

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }

    /// <summary>A hand-driven clock: time moves only in <see cref="Advance"/>, which fires due timers in order.</summary>
    private sealed class FakeClock : TimeProvider
    {
        private readonly Lock _gate = new();
        private readonly List<FakeTimer> _timers = new();
        private DateTimeOffset _now = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

        public int TimerCount
        {
            get
            {
                lock (_gate)
                {
                    return _timers.Count;
                }
            }
        }

        public override DateTimeOffset GetUtcNow()
        {
            lock (_gate)
            {
                return _now;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new FakeTimer(this, callback, state);
            timer.Change(dueTime, period);
            return timer;
        }

        public void Advance(TimeSpan by)
        {
            DateTimeOffset target;
            lock (_gate)
            {
                target = _now + by;
            }

            while (true)
            {
                FakeTimer? due = null;
                lock (_gate)
                {
                    foreach (var timer in _timers)
                    {
                        if (timer.Due is { } at && at <= target && (due is null || at < due.Due))
                        {
                            due = timer;
                        }
                    }

                    if (due is null)
                    {
                        _now = target;
                        return;
                    }

                    _now = due.Due!.Value;
                    due.Due = due.Period > TimeSpan.Zero ? _now + due.Period : null;
                    if (due.Due is null)
                    {
                        _timers.Remove(due);
                    }
                }

                due.Fire();
            }
        }

        private void Schedule(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                timer.Due = dueTime == Timeout.InfiniteTimeSpan ? null : _now + dueTime;
                _timers.Remove(timer);
                if (timer.Due is not null)
                {
                    _timers.Add(timer);
                }
            }
        }

        private void Remove(FakeTimer timer)
        {
            lock (_gate)
            {
                _timers.Remove(timer);
            }
        }

        private sealed class FakeTimer(FakeClock clock, TimerCallback callback, object? state) : ITimer
        {
            public DateTimeOffset? Due { get; set; }

            public TimeSpan Period { get; set; }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                clock.Schedule(this, dueTime, period);
                return true;
            }

            public void Fire() => callback(state);

            public void Dispose() => clock.Remove(this);

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>
    /// A WebSocket client over a bare TCP socket: sees server Ping frames, answers them only when
    /// <c>autoPong</c>, sends any frame, and tells a close frame from a cut.
    /// </summary>
    private sealed class RawSocket : IAsyncDisposable
    {
        public const int Text = 0x1;
        public const int Close = 0x8;
        public const int Ping = 0x9;
        public const int Pong = 0xA;

        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly bool _autoPong;
        private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _sendGate = new(1, 1);
        private Task _loop = Task.CompletedTask;
        private int _pings;

        private RawSocket(TcpClient tcp, bool autoPong)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
            _autoPong = autoPong;
        }

        public bool SawCloseFrame { get; private set; }

        public static async Task<RawSocket> ConnectAsync(Uri uri, bool autoPong)
        {
            var tcp = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await tcp.ConnectAsync(uri.Host, uri.Port, timeout.Token);
            var client = new RawSocket(tcp, autoPong);
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            string request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
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

        public async Task SendAsync(int opcode, byte[] payload)
        {
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
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
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

        public async Task WaitForPingsAsync(int count)
        {
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref _pings) < count)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "server pings stopped");
                await Task.Delay(20);
            }
        }

        public async Task<bool> EndedAsync(TimeSpan wait) => await Task.WhenAny(_ended.Task, Task.Delay(wait)) == _ended.Task;

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

                    if (opcode == Ping)
                    {
                        Interlocked.Increment(ref _pings);
                        if (_autoPong)
                        {
                            await SendAsync(Pong, payload); // a copy of the ping payload, as Binance asks
                            continue;
                        }
                    }

                    _frames.Writer.TryWrite(new Frame(opcode, payload));
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
            {
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
