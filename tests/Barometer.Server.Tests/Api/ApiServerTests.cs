using System.Net;
using Barometer.Core.Configuration;
using Barometer.Server.Api;

namespace Barometer.Server.Tests.Api;

public sealed class ApiServerTests
{
    private const string Key = "0123456789abcdef-test-key";

    [Fact]
    public async Task Port_zero_binds_an_ephemeral_loopback_port_and_exposes_it()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        Assert.InRange(api.Server.Port, 1, 65535);
        Assert.Equal("127.0.0.1", api.Server.Address.Host);
        Assert.Equal(HttpStatusCode.OK, (await api.GetJsonAsync("/api/health")).Status);
    }

    [Fact]
    public void The_defaults_bind_loopback_port_8080_without_a_key()
    {
        var options = new ApiServerOptions();
        Assert.Equal(("127.0.0.1", 8080, ""), (options.BindAddress, options.Port, options.ApiKey));
        Assert.True(options.IsLoopback);
        Assert.Empty(options.Validate());
        var fromConfig = ApiServerOptions.From(new ServerOptions { BindAddress = "0.0.0.0", HttpPort = 8081, ApiKey = Key }, "live");
        Assert.Equal(("0.0.0.0", 8081, Key), (fromConfig.BindAddress, fromConfig.Port, fromConfig.ApiKey));
    }

    [Theory]
    [InlineData("0.0.0.0", "")]
    [InlineData("192.168.1.20", "")]
    [InlineData("::", "short-key")]
    public async Task A_non_loopback_bind_without_an_api_key_refuses_to_start(string bind, string key)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ApiServer.StartAsync(new ApiServerOptions { BindAddress = bind, Port = 0, ApiKey = key }, new FakeMarketState()));
        Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains(bind, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_loopback_bind_with_a_key_requires_it_on_every_request()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { BindAddress = "0.0.0.0", ApiKey = Key });
        await api.AssertProblemAsync("/api/health", HttpStatusCode.Unauthorized, null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-Api-Key", Key);
        Assert.Equal(HttpStatusCode.OK, (await api.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task With_a_key_a_request_needs_the_header_or_the_query_parameter_and_nothing_else_will_do()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { ApiKey = Key });

        var missing = await api.AssertProblemAsync("/api/health", HttpStatusCode.Unauthorized, null);
        Assert.Contains("X-Api-Key", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.AssertProblemAsync("/api/health?api_key=" + Key[..^1], HttpStatusCode.Unauthorized, null);     // a prefix
        await api.AssertProblemAsync("/api/health?api_key=" + Key + "x", HttpStatusCode.Unauthorized, null);      // longer
        await api.AssertProblemAsync("/api/health?api_key=" + Key.ToUpperInvariant(), HttpStatusCode.Unauthorized, null);
        await api.AssertProblemAsync("/metrics", HttpStatusCode.Unauthorized, null);

        Assert.Equal(HttpStatusCode.OK, (await api.GetJsonAsync("/api/health?api_key=" + Key)).Status);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/engine/guards");
        request.Headers.Add("X-Api-Key", Key);
        Assert.Equal(HttpStatusCode.OK, (await api.Client.SendAsync(request)).StatusCode);

        using var wrongHeader = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        wrongHeader.Headers.Add("X-Api-Key", "not-the-key-at-all!");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client.SendAsync(wrongHeader)).StatusCode);
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_problem()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        var problem = await api.AssertProblemAsync("/api/nothing/here.json", HttpStatusCode.NotFound, null);
        Assert.Equal("/api/nothing/here.json", problem.GetProperty("instance").GetString());
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task The_api_is_read_only(string method)
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/health");
        var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["GET"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_request_body_over_the_limit_is_refused()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health")
        {
            Content = new ByteArrayContent(new byte[ApiServer.MaxRequestBodyBytes + 1]),
        };
        var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Headers_beyond_kestrels_limits_are_refused()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-Padding", new string('a', 17 * 1024));
        var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task No_cors_headers_are_sent_even_to_a_cross_origin_request()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("Origin", "https://evil.example");
        var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/health");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        var answer = await api.Client.SendAsync(preflight);
        Assert.NotEqual(HttpStatusCode.OK, answer.StatusCode);
        Assert.DoesNotContain(answer.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Responses_are_not_cached_and_do_not_name_the_server()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        var response = await api.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Empty(response.Headers.Server);
    }

    [Fact]
    public async Task A_failing_state_is_a_500_problem_without_details()
    {
        var state = new FakeMarketState { GuardValues = () => throw new InvalidOperationException("secret internals") };
        await using var api = await TestApi.StartAsync(state);
        var problem = await api.AssertProblemAsync("/api/engine/guards", HttpStatusCode.InternalServerError, null);
        Assert.DoesNotContain("secret", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-01T08:00:00Z", 1_796_112_000_000_000)]
    [InlineData("2026-12-01T08:00:00.5Z", 1_796_112_000_500_000)]
    [InlineData("2026-12-01T08:00:00.123456Z", 1_796_112_000_123_456)]
    [InlineData("2026-12-01T10:00:00+02:00", 1_796_112_000_000_000)]
    [InlineData("2026-12-01T08:00:00", 1_796_112_000_000_000)]
    [InlineData("2026-12-01T08:00Z", 1_796_112_000_000_000)]
    [InlineData("2026-12-01", 1_796_083_200_000_000)]
    [InlineData("1796112000000", 1_796_112_000_000_000)]
    [InlineData("0", 0)]
    public void Times_are_iso_8601_utc_or_unix_milliseconds(string text, long micros)
    {
        // 2026-12-01T00:00Z = 1,796,083,200 s; 08:00 adds 28,800 s.
        Assert.True(QueryReader.TryParseTime(text, out long parsed));
        Assert.Equal(micros, parsed);
    }

    [Theory]
    [InlineData("2026-12-01 08:00:00Z")]
    [InlineData("12/01/2026")]
    [InlineData("1796112000000000000")]
    [InlineData("-1")]
    [InlineData("1.5e12")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("2026-12-01T08:00:00Zjunk")]
    public void Other_time_spellings_are_refused(string text) => Assert.False(QueryReader.TryParseTime(text, out _));

    [Fact]
    public async Task Many_concurrent_guard_requests_share_one_evaluation()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var state = new FakeMarketState { GuardValues = () => new { status = "ok" } };
        await using var api = await TestApi.StartAsync(state, new ApiServerOptions { Clock = clock });
        var requests = Enumerable.Range(0, 32).Select(_ => api.Client.GetStringAsync(new Uri("/api/engine/guards", UriKind.Relative)));
        string[] bodies = await Task.WhenAll(requests);
        Assert.Equal(1, state.GuardEvaluations);
        Assert.All(bodies, b => Assert.Contains("\"status\":\"ok\"", b, StringComparison.Ordinal));
    }
}
