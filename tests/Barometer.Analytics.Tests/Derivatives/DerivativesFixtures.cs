using Barometer.Analytics.Derivatives;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Derivatives;

/// <summary>Instruments and event builders for the derivatives tests (time = exchange time, UTC µs).</summary>
internal static class DerivativesFixtures
{
    public const long Second = 1_000_000;
    public const long Minute = 60 * Second;

    /// <summary>A whole minute (and a whole 10 s basis-sample bucket): 1.8e15 µs = 30,000,000 minutes.</summary>
    public const long T0 = 1_800_000_000_000_000;

    public static readonly InstrumentRegistry Registry = new();

    public static readonly Instrument BinancePerp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    public static readonly Instrument BinanceUsdcPerp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDC", "BTCUSDC", 1, 0.1);
    public static readonly Instrument BinanceSpot = Registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument BybitPerp = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    public static readonly Instrument BybitSpot = Registry.GetOrAdd(VenueId.BybitSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument OkxPerp = Registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1);
    public static readonly Instrument OkxSpot = Registry.GetOrAdd(VenueId.OkxSpot, "BTC", "USDT", "BTC-USDT", 1, 0.1);
    public static readonly Instrument BinanceUsdcSpot = Registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDC", "BTCUSDC", 1, 0.01);
    public static readonly Instrument EthPerp = Registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "USDT", "ETHUSDT", 1, 0.01);
    public static readonly Instrument EthBtcSpot = Registry.GetOrAdd(VenueId.BinanceSpot, "ETH", "BTC", "ETHBTC", 1, 0.00001);

    public static DerivativesMetrics NewMetrics() => new(new AnalyticsOptions());

    /// <summary>A book top with bid = mid − 1 and ask = mid + 1 (so its mid is exactly <paramref name="mid"/>).</summary>
    public static MarketEvent Top(Instrument i, long time, double mid) =>
        MarketEvent.From(new BookTop(i, time, time, mid - 1, 1, mid + 1, 1, 0));

    public static MarketEvent Trade(Instrument i, long time, double price, double quantity, Side side = Side.Buy) =>
        MarketEvent.From(new Trade(i, time, time, price, quantity, side, TradeId.FromNumber(time)));

    public static MarketEvent Oi(Instrument i, long time, double quantity, double notionalUsd = double.NaN) =>
        MarketEvent.From(new OpenInterest(i, time, time, quantity, notionalUsd));

    public static MarketEvent LiveFunding(Instrument i, long time, double rate, double markPrice) =>
        MarketEvent.From(new Funding(i, time, time, rate, 8, time + (8 * 60 * Minute), markPrice, markPrice));

    public static void Feed(this DerivativesMetrics metrics, in MarketEvent e) => metrics.OnEvent(e, EventTime.Of(e));

    public static BasisRow Basis(this DerivativesSection section, Instrument perp, BasisReference reference)
    {
        foreach (var row in section.Basis)
        {
            if (row.Instrument == perp.Key && row.Reference == reference)
            {
                return row;
            }
        }

        throw new InvalidOperationException($"no {reference} basis row for {perp.Key}");
    }

    public static OpenInterestRow OpenInterest(this DerivativesSection section, Instrument perp)
    {
        foreach (var row in section.OpenInterest)
        {
            if (row.Instrument == perp.Key)
            {
                return row;
            }
        }

        throw new InvalidOperationException("no open interest row for " + perp.Key);
    }

    public static PriceSpreadRow Spread(this DerivativesSection section, string asset, MarketKind kind)
    {
        foreach (var row in section.PriceSpreads)
        {
            if (row.Asset == asset && row.Kind == kind)
            {
                return row;
            }
        }

        throw new InvalidOperationException($"no {kind} price spread row for {asset}");
    }
}
