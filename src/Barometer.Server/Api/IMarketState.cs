using Barometer.Analytics.Snapshots;
using Barometer.Core.Instruments;
using Barometer.Storage.Sqlite;

namespace Barometer.Server.Api;

/// <summary>
/// What the HTTP API reads from the running pipeline. The serve pipeline implements it; every
/// member is called from request threads, so implementations must be thread-safe (publish
/// immutable objects, e.g. the latest snapshot, with a volatile write).
/// </summary>
public interface IMarketState
{
    /// <summary>The latest metric snapshot, or null before the first one.</summary>
    MetricsSnapshot? LatestSnapshot { get; }

    /// <summary>Base assets followed (configuration), e.g. BTC, ETH, SOL.</summary>
    IReadOnlyList<string> Assets { get; }

    /// <summary>Instruments known (registered at start-up or since), e.g. binance-futures:BTCUSDT.</summary>
    IReadOnlyList<Instrument> Instruments { get; }

    /// <summary>Queries over the history database, or null when the process stores nothing.</summary>
    SqliteHistory? History { get; }

    /// <summary>
    /// Evaluates the engine guards now. The API calls it at most once per cache period
    /// (<see cref="ApiServerOptions.GuardsMaxAge"/>) and serializes the result with the snapshot
    /// JSON options; null when guards are not available (yet). The pipeline may simply return
    /// <c>LatestSnapshot?.Guards</c> (the snapshot's <c>GuardSection</c>).
    /// </summary>
    object? Guards();

    /// <summary>Data and process health now.</summary>
    HealthReport Health();
}
