using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;
using Barometer.Server.Broadcast;
using static Barometer.Server.Tests.Broadcast.Market;

namespace Barometer.Server.Tests.Broadcast;

public sealed class BroadcastProtocolTests
{
    [Fact]
    public async Task Hello_is_the_first_message_with_schema_version_data_source_and_server_time()
    {
        await using var world = await HubWorld.StartAsync(new BroadcastOptions { DataSource = DataSource.Simulated });
        await using var client = await TestClient.ConnectAsync(world.Uri);

        var hello = await client.ReceiveJsonAsync();

        Assert.Equal("hello", hello.GetProperty("type").GetString());
        Assert.Equal(1, hello.GetProperty("schema_version").GetInt32());
        Assert.Equal("simulated", hello.GetProperty("data_source").GetString());
        Assert.True(hello.GetProperty("server_time").GetInt64() > T0 - (400L * 86_400_000_000), "server_time is UTC µs of this era");
        Assert.Equal(10_000, hello.GetProperty("queue_capacity").GetInt32());
    }

    [Fact]
    public async Task The_ws_path_is_accepted_too()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync("/ws");

        Assert.Equal(1, world.Hub.ClientCount);
    }

    [Fact]
    public async Task Without_a_subscribe_a_client_gets_every_kind_in_publish_order()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        var alert = new Alert { Id = "a1", Type = "liquidation_cascade", Asset = "BTC", Phase = AlertPhase.Opened, Severity = "High", Time = T0 + 5, Message = "cascade" };

        world.Hub.Publish(Trade(1));
        world.Hub.Publish(Liquidation(2));
        world.Hub.Publish(Status(VenueId.OkxSwap));
        world.Hub.PublishAlert(alert);
        world.Hub.PublishSnapshot(Snapshot(T0 + 6));

        var received = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            var m = await client.ReceiveJsonAsync();
            Assert.Equal("live", m.GetProperty("data_source").GetString());
            string type = m.GetProperty("type").GetString()!;
            received.Add(type == "event" ? m.GetProperty("event").GetProperty("kind").GetString()! : type);
        }

        Assert.Equal(["trade", "liquidation", "connection_status", "alert", "snapshot"], received);
    }

    [Fact]
    public async Task An_event_carries_exactly_the_normalized_event_json_of_the_ndjson_files()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        var trade = Trade(7, OkxBtc, 95_000.5, 0.25);

        world.Hub.Publish(trade);

        var message = await client.ReceiveJsonAsync();
        Assert.Equal(NormalizedEventJson.ToLine(trade).TrimEnd('\n'), message.GetProperty("event").GetRawText());
        Assert.Equal(1, message.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Messages_of_every_frame_length_class_arrive_intact()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();

        // ~0.3 KB (7-bit length), ~15 KB (16-bit), ~150 KB (64-bit length) book updates.
        foreach (int levels in new[] { 1, 1_000, 10_000 })
        {
            var book = Book(levels, levels);
            world.Hub.Publish(book);
            var message = await client.ReceiveJsonAsync();
            Assert.Equal(NormalizedEventJson.ToLine(book).TrimEnd('\n'), message.GetProperty("event").GetRawText());
        }
    }

    [Fact]
    public async Task Subscribing_to_kinds_delivers_only_those_kinds()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.SubscribeAsync("""{"type":"subscribe","kinds":["liquidation","alert"]}""");
        var alert = new Alert { Id = "a1", Type = "t", Asset = "ETH", Phase = AlertPhase.Opened, Severity = "Low", Time = T0, Message = "m" };

        world.Hub.Publish(Trade(1));
        world.Hub.Publish(Liquidation(2));
        world.Hub.PublishSnapshot(Snapshot(T0));
        world.Hub.Publish(Status(VenueId.BinanceFutures));
        world.Hub.PublishAlert(alert);
        world.Hub.Publish(Liquidation(3));

        Assert.Equal(T0 + 2, Event(await client.ReceiveJsonAsync()).GetProperty("exchange_time_us").GetInt64());
        Assert.Equal("alert", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
        Assert.Equal(T0 + 3, Event(await client.ReceiveJsonAsync()).GetProperty("exchange_time_us").GetInt64());
        Assert.Null(await client.TryReceiveJsonAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Subscribing_to_instruments_matches_base_assets_and_instrument_keys()
    {
        await using var world = await HubWorld.StartAsync();
        // "eth" matches ETH on any venue; the key matches only OKX's BTC swap, not Binance's BTC.
        await using var client = await world.SubscribeAsync("""{"type":"subscribe","instruments":["eth","okx-swap:BTC-USDT-SWAP"]}""");

        world.Hub.Publish(Trade(1, BinanceBtc));
        world.Hub.Publish(Trade(2, BinanceEth));
        world.Hub.Publish(Trade(3, OkxBtc));
        world.Hub.Publish(Trade(4, BybitSol));
        world.Hub.Publish(Status(VenueId.BybitLinear)); // venue-wide: no instrument, passes
        world.Hub.Publish(Trade(5, BinanceEth));

        Assert.Equal(2, TradeIdOf(await client.ReceiveJsonAsync()));
        Assert.Equal(3, TradeIdOf(await client.ReceiveJsonAsync()));
        Assert.Equal("connection_status", Event(await client.ReceiveJsonAsync()).GetProperty("kind").GetString());
        Assert.Equal(5, TradeIdOf(await client.ReceiveJsonAsync()));
        Assert.Null(await client.TryReceiveJsonAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Subscribing_to_venues_drops_other_venues_and_the_ack_echoes_the_effective_filter()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        await client.SendAsync("""{"type":"subscribe","venues":["okx-swap","bybit-linear"],"kinds":["trade"],"snapshot_every_ms":1000}""");

        var ack = await client.ReceiveJsonAsync();
        Assert.Equal("subscribed", ack.GetProperty("type").GetString());
        Assert.Equal("""["trade"]""", ack.GetProperty("kinds").GetRawText());
        Assert.Equal("""["bybit-linear","okx-swap"]""", ack.GetProperty("venues").GetRawText());
        Assert.Equal("null", ack.GetProperty("instruments").GetRawText());
        Assert.Equal(1000, ack.GetProperty("snapshot_every_ms").GetInt32());

        world.Hub.Publish(Trade(1, BinanceBtc));
        world.Hub.Publish(Trade(2, OkxBtc));
        world.Hub.Publish(Trade(3, BybitSol));
        world.Hub.Publish(Trade(4, BinanceEth));

        Assert.Equal(2, TradeIdOf(await client.ReceiveJsonAsync()));
        Assert.Equal(3, TradeIdOf(await client.ReceiveJsonAsync()));
        Assert.Null(await client.TryReceiveJsonAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Theory]
    [InlineData("""{"type":"subscribe","kinds":["trade"],"colour":"red"}""", "colour")]
    [InlineData("""{"type":"subscribe","kinds":["trades"]}""", "kinds")]
    [InlineData("""{"type":"subscribe","venues":["kraken"]}""", "venues")]
    [InlineData("""{"type":"subscribe","instruments":["BTC USDT"]}""", "instruments")]
    [InlineData("""{"type":"subscribe","instruments":"BTC"}""", "instruments")]
    [InlineData("""{"type":"subscribe","kinds":[]}""", "kinds")]
    [InlineData("""{"type":"subscribe","snapshot_every_ms":-5}""", "snapshot_every_ms")]
    [InlineData("""{"type":"unsubscribe"}""", "type")]
    [InlineData("""{"kinds":["trade"]}""", "type")]
    public async Task A_bad_client_message_gets_an_error_naming_the_field_and_the_connection_stays(string message, string field)
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();

        await client.SendAsync(message);

        var error = await client.ReceiveJsonAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(field, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        // Still connected, and the filter did not change: everything still arrives.
        world.Hub.Publish(Trade(9));
        Assert.Equal(9, TradeIdOf(await client.ReceiveJsonAsync()));
    }

    [Fact]
    public async Task Text_that_is_not_json_gets_an_error_and_a_ping_gets_a_pong()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();

        await client.SendAsync("hello?");
        var error = await client.ReceiveJsonAsync();
        await client.SendAsync("""{"type":"ping"}""");
        var pong = await client.ReceiveJsonAsync();

        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(WebSocketStateOpen, client.State);
    }

    [Fact]
    public async Task A_new_subscribe_replaces_the_filter_and_events_queued_before_it_that_no_longer_match_are_not_sent()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        var server = world.ServerSide(client);
        server.HoldSends = true;
        world.Hub.Publish(Trade(1));
        world.Hub.Publish(Trade(2));

        await client.SendAsync("""{"type":"subscribe","kinds":["liquidation"]}""");
        await HubWorld.EventuallyAsync(() => server.Filter != SubscriptionFilter.All, "subscribe processed");
        server.HoldSends = false;
        world.Hub.Publish(Liquidation(3));

        // The acknowledgement goes first (control messages have priority); the two queued trades
        // are re-checked against the new filter and dropped; the liquidation arrives.
        Assert.Equal("subscribed", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
        Assert.Equal("liquidation", Event(await client.ReceiveJsonAsync()).GetProperty("kind").GetString());
        Assert.Null(await client.TryReceiveJsonAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task An_alert_is_serialized_with_the_fields_of_its_runtime_type()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        Alert alert = new CascadeAlert
        {
            Id = "c-1", Type = "liquidation_cascade", Asset = "BTC", Phase = AlertPhase.Updated, Severity = "Critical",
            Time = T0, Message = "12 liquidations in 30 s", LiquidatedUsd = 1_250_000.5,
        };

        world.Hub.Publish(MarketEvent.From(alert, VenueId.BybitLinear));

        var message = await client.ReceiveJsonAsync();
        Assert.Equal("alert", message.GetProperty("type").GetString());
        var body = message.GetProperty("alert");
        Assert.Equal("c-1", body.GetProperty("id").GetString());
        Assert.Equal("updated", body.GetProperty("phase").GetString());
        Assert.Equal(1_250_000.5, body.GetProperty("liquidated_usd").GetDouble());
    }

    [Fact]
    public async Task An_alert_filtered_by_instruments_passes_when_its_asset_is_listed()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.SubscribeAsync("""{"type":"subscribe","kinds":["alert"],"instruments":["SOL"]}""");

        world.Hub.PublishAlert(new Alert { Id = "1", Type = "t", Asset = "BTC", Phase = AlertPhase.Opened, Severity = "Low", Time = T0, Message = "btc" });
        world.Hub.PublishAlert(new Alert { Id = "2", Type = "t", Asset = "SOL", Phase = AlertPhase.Opened, Severity = "Low", Time = T0, Message = "sol" });

        Assert.Equal("2", (await client.ReceiveJsonAsync()).GetProperty("alert").GetProperty("id").GetString());
        Assert.Null(await client.TryReceiveJsonAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Bad_events_are_ignored_and_counted_and_good_ones_still_flow()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();

        world.Hub.Publish(default);                          // kind None
        world.Hub.Publish(Trade(1, price: double.NaN));      // NaN price
        world.Hub.Publish(Trade(2, quantity: -1));           // negative size
        world.Hub.Publish(MarketEvent.From(new Trade(BinanceBtc, T0, T0, 1, 1, Side.Unknown, TradeId.FromNumber(3)))); // unknown side
        world.Hub.Publish(Trade(4));

        Assert.Equal(4, TradeIdOf(await client.ReceiveJsonAsync()));
        var totals = world.Hub.Totals();
        Assert.Equal(4, totals.Rejected);
        Assert.Equal(1, totals.Published);
    }

    [Fact]
    public async Task Events_are_serialized_once_whatever_the_number_of_clients_and_not_at_all_without_one()
    {
        await using var world = await HubWorld.StartAsync();
        world.Hub.Publish(Trade(1)); // nobody connected: nothing serialized
        await using var a = await world.ConnectAsync();
        await using var b = await world.ConnectAsync();
        await using var c = await world.ConnectAsync();

        world.Hub.Publish(Trade(2));

        Assert.Equal(2, TradeIdOf(await a.ReceiveJsonAsync()));
        Assert.Equal(2, TradeIdOf(await b.ReceiveJsonAsync()));
        Assert.Equal(2, TradeIdOf(await c.ReceiveJsonAsync()));
        Assert.Equal(1, world.Hub.Totals().Serialized);
    }

    private const System.Net.WebSockets.WebSocketState WebSocketStateOpen = System.Net.WebSockets.WebSocketState.Open;

    private sealed record CascadeAlert : Alert
    {
        public required double LiquidatedUsd { get; init; }
    }
}
