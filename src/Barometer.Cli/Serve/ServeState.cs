using Barometer.Analytics.Snapshots;
using Barometer.Core.Bus;
using Barometer.Core.Instruments;
using Barometer.Server.Api;
using Barometer.Server.Broadcast;
using Barometer.Server.Pipeline;
using Barometer.Storage.Sqlite;

namespace Barometer.Cli.Serve;

/// <summary>What the HTTP API reads from a running `serve`: the pipeline's latest snapshot, the registry, history and health.</summary>
internal sealed class ServeState(
    MarketPipeline pipeline,
    InstrumentRegistry registry,
    IReadOnlyList<string> assets,
    SqliteHistory? history,
    Func<ServeSources?> sources,
    EventBus bus,
    BroadcastHub? hub,
    StorageWriter? writer) : IMarketState
{
    public MetricsSnapshot? LatestSnapshot => pipeline.Latest;

    public IReadOnlyList<string> Assets => assets;

    public IReadOnlyList<Instrument> Instruments => registry.All;

    public SqliteHistory? History => history;

    public object? Guards() => pipeline.Latest?.Guards;

    public HealthReport Health()
    {
        var s = sources();
        long now = Core.Time.UnixMicros.Now(s?.Clock ?? TimeProvider.System); // simulated time under --simulate
        var venues = new List<VenueHealth>();
        if (s is not null)
        {
            foreach (var connector in s.Connectors)
            {
                venues.Add(VenueHealth.From(connector, now));
            }
        }

        var clients = new List<ClientHealth>();
        if (hub is not null)
        {
            int lagAt = hub.Options.ClientQueueCapacity * 9 / 10;
            foreach (var c in hub.Clients())
            {
                clients.Add(new ClientHealth($"ws-client-{c.Id} {c.RemoteAddress}", c.QueueDepth + c.ReliableQueueDepth, c.Sent, c.Skipped, c.QueueDepth >= lagAt));
            }
        }

        return new HealthReport(now, venues, bus.GetHealth(), clients, writer?.Health);
    }
}
