namespace Barometer.Core.Bus;

/// <summary>What the bus does when a consumer's queue is full.</summary>
public enum BusConsumerMode
{
    /// <summary>
    /// Live default. Droppable kinds (trades, books, tops, funding, open interest) are dropped for
    /// this consumer only and counted; reliable kinds (liquidations, alerts, status, gaps) spill to
    /// an unbounded side queue and are delivered in order. Producers never wait.
    /// </summary>
    Lossy = 0,

    /// <summary>
    /// Offline only (replay, simulation to file, benchmarks): a full queue makes the producer wait
    /// until the consumer catches up, so nothing is dropped and output is deterministic. Never use
    /// it for a consumer of live connectors: a slow consumer would then stall every venue.
    /// </summary>
    Lossless = 1,
}
