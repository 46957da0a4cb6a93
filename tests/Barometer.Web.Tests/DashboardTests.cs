using System.Net;
using System.Text.Json;
using Barometer.Cli.Serve;
using Barometer.Cli.Verbs;
using Barometer.Core.Configuration;
using Barometer.Core.Instruments;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Barometer.Web.Tests;

/// <summary>
/// The web dashboard end to end: `serve --simulate` in-process (real connectors, emulators, Kestrel on loopback, ports 0),
/// Debian's headless Chromium driven by Playwright (no browser download). Figures (first meaningful paint, component
/// update, live liquidation latency) are written to TestResults/web-figures.json and the test output, never asserted.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output) : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const float Patience = 60_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-web-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private BarometerOptions Options(int httpPort = 0, int wsPort = 0) => new()
    {
        Instruments = ["BTC", "ETH"],
        Venues = [VenueId.BinanceFutures, VenueId.BinanceSpot, VenueId.BybitLinear],
        DataDirectory = _directory,
        Server = new ServerOptions { HttpPort = httpPort, WebSocketPort = wsPort },
    };

    /// <summary>TestResults/ at the repository root (beside Barometer.slnx), where CI keeps artifacts.</summary>
    private static string ResultsDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Barometer.slnx")))
        {
            dir = dir.Parent;
        }

        string path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(path);
        return path;
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (scripts/apt-packages.txt; scripts/test.sh installs it)");
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>Waits (by polling the HTTP API, not a timed assertion) until the engine has guards for BTC, so the page has numbers to show.</summary>
    private static async Task WaitForGuardsAsync(Uri http)
    {
        using var client = new HttpClient { BaseAddress = http };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(new Uri("/api/engine/guards", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                if (doc.RootElement.GetProperty("guards") is { ValueKind: JsonValueKind.Object } guards
                    && guards.GetProperty("assets").EnumerateArray().Any(a => a.GetProperty("asset").GetString() == "BTC"
                        && a.GetProperty("spread_bps").ValueKind == JsonValueKind.Number))
                {
                    return;
                }
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("no BTC guards from serve --simulate within 60 s");
    }

    /// <summary>Waits for a condition on the page; on timeout says which, with the page's figures and a screenshot (TestResults/web-timeout.png).</summary>
    private static async Task WaitAsync(IPage page, string expression)
    {
        try
        {
            await page.WaitForFunctionAsync(expression, null, new PageWaitForFunctionOptions { Timeout = Patience, PollingInterval = 100 });
        }
        catch (TimeoutException error)
        {
            string state = await page.EvaluateAsync<string>("() => JSON.stringify(window.__barometer)");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ResultsDirectory(), "web-timeout.png"), FullPage = true });
            throw new TimeoutException($"page never satisfied {expression}; page figures {state}", error);
        }
    }

    [Fact]
    public async Task Dashboard_shows_cards_charts_heatmap_and_live_updates_then_the_dropped_connection_and_its_recovery()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1300 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };

        var figures = new Dictionary<string, object?>();
        int httpPort = 0, wsPort = 0;
        var request = new ServeRequest(ServeMode.Simulate, null, 5, 11);
        int code = await ServeVerb.RunAsync(Options(), request, NullLoggerFactory.Instance, TextWriter.Null, TextWriter.Null, CancellationToken.None, async host =>
        {
            httpPort = host.HttpAddress!.Port;
            wsPort = host.WebSocketAddress!.Port;
            await WaitForGuardsAsync(host.HttpAddress);
            await page.GotoAsync(host.HttpAddress.ToString());

            // Cards show numbers.
            await WaitAsync(page, "() => document.getElementById('v-spread').textContent.includes('bps')");
            figures["first_meaningful_paint_ms"] = await page.EvaluateAsync<double>("() => window.__barometer.firstMeaningfulPaintMs");
            // Early on a metric may still be unavailable: wait until every card has a number. Basis may stay unavailable
            // (the simulated spot book top can be stale); then the guard card must say why.
            await WaitAsync(page, "() => ['v-spread','v-depth-bid','v-depth-ask','v-funding','v-oi','v-liq'].every(id => /\\d/.test(document.getElementById(id).textContent))");
            await WaitAsync(page, "() => /\\d/.test(document.getElementById('v-basis-spot').textContent) || document.getElementById('s-guard').textContent.includes('basis_bps unavailable')");
            Assert.Matches(@"^\d+\.\d\d bps$", await page.TextContentAsync("#v-spread"));
            Assert.Matches(@"^\$[\d.]+[KMB]?$", await page.TextContentAsync("#v-depth-bid"));
            Assert.Matches(@"^\$[\d.]+[KMB]?$", await page.TextContentAsync("#v-depth-ask"));
            Assert.Matches(@"^-?\d+\.\d\d%$", await page.TextContentAsync("#v-funding"));
            Assert.Matches(@"^(-?\d+\.\d\d bps|–)$", await page.TextContentAsync("#v-basis-spot"));
            Assert.Matches(@"^\$[\d.]+[MB]$", await page.TextContentAsync("#v-oi"));
            Assert.Matches(@"^(≥ )?\d+$", await page.TextContentAsync("#v-liq"));
            Assert.Contains(await page.TextContentAsync("#v-guard"), new[] { "passing", "warning", "breach" });
            Assert.Equal("SIMULATED", await page.TextContentAsync("[data-testid=source-banner]"));
            Assert.Equal("binance-futures:BTCUSDT", await page.TextContentAsync("#s-spread"));

            // Each chart renders (lightweight-charts draws on canvases) and has data.
            await WaitAsync(page, "() => window.__barometer.series.candles > 0 && window.__barometer.series.cvd > 0 && window.__barometer.series.oi > 0 && window.__barometer.series.funding > 0");
            foreach (string chart in new[] { "#chart-price", "#chart-oi", "#chart-funding" })
            {
                Assert.True(await page.EvaluateAsync<int>($"() => document.querySelectorAll('{chart} canvas').length") > 0, chart + " has no canvas");
            }

            Assert.True(await page.EvaluateAsync<int>("() => Number(document.getElementById('funding-spark').dataset.points)") > 0);

            // Venue health lists the three venues.
            await WaitAsync(page, "() => document.querySelectorAll('#venues li').length === 3");

            // A live update (snapshot over the WebSocket) arrives after the page loaded.
            int snapshots = await page.EvaluateAsync<int>("() => window.__barometer.snapshots");
            await WaitAsync(page, $"() => window.__barometer.snapshots > {snapshots}");

            // The heatmap has cells, its tooltip tells count and USD, and a live liquidation arrives through the WebSocket.
            await WaitAsync(page, "() => Number(document.getElementById('heatmap').dataset.cells) > 0");
            await WaitAsync(page, "() => window.__barometer.liveLiquidations > 0");
            var cell = await page.EvaluateAsync<JsonElement>("() => window.__barometer.largestCell()");
            await page.Mouse.MoveAsync(cell.GetProperty("x").GetSingle(), cell.GetProperty("y").GetSingle());
            await page.WaitForSelectorAsync("[data-testid=heatmap-tooltip]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible, Timeout = Patience });
            string tip = await page.TextContentAsync("[data-testid=heatmap-tooltip]") ?? "";
            Assert.Matches(@"\d+ liquidations · \$[\d.]+[KMB]?$", tip);
            Assert.True(await page.EvaluateAsync<int>("() => document.querySelectorAll('#tape li').length") > 0);

            // Switching the instrument re-reads the cards.
            await page.ClickAsync("[data-testid=asset-ETH]");
            await WaitAsync(page, "() => document.getElementById('s-spread').textContent === 'binance-futures:ETHUSDT'");
            await page.ClickAsync("[data-testid=asset-BTC]");
            await WaitAsync(page, "() => document.getElementById('s-spread').textContent === 'binance-futures:BTCUSDT'");
            snapshots = await page.EvaluateAsync<int>("() => window.__barometer.snapshots");
            await WaitAsync(page, $"() => window.__barometer.snapshots > {snapshots + 2}");

            figures["snapshot_render_last_ms"] = await page.EvaluateAsync<double>("() => window.__barometer.lastUpdateMs");
            figures["snapshot_render_max_ms"] = await page.EvaluateAsync<double>("() => window.__barometer.maxUpdateMs");
            figures["snapshot_renders"] = await page.EvaluateAsync<int>("() => window.__barometer.updates");
            figures["live_liquidations"] = await page.EvaluateAsync<int>("() => window.__barometer.liveLiquidations");
            figures["liquidation_receive_to_drawn_ms_max"] = await page.EvaluateAsync<double>("() => Math.max(...window.__barometer.liquidationLatencyMs)");
            await page.Mouse.MoveAsync(1, 1);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ResultsDirectory(), "web-dashboard.png"), FullPage = true });
        });
        Assert.Equal(0, code);

        // The server is gone: the page says so.
        await page.WaitForSelectorAsync("[data-testid=offline-banner]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible, Timeout = Patience });
        Assert.Contains("reconnecting", await page.TextContentAsync("[data-testid=offline-banner]"), StringComparison.Ordinal);

        // The server comes back on the same ports: the page reconnects by itself and the banner goes.
        code = await ServeVerb.RunAsync(Options(httpPort, wsPort), request, NullLoggerFactory.Instance, TextWriter.Null, TextWriter.Null, CancellationToken.None, async host =>
        {
            await page.WaitForSelectorAsync("[data-testid=offline-banner]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden, Timeout = Patience });
            Assert.Equal("live", await page.TextContentAsync("#conn"));
        });
        Assert.Equal(0, code);

        string json = JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(Path.Combine(ResultsDirectory(), "web-figures.json"), json);
        output.WriteLine(json);
        // Only the expected errors of the outage (refused WebSocket and fetches) may appear in the console.
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("WebSocket", StringComparison.Ordinal) && !e.Contains("Failed to load resource", StringComparison.Ordinal));
    }
}
