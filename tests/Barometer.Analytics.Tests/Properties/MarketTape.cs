using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Properties;

/// <summary>Which events a generated tape holds (weights, any scale).</summary>
/// <param name="Trades">Trades.</param>
/// <param name="Tops">Book tops.</param>
/// <param name="Books">L2 book updates (one in eight a snapshot, the rest deltas).</param>
/// <param name="Funding">Funding updates (perpetuals only).</param>
/// <param name="OpenInterest">Open-interest updates (perpetuals only).</param>
/// <param name="Bad">Fraction of trades and tops made invalid (NaN, negative, infinite, no side).</param>
/// <param name="Late">Fraction of events stamped up to 2 s before the newest time (out of order).</param>
internal sealed record TapeMix(int Trades, int Tops, int Books, int Funding, int OpenInterest, double Bad, double Late)
{
    public static TapeMix TradesOnly { get; } = new(1, 0, 0, 0, 0, 0.02, 0.05);

    public static TapeMix Everything { get; } = new(60, 20, 10, 5, 5, 0.01, 0.05);
}

/// <summary>
/// Seeded random market streams over 3 assets × 6 venue markets (USDT-quoted perpetuals and spot
/// on Binance, Bybit and OKX) plus an ETH/BTC spot market (not USD-quoted). Prices random-walk per
/// asset with a small per-venue offset; time advances 0–1 s per event (a tape of 3,000 events
/// spans about 25 minutes, past the 15-minute window).
/// </summary>
internal static class MarketTape
{
    public const long T0 = 1_796_083_200_000_000;

    public static readonly InstrumentRegistry Registry = new();

    private static readonly (string Asset, double Price, double Tick)[] Assets = [("BTC", 100_000, 0.1), ("ETH", 3_500, 0.01), ("SOL", 150, 0.001)];

    public static readonly Instrument[] Markets = BuildMarkets();

    public static readonly Instrument EthBtc = Registry.GetOrAdd(VenueId.BinanceSpot, "ETH", "BTC", "ETHBTC", 1, 0.00001);

    private static Instrument[] BuildMarkets()
    {
        var list = new List<Instrument>();
        foreach (var (asset, _, tick) in Assets)
        {
            list.Add(Registry.GetOrAdd(VenueId.BinanceFutures, asset, "USDT", asset + "USDT", 1, tick));
            list.Add(Registry.GetOrAdd(VenueId.BinanceSpot, asset, "USDT", asset + "USDT", 1, tick));
            list.Add(Registry.GetOrAdd(VenueId.BybitLinear, asset, "USDT", asset + "USDT", 1, tick));
            list.Add(Registry.GetOrAdd(VenueId.BybitSpot, asset, "USDT", asset + "USDT", 1, tick));
            list.Add(Registry.GetOrAdd(VenueId.OkxSwap, asset, "USDT", asset + "-USDT-SWAP", 0.01, tick));
            list.Add(Registry.GetOrAdd(VenueId.OkxSpot, asset, "USDT", asset + "-USDT", 1, tick));
        }

        return [.. list];
    }

    public static List<MarketEvent> Generate(ulong seed, int count, TapeMix mix)
    {
        var rng = new Lcg(seed);
        var prices = new double[Assets.Length];
        for (int a = 0; a < prices.Length; a++)
        {
            prices[a] = Assets[a].Price;
        }

        var bookCenter = new long[Registry.Count];
        long updateId = 1;
        int total = mix.Trades + mix.Tops + mix.Books + mix.Funding + mix.OpenInterest;
        var events = new List<MarketEvent>(count);
        long newest = T0;
        for (int n = 0; n < count; n++)
        {
            newest += rng.Next(1_000_000);
            long time = rng.Chance(mix.Late) ? Math.Max(T0, newest - rng.Next(2_000_000)) : newest;
            for (int a = 0; a < prices.Length; a++)
            {
                prices[a] *= 1 + rng.Between(-0.0002, 0.0002);
            }

            bool ethBtc = rng.Chance(0.02);
            int assetIndex = rng.Next(Assets.Length);
            var instrument = ethBtc ? EthBtc : Markets[(assetIndex * 6) + rng.Next(6)];
            double price = ethBtc ? prices[1] / prices[0] : prices[assetIndex] * (1 + (((int)instrument.Venue - 2.5) * 0.0001));
            int pick = rng.Next(total);
            bool perp = instrument.Kind == MarketKind.Perpetual;
            if (pick < mix.Trades || (!perp && pick >= mix.Trades + mix.Tops + mix.Books))
            {
                events.Add(TradeOf(rng, instrument, time, price, mix.Bad));
            }
            else if (pick < mix.Trades + mix.Tops)
            {
                events.Add(TopOf(rng, instrument, time, price, mix.Bad));
            }
            else if (pick < mix.Trades + mix.Tops + mix.Books)
            {
                events.Add(BookOf(rng, instrument, time, price, bookCenter, ref updateId));
            }
            else if (pick < mix.Trades + mix.Tops + mix.Books + mix.Funding)
            {
                double interval = instrument.Venue == VenueId.OkxSwap && rng.Chance(0.1) ? double.NaN : rng.Chance(0.2) ? 4 : 8;
                long next = rng.Chance(0.1) ? 0 : time + (3_600L * 1_000_000);
                events.Add(MarketEvent.From(new Funding(instrument, time, time, rng.Between(-0.0006, 0.0006), interval, next, price, price)));
            }
            else
            {
                double quantity = rng.Between(1_000, 2_000) * 100_000 / Assets[assetIndex].Price;
                double usd = rng.Chance(0.5) ? quantity * price : double.NaN;
                events.Add(MarketEvent.From(new OpenInterest(instrument, time, time, quantity, usd)));
            }
        }

        return events;
    }

    private static MarketEvent TradeOf(Lcg rng, Instrument instrument, long time, double price, double bad)
    {
        double quantity = rng.Between(0.001, 2) * 1_000 / price;
        var side = rng.Chance(0.5) ? Side.Buy : Side.Sell;
        if (rng.Chance(bad))
        {
            switch (rng.Next(4))
            {
                case 0: price = double.NaN; break;
                case 1: quantity = -quantity; break;
                case 2: price = double.PositiveInfinity; break;
                default: side = Side.Unknown; break;
            }
        }

        return MarketEvent.From(new Trade(instrument, time, time, price, quantity, side, TradeId.FromNumber(time)));
    }

    private static MarketEvent TopOf(Lcg rng, Instrument instrument, long time, double mid, double bad)
    {
        double half = instrument.TickSize * (1 + rng.Next(5));
        double bid = mid - half, ask = mid + half, bidSize = rng.Between(0.1, 5), askSize = rng.Between(0.1, 5);
        if (rng.Chance(bad))
        {
            switch (rng.Next(3))
            {
                case 0: ask = double.PositiveInfinity; break;
                case 1: bidSize = -1; break;
                default: (bid, ask) = (ask, bid); break;
            }
        }

        return MarketEvent.From(new BookTop(instrument, time, time, bid, bidSize, ask, askSize, 0));
    }

    private static MarketEvent BookOf(Lcg rng, Instrument instrument, long time, double mid, long[] center, ref long updateId)
    {
        long id = updateId++;
        bool snapshot = center[instrument.Id] == 0 || rng.Next(8) == 0;
        if (snapshot)
        {
            long c = instrument.ToTicks(mid);
            center[instrument.Id] = c;
            int levels = 5 + rng.Next(60);
            var bids = new BookLevel[levels];
            var asks = new BookLevel[levels];
            long b = c - 1, a = c + 1;
            for (int k = 0; k < levels; k++)
            {
                bids[k] = Level(instrument, b, rng.Between(0.01, 3));
                asks[k] = Level(instrument, a, rng.Between(0.01, 3));
                long step = 1 + rng.Next((int)Math.Max(1, c / 2_000));
                b -= step;
                a += step;
            }

            return MarketEvent.From(new BookUpdate(instrument, time, time, true, id, id, -1, bids, asks));
        }

        long centre = center[instrument.Id];
        int changes = 1 + rng.Next(4);
        var deltaBids = new BookLevel[changes];
        var deltaAsks = new BookLevel[changes];
        for (int k = 0; k < changes; k++)
        {
            double quantity = rng.Chance(0.3) ? 0 : rng.Between(0.01, 3);
            deltaBids[k] = Level(instrument, centre - 1 - rng.Next(50), quantity);
            deltaAsks[k] = Level(instrument, centre + 1 + rng.Next(50), rng.Chance(0.3) ? 0 : rng.Between(0.01, 3));
        }

        if (rng.Chance(0.02))
        {
            deltaBids[0] = Level(instrument, centre + 10, 1); // crosses: the book is cleared until the next snapshot
        }

        return MarketEvent.From(new BookUpdate(instrument, time, time, false, id, id, id - 1, deltaBids, deltaAsks));
    }

    private static BookLevel Level(Instrument instrument, long ticks, double quantity) => new(ticks, instrument.FromTicks(ticks), quantity);
}
