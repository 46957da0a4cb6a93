using System.Runtime.InteropServices;
using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>
/// The one value type that travels on the bus: a tagged union of every normalized event. Typed
/// views (<see cref="AsTrade"/> …) and factories (<see cref="From(in Trade)"/> …) convert without
/// allocating; the union keeps bus slots a fixed size so the ring can be a plain struct array.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct MarketEvent
{
    private readonly double _d0, _d1, _d2, _d3;
    private readonly long _l0, _l1, _l2;
    private readonly object? _r0, _r1;
    private readonly byte _b0, _b1, _b2;

    private MarketEvent(EventKind kind, VenueId venue, Instrument? instrument, long exchangeTime, long receiveTime,
        double d0 = 0, double d1 = 0, double d2 = 0, double d3 = 0,
        long l0 = 0, long l1 = 0, long l2 = 0,
        object? r0 = null, object? r1 = null,
        byte b0 = 0, byte b1 = 0, byte b2 = 0)
    {
        Kind = kind;
        Venue = venue;
        Instrument = instrument;
        ExchangeTime = exchangeTime;
        ReceiveTime = receiveTime;
        _d0 = d0;
        _d1 = d1;
        _d2 = d2;
        _d3 = d3;
        _l0 = l0;
        _l1 = l1;
        _l2 = l2;
        _r0 = r0;
        _r1 = r1;
        _b0 = b0;
        _b1 = b1;
        _b2 = b2;
    }

    /// <summary>Which event this is.</summary>
    public EventKind Kind { get; }

    /// <summary>The venue it came from (for alerts: the venue of the event that last changed it, or 0).</summary>
    public VenueId Venue { get; }

    /// <summary>The instrument, or null for venue-wide status, gaps and alerts.</summary>
    public Instrument? Instrument { get; }

    /// <summary>Event time, UTC µs: the venue's time for market data, the change time for status, gap end for gaps.</summary>
    public long ExchangeTime { get; }

    /// <summary>Receive time, UTC µs.</summary>
    public long ReceiveTime { get; }

    /// <summary>Wraps a trade.</summary>
    public static MarketEvent From(in Trade e) => new(EventKind.Trade, e.Instrument.Venue, e.Instrument, e.ExchangeTime, e.ReceiveTime,
        d0: e.Price, d1: e.Quantity, l1: unchecked((long)e.Id.High), l2: unchecked((long)e.Id.Low),
        b0: (byte)e.AggressorSide, b2: (byte)e.Id.Format);

    /// <summary>Wraps a liquidation.</summary>
    public static MarketEvent From(in Liquidation e) => new(EventKind.Liquidation, e.Instrument.Venue, e.Instrument, e.ExchangeTime, e.ReceiveTime,
        d0: e.Price, d1: e.Quantity, b0: (byte)e.LiquidatedSide, b1: (byte)e.OrderSide, b2: (byte)e.Completeness);

    /// <summary>Wraps a book top.</summary>
    public static MarketEvent From(in BookTop e) => new(EventKind.BookTop, e.Instrument.Venue, e.Instrument, e.ExchangeTime, e.ReceiveTime,
        d0: e.BidPrice, d1: e.BidSize, d2: e.AskPrice, d3: e.AskSize, l0: e.UpdateId);

    /// <summary>Wraps a book update.</summary>
    public static MarketEvent From(in BookUpdate e) => new(EventKind.BookUpdate, e.Instrument.Venue, e.Instrument, e.ExchangeTime, e.ReceiveTime,
        l0: e.FirstUpdateId, l1: e.LastUpdateId, l2: e.PreviousUpdateId, r0: e.Bids, r1: e.Asks, b0: e.IsSnapshot ? (byte)1 : (byte)0);

    /// <summary>Wraps a funding update.</summary>
    public static MarketEvent From(in Funding e) => new(EventKind.Funding, e.Instrument.Venue, e.Instrument, e.ExchangeTime, e.ReceiveTime,
        d0: e.Rate, d1: e.IntervalHours, d2: e.MarkPrice, d3: e.IndexPrice, l0: e.NextFundingTime);

    /// <summary>Wraps an open-interest update.</summary>
    public static MarketEvent From(in OpenInterest e) => new(EventKind.OpenInterest, e.Instrument.Venue, e.Instrument, e.ExchangeTime, e.ReceiveTime,
        d0: e.Quantity, d1: e.NotionalUsd);

    /// <summary>Wraps a status change.</summary>
    public static MarketEvent From(in ConnectionStatus e) => new(EventKind.ConnectionStatus, e.Venue, e.Instrument, e.Time, e.Time,
        r0: e.Stream, r1: e.Reason, b0: (byte)e.State);

    /// <summary>Wraps a data gap (its event time is the gap's end).</summary>
    public static MarketEvent From(in DataGap e) => new(EventKind.DataGap, e.Venue, e.Instrument, e.End, e.End,
        l0: e.Start, l1: e.End, r0: e.Stream, r1: e.Detail, b0: (byte)e.Cause);

    /// <summary>Wraps an alert.</summary>
    public static MarketEvent From(Alert alert, VenueId venue = default)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new(EventKind.Alert, venue, null, alert.Time, alert.Time, r0: alert);
    }

    /// <summary>The trade view; only valid when <see cref="Kind"/> is Trade.</summary>
    public Trade AsTrade() => new(Instrument!, ExchangeTime, ReceiveTime, _d0, _d1, (Side)_b0,
        new TradeId((TradeIdFormat)_b2, unchecked((ulong)_l1), unchecked((ulong)_l2)));

    /// <summary>The liquidation view; only valid when <see cref="Kind"/> is Liquidation.</summary>
    public Liquidation AsLiquidation() => new(Instrument!, ExchangeTime, ReceiveTime, _d0, _d1, (PositionSide)_b0, (Side)_b1, (FeedCompleteness)_b2);

    /// <summary>The book-top view; only valid when <see cref="Kind"/> is BookTop.</summary>
    public BookTop AsBookTop() => new(Instrument!, ExchangeTime, ReceiveTime, _d0, _d1, _d2, _d3, _l0);

    /// <summary>The book-update view; only valid when <see cref="Kind"/> is BookUpdate.</summary>
    public BookUpdate AsBookUpdate() => new(Instrument!, ExchangeTime, ReceiveTime, _b0 != 0, _l0, _l1, _l2,
        (BookLevel[])_r0!, (BookLevel[])_r1!);

    /// <summary>The funding view; only valid when <see cref="Kind"/> is Funding.</summary>
    public Funding AsFunding() => new(Instrument!, ExchangeTime, ReceiveTime, _d0, _d1, _l0, _d2, _d3);

    /// <summary>The open-interest view; only valid when <see cref="Kind"/> is OpenInterest.</summary>
    public OpenInterest AsOpenInterest() => new(Instrument!, ExchangeTime, ReceiveTime, _d0, _d1);

    /// <summary>The status view; only valid when <see cref="Kind"/> is ConnectionStatus.</summary>
    public ConnectionStatus AsConnectionStatus() => new(Venue, Instrument, (string)_r0!, ExchangeTime, (ConnectionState)_b0, (string)_r1!);

    /// <summary>The gap view; only valid when <see cref="Kind"/> is DataGap.</summary>
    public DataGap AsDataGap() => new(Venue, Instrument, (string)_r0!, _l0, _l1, (GapCause)_b0, (string)_r1!);

    /// <summary>The alert; only valid when <see cref="Kind"/> is Alert.</summary>
    public Alert AsAlert() => (Alert)_r0!;

    /// <summary>USD notional for trades and liquidations, NaN otherwise.</summary>
    public double NotionalUsd => Kind is EventKind.Trade or EventKind.Liquidation && Instrument is not null
        ? Instrument.UsdNotional(_d0, _d1)
        : double.NaN;
}
