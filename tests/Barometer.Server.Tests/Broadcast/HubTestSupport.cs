using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Barometer.Analytics;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Server.Broadcast;

namespace Barometer.Server.Tests.Broadcast;

/// <summary>A hub and its server on a loopback ephemeral port.</summary>
internal sealed class HubWorld : IAsyncDisposable
{
    private HubWorld(BroadcastHub hub, BroadcastServer server)
    {
        Hub = hub;
        Server = server;
    }

    public BroadcastHub Hub { get; }

    public BroadcastServer Server { get; }

    public Uri Uri => new($"ws://127.0.0.1:{Server.Port}/");

    public static async Task<HubWorld> StartAsync(BroadcastOptions? options = null)
    {
        var hub = new BroadcastHub((options ?? new BroadcastOptions()) with { Port = 0 });
        var server = await BroadcastServer.StartAsync(hub);
        return new HubWorld(hub, server);
    }

    /// <summary>Connects and reads the hello.</summary>
    public async Task<TestClient> ConnectAsync(string path = "/")
    {
        var client = await TestClient.ConnectAsync(new Uri(Uri, path));
        var hello = await client.ReceiveJsonAsync();
        Assert.Equal("hello", hello.GetProperty("type").GetString());
        client.Id = hello.GetProperty("client_id").GetInt64();
        return client;
    }

    /// <summary>Connects, subscribes and reads hello and the acknowledgement.</summary>
    public async Task<TestClient> SubscribeAsync(string subscribe)
    {
        var client = await ConnectAsync();
        await client.SendAsync(subscribe);
        var ack = await client.ReceiveJsonAsync();
        Assert.Equal("subscribed", ack.GetProperty("type").GetString());
        return client;
    }

    /// <summary>The server-side client (tests hold its sends).</summary>
    public BroadcastClient ServerSide(TestClient client) =>
        Hub.Client(client.Id) ?? throw new InvalidOperationException($"client {client.Id} is not connected");

    /// <summary>Polls until <paramref name="condition"/> holds (fails after 10 s; nothing is asserted about timing).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("not within 10 s: " + what);
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync() => await Server.StopAsync();
}

/// <summary>A ClientWebSocket with a background loop that queues every text message (started on demand).</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private Task _loop = Task.CompletedTask;

    private TestClient(ClientWebSocket socket) => _socket = socket;

    public long Id { get; set; }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public WebSocketState State => _socket.State;

    /// <summary>Completes when the receive loop ended (close frame or dead connection).</summary>
    public Task Closed => _loop;

    public static async Task<TestClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, bool read = true)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new TestClient(socket);
        if (read)
        {
            client.StartReading();
        }

        return client;
    }

    /// <summary>Starts the receive loop (for a client created with read: false).</summary>
    public void StartReading() => _loop = ReceiveLoopAsync();

    public async Task SendAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next message; fails after 10 s.</summary>
    public async Task<string> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await _messages.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no message within 10 s");
        }
    }

    public async Task<JsonElement> ReceiveJsonAsync()
    {
        using var doc = JsonDocument.Parse(await ReceiveAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>Null when nothing arrives within <paramref name="wait"/> (used to show that nothing more comes).</summary>
    public async Task<JsonElement?> TryReceiveJsonAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            using var doc = JsonDocument.Parse(await _messages.Reader.ReadAsync(timeout.Token));
            return doc.RootElement.Clone();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                    }

                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    _messages.Writer.TryWrite(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }
}

/// <summary>Instruments and events for the hub tests.</summary>
internal static class Market
{
    public const long T0 = 1_796_083_200_000_000;

    public static readonly InstrumentRegistry Registry = new();
    public static readonly Instrument BinanceBtc = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    public static readonly Instrument BinanceEth = Registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "USDT", "ETHUSDT", 1, 0.01);
    public static readonly Instrument OkxBtc = Registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1);
    public static readonly Instrument BybitSol = Registry.GetOrAdd(VenueId.BybitLinear, "SOL", "USDT", "SOLUSDT", 1, 0.01);

    /// <summary>A trade whose trade id is <paramref name="id"/> (tests identify events by it).</summary>
    public static MarketEvent Trade(long id, Instrument? instrument = null, double price = 95_000, double quantity = 0.5) =>
        MarketEvent.From(new Trade(instrument ?? BinanceBtc, T0 + id, T0 + id, price, quantity, Side.Buy, TradeId.FromNumber(id)));

    /// <summary>A liquidation whose event time is T0 + <paramref name="id"/>.</summary>
    public static MarketEvent Liquidation(long id, Instrument? instrument = null) =>
        MarketEvent.From(new Liquidation(instrument ?? BinanceBtc, T0 + id, T0 + id, 94_000, 2, PositionSide.Long, Side.Sell, FeedCompleteness.Sampled));

    public static MarketEvent Status(VenueId venue) =>
        MarketEvent.From(new ConnectionStatus(venue, null, "connection", T0, ConnectionState.Subscribed, string.Empty));

    /// <summary>A book update with <paramref name="levels"/> bid levels (a big message).</summary>
    public static MarketEvent Book(long id, int levels)
    {
        var bids = new BookLevel[levels];
        for (int i = 0; i < levels; i++)
        {
            double price = 90_000 + (i * 0.1);
            bids[i] = new BookLevel(BinanceBtc.ToTicks(price), price, 1.5);
        }

        return MarketEvent.From(new BookUpdate(BinanceBtc, T0 + id, T0 + id, false, id, id, id - 1, bids, []));
    }

    public static MetricsSnapshot Snapshot(long time) => new AnalyticsEngine().Snapshot() with { Time = time };

    /// <summary>"event" message → its normalized event; asserts the type.</summary>
    public static JsonElement Event(JsonElement message)
    {
        Assert.Equal("event", message.GetProperty("type").GetString());
        return message.GetProperty("event");
    }

    /// <summary>The trade id of an "event" message carrying a trade.</summary>
    public static long TradeIdOf(JsonElement message) => long.Parse(Event(message).GetProperty("trade_id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}
