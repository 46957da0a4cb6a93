using System.Net;
using System.Net.WebSockets;
using Barometer.Core.Configuration;
using Barometer.Server.Broadcast;
using static Barometer.Server.Tests.Broadcast.Market;

namespace Barometer.Server.Tests.Broadcast;

public sealed class BroadcastServerTests
{
    private const string Key = "0123456789abcdef-key";

    [Fact]
    public async Task Binding_a_non_loopback_address_without_an_api_key_refuses_to_start_with_a_clear_error()
    {
        var hub = new BroadcastHub(new BroadcastOptions { BindAddress = "0.0.0.0", Port = 0 });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => BroadcastServer.StartAsync(hub));

        Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("--api-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_key_off_loopback_a_client_without_the_key_gets_401_and_with_it_connects()
    {
        var hub = new BroadcastHub(new BroadcastOptions { BindAddress = "0.0.0.0", Port = 0, ApiKey = Key });
        await using var server = await BroadcastServer.StartAsync(hub);
        var uri = new Uri($"ws://127.0.0.1:{server.Port}/");

        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedWith(uri, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedWith(new Uri(uri, "?api_key=wrong"), null));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedWith(uri, o => o.SetRequestHeader("X-Api-Key", Key + "x")));
        Assert.Equal(0, hub.Totals().Connections);

        await using (var byQuery = await TestClient.ConnectAsync(new Uri(uri, "?api_key=" + Key)))
        {
            Assert.Equal("hello", (await byQuery.ReceiveJsonAsync()).GetProperty("type").GetString());
        }

        await using var byHeader = await TestClient.ConnectAsync(uri, o => o.SetRequestHeader("X-Api-Key", Key));
        Assert.Equal("hello", (await byHeader.ReceiveJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_server_options_section_gives_address_port_and_key_and_the_bound_port_is_exposed()
    {
        var options = BroadcastOptions.FromServer(new ServerOptions { WebSocketPort = 0, ApiKey = Key }, DataSource.Replay);
        var hub = new BroadcastHub(options);
        await using var server = await BroadcastServer.StartAsync(hub);

        Assert.NotEqual(0, server.Port);
        Assert.Equal(new Uri($"ws://127.0.0.1:{server.Port}/"), server.Address);
        // A configured key is enforced on loopback too.
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedWith(server.Address, null));
        await using var client = await TestClient.ConnectAsync(new Uri(server.Address, "?api_key=" + Key));
        Assert.Equal("replay", (await client.ReceiveJsonAsync()).GetProperty("data_source").GetString());
    }

    [Fact]
    public async Task A_plain_http_request_gets_426_and_another_path_404()
    {
        await using var world = await HubWorld.StartAsync();
        using var http = new HttpClient();

        var plain = await http.GetAsync(new Uri($"http://127.0.0.1:{world.Server.Port}/"));
        var other = await http.GetAsync(new Uri($"http://127.0.0.1:{world.Server.Port}/api/health"));

        Assert.Equal(HttpStatusCode.UpgradeRequired, plain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task A_client_message_over_64_KiB_closes_the_connection_with_1009()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        string huge = """{"type":"subscribe","instruments":[""" + string.Join(",", Enumerable.Repeat("\"BTC\"", 14_000)) + "]}"; // 6 B × 14,000 ≈ 84 KB

        await client.SendAsync(huge);
        await client.Closed;

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        await HubWorld.EventuallyAsync(() => world.Hub.Totals().MessagesTooBig == 1, "counted");
    }

    [Fact]
    public async Task A_client_that_stops_answering_pings_is_dropped_while_a_live_one_stays()
    {
        await using var world = await HubWorld.StartAsync(new BroadcastOptions
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(100),
            KeepAliveTimeout = TimeSpan.FromMilliseconds(300),
        });
        await using var live = await world.ConnectAsync();
        // Never reads, so its WebSocket never sees the server's Pings and never answers with a Pong.
        await using var dead = await TestClient.ConnectAsync(world.Uri, read: false);
        await HubWorld.EventuallyAsync(() => world.Hub.ClientCount == 2, "both connected");

        await HubWorld.EventuallyAsync(() => world.Hub.ClientCount == 1, "the dead client dropped");

        Assert.Equal(live.Id, Assert.Single(world.Hub.Clients()).Id);
        Assert.Equal(1, world.Hub.Totals().ConnectionsLost);
        // The live client also got the application-level ping messages.
        var m = await live.ReceiveJsonAsync();
        Assert.Equal("ping", m.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Stopping_closes_every_client_with_1001_going_away()
    {
        var world = await HubWorld.StartAsync();
        await using var a = await world.ConnectAsync();
        await using var b = await world.ConnectAsync();

        await world.Server.StopAsync();
        await Task.WhenAll(a.Closed, b.Closed);

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, a.CloseStatus);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, b.CloseStatus);
        Assert.Equal("server shutting down", a.CloseDescription);
        Assert.Equal(0, world.Hub.ClientCount);
    }

    [Fact]
    public async Task Client_stats_show_id_remote_address_queue_depth_and_counts()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        world.Hub.Publish(Trade(1));
        world.Hub.Publish(Trade(2));
        await client.ReceiveAsync();
        await client.ReceiveAsync();

        // hello + 2 trades = 3 messages sent.
        await HubWorld.EventuallyAsync(() => world.Hub.Clients()[0].Sent == 3, "sent counted");
        var stats = Assert.Single(world.Hub.Clients());

        Assert.Equal(client.Id, stats.Id);
        Assert.StartsWith("127.0.0.1:", stats.RemoteAddress, StringComparison.Ordinal);
        Assert.Equal(0, stats.QueueDepth);
        Assert.False(stats.Subscribed);
        Assert.True(stats.ConnectedSince > 0);
        var totals = world.Hub.Totals();
        Assert.Equal((1, 1L, 2L, 3L), (totals.Clients, totals.Connections, totals.Published, totals.Sent));
    }

    [Fact]
    public async Task A_client_closing_normally_is_removed_and_counted()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();

        await client.CloseAsync();

        await HubWorld.EventuallyAsync(() => world.Hub.ClientCount == 0, "removed");
        Assert.Equal(1, world.Hub.Totals().ClosedByClient);
        world.Hub.Publish(Trade(1)); // nobody left: nothing serialized, nothing breaks
        Assert.Equal(0, world.Hub.Totals().Serialized);
    }

    private static async Task<HttpStatusCode> RefusedWith(Uri uri, Action<ClientWebSocketOptions>? configure)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, timeout.Token));
        return socket.HttpStatusCode;
    }
}
