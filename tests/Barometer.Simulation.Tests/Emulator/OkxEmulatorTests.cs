using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;

namespace Barometer.Simulation.Tests.Emulator;

public sealed class OkxEmulatorTests
{
    private const long T0 = 1_700_000_000_123_456; // µs → "1700000000123"

    private readonly InstrumentRegistry _registry = new();

    private Instrument SwapBtc => _registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1);

    private Instrument SwapEth => _registry.GetOrAdd(VenueId.OkxSwap, "ETH", "USDT", "ETH-USDT-SWAP", 0.1, 0.01);

    private Instrument SpotBtc => _registry.GetOrAdd(VenueId.OkxSpot, "BTC", "USDT", "BTC-USDT", 1, 0.1);

    private async Task<(EmulatorHost Host, OkxEmulator Emulator)> StartSwapAsync(Action<OkxEmulator>? configure = null)
    {
        var emulator = new OkxEmulator(VenueId.OkxSwap, [SwapBtc, SwapEth], TimeProvider.System);
        configure?.Invoke(emulator);
        return (await EmulatorHost.StartAsync([emulator]), emulator);
    }

    private static Task<WsTestClient> ConnectAsync(EmulatorHost host, VenueId venue, string path = "/ws/v5/public") =>
        WsTestClient.ConnectAsync(new Uri(host.WebSocketBase(venue), path));

    private static async Task SubscribeAsync(WsTestClient client, string channel, string instId, string key = "instId")
    {
        await client.SendAsync("{\"id\":\"7\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"" + channel + "\",\"" + key + "\":\"" + instId + "\"}]}");
        var ack = await client.ReceiveJsonAsync();
        Assert.Equal("subscribe", ack.GetProperty("event").GetString());
    }

    private static BookLevel L(Instrument i, double price, double qty) => new(i.ToTicks(price), price, qty);

    private static MarketEvent Book(Instrument i, long time, bool snapshot, BookLevel[] bids, BookLevel[] asks) =>
        MarketEvent.From(new BookUpdate(i, time, time, snapshot, 5, 5, 4, bids, asks));

    /// <summary>[[px,sz,"0",n],...] as "px:sz:0:n|…".</summary>
    private static string Levels(JsonElement array) => FrameJson.Levels(array);

    [Fact]
    public async Task Subscribe_acks_once_per_arg_in_the_real_shape()
    {
        var (host, _) = await StartSwapAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await client.SendAsync("{\"id\":\"1\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT-SWAP\"},{\"channel\":\"books\",\"instId\":\"ETH-USDT-SWAP\"}]}");
        string first = await client.ReceiveAsync();
        string connId = JsonDocument.Parse(first).RootElement.GetProperty("connId").GetString()!;
        Assert.Equal(8, connId.Length);
        Assert.Equal("{\"id\":\"1\",\"event\":\"subscribe\",\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT-SWAP\"},\"connId\":\"" + connId + "\"}", first);
        Assert.Equal("{\"id\":\"1\",\"event\":\"subscribe\",\"arg\":{\"channel\":\"books\",\"instId\":\"ETH-USDT-SWAP\"},\"connId\":\"" + connId + "\"}",
            await client.ReceiveAsync());

        await client.SendAsync("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"liquidation-orders\",\"instType\":\"SWAP\"}]}");
        Assert.Equal("{\"event\":\"subscribe\",\"arg\":{\"channel\":\"liquidation-orders\",\"instType\":\"SWAP\"},\"connId\":\"" + connId + "\"}",
            await client.ReceiveAsync());
    }

    [Fact]
    public async Task Unknown_instrument_bad_channel_and_rejected_topic_get_60018()
    {
        var (host, emulator) = await StartSwapAsync();
        await using var _h = host;
        emulator.Faults.RejectedTopics["trades:ETH-USDT-SWAP"] = true;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);

        await client.SendAsync("{\"id\":\"1\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"NOPE-USDT-SWAP\"}]}");
        var error = await client.ReceiveJsonAsync();
        Assert.Equal("id,event,code,msg,connId", FrameJson.Keys(error));
        Assert.Equal("error", error.GetProperty("event").GetString());
        Assert.Equal("60018", error.GetProperty("code").GetString());
        Assert.Equal("Wrong URL or channel:trades,instId:NOPE-USDT-SWAP doesn't exist. Please use the correct URL, channel and parameters referring to API document.",
            error.GetProperty("msg").GetString());

        await client.SendAsync("{\"id\":\"2\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"bookz\",\"instId\":\"BTC-USDT-SWAP\"}]}");
        Assert.Equal("60018", (await client.ReceiveJsonAsync()).GetProperty("code").GetString());

        await client.SendAsync("{\"id\":\"3\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"ETH-USDT-SWAP\"}]}");
        var rejected = await client.ReceiveJsonAsync();
        Assert.Equal("60018", rejected.GetProperty("code").GetString());
        Assert.Equal("3", rejected.GetProperty("id").GetString());

        await client.SendAsync("{\"id\":\"4\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades-all\",\"instId\":\"BTC-USDT-SWAP\"}]}");
        Assert.Equal("64001", (await client.ReceiveJsonAsync()).GetProperty("code").GetString());

        await client.SendAsync("{\"op\":\"subscribe\",\"argss\":[]}");
        Assert.Equal("60012", (await client.ReceiveJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Text_ping_gets_text_pong()
    {
        var (host, _) = await StartSwapAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await client.SendAsync("ping");
        Assert.Equal("pong", await client.ReceiveAsync());
    }

    [Fact]
    public async Task Swap_trade_sizes_are_contracts()
    {
        var (host, _) = await StartSwapAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await SubscribeAsync(client, "trades", "BTC-USDT-SWAP");
        host.Publish(MarketEvent.From(new Trade(SwapBtc, T0, T0, 65000.1, 0.05, Side.Sell, TradeId.FromNumber(130639474))));
        var frame = await client.ReceiveJsonAsync();
        Assert.Equal("arg,data", FrameJson.Keys(frame));
        Assert.Equal("{\"channel\":\"trades\",\"instId\":\"BTC-USDT-SWAP\"}", frame.GetProperty("arg").GetRawText());
        var t = frame.GetProperty("data")[0];
        Assert.Equal("instId,tradeId,px,sz,side,ts,count,source,seqId", FrameJson.Keys(t));
        Assert.Equal("130639474", t.GetProperty("tradeId").GetString());
        Assert.Equal("65000.1", t.GetProperty("px").GetString());
        Assert.Equal("5", t.GetProperty("sz").GetString()); // 0.05 BTC / 0.01
        Assert.Equal("sell", t.GetProperty("side").GetString());
        Assert.Equal("1700000000123", t.GetProperty("ts").GetString());
        Assert.Equal(JsonValueKind.Number, t.GetProperty("seqId").ValueKind);
    }

    [Fact]
    public async Task Trades_all_is_served_on_business()
    {
        var (host, _) = await StartSwapAsync();
        await using var _h = host;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap, "/ws/v5/business");
        await SubscribeAsync(client, "trades-all", "ETH-USDT-SWAP");
        host.Publish(MarketEvent.From(new Trade(SwapEth, T0, T0, 3000.25, 1.5, Side.Buy, TradeId.FromNumber(9))));
        var t = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal("instId,tradeId,px,sz,side,source,ts", FrameJson.Keys(t));
        Assert.Equal("15", t.GetProperty("sz").GetString()); // 1.5 ETH / 0.1
        Assert.Equal("3000.25", t.GetProperty("px").GetString());
        Assert.Equal("buy", t.GetProperty("side").GetString());
    }

    [Fact]
    public async Task Books_updates_chain_seqIds_and_rest_snapshot_lines_up()
    {
        var (host, _) = await StartSwapAsync();
        await using var _h = host;
        var btc = SwapBtc;
        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1), L(btc, 99.9, 0.25)], [L(btc, 100.1, 0.5)]));
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await SubscribeAsync(client, "books", "BTC-USDT-SWAP");

        host.Publish(Book(btc, T0 + 100_000, false, [L(btc, 100.0, 0)], [L(btc, 100.2, 0.03)]));
        var update = await client.ReceiveJsonAsync();
        Assert.Equal("arg,action,data", FrameJson.Keys(update)); // no initial snapshot since Aug 2026
        Assert.Equal("update", update.GetProperty("action").GetString());
        var d = update.GetProperty("data")[0];
        Assert.Equal("asks,bids,ts,checksum,prevSeqId,seqId", FrameJson.Keys(d));
        Assert.Equal("100.2:3:0:1", Levels(d.GetProperty("asks")));
        Assert.Equal("100:0:0:0", Levels(d.GetProperty("bids")));
        Assert.Equal("1700000000223", d.GetProperty("ts").GetString());
        Assert.Equal(0, d.GetProperty("checksum").GetInt32());
        long seq1 = d.GetProperty("seqId").GetInt64();
        Assert.True(seq1 > d.GetProperty("prevSeqId").GetInt64());

        host.Publish(MarketEvent.From(new Trade(btc, T0, T0, 100.1, 0.01, Side.Buy, TradeId.FromNumber(1))));
        host.Publish(Book(btc, T0 + 200_000, false, [L(btc, 99.9, 0.5)], []));
        var d2 = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal(seq1, d2.GetProperty("prevSeqId").GetInt64());
        long seq2 = d2.GetProperty("seqId").GetInt64();
        Assert.Equal("99.9:50:0:1", Levels(d2.GetProperty("bids")));

        using var http = new HttpClient { BaseAddress = host.HttpBase(VenueId.OkxSwap), Timeout = TimeSpan.FromSeconds(5) };
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/api/v5/market/books?instId=BTC-USDT-SWAP&sz=5&source=0"));
        Assert.Equal("code,msg,data", FrameJson.Keys(doc.RootElement));
        Assert.Equal("0", doc.RootElement.GetProperty("code").GetString());
        Assert.Equal("", doc.RootElement.GetProperty("msg").GetString());
        var book = doc.RootElement.GetProperty("data")[0];
        Assert.Equal("asks,bids,ts,seqId", FrameJson.Keys(book));
        Assert.Equal(seq2, book.GetProperty("seqId").GetInt64());
        Assert.Equal("100.1:50:0:1|100.2:3:0:1", Levels(book.GetProperty("asks")));
        Assert.Equal("99.9:50:0:1", Levels(book.GetProperty("bids")));

        using var bad = JsonDocument.Parse(await http.GetStringAsync("/api/v5/market/books?instId=NOPE-USDT-SWAP"));
        Assert.Equal("51001", bad.RootElement.GetProperty("code").GetString());
        Assert.Equal(0, bad.RootElement.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Sequence_gap_makes_prevSeqId_skip()
    {
        var (host, emulator) = await StartSwapAsync();
        await using var _h = host;
        var btc = SwapBtc;
        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1)], [L(btc, 100.1, 1)]));
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await SubscribeAsync(client, "books", "BTC-USDT-SWAP");
        host.Publish(Book(btc, T0 + 1, false, [L(btc, 100.0, 2)], []));
        long seq1 = (await client.ReceiveJsonAsync()).GetProperty("data")[0].GetProperty("seqId").GetInt64();
        emulator.Faults.GapNextSequence();
        host.Publish(Book(btc, T0 + 2, false, [L(btc, 100.0, 3)], []));
        var d = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.NotEqual(seq1, d.GetProperty("prevSeqId").GetInt64());
        Assert.True(d.GetProperty("prevSeqId").GetInt64() > seq1);
        host.Publish(Book(btc, T0 + 3, false, [L(btc, 100.0, 4)], []));
        var d2 = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal(d.GetProperty("seqId").GetInt64(), d2.GetProperty("prevSeqId").GetInt64());
    }

    [Fact]
    public async Task Initial_snapshot_can_be_switched_on()
    {
        var (host, _) = await StartSwapAsync(e => e.SendInitialBookSnapshot = true);
        await using var _h = host;
        var btc = SwapBtc;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await SubscribeAsync(client, "books", "BTC-USDT-SWAP");
        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1)], [L(btc, 100.1, 0.02)]));
        var snapshot = await client.ReceiveJsonAsync();
        Assert.Equal("snapshot", snapshot.GetProperty("action").GetString());
        var s = snapshot.GetProperty("data")[0];
        Assert.Equal(-1, s.GetProperty("prevSeqId").GetInt64());
        Assert.Equal("100:100:0:1", Levels(s.GetProperty("bids")));
        Assert.Equal("100.1:2:0:1", Levels(s.GetProperty("asks")));
        host.Publish(Book(btc, T0 + 1, false, [L(btc, 100.0, 2)], []));
        var u = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal(s.GetProperty("seqId").GetInt64(), u.GetProperty("prevSeqId").GetInt64());
    }

    [Fact]
    public void Checksum_matches_the_documented_examples()
    {
        Assert.Equal(-1881014294, OkxEmulator.Checksum(
            [new("3366.1", "7"), new("3366", "6")],
            [new("3366.8", "9"), new("3368", "8")]));
        Assert.Equal(831078360, OkxEmulator.Checksum(
            [new("3366.1", "7")],
            [new("3366.8", "9"), new("3368", "8"), new("3372", "8")]));
    }

    [Fact]
    public async Task Real_checksum_mode_and_corrupted_checksum()
    {
        var (host, emulator) = await StartSwapAsync(e => e.EmitRealChecksum = true);
        await using var _h = host;
        var eth = SwapEth; // ctVal 0.1, tick 0.01
        host.Publish(Book(eth, T0, true, [L(eth, 3366.1, 0.7)], [L(eth, 3366.8, 0.9), L(eth, 3368, 0.8)]));
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await SubscribeAsync(client, "books", "ETH-USDT-SWAP");

        // Book after: bids 3366.1:7, 3366:6; asks 3366.8:9, 3368:8 → the documented −1881014294.
        host.Publish(Book(eth, T0 + 1, false, [L(eth, 3366, 0.6)], []));
        var d = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal(-1881014294, d.GetProperty("checksum").GetInt32());

        emulator.Faults.CorruptNextChecksum();
        host.Publish(Book(eth, T0 + 2, false, [L(eth, 3366, 0)], [L(eth, 3372, 0.8)]));
        var bad = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.NotEqual(831078360, bad.GetProperty("checksum").GetInt32());

        host.Publish(Book(eth, T0 + 3, false, [L(eth, 3366.1, 0.7)], [])); // unchanged size: no message
        host.Publish(Book(eth, T0 + 4, false, [], [L(eth, 3372, 0.8), L(eth, 3375, 0)]));
        host.Publish(Book(eth, T0 + 5, false, [L(eth, 3300, 0.1)], []));
        var after = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal(OkxEmulator.Checksum(
            [new("3366.1", "7"), new("3300", "1")],
            [new("3366.8", "9"), new("3368", "8"), new("3372", "8")]), after.GetProperty("checksum").GetInt32());
    }

    [Fact]
    public async Task Bbo_liquidation_funding_mark_and_open_interest_frames()
    {
        var (host, _) = await StartSwapAsync();
        await using var _h = host;
        var btc = SwapBtc;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await SubscribeAsync(client, "bbo-tbt", "BTC-USDT-SWAP");
        await SubscribeAsync(client, "liquidation-orders", "SWAP", "instType");
        await SubscribeAsync(client, "funding-rate", "BTC-USDT-SWAP");
        await SubscribeAsync(client, "mark-price", "BTC-USDT-SWAP");
        await SubscribeAsync(client, "open-interest", "BTC-USDT-SWAP");

        host.Publish(Book(btc, T0, true, [L(btc, 100.0, 1)], [L(btc, 100.1, 0.5)]));
        var bbo = await client.ReceiveJsonAsync();
        Assert.Equal("bbo-tbt", bbo.GetProperty("arg").GetProperty("channel").GetString());
        var b = bbo.GetProperty("data")[0];
        Assert.Equal("asks,bids,ts,seqId", FrameJson.Keys(b));
        Assert.Equal("100.1:50:0:1", Levels(b.GetProperty("asks")));

        host.Publish(MarketEvent.From(new Liquidation(btc, T0, T0, 64000.5, 0.13, PositionSide.Short, Side.Buy, FeedCompleteness.Sampled)));
        var liq = await client.ReceiveJsonAsync();
        Assert.Equal("{\"channel\":\"liquidation-orders\",\"instType\":\"SWAP\"}", liq.GetProperty("arg").GetRawText());
        var entry = liq.GetProperty("data")[0];
        Assert.Equal("details,instFamily,instId,instType,uly", FrameJson.Keys(entry));
        Assert.Equal("BTC-USDT", entry.GetProperty("instFamily").GetString());
        var detail = entry.GetProperty("details")[0];
        Assert.Equal("bkLoss,bkPx,ccy,posSide,side,sz,ts", FrameJson.Keys(detail));
        Assert.Equal("buy", detail.GetProperty("side").GetString());
        Assert.Equal("short", detail.GetProperty("posSide").GetString());
        Assert.Equal("13", detail.GetProperty("sz").GetString());
        Assert.Equal("64000.5", detail.GetProperty("bkPx").GetString());

        const long next = 1_700_006_400_000_000;
        host.Publish(MarketEvent.From(new Funding(btc, T0, T0, 0.0001875, 8, next, 65010.2, 65000.0)));
        var funding = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal("formulaType,fundingRate,fundingTime,impactValue,instId,instType,interestRate,method,maxFundingRate,minFundingRate,nextFundingRate,nextFundingTime,premium,settFundingRate,settState,ts",
            FrameJson.Keys(funding));
        Assert.Equal("0.0001875", funding.GetProperty("fundingRate").GetString());
        Assert.Equal("1700006400000", funding.GetProperty("fundingTime").GetString());
        Assert.Equal("1700035200000", funding.GetProperty("nextFundingTime").GetString());
        var mark = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal("instType,instId,markPx,ts", FrameJson.Keys(mark));
        Assert.Equal("65010.2", mark.GetProperty("markPx").GetString());

        host.Publish(MarketEvent.From(new OpenInterest(btc, T0, T0, 22161.13, 1_939_251_795.5)));
        var oi = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal("instId,instType,oi,oiCcy,oiUsd,ts", FrameJson.Keys(oi));
        Assert.Equal("2216113", oi.GetProperty("oi").GetString());
        Assert.Equal("22161.13", oi.GetProperty("oiCcy").GetString());
        Assert.Equal("1939251795.5", oi.GetProperty("oiUsd").GetString());
    }

    [Fact]
    public async Task Silent_topic_never_delivers()
    {
        var (host, emulator) = await StartSwapAsync();
        await using var _h = host;
        emulator.Faults.SilentTopics["trades:BTC-USDT-SWAP"] = true;
        await using var client = await ConnectAsync(host, VenueId.OkxSwap);
        await SubscribeAsync(client, "trades", "BTC-USDT-SWAP");
        await SubscribeAsync(client, "trades", "ETH-USDT-SWAP");
        host.Publish(MarketEvent.From(new Trade(SwapBtc, T0, T0, 65000, 1, Side.Buy, TradeId.FromNumber(1))));
        host.Publish(MarketEvent.From(new Trade(SwapEth, T0, T0, 3000, 1, Side.Buy, TradeId.FromNumber(2))));
        var frame = await client.ReceiveJsonAsync();
        Assert.Equal("ETH-USDT-SWAP", frame.GetProperty("arg").GetProperty("instId").GetString());
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Rest_instruments_open_interest_funding_history_and_errors()
    {
        var (host, emulator) = await StartSwapAsync();
        await using var _h = host;
        var btc = SwapBtc;
        const long h8 = 8L * 3600 * 1_000_000;
        long settle = 1_700_006_400_000_000;
        host.Publish(MarketEvent.From(new Funding(btc, T0, T0, 0.0001, 8, settle, double.NaN, double.NaN)));
        host.Publish(MarketEvent.From(new Funding(btc, settle + 1, T0, 0.0003, 8, settle + h8, double.NaN, double.NaN)));
        host.Publish(MarketEvent.From(new OpenInterest(btc, T0, T0, 100, 6_500_000)));

        using var http = new HttpClient { BaseAddress = host.HttpBase(VenueId.OkxSwap), Timeout = TimeSpan.FromSeconds(5) };
        using var instruments = JsonDocument.Parse(await http.GetStringAsync("/api/v5/public/instruments?instType=SWAP"));
        var list = instruments.RootElement.GetProperty("data");
        Assert.Equal(2, list.GetArrayLength());
        Assert.Equal("BTC-USDT-SWAP", list[0].GetProperty("instId").GetString());
        Assert.Equal("0.01", list[0].GetProperty("ctVal").GetString());
        Assert.Equal("1", list[0].GetProperty("ctMult").GetString());
        Assert.Equal("BTC", list[0].GetProperty("ctValCcy").GetString());
        Assert.Equal("0.1", list[0].GetProperty("tickSz").GetString());
        Assert.Equal("0.1", list[1].GetProperty("ctVal").GetString());
        using var missingType = JsonDocument.Parse(await http.GetStringAsync("/api/v5/public/instruments"));
        Assert.Equal("50014", missingType.RootElement.GetProperty("code").GetString());

        using var oi = JsonDocument.Parse(await http.GetStringAsync("/api/v5/public/open-interest?instType=SWAP&instId=BTC-USDT-SWAP"));
        var row = oi.RootElement.GetProperty("data")[0];
        Assert.Equal("10000", row.GetProperty("oi").GetString());
        Assert.Equal("100", row.GetProperty("oiCcy").GetString());

        using var history = JsonDocument.Parse(await http.GetStringAsync("/api/v5/public/funding-rate-history?instId=BTC-USDT-SWAP"));
        var rows = history.RootElement.GetProperty("data");
        Assert.Equal(1, rows.GetArrayLength());
        Assert.Equal("formulaType,fundingRate,fundingTime,instId,instType,method,realizedRate", FrameJson.Keys(rows[0]));
        Assert.Equal("0.0001", rows[0].GetProperty("realizedRate").GetString());
        Assert.Equal("1700006400000", rows[0].GetProperty("fundingTime").GetString());

        emulator.Faults.FailNextRest(429);
        using var limited = await http.GetAsync("/api/v5/public/instruments?instType=SWAP");
        Assert.Equal(429, (int)limited.StatusCode);
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal("50011", body.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Spot_sizes_are_base_and_swap_only_channels_are_rejected()
    {
        var emulator = new OkxEmulator(VenueId.OkxSpot, [SpotBtc], TimeProvider.System);
        await using var host = await EmulatorHost.StartAsync([emulator]);
        await using var client = await ConnectAsync(host, VenueId.OkxSpot);
        await SubscribeAsync(client, "trades", "BTC-USDT");
        host.Publish(MarketEvent.From(new Trade(SpotBtc, T0, T0, 42219.9, 0.12060306, Side.Buy, TradeId.FromNumber(5))));
        var t = (await client.ReceiveJsonAsync()).GetProperty("data")[0];
        Assert.Equal("0.12060306", t.GetProperty("sz").GetString());
        Assert.Equal("42219.9", t.GetProperty("px").GetString());

        await client.SendAsync("{\"id\":\"9\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"funding-rate\",\"instId\":\"BTC-USDT\"}]}");
        Assert.Equal("60018", (await client.ReceiveJsonAsync()).GetProperty("code").GetString());

        using var http = new HttpClient { BaseAddress = host.HttpBase(VenueId.OkxSpot), Timeout = TimeSpan.FromSeconds(5) };
        using var instruments = JsonDocument.Parse(await http.GetStringAsync("/api/v5/public/instruments?instType=SPOT"));
        var item = instruments.RootElement.GetProperty("data")[0];
        Assert.Equal("BTC", item.GetProperty("baseCcy").GetString());
        Assert.Equal("USDT", item.GetProperty("quoteCcy").GetString());
        Assert.Equal("", item.GetProperty("ctVal").GetString());
    }
}
