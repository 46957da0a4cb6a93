using System.Collections.Concurrent;
using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Barometer.Simulation.Emulator;
using Barometer.Venues.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Barometer.Venues.Tests;

public sealed class WebSocketConnectionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task It_subscribes_on_connect_and_hands_every_message_to_the_handler()
    {
        await using var host = await EmulatorHost.StartAsync([new EchoVenue()]);
        var (connection, handler, sink, run, stop) = Start(host);
        await WaitFor(() => handler.Messages.Contains("ack:subscribe"));
        host[VenueId.BinanceSpot].Faults.InjectFrame("data-1");
        await WaitFor(() => handler.Messages.Contains("data-1"));
        Assert.Contains(sink.Statuses(), s => s.State == ConnectionState.Connecting);
        await stop();
        Assert.Equal(1, connection.Connections);
        Assert.True(run.IsCompleted);
    }

    [Fact]
    public async Task A_dropped_connection_reconnects_resubscribes_and_reports_a_closed_gap()
    {
        await using var host = await EmulatorHost.StartAsync([new EchoVenue()]);
        var (connection, handler, sink, _, stop) = Start(host);
        await WaitFor(() => handler.Connects == 1 && handler.Messages.Contains("ack:subscribe"));
        host[VenueId.BinanceSpot].Faults.DropConnections();
        await WaitFor(() => handler.Connects == 2 && handler.Messages.Count(m => m == "ack:subscribe") == 2);
        await WaitFor(() => sink.Gaps().Count == 1);
        var gap = sink.Gaps()[0];
        Assert.Equal(GapCause.Disconnect, gap.Cause);
        Assert.True(gap.Start <= gap.End);
        Assert.Equal(1, connection.Counters.Reconnects);
        Assert.Contains(sink.Statuses(), s => s.State == ConnectionState.Disconnected);
        await stop();
    }

    [Fact]
    public async Task A_silent_connection_is_recycled_after_the_idle_timeout()
    {
        var venue = new EchoVenue();
        await using var host = await EmulatorHost.StartAsync([venue]);
        var (_, handler, _, _, stop) = Start(host, idle: TimeSpan.FromMilliseconds(300));
        await WaitFor(() => handler.Messages.Contains("ack:subscribe"));
        venue.Faults.Stalled = true;
        await WaitFor(() => handler.Disconnects.Any(r => r.Contains("no data", StringComparison.Ordinal)));
        venue.Faults.Stalled = false;
        await WaitFor(() => handler.Connects >= 2);
        await stop();
    }

    [Fact]
    public async Task A_recycle_request_reconnects_with_the_given_reason()
    {
        await using var host = await EmulatorHost.StartAsync([new EchoVenue()]);
        var (connection, handler, _, _, stop) = Start(host);
        await WaitFor(() => handler.Messages.Contains("ack:subscribe"));
        connection.RequestRecycle("stream btcusdt@aggTrade stale");
        await WaitFor(() => handler.Disconnects.Contains("stream btcusdt@aggTrade stale") && handler.Connects == 2);
        await stop();
    }

    [Fact]
    public async Task The_client_keepalive_is_sent_at_its_interval()
    {
        var venue = new EchoVenue();
        await using var host = await EmulatorHost.StartAsync([venue]);
        var (_, handler, _, _, stop) = Start(host, ping: "ping");
        await WaitFor(() => handler.Messages.Count(m => m == "ack:ping") >= 2);
        await stop();
    }

    [Fact]
    public async Task An_unreachable_venue_is_retried_with_backoff_until_shutdown()
    {
        var sink = new CollectingSink();
        var handler = new RecordingHandler();
        var context = new VenueConnectorContext { Registry = new InstrumentRegistry(), Sink = sink, Assets = ["BTC"] };
        var options = new WebSocketConnectionOptions
        {
            Name = "test", Address = new Uri("ws://127.0.0.1:1/ws"), InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaximumBackoff = TimeSpan.FromMilliseconds(40),
        };
        var connection = new WebSocketConnection(VenueId.BinanceSpot, options, handler, context, backoffSeed: 1);
        using var cts = new CancellationTokenSource();
        var run = connection.RunAsync(cts.Token);
        await WaitFor(() => handler.Disconnects.Count(r => r.StartsWith("cannot connect", StringComparison.Ordinal)) >= 3);
        await cts.CancelAsync();
        await run.WaitAsync(Patience);
        Assert.Equal(0, connection.Connections);
        Assert.Empty(handler.Messages);
    }

    [Fact]
    public async Task Every_frame_is_tapped_raw_for_recording()
    {
        await using var host = await EmulatorHost.StartAsync([new EchoVenue()]);
        var tap = new Tap();
        var (_, handler, _, _, stop) = Start(host, tap: tap);
        await WaitFor(() => handler.Messages.Contains("ack:subscribe"));
        host[VenueId.BinanceSpot].Faults.InjectFrame("{\"truncated\":");
        await WaitFor(() => tap.Frames.Contains("{\"truncated\":"));
        Assert.Contains("/ws", tap.Channels);
        await stop();
    }

    private static (WebSocketConnection, RecordingHandler, CollectingSink, Task, Func<Task>) Start(EmulatorHost host,
        TimeSpan? idle = null, string? ping = null, IRawFrameSink? tap = null)
    {
        var sink = new CollectingSink();
        var handler = new RecordingHandler();
        var context = new VenueConnectorContext { Registry = new InstrumentRegistry(), Sink = sink, Assets = ["BTC"], RawFrames = tap };
        var options = new WebSocketConnectionOptions
        {
            Name = "test",
            Address = new Uri(host.WebSocketBase(VenueId.BinanceSpot), "/ws"),
            IdleTimeout = idle ?? TimeSpan.FromSeconds(30),
            TickInterval = TimeSpan.FromMilliseconds(50),
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaximumBackoff = TimeSpan.FromMilliseconds(100),
        };
        var connection = new WebSocketConnection(VenueId.BinanceSpot, options, handler, context, backoffSeed: 7)
        {
            ClientPing = ping is null ? null : Encoding.UTF8.GetBytes(ping),
            ClientPingInterval = TimeSpan.FromMilliseconds(100),
        };
        var cts = new CancellationTokenSource();
        var run = connection.RunAsync(cts.Token);
        async Task Stop()
        {
            await cts.CancelAsync();
            await run.WaitAsync(Patience);
            cts.Dispose();
        }

        return (connection, handler, sink, run, Stop);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met within " + Patience);
            }

            await Task.Delay(10);
        }
    }

    /// <summary>A loopback WebSocket that acknowledges every message with "ack:" + text.</summary>
    private sealed class EchoVenue() : VenueEmulator(VenueId.BinanceSpot, [], TimeProvider.System)
    {
        public override void MapEndpoints(IEndpointRouteBuilder endpoints) =>
            endpoints.Map("/ws", context => RunSessionAsync(context, (session, text) =>
            {
                session.Send("ack:" + text);
                return ValueTask.CompletedTask;
            }));

        public override void Publish(in MarketEvent e)
        {
        }
    }

    private sealed class RecordingHandler : IWebSocketHandler
    {
        private readonly ConcurrentQueue<string> _messages = new();
        private readonly ConcurrentQueue<string> _disconnects = new();
        private int _connects;

        public List<string> Messages => [.. _messages];

        public List<string> Disconnects => [.. _disconnects];

        public int Connects => Volatile.Read(ref _connects);

        public async ValueTask OnConnectedAsync(WebSocketConnection connection, long time, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _connects);
            await connection.SendAsync("subscribe"u8.ToArray(), cancellationToken);
        }

        public void OnMessage(WebSocketConnection connection, ReadOnlySpan<byte> frame, long receiveTime) =>
            _messages.Enqueue(Encoding.UTF8.GetString(frame));

        public ValueTask OnTickAsync(WebSocketConnection connection, long now, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void OnDisconnected(string reason, long time) => _disconnects.Enqueue(reason);
    }

    private sealed class CollectingSink : IEventSink
    {
        private readonly ConcurrentQueue<MarketEvent> _events = new();

        public void Publish(in MarketEvent e) => _events.Enqueue(e);

        public List<ConnectionStatus> Statuses() =>
            [.. _events.Where(e => e.Kind == EventKind.ConnectionStatus).Select(e => e.AsConnectionStatus())];

        public List<DataGap> Gaps() => [.. _events.Where(e => e.Kind == EventKind.DataGap).Select(e => e.AsDataGap())];
    }

    private sealed class Tap : IRawFrameSink
    {
        private readonly ConcurrentQueue<string> _frames = new();
        private readonly ConcurrentQueue<string> _channels = new();

        public List<string> Frames => [.. _frames];

        public List<string> Channels => [.. _channels];

        public void OnFrame(VenueId venue, RawFrameSource source, string channel, long receiveTime, ReadOnlySpan<byte> frame)
        {
            _frames.Enqueue(Encoding.UTF8.GetString(frame));
            _channels.Enqueue(channel);
        }
    }
}
