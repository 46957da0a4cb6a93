using System.Net;
using System.Text.Json;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Instruments;
using Barometer.Server.Api;
using Barometer.Storage.Sqlite;

namespace Barometer.Server.Tests.Api;

/// <summary>A clock that moves only when told (Microsoft.Extensions.TimeProvider.Testing is not served).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>The pipeline as the API sees it, set by each test.</summary>
internal sealed class FakeMarketState : IMarketState
{
    private int _guardEvaluations;

    public InstrumentRegistry Registry { get; } = new();

    public MetricsSnapshot? LatestSnapshot { get; set; }

    public IReadOnlyList<string> Assets { get; set; } = ["BTC", "ETH", "SOL"];

    public IReadOnlyList<Instrument> Instruments => Registry.All;

    public SqliteHistory? History { get; set; }

    public Func<object?> GuardValues { get; set; } = () => null;

    public int GuardEvaluations => Volatile.Read(ref _guardEvaluations);

    public HealthReport HealthReport { get; set; } = new(0, [], [], [], null);

    public object? Guards()
    {
        Interlocked.Increment(ref _guardEvaluations);
        return GuardValues();
    }

    public HealthReport Health() => HealthReport;
}

/// <summary>A started API on an ephemeral loopback port with a client pointed at it.</summary>
internal sealed class TestApi : IAsyncDisposable
{
    private TestApi(ApiServer server, HttpClient client)
    {
        Server = server;
        Client = client;
    }

    public ApiServer Server { get; }

    public HttpClient Client { get; }

    public static async Task<TestApi> StartAsync(IMarketState state, ApiServerOptions? options = null)
    {
        options ??= new ApiServerOptions();
        var server = await ApiServer.StartAsync(options with { Port = 0 }, state);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        return new TestApi(server, client);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetJsonAsync(string path)
    {
        var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone(), response);
    }

    /// <summary>Asserts a problem response: status, application/problem+json, the parameter named (when given).</summary>
    public async Task<JsonElement> AssertProblemAsync(string path, HttpStatusCode status, string? parameter)
    {
        var (code, body, response) = await GetJsonAsync(path);
        Assert.Equal(status, code);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        if (parameter is not null)
        {
            Assert.Equal(parameter, body.GetProperty("parameter").GetString());
            Assert.StartsWith(parameter + ":", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        return body;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>A temporary SQLite database, deleted afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-api-").FullName;

    public string Path => System.IO.Path.Combine(_directory, "barometer.db");

    public void Write(params object[] rows)
    {
        using var store = new SqliteStore(Path);
        store.WriteBatch(rows);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
