using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;

namespace Barometer.Storage.Sqlite;

/// <summary>
/// Chooses which normalized events become history rows and maps them: every liquidation, every
/// trade at or above the large-trade threshold, funding and open interest sampled at most once
/// per instrument per minute of event time (the first update of each minute; venues send funding
/// every second), and every data gap. Single-threaded (the pipeline's consumer task owns it).
/// </summary>
public sealed class HistoryRowMapper
{
    private const long MicrosPerMinute = 60_000_000;
    private readonly double _largeTradeUsd;
    private long[] _fundingMinute = new long[16];
    private long[] _oiMinute = new long[16];

    /// <summary>Creates a mapper that stores trades of at least <paramref name="largeTradeUsd"/>.</summary>
    public HistoryRowMapper(double largeTradeUsd)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(largeTradeUsd);
        _largeTradeUsd = largeTradeUsd;
        Array.Fill(_fundingMinute, long.MinValue);
        Array.Fill(_oiMinute, long.MinValue);
    }

    /// <summary>The row for <paramref name="e"/>, or null when it is not stored.</summary>
    public object? Map(in MarketEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.Liquidation:
            {
                var l = e.AsLiquidation();
                if (!(l.Price > 0) || !(l.Quantity > 0) || !double.IsFinite(l.Price) || !double.IsFinite(l.Quantity))
                {
                    return null;
                }

                var i = l.Instrument;
                return new LiquidationRow(i.Venue.ToWireName(), i.VenueSymbol, i.Base, l.ExchangeTime, l.Price, l.Quantity, l.NotionalUsd,
                    l.LiquidatedSide == PositionSide.Long ? "long" : l.LiquidatedSide == PositionSide.Short ? "short" : "unknown",
                    l.Completeness == FeedCompleteness.Sampled);
            }

            case EventKind.Trade:
            {
                double usd = e.NotionalUsd;
                if (!(usd >= _largeTradeUsd) || !double.IsFinite(usd))
                {
                    return null;
                }

                var t = e.AsTrade();
                var i = t.Instrument;
                string id = t.Id.Format == TradeIdFormat.None ? $"t{t.ExchangeTime}:{t.Price}:{t.Quantity}" : t.Id.ToString();
                return new TradeRow(i.Venue.ToWireName(), i.VenueSymbol, i.Base, t.ExchangeTime, id, t.Price, t.Quantity, usd,
                    NormalizedEventJson.SideName(t.AggressorSide));
            }

            case EventKind.Funding:
            {
                var f = e.AsFunding();
                if (!double.IsFinite(f.Rate) || !FirstOfMinute(ref _fundingMinute, f.Instrument.Id, f.ExchangeTime))
                {
                    return null;
                }

                var i = f.Instrument;
                return new FundingRow(i.Venue.ToWireName(), i.VenueSymbol, i.Base, f.ExchangeTime, f.Rate, f.IntervalHours, f.NextFundingTime, f.MarkPrice);
            }

            case EventKind.OpenInterest:
            {
                var o = e.AsOpenInterest();
                if (!(o.Quantity >= 0) || !double.IsFinite(o.Quantity) || !FirstOfMinute(ref _oiMinute, o.Instrument.Id, o.ExchangeTime))
                {
                    return null;
                }

                var i = o.Instrument;
                return new OpenInterestRow(i.Venue.ToWireName(), i.VenueSymbol, i.Base, o.ExchangeTime, o.Quantity, o.NotionalUsd);
            }

            case EventKind.DataGap:
            {
                var g = e.AsDataGap();
                return new GapRow(g.Venue.ToWireName(), g.Stream, g.Instrument?.VenueSymbol, g.Start, g.End,
                    NormalizedEventJson.CauseName(g.Cause), g.Detail);
            }

            default:
                return null;
        }
    }

    private static bool FirstOfMinute(ref long[] minutes, int id, long time)
    {
        if ((uint)id >= (uint)minutes.Length)
        {
            int old = minutes.Length;
            Array.Resize(ref minutes, Math.Max(old * 2, id + 1));
            Array.Fill(minutes, long.MinValue, old, minutes.Length - old);
        }

        long minute = time >= 0 ? time / MicrosPerMinute : ((time + 1) / MicrosPerMinute) - 1;
        if (minute <= minutes[id])
        {
            return false;
        }

        minutes[id] = minute;
        return true;
    }
}
