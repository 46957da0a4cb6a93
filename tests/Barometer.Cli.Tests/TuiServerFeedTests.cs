using Barometer.Analytics.Snapshots;
using Barometer.Cli.Serve;
using Barometer.Cli.Verbs;
using Barometer.Core.Configuration;
using Barometer.Core.Instruments;
using Barometer.Tui;
using Microsoft.Extensions.Logging.Abstractions;

namespace Barometer.Cli.Tests;

/// <summary>The --server path against a real `serve --simulate`: snapshots arrive over the WebSocket and deserialize into MetricsSnapshot.</summary>
public sealed class TuiServerFeedTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("barometer-tui-feed-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task WebSocket_feed_receives_the_servers_snapshots_data_source_and_venue_states()
    {
        var options = new BarometerOptions
        {
            Instruments = ["BTC"],
            Venues = [VenueId.BinanceFutures, VenueId.BybitLinear],
            DataDirectory = _directory,
            Server = new ServerOptions { HttpPort = 0, WebSocketPort = 0 },
        };
        var request = new ServeRequest(ServeMode.Simulate, null, 1, 3);
        int code = await ServeVerb.RunAsync(options, request, NullLoggerFactory.Instance, TextWriter.Null, TextWriter.Null, CancellationToken.None, async host =>
        {
            var feed = new SnapshotFeed(host.WebSocketAddress!.ToString());
            using var stop = new CancellationTokenSource();
            var client = WebSocketFeed.RunAsync(host.WebSocketAddress!, feed, stop.Token);
            var deadline = DateTime.UtcNow + Patience;
            while (DateTime.UtcNow < deadline && (feed.Latest is not { } s || s.Flow.Assets.Count == 0))
            {
                await Task.Delay(250);
            }

            await stop.CancelAsync();
            await client;
            var snapshot = feed.Latest;
            Assert.NotNull(snapshot);
            Assert.Equal("BTC", Assert.Single(snapshot.Flow.Assets).Asset);
            Assert.Equal(SnapshotSchema.Version, snapshot.SchemaVersion);
            var view = feed.Apply(new ViewState());
            Assert.Equal("simulated", view.DataSource);
            Assert.Equal(0, feed.BadMessages);

            // The snapshot renders: the orderflow panel has a buy share of the simulated trades.
            string frame = FrameWriter.ToTerminal(DashboardRenderer.Render(snapshot, view with { Width = 120, Height = 40 }), 120, 40, colors: false);
            Assert.Contains("% BUY", frame, StringComparison.Ordinal);
            Assert.Contains("SIMULATED", frame, StringComparison.Ordinal);
        });
        Assert.Equal(ExitCodes.Ok, code);
    }
}
