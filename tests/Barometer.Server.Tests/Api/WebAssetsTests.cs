using System.Net;
using Barometer.Server.Api;

namespace Barometer.Server.Tests.Api;

/// <summary>The web dashboard's static files at / and GET /api/config (docs/web.md).</summary>
public sealed class WebAssetsTests : IDisposable
{
    private const string Key = "0123456789abcdef-key";
    private readonly string _root = Directory.CreateTempSubdirectory("barometer-web-").FullName;

    public WebAssetsTests()
    {
        File.WriteAllText(Path.Combine(_root, "index.html"), "<!doctype html><title>t</title>");
        File.WriteAllText(Path.Combine(_root, "app.js"), "console.log(1);");
        File.WriteAllText(Path.Combine(_root, "notes.md"), "not served: unknown type");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "sub", "style.css"), "body{}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Root_serves_index_html_with_a_same_origin_content_security_policy()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { WebRoot = _root });
        using var response = await api.Client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<!doctype html><title>t</title>", await response.Content.ReadAsStringAsync());
        string csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Scripts_and_nested_styles_are_served_with_their_types_and_unknown_types_are_not()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { WebRoot = _root });
        using var js = await api.Client.GetAsync(new Uri("/app.js", UriKind.Relative));
        Assert.Equal("text/javascript", js.Content.Headers.ContentType?.MediaType);
        using var css = await api.Client.GetAsync(new Uri("/sub/style.css", UriKind.Relative));
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        await api.AssertProblemAsync("/notes.md", HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task With_an_api_key_the_page_loads_without_it_but_every_api_request_still_needs_it()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { WebRoot = _root, ApiKey = Key });
        using var page = await api.Client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var config = await api.Client.GetAsync(new Uri("/api/config", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, config.StatusCode);
        using var health = await api.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, health.StatusCode);
        var (status, body, _) = await api.GetJsonAsync("/api/config?api_key=" + Key);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("api_key_required").GetBoolean());
    }

    [Fact]
    public async Task Static_files_are_still_read_only()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { WebRoot = _root });
        using var post = await api.Client.PostAsync(new Uri("/", UriKind.Relative), new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Without_a_web_root_the_root_path_is_the_api_404()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { WebRoot = Path.Combine(_root, "missing") });
        await api.AssertProblemAsync("/", HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Config_tells_the_data_source_websocket_port_and_path_and_assets()
    {
        var state = new FakeMarketState { Assets = ["btc", "ETH"] };
        await using var api = await TestApi.StartAsync(state, new ApiServerOptions { WebRoot = _root, DataSource = "simulated", WebSocketPort = 9123 });
        var (status, body, _) = await api.GetJsonAsync("/api/config");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("simulated", body.GetProperty("data_source").GetString());
        Assert.Equal(9123, body.GetProperty("websocket_port").GetInt32());
        Assert.Equal("/ws", body.GetProperty("websocket_path").GetString());
        Assert.False(body.GetProperty("api_key_required").GetBoolean());
        // Assets upper case, in the configured order.
        Assert.Equal(new[] { "BTC", "ETH" }, body.GetProperty("assets").EnumerateArray().Select(a => a.GetString() ?? "").ToArray());
    }

    [Fact]
    public async Task Config_without_a_websocket_says_null_and_rejects_parameters()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState(), new ApiServerOptions { WebRoot = _root });
        var (_, body, _) = await api.GetJsonAsync("/api/config");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("websocket_port").ValueKind);
        await api.AssertProblemAsync("/api/config?x=1", HttpStatusCode.BadRequest, "x");
    }
}
