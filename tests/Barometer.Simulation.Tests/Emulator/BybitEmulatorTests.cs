using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;

namespace Barometer.Simulation.Tests.Emulator;

public sealed class BybitEmulatorTests
{
    private const long T0 = 1_700_000_000_123_456; // µs → ts 1700000000123 ms

    private readonly InstrumentRegistry _registry = new();

    private Instrument LinearBtc => _registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    private Instrument LinearEth => _registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT", 1, 0.01);

    private Instrument SpotBtc => _registry.GetOrAdd(VenueId.BybitSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);

    private async Task<(EmulatorHost Host, BybitEmulator Emulator)> StartLinearAsync()
    {
        var emulator = new BybitEmulator(VenueId.BybitLinear, [LinearBtc, LinearEth], TimeProvider.System);
        return (await EmulatorHost.StartAsync([emulator]), emulator);
    }

    private async Task<(EmulatorHost Host, BybitEmulator Emulator)> StartSpotAsync()
    {
        var emulator = new BybitEmulator(VenueId.BybitSpot, [SpotBtc], TimeProvider.System);
        return (await EmulatorHost.StartAsync([emulator]), emulator);
    }

    private static Task<WsTestClient> ConnectAsync(EmulatorHost host, VenueId venue, string path) =>
        WsTestClient.ConnectAsync(new Uri(host.WebSocketBase(venue), path));

    private static async Task<string> SubscribeAsync(WsTestClient client, string topic)
    {
        await client.SendAsync("{\"req_id\":\"s1\",\"op\":\"subscribe\",\"args\":[\"" + topic + "\"]}");
        var ack = await client.ReceiveJsonAsync();
        Assert.True(ack.GetProperty("success").GetBoolean(), ack.GetRawText());
        return ack.GetProperty("conn_id").GetString()!;
    }

    private static BookLevel L(Instrument i, double price, double qty) => new(i.ToTicks(price), price, qty);

    private static MarketEvent Book(Instrument i, long time, bool snapshot, BookLevel[] bids, BookLevel[] asks) =>
        MarketEvent.From(new BookUpdate(i, time, time, snapshot, 999, 999, 998, bids, asks));

    [Fact]
    public async Task Linear_subscribe_ack_has_the_real_shape()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await client.SendAsync("{\"req_id\":\"x\",\"op\":\"subscribe\",\"args\":[\"publicTrade.BTCUSDT\",\"orderbook.50.BTCUSDT\"]}");
        string text = await client.ReceiveAsync();
        string connId = JsonDocument.Parse(text).RootElement.GetProperty("conn_id").GetString()!;
        Assert.True(Guid.TryParse(connId, out _));
        Assert.Equal("{\"success\":true,\"ret_msg\":\"\",\"conn_id\":\"" + connId + "\",\"req_id\":\"x\",\"op\":\"subscribe\"}", text);
    }

    [Fact]
    public async Task Spot_subscribe_ack_says_subscribe_and_omits_absent_req_id()
    {
        var (host, _) = await StartSpotAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BybitSpot, "/v5/public/spot");
        await client.SendAsync("{\"op\":\"subscribe\",\"args\":[\"publicTrade.BTCUSDT\"]}");
        string text = await client.ReceiveAsync();
        string connId = JsonDocument.Parse(text).RootElement.GetProperty("conn_id").GetString()!;
        Assert.Equal("{\"success\":true,\"ret_msg\":\"subscribe\",\"conn_id\":\"" + connId + "\",\"op\":\"subscribe\"}", text);
    }

    [Fact]
    public async Task Ping_gets_the_category_pong()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        await using var linear = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await linear.SendAsync("{\"op\":\"ping\"}");
        var pong = await linear.ReceiveJsonAsync();
        Assert.Equal("success,ret_msg,conn_id,req_id,op", FrameJson.Keys(pong));
        Assert.Equal("pong", pong.GetProperty("ret_msg").GetString());
        Assert.Equal("", pong.GetProperty("req_id").GetString());
        Assert.Equal("ping", pong.GetProperty("op").GetString());

        var (spotHost, _) = await StartSpotAsync();
        await using var _s = spotHost;
        await using var spot = await ConnectAsync(spotHost, VenueId.BybitSpot, "/v5/public/spot");
        await spot.SendAsync("{\"op\":\"ping\"}");
        var spotPong = await spot.ReceiveJsonAsync();
        Assert.Equal("success,ret_msg,conn_id,op", FrameJson.Keys(spotPong));
        Assert.Equal("pong", spotPong.GetProperty("ret_msg").GetString());
    }

    [Fact]
    public async Task Unknown_symbol_bad_topic_and_rejected_topic_fail()
    {
        var (host, emulator) = await StartLinearAsync();
        await using var _h = host;
        emulator.Faults.RejectedTopics["tickers.ETHUSDT"] = true;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");

        await client.SendAsync("{\"req_id\":\"a\",\"op\":\"subscribe\",\"args\":[\"publicTrade.NOPEUSDT\"]}");
        var unknown = await client.ReceiveJsonAsync();
        Assert.False(unknown.GetProperty("success").GetBoolean());
        Assert.Contains("publicTrade.NOPEUSDT", unknown.GetProperty("ret_msg").GetString());
        Assert.Equal("a", unknown.GetProperty("req_id").GetString());

        await client.SendAsync("{\"req_id\":\"b\",\"op\":\"subscribe\",\"args\":[\"orderbook.500.BTCUSDT\"]}");
        var removedDepth = await client.ReceiveJsonAsync();
        Assert.False(removedDepth.GetProperty("success").GetBoolean());
        Assert.Equal("error:handler not found,topic:orderbook.500.BTCUSDT", removedDepth.GetProperty("ret_msg").GetString());

        await client.SendAsync("{\"req_id\":\"c\",\"op\":\"subscribe\",\"args\":[\"tickers.ETHUSDT\"]}");
        var rejected = await client.ReceiveJsonAsync();
        Assert.False(rejected.GetProperty("success").GetBoolean());
        Assert.Equal("error:handler not found,topic:tickers.ETHUSDT", rejected.GetProperty("ret_msg").GetString());
    }

    [Fact]
    public async Task Linear_trade_frame_has_venue_fields()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "publicTrade.BTCUSDT");

        host.Publish(MarketEvent.From(new Trade(LinearBtc, T0, T0, 65000.5, 0.012, Side.Sell, TradeId.FromNumber(42))));
        var frame = await client.ReceiveJsonAsync();
        Assert.Equal("topic,type,ts,data", FrameJson.Keys(frame));
        Assert.Equal("publicTrade.BTCUSDT", frame.GetProperty("topic").GetString());
        Assert.Equal("snapshot", frame.GetProperty("type").GetString());
        Assert.Equal(1_700_000_000_123, frame.GetProperty("ts").GetInt64());
        var t = frame.GetProperty("data")[0];
        Assert.Equal("T,s,S,v,p,L,i,BT,seq", FrameJson.Keys(t));
        Assert.Equal(1_700_000_000_123, t.GetProperty("T").GetInt64());
        Assert.Equal("BTCUSDT", t.GetProperty("s").GetString());
        Assert.Equal("Sell", t.GetProperty("S").GetString());
        Assert.Equal("0.012", t.GetProperty("v").GetString());
        Assert.Equal("65000.5", t.GetProperty("p").GetString());
        Assert.Equal("00000000-0000-0000-0000-00000000002a", t.GetProperty("i").GetString());
        Assert.False(t.GetProperty("BT").GetBoolean());

        host.Publish(MarketEvent.From(new Trade(LinearBtc, T0 + 1000, T0, 65001.0, 1, Side.Buy, TradeId.FromNumber(43))));
        var second = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal("PlusTick", second.GetProperty("L").GetString());
        Assert.Equal("Buy", second.GetProperty("S").GetString());
        Assert.Equal("1.000", second.GetProperty("v").GetString());
        Assert.Equal("65001.0", second.GetProperty("p").GetString());
        Assert.Equal(t.GetProperty("seq").GetInt64() + 1, second.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Spot_trade_frame_puts_ts_before_type_and_has_no_tick_direction()
    {
        var (host, _) = await StartSpotAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BybitSpot, "/v5/public/spot");
        await SubscribeAsync(client, "publicTrade.BTCUSDT");
        host.Publish(MarketEvent.From(new Trade(SpotBtc, T0, T0, 65000.10, 0.5, Side.Buy, TradeId.FromNumber(2290000000061666327))));
        var frame = await client.ReceiveJsonAsync();
        Assert.Equal("topic,ts,type,data", FrameJson.Keys(frame));
        var t = frame.GetProperty("data")[0];
        Assert.Equal("T,s,S,v,p,i,BT,seq", FrameJson.Keys(t));
        Assert.Equal("0.5", t.GetProperty("v").GetString());
        Assert.Equal("65000.1", t.GetProperty("p").GetString());
        Assert.Equal("2290000000061666327", t.GetProperty("i").GetString());
    }

    [Fact]
    public async Task Orderbook_snapshot_then_deltas_with_consecutive_u()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        var btc = LinearBtc;
        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1), L(btc, 99.9, 2)], [L(btc, 100.1, 1.5)]));

        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "orderbook.50.BTCUSDT");
        var snapshot = await client.ReceiveJsonAsync();
        Assert.Equal("topic,type,ts,data,cts", FrameJson.Keys(snapshot));
        Assert.Equal("snapshot", snapshot.GetProperty("type").GetString());
        var data = snapshot.GetProperty("data");
        Assert.Equal("s,b,a,u,seq", FrameJson.Keys(data));
        Assert.Equal("100.0:1.000|99.9:2.000", FrameJson.Levels(data.GetProperty("b")));
        Assert.Equal("100.1:1.500", FrameJson.Levels(data.GetProperty("a")));
        long u0 = data.GetProperty("u").GetInt64();

        // The truth ids (999) are ignored; the emulator numbers its own messages.
        host.Publish(Book(btc, T0 + 100_000, false, [L(btc, 100.0, 0)], [L(btc, 100.2, 3)]));
        var delta = await client.ReceiveJsonAsync();
        Assert.Equal("delta", delta.GetProperty("type").GetString());
        Assert.Equal(1_700_000_000_223, delta.GetProperty("ts").GetInt64());
        Assert.Equal(1_700_000_000_223, delta.GetProperty("cts").GetInt64());
        var d = delta.GetProperty("data");
        Assert.Equal("100.0:0", FrameJson.Levels(d.GetProperty("b")));
        Assert.Equal("100.2:3.000", FrameJson.Levels(d.GetProperty("a")));
        Assert.Equal(u0 + 1, d.GetProperty("u").GetInt64());
        Assert.True(d.GetProperty("seq").GetInt64() > data.GetProperty("seq").GetInt64());

        host.Publish(Book(btc, T0 + 200_000, false, [L(btc, 99.9, 2.5)], []));
        var d2 = (await client.ReceiveJsonAsync()).GetProperty("data");
        Assert.Equal("99.9:2.500", FrameJson.Levels(d2.GetProperty("b")));
        Assert.Equal("", FrameJson.Levels(d2.GetProperty("a")));
        Assert.Equal(u0 + 2, d2.GetProperty("u").GetInt64());
    }

    [Fact]
    public async Task Orderbook_1_is_snapshot_only_and_levels_move_in_from_below()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        var btc = LinearBtc;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "orderbook.1.BTCUSDT");
        // Subscribed before any book: the first truth snapshot primes it.
        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1), L(btc, 99.9, 2)], [L(btc, 100.1, 1.5), L(btc, 100.2, 4)]));
        var first = (await client.ReceiveJsonAsync()).GetProperty("data");
        Assert.Equal("100.0:1.000", FrameJson.Levels(first.GetProperty("b")));
        Assert.Equal("100.1:1.500", FrameJson.Levels(first.GetProperty("a")));

        host.Publish(Book(btc, T0 + 1000, false, [L(btc, 100.0, 0)], []));
        var next = await client.ReceiveJsonAsync();
        Assert.Equal("snapshot", next.GetProperty("type").GetString());
        var nd = next.GetProperty("data");
        Assert.Equal("99.9:2.000", FrameJson.Levels(nd.GetProperty("b")));
        Assert.Equal("100.1:1.500", FrameJson.Levels(nd.GetProperty("a")));
        Assert.Equal(first.GetProperty("u").GetInt64() + 1, nd.GetProperty("u").GetInt64());
    }

    [Fact]
    public async Task Depth_limited_delta_deletes_levels_pushed_out_and_inserts_levels_pulled_in()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        var btc = LinearBtc;
        var bids = new BookLevel[60];
        for (int i = 0; i < 60; i++)
        {
            bids[i] = L(btc, 100.0 - i * 0.1, 1);
        }

        host.Publish(Book(btc, T0, true, bids, [L(btc, 100.1, 1)]));
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "orderbook.50.BTCUSDT");
        var snapshot = (await client.ReceiveJsonAsync()).GetProperty("data");
        Assert.Equal(50, snapshot.GetProperty("b").GetArrayLength());
        Assert.Equal("95.1", snapshot.GetProperty("b")[49][0].GetString());

        // Deleting the best bid pulls level 51 (95.0) into the top 50.
        host.Publish(Book(btc, T0 + 1000, false, [L(btc, 100.0, 0)], []));
        var d = (await client.ReceiveJsonAsync()).GetProperty("data");
        Assert.Equal("100.0:0|95.0:1.000", FrameJson.Levels(d.GetProperty("b")));

        // A new best bid pushes 95.0 out again.
        host.Publish(Book(btc, T0 + 2000, false, [L(btc, 100.0, 2)], []));
        var d2 = (await client.ReceiveJsonAsync()).GetProperty("data");
        Assert.Equal("100.0:2.000|95.0:0", FrameJson.Levels(d2.GetProperty("b")));
    }

    [Fact]
    public async Task Sequence_gap_fault_skips_one_u()
    {
        var (host, emulator) = await StartLinearAsync();
        await using var _h = host;
        var btc = LinearBtc;
        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1)], [L(btc, 100.1, 1)]));
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "orderbook.200.BTCUSDT");
        long u0 = (await client.ReceiveJsonAsync()).GetProperty("data").GetProperty("u").GetInt64();

        emulator.Faults.GapNextSequence();
        host.Publish(Book(btc, T0 + 1000, false, [L(btc, 100.0, 2)], []));
        long u1 = (await client.ReceiveJsonAsync()).GetProperty("data").GetProperty("u").GetInt64();
        Assert.Equal(u0 + 2, u1);

        host.Publish(Book(btc, T0 + 2000, false, [L(btc, 100.0, 3)], []));
        long u2 = (await client.ReceiveJsonAsync()).GetProperty("data").GetProperty("u").GetInt64();
        Assert.Equal(u1 + 1, u2);
    }

    [Fact]
    public async Task Silent_topic_is_acknowledged_but_never_delivers()
    {
        var (host, emulator) = await StartLinearAsync();
        await using var _h = host;
        emulator.Faults.SilentTopics["publicTrade.BTCUSDT"] = true;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "publicTrade.BTCUSDT");
        await SubscribeAsync(client, "publicTrade.ETHUSDT");
        host.Publish(MarketEvent.From(new Trade(LinearBtc, T0, T0, 65000, 1, Side.Buy, TradeId.FromNumber(1))));
        host.Publish(MarketEvent.From(new Trade(LinearEth, T0, T0, 3000, 1, Side.Buy, TradeId.FromNumber(2))));
        var frame = await client.ReceiveJsonAsync();
        Assert.Equal("publicTrade.ETHUSDT", frame.GetProperty("topic").GetString());
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Rest_orderbook_matches_the_1000_level_stream()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        var btc = LinearBtc;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "orderbook.1000.BTCUSDT");
        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1), L(btc, 99.9, 2)], [L(btc, 100.1, 1.5)]));
        host.Publish(Book(btc, T0 + 1000, false, [L(btc, 99.8, 7)], [L(btc, 100.1, 0), L(btc, 100.3, 2)]));
        await client.ReceiveJsonAsync();
        long lastU = (await client.ReceiveJsonAsync()).GetProperty("data").GetProperty("u").GetInt64();

        using var http = new HttpClient { BaseAddress = host.HttpBase(VenueId.BybitLinear), Timeout = TimeSpan.FromSeconds(5) };
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=2"));
        var root = doc.RootElement;
        Assert.Equal("retCode,retMsg,result,retExtInfo,time", FrameJson.Keys(root));
        Assert.Equal(0, root.GetProperty("retCode").GetInt32());
        Assert.Equal("OK", root.GetProperty("retMsg").GetString());
        var result = root.GetProperty("result");
        Assert.Equal("s,a,b,ts,u,seq,cts", FrameJson.Keys(result));
        Assert.Equal(lastU, result.GetProperty("u").GetInt64());
        Assert.Equal("100.0:1.000|99.9:2.000", FrameJson.Levels(result.GetProperty("b")));
        Assert.Equal("100.3:2.000", FrameJson.Levels(result.GetProperty("a")));
        Assert.Equal(1_700_000_000_124, result.GetProperty("ts").GetInt64());

        using var bad = JsonDocument.Parse(await http.GetStringAsync("/v5/market/orderbook?category=linear&symbol=NOPE"));
        Assert.Equal(10001, bad.RootElement.GetProperty("retCode").GetInt32());
        Assert.Equal("retCode,retMsg,result,retExtInfo,time", FrameJson.Keys(bad.RootElement));
        using var badCategory = JsonDocument.Parse(await http.GetStringAsync("/v5/market/orderbook?category=inverse&symbol=BTCUSDT"));
        Assert.Equal(10001, badCategory.RootElement.GetProperty("retCode").GetInt32());
    }

    [Fact]
    public async Task Liquidation_side_is_the_liquidated_position()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "allLiquidation.BTCUSDT");
        host.Publish(MarketEvent.From(new Liquidation(LinearBtc, T0, T0, 64000.3, 0.25, PositionSide.Long, Side.Sell, FeedCompleteness.Complete)));
        host.Publish(MarketEvent.From(new Liquidation(LinearBtc, T0, T0, 64001, 1, PositionSide.Unknown, Side.Buy, FeedCompleteness.Complete)));
        var first = await client.ReceiveJsonAsync();
        Assert.Equal("topic,type,ts,data", FrameJson.Keys(first));
        var l = first.GetProperty("data")[0];
        Assert.Equal("T,s,S,v,p", FrameJson.Keys(l));
        Assert.Equal("Buy", l.GetProperty("S").GetString()); // long liquidated
        Assert.Equal("0.250", l.GetProperty("v").GetString());
        Assert.Equal("64000.3", l.GetProperty("p").GetString());
        var second = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal("Sell", second.GetProperty("S").GetString()); // buy order closes a short
    }

    [Fact]
    public async Task Tickers_snapshot_then_funding_and_open_interest_deltas()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        var btc = LinearBtc;
        const long next = 1_700_006_400_000_000;
        host.Publish(MarketEvent.From(new Funding(btc, T0, T0, 0.0001, 8, next, 65010.2, 65000.7)));
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "tickers.BTCUSDT");
        var snapshot = await client.ReceiveJsonAsync();
        Assert.Equal("topic,type,data,cs,ts", FrameJson.Keys(snapshot));
        Assert.Equal("snapshot", snapshot.GetProperty("type").GetString());
        var s = snapshot.GetProperty("data");
        Assert.Equal("65010.2", s.GetProperty("markPrice").GetString());
        Assert.Equal("65000.7", s.GetProperty("indexPrice").GetString());
        Assert.Equal("0.0001", s.GetProperty("fundingRate").GetString());
        Assert.Equal("1700006400000", s.GetProperty("nextFundingTime").GetString());
        Assert.Equal("8", s.GetProperty("fundingIntervalHour").GetString());

        host.Publish(MarketEvent.From(new OpenInterest(btc, T0 + 1000, T0, 1234.5, 80_000_000.25)));
        var delta = await client.ReceiveJsonAsync();
        Assert.Equal("delta", delta.GetProperty("type").GetString());
        var d = delta.GetProperty("data");
        Assert.Equal("symbol,openInterest,openInterestValue,singleOpenInterest,singleOpenInterestValue", FrameJson.Keys(d));
        Assert.Equal("2469.000", d.GetProperty("openInterest").GetString());
        Assert.Equal("160000000.50", d.GetProperty("openInterestValue").GetString());
        Assert.Equal("1234.500", d.GetProperty("singleOpenInterest").GetString());

        host.Publish(MarketEvent.From(new Funding(btc, T0 + 2000, T0, -0.00025, 8, next, double.NaN, double.NaN)));
        var d2 = (await client.ReceiveJsonAsync()).GetProperty("data");
        Assert.Equal("symbol,fundingIntervalHour,nextFundingTime,fundingRate", FrameJson.Keys(d2));
        Assert.Equal("-0.00025", d2.GetProperty("fundingRate").GetString());
    }

    [Fact]
    public async Task Rest_funding_history_open_interest_and_instruments()
    {
        var (host, emulator) = await StartLinearAsync();
        await using var _h = host;
        var btc = LinearBtc;
        const long h8 = 8L * 3600 * 1_000_000;
        long settle1 = 1_700_006_400_000_000;
        host.Publish(MarketEvent.From(new Funding(btc, T0, T0, 0.0001, 8, settle1, double.NaN, double.NaN)));
        host.Publish(MarketEvent.From(new Funding(btc, settle1 + 1, T0, 0.0002, 8, settle1 + h8, double.NaN, double.NaN)));
        host.Publish(MarketEvent.From(new OpenInterest(btc, 1_700_000_000_000_000, T0, 10, 1)));
        host.Publish(MarketEvent.From(new OpenInterest(btc, 1_700_000_050_000_000, T0, 11, 1)));
        host.Publish(MarketEvent.From(new OpenInterest(btc, 1_700_000_400_000_000, T0, 12, 1)));

        using var http = new HttpClient { BaseAddress = host.HttpBase(VenueId.BybitLinear), Timeout = TimeSpan.FromSeconds(5) };
        using var funding = JsonDocument.Parse(await http.GetStringAsync("/v5/market/funding/history?category=linear&symbol=BTCUSDT"));
        var list = funding.RootElement.GetProperty("result").GetProperty("list");
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal("symbol,fundingRate,fundingRateTimestamp", FrameJson.Keys(list[0]));
        Assert.Equal("0.0001", list[0].GetProperty("fundingRate").GetString());
        Assert.Equal("1700006400000", list[0].GetProperty("fundingRateTimestamp").GetString());

        using var startOnly = JsonDocument.Parse(await http.GetStringAsync("/v5/market/funding/history?category=linear&symbol=BTCUSDT&startTime=1"));
        Assert.Equal(10001, startOnly.RootElement.GetProperty("retCode").GetInt32());

        using var oi = JsonDocument.Parse(await http.GetStringAsync("/v5/market/open-interest?category=linear&symbol=BTCUSDT&intervalTime=5min"));
        var rows = oi.RootElement.GetProperty("result").GetProperty("list");
        // 5-min buckets: 1699999800000 (10 then 11 → 11) and 1700000400000 (12).
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal("1700000400000", rows[0].GetProperty("timestamp").GetString());
        Assert.Equal("24.00000000", rows[0].GetProperty("openInterest").GetString());
        Assert.Equal("12", rows[0].GetProperty("singleOpenInterest").GetString());
        Assert.Equal("1699999800000", rows[1].GetProperty("timestamp").GetString());
        Assert.Equal("11", rows[1].GetProperty("singleOpenInterest").GetString());

        using var instruments = JsonDocument.Parse(await http.GetStringAsync("/v5/market/instruments-info?category=linear"));
        var items = instruments.RootElement.GetProperty("result").GetProperty("list");
        Assert.Equal(2, items.GetArrayLength());
        Assert.Equal("BTCUSDT", items[0].GetProperty("symbol").GetString());
        Assert.Equal("0.1", items[0].GetProperty("priceFilter").GetProperty("tickSize").GetString());

        emulator.Faults.FailNextRest(429);
        using var limited = await http.GetAsync("/v5/market/instruments-info?category=linear");
        // Public endpoints hit the IP limit: HTTP 403 "access too frequent" (docs: v5/rate-limit).
        Assert.Equal(403, (int)limited.StatusCode);
        Assert.Equal("access too frequent", await limited.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        var (host, _) = await StartLinearAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.BybitLinear, "/v5/public/linear");
        await SubscribeAsync(client, "publicTrade.BTCUSDT");
        await SubscribeAsync(client, "publicTrade.ETHUSDT");
        await client.SendAsync("{\"req_id\":\"u\",\"op\":\"unsubscribe\",\"args\":[\"publicTrade.BTCUSDT\"]}");
        var ack = await client.ReceiveJsonAsync();
        Assert.True(ack.GetProperty("success").GetBoolean());
        Assert.Equal("unsubscribe", ack.GetProperty("op").GetString());
        host.Publish(MarketEvent.From(new Trade(LinearBtc, T0, T0, 65000, 1, Side.Buy, TradeId.FromNumber(1))));
        host.Publish(MarketEvent.From(new Trade(LinearEth, T0, T0, 3000, 1, Side.Buy, TradeId.FromNumber(2))));
        Assert.Equal("publicTrade.ETHUSDT", (await client.ReceiveJsonAsync()).GetProperty("topic").GetString());
    }
}
