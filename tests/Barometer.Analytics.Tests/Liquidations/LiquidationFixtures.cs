using Barometer.Analytics.Liquidations;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Liquidations;

/// <summary>Builders for liquidation tests (time = exchange time, UTC µs).</summary>
internal static class LiquidationFixtures
{
    public const long Second = 1_000_000;

    /// <summary>2026-12-01 00:00:00 UTC.</summary>
    public const long T0 = 1_796_083_200_000_000;

    public static readonly InstrumentRegistry Registry = new();
    public static readonly Instrument Binance = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    public static readonly Instrument Bybit = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    public static readonly Instrument Okx = Registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1);
    public static readonly Instrument BybitEth = Registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT", 1, 0.01);
    public static readonly Instrument BybitXrp = Registry.GetOrAdd(VenueId.BybitLinear, "XRP", "USDT", "XRPUSDT", 1, 0.0001);
    public static readonly Instrument BinanceEthBtc = Registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "BTC", "ETHBTC", 1, 0.00001);

    /// <summary>A liquidation; completeness as the venue's feed is (Binance and OKX sampled, Bybit complete) unless given.</summary>
    public static MarketEvent Liq(Instrument i, long time, double price, double quantity, PositionSide side, FeedCompleteness? completeness = null) =>
        MarketEvent.From(new Liquidation(i, time, time, price, quantity, side, Liquidation.OrderSideFor(side),
            completeness ?? (i.Venue == VenueId.BybitLinear ? FeedCompleteness.Complete : FeedCompleteness.Sampled)));

    public static MarketEvent Trade(Instrument i, long time, double price, double quantity = 1) =>
        MarketEvent.From(new Trade(i, time, time, price, quantity, Side.Buy, TradeId.FromNumber(time)));

    public static LiquidationMetrics New(AnalyticsOptions? options = null, IEventSink? alerts = null) => new(options ?? new AnalyticsOptions(), alerts);

    public static LiquidationMetrics Feed(this LiquidationMetrics metrics, params MarketEvent[] events)
    {
        foreach (var e in events)
        {
            metrics.OnEvent(e, EventTime.Of(e));
        }

        return metrics;
    }

    public static InstrumentLiquidations Row(this LiquidationSection section, Instrument i) =>
        section.Instruments.Single(r => r.Instrument == i.Key);

    public static AssetLiquidations Asset(this LiquidationSection section, string asset) =>
        section.Assets.Single(a => a.Asset == asset);
}

/// <summary>Records the cascade alerts published to it.</summary>
internal sealed class AlertRecorder : IEventSink
{
    public List<CascadeAlert> Alerts { get; } = [];

    public List<VenueId> Venues { get; } = [];

    public void Publish(in MarketEvent e)
    {
        Assert.Equal(EventKind.Alert, e.Kind);
        Alerts.Add(Assert.IsType<CascadeAlert>(e.AsAlert()));
        Venues.Add(e.Venue);
    }
}
