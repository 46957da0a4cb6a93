using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>
/// An L2 order-book message after the venue's sequence checks: a full snapshot (replace the book)
/// or a delta (absolute sizes per level, 0 deletes). Connectors publish only book messages that
/// passed their venue's continuity rules; after a gap they publish a status event (resyncing) and
/// then a new snapshot. Consumers that lose deltas (bus overflow) wait for the next snapshot,
/// which connectors also publish periodically as a checkpoint.
/// </summary>
/// <param name="Instrument">The market.</param>
/// <param name="ExchangeTime">Venue time, UTC µs.</param>
/// <param name="ReceiveTime">Receive time, UTC µs.</param>
/// <param name="IsSnapshot">True: replace the whole book.</param>
/// <param name="FirstUpdateId">First venue update id covered (Binance U; Bybit/OKX: same as last).</param>
/// <param name="LastUpdateId">Last venue update id covered (Binance u, Bybit u, OKX seqId).</param>
/// <param name="PreviousUpdateId">The venue's previous id (Binance futures pu, OKX prevSeqId), or -1.</param>
/// <param name="Bids">Bid levels (owned by the event; never mutated after publishing).</param>
/// <param name="Asks">Ask levels (owned by the event; never mutated after publishing).</param>
public readonly record struct BookUpdate(
    Instrument Instrument,
    long ExchangeTime,
    long ReceiveTime,
    bool IsSnapshot,
    long FirstUpdateId,
    long LastUpdateId,
    long PreviousUpdateId,
    BookLevel[] Bids,
    BookLevel[] Asks);
