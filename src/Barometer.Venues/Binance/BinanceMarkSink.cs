using System.Runtime.CompilerServices;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Venues.Binance;

/// <summary>
/// Passes every event on and remembers the latest mark price per instrument from live
/// markPriceUpdate funding events, so open interest polled over REST (which Binance gives in
/// contracts = base units only) can carry its USD notional: quantity × the latest mark price,
/// the valuation Binance itself uses for <c>sumOpenInterestValue</c>. The map is built once
/// before any connection starts; afterwards each slot is one double written by the market
/// connection's task and read by the poller (no lock: a torn read cannot happen on 64-bit
/// doubles written with <see cref="Volatile"/>).
/// </summary>
internal sealed class BinanceMarkSink : IEventSink
{
    private readonly IEventSink _inner;
    private readonly Dictionary<Instrument, StrongBox<double>> _marks = [];

    public BinanceMarkSink(IEventSink inner) => _inner = inner;

    /// <summary>Prepares a slot per instrument (before any connection or poller starts).</summary>
    public void Track(IEnumerable<Instrument> instruments)
    {
        foreach (var instrument in instruments)
        {
            _marks.TryAdd(instrument, new StrongBox<double>(double.NaN));
        }
    }

    /// <summary>Latest mark price of <paramref name="instrument"/>, NaN before the first.</summary>
    public double MarkOf(Instrument instrument) =>
        _marks.TryGetValue(instrument, out var box) ? Volatile.Read(ref box.Value) : double.NaN;

    public void Publish(in MarketEvent e)
    {
        if (e.Kind == EventKind.Funding && e.Instrument is { } instrument && _marks.TryGetValue(instrument, out var box))
        {
            double mark = e.AsFunding().MarkPrice;
            if (double.IsFinite(mark) && mark > 0 && e.AsFunding().NextFundingTime > 0)
            {
                Volatile.Write(ref box.Value, mark);
            }
        }

        _inner.Publish(e);
    }

    /// <summary>A sink for REST open interest: fills a missing USD notional from the latest mark.</summary>
    public IEventSink ForOpenInterest() => new OpenInterestValuer(this);

    private sealed class OpenInterestValuer(BinanceMarkSink owner) : IEventSink
    {
        public void Publish(in MarketEvent e)
        {
            if (e.Kind == EventKind.OpenInterest)
            {
                var oi = e.AsOpenInterest();
                if (double.IsNaN(oi.NotionalUsd))
                {
                    double mark = owner.MarkOf(oi.Instrument);
                    if (!double.IsNaN(mark))
                    {
                        owner._inner.Publish(MarketEvent.From(oi with { NotionalUsd = oi.Instrument.UsdNotional(mark, oi.Quantity) }));
                        return;
                    }
                }
            }

            owner._inner.Publish(e);
        }
    }
}
