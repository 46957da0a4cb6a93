using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Instruments;
using Barometer.Server.Api;
using Barometer.Storage.Sqlite;
using Microsoft.AspNetCore.Http;

namespace Barometer.Benchmarks;

/// <summary>
/// GET /api/engine/guards over loopback HTTP/1.1 keep-alive with HttpClient: the cached path (the
/// guards are evaluated once per 5 s and served as stored JSON). The BenchmarkDotNet figure is
/// the mean per request; <see cref="GuardsLatency"/> measures the per-request p99.
/// </summary>
[MemoryDiagnoser]
public class GuardsBenchmarks
{
    private ApiServer _server = null!;
    private HttpClient _client = null!;
    private Uri _guards = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = ApiServer.StartAsync(new ApiServerOptions { Port = 0 }, new BenchState()).GetAwaiter().GetResult();
        _client = new HttpClient();
        _guards = new Uri(_server.Address, "/api/engine/guards");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>One request, response body read.</summary>
    [Benchmark]
    public Task<string> GuardsRequest() => _client.GetStringAsync(_guards);

    /// <summary>The handler alone (no socket, no Kestrel): query check, cache read, JSON envelope, copy.</summary>
    [Benchmark]
    public Task GuardsHandler() => GuardsLatency.InvokeHandler(Handler);

    private static readonly ApiEndpoints Handler = new(new ApiServerOptions(), new BenchState());
}

/// <summary>Per-request latency of the guards endpoint: <c>dotnet run -c Release --project bench/Barometer.Benchmarks -- guards-latency [requests]</c>.</summary>
public static class GuardsLatency
{
    /// <summary>Warms up with 5,000 requests, then times <paramref name="requests"/> sequential ones and prints the percentiles.</summary>
    public static async Task RunAsync(int requests)
    {
        await using var server = await ApiServer.StartAsync(new ApiServerOptions { Port = 0 }, new BenchState());
        using var client = new HttpClient();
        var uri = new Uri(server.Address, "/api/engine/guards");
        for (int i = 0; i < 5_000; i++)
        {
            await client.GetStringAsync(uri);
        }

        var micros = new double[requests];
        for (int i = 0; i < requests; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await client.GetStringAsync(uri);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Print($"guards over loopback HTTP/1.1 keep-alive, {requests} sequential requests", micros);

        // The same work without the socket: what the server itself spends per request.
        var endpoints = new ApiEndpoints(new ApiServerOptions(), new BenchState());
        for (int i = 0; i < 5_000; i++)
        {
            await InvokeHandler(endpoints);
        }

        for (int i = 0; i < requests; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await InvokeHandler(endpoints);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Print($"guards handler in process (no socket), {requests} calls", micros);
    }

    internal static Task InvokeHandler(ApiEndpoints endpoints)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = Stream.Null;
        return endpoints.Guards(context);
    }

    private static void Print(string what, double[] micros)
    {
        Array.Sort(micros);
        int n = micros.Length;
        string P(double q) => micros[Math.Min(n - 1, (int)Math.Ceiling(q * n) - 1)].ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: µs p50 {P(0.50)}  p90 {P(0.90)}  p99 {P(0.99)}  p99.9 {P(0.999)}  max {micros[^1]:F1}"));
    }
}

/// <summary>A state with a guards object the size of three assets' evaluations.</summary>
internal sealed class BenchState : IMarketState
{
    public MetricsSnapshot? LatestSnapshot => null;

    public IReadOnlyList<string> Assets { get; } = ["BTC", "ETH", "SOL"];

    public IReadOnlyList<Instrument> Instruments { get; } = [];

    public SqliteHistory? History => null;

    public object? Guards() => new[] { "BTC", "ETH", "SOL" }.Select(a => new
    {
        asset = a,
        status = "ok",
        spread_bps = 1.2,
        depth_usd = 2.5e6,
        cascade_risk = "low",
        reasons = Array.Empty<string>(),
    }).ToArray();

    public HealthReport Health() => new(0, [], [], [], null);
}
