using Barometer.Core.Instruments;

namespace Barometer.Core.Tests;

public sealed class InstrumentRegistryTests
{
    [Fact]
    public void The_same_symbol_on_two_venues_is_two_instruments()
    {
        var registry = new InstrumentRegistry();
        var perp = registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT");
        var spot = registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT");
        Assert.NotSame(perp, spot);
        Assert.Equal(MarketKind.Perpetual, perp.Kind);
        Assert.Equal(MarketKind.Spot, spot.Kind);
        Assert.Equal("binance-spot:BTCUSDT", spot.Key);
    }

    [Fact]
    public void Lookup_by_utf8_bytes_finds_the_registered_instrument()
    {
        var registry = new InstrumentRegistry();
        var swap = registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01, 0.1);
        Assert.True(registry.TryGet(VenueId.OkxSwap, "BTC-USDT-SWAP"u8, out var found));
        Assert.Same(swap, found);
        Assert.False(registry.TryGet(VenueId.OkxSpot, "BTC-USDT-SWAP"u8, out _));
    }

    [Fact]
    public void Registering_twice_returns_the_first_instrument()
    {
        var registry = new InstrumentRegistry();
        var first = registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT", 1, 0.01);
        var second = registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT", 1, 0.05);
        Assert.Same(first, second);
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public void Prices_map_to_exact_integer_ticks()
    {
        var registry = new InstrumentRegistry();
        var xmr = registry.GetOrAdd(VenueId.OkxSwap, "XMR", "USDT", "XMR-USDT-SWAP", 0.1, 0.01);
        Assert.Equal(19531, xmr.ToTicks(195.31));
        Assert.Equal(19730, xmr.ToTicks(197.3));
        Assert.Equal(19600, xmr.ToTicks(196));
    }

    [Fact]
    public void A_non_positive_contract_multiplier_is_rejected()
    {
        var registry = new InstrumentRegistry();
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "X", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "X", double.NaN));
    }

    [Fact]
    public void Only_stablecoin_quotes_have_a_usd_notional()
    {
        var registry = new InstrumentRegistry();
        Assert.Equal(200, registry.GetOrAdd(VenueId.BinanceSpot, "ETH", "USDC", "ETHUSDC").UsdNotional(100, 2));
        Assert.True(double.IsNaN(registry.GetOrAdd(VenueId.BinanceSpot, "ETH", "BTC", "ETHBTC").UsdNotional(0.03, 2)));
    }
}
