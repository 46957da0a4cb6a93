using System.Collections.Concurrent;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Barometer.Simulation.Emulator;
using Barometer.Venues.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Barometer.Venues.Tests;

public sealed class VenueRestClientTests
{
    [Fact]
    public async Task Rate_limited_and_server_errors_are_retried_until_the_venue_answers()
    {
        var venue = new RestVenue();
        await using var host = await EmulatorHost.StartAsync([venue]);
        venue.Faults.FailNextRest(429);
        venue.Faults.FailNextRest(503);
        var (client, tap) = Client(host);
        var response = await client.GetAsync("/api/v1/thing?symbol=BTCUSDT", CancellationToken.None);
        Assert.True(response.IsSuccess);
        Assert.Equal("{\"ok\":1}", System.Text.Encoding.UTF8.GetString(response.Body));
        Assert.Equal(3, response.Attempts);
        Assert.Equal(1, client.RateLimited);
        Assert.Equal(3, tap.Count);
    }

    [Fact]
    public async Task A_client_error_is_an_answer_and_is_not_retried()
    {
        await using var host = await EmulatorHost.StartAsync([new RestVenue()]);
        var (client, _) = Client(host);
        var response = await client.GetAsync("/api/v1/unknown-symbol", CancellationToken.None);
        Assert.False(response.IsSuccess);
        Assert.Equal(400, response.StatusCode);
        Assert.Equal(1, response.Attempts);
        Assert.Contains("-1121", System.Text.Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
        Assert.Equal(1, client.Failures);
    }

    [Fact]
    public async Task A_venue_that_keeps_failing_gives_up_after_the_attempt_limit_with_the_reason()
    {
        var venue = new RestVenue();
        await using var host = await EmulatorHost.StartAsync([venue]);
        venue.Faults.FailNextRest(500, count: 10);
        var (client, _) = Client(host);
        var response = await client.GetAsync("/api/v1/thing", CancellationToken.None);
        Assert.False(response.IsSuccess);
        Assert.Equal(3, response.Attempts);
        Assert.Equal("HTTP 500", response.Error);
    }

    [Fact]
    public async Task A_slow_response_times_out_and_is_retried()
    {
        var venue = new RestVenue();
        await using var host = await EmulatorHost.StartAsync([venue]);
        venue.Faults.RestDelay = TimeSpan.FromSeconds(5);
        var (client, _) = Client(host, timeout: TimeSpan.FromMilliseconds(100));
        var response = await client.GetAsync("/api/v1/thing", CancellationToken.None);
        Assert.False(response.IsSuccess);
        Assert.StartsWith("timed out", response.Error, StringComparison.Ordinal);
        Assert.Equal(3, response.Attempts);
    }

    private static (VenueRestClient, ConcurrentQueue<string>) Client(EmulatorHost host, TimeSpan? timeout = null)
    {
        var tap = new Tap();
        var context = new VenueConnectorContext { Registry = new InstrumentRegistry(), Sink = new NullSink(), Assets = ["BTC"], RawFrames = tap };
        var http = new HttpClient { BaseAddress = host.HttpBase(VenueId.BinanceSpot) };
        var client = new VenueRestClient(VenueId.BinanceSpot, http, context)
        {
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        return (client, tap.Paths);
    }

    private sealed class RestVenue() : VenueEmulator(VenueId.BinanceSpot, [], TimeProvider.System)
    {
        public override void MapEndpoints(IEndpointRouteBuilder endpoints)
        {
            endpoints.MapGet("/api/v1/thing", () => Results.Text("{\"ok\":1}", "application/json"));
            endpoints.MapGet("/api/v1/unknown-symbol", () => Results.Text("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", "application/json", statusCode: 400));
        }

        public override void Publish(in MarketEvent e)
        {
        }
    }

    private sealed class NullSink : IEventSink
    {
        public void Publish(in MarketEvent e)
        {
        }
    }

    private sealed class Tap : IRawFrameSink
    {
        public ConcurrentQueue<string> Paths { get; } = new();

        public void OnFrame(VenueId venue, RawFrameSource source, string channel, long receiveTime, ReadOnlySpan<byte> frame) =>
            Paths.Enqueue(channel);
    }
}
