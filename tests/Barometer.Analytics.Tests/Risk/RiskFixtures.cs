using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Risk;

/// <summary>Instruments and event builders for the regime and correlation tests (time = exchange time, UTC µs).</summary>
internal static class RiskFixtures
{
    public const long Second = 1_000_000;
    public const long Minute = 60 * Second;

    /// <summary>A whole minute (and a whole 10 s boundary) of event time.</summary>
    public const long T0 = 1_796_083_200_000_000;

    public static readonly InstrumentRegistry Registry = new();
    public static readonly Instrument BtcBinance = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument BtcBybit = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument BtcOkx = Registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 1, 0.01);
    public static readonly Instrument EthBinance = Registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "USDT", "ETHUSDT", 1, 0.01);
    public static readonly Instrument SolBinance = Registry.GetOrAdd(VenueId.BinanceFutures, "SOL", "USDT", "SOLUSDT", 1, 0.001);
    public static readonly Instrument EthBtc = Registry.GetOrAdd(VenueId.BinanceSpot, "ETH", "BTC", "ETHBTC", 1, 0.00001);

    public static MarketEvent Trade(Instrument i, long time, double price, double quantity = 1, Side side = Side.Buy) =>
        MarketEvent.From(new Trade(i, time, time, price, quantity, side, TradeId.FromNumber(time)));

    public static MarketEvent Top(Instrument i, long time, double bid, double ask, double size = 1) =>
        MarketEvent.From(new BookTop(i, time, time, bid, size, ask, size, 0));

    public static MarketEvent BookSnapshot(Instrument i, long time, BookLevel[] bids, BookLevel[] asks) =>
        MarketEvent.From(new BookUpdate(i, time, time, true, 1, 1, -1, bids, asks));

    public static BookLevel L(Instrument i, double price, double quantity) => new(i.ToTicks(price), price, quantity);

    /// <summary>Prices p[0] = start, p[t] = p[t − 1] · e^returns[t − 1].</summary>
    public static double[] PricesFrom(double start, IReadOnlyList<double> returns)
    {
        var p = new double[returns.Count + 1];
        p[0] = start;
        for (int t = 1; t < p.Length; t++)
        {
            p[t] = p[t - 1] * Math.Exp(returns[t - 1]);
        }

        return p;
    }

    /// <summary>One trade per second: prices[t] at T0 + t s.</summary>
    public static IEnumerable<MarketEvent> EverySecond(Instrument i, double[] prices, long start = T0)
    {
        for (int t = 0; t < prices.Length; t++)
        {
            yield return Trade(i, start + (t * Second), prices[t]);
        }
    }

    /// <summary>Events of several markets merged by time (stable: ties keep the order of the lists).</summary>
    public static List<MarketEvent> Merge(params IEnumerable<MarketEvent>[] streams)
    {
        var all = new List<MarketEvent>();
        foreach (var s in streams)
        {
            all.AddRange(s);
        }

        return [.. all.OrderBy(e => e.ExchangeTime)];
    }

    /// <summary>Returns cycling through <paramref name="pattern"/> (× <paramref name="unit"/>) for <paramref name="count"/> seconds.</summary>
    public static double[] Cycle(double unit, int count, params double[] pattern)
    {
        var r = new double[count];
        for (int i = 0; i < count; i++)
        {
            r[i] = unit * pattern[i % pattern.Length];
        }

        return r;
    }
}
