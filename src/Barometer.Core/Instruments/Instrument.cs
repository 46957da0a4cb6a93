namespace Barometer.Core.Instruments;

/// <summary>
/// One tradable market on one venue. Immutable and shared by reference: events carry the
/// reference, so no strings are allocated per message. Instances come from an
/// <see cref="InstrumentRegistry"/>, which gives each a dense <see cref="Id"/> that analytics use
/// to index arrays.
/// </summary>
public sealed class Instrument
{
    internal Instrument(int id, VenueId venue, string baseAsset, string quoteAsset, string venueSymbol,
        double contractMultiplier, double tickSize)
    {
        Id = id;
        Venue = venue;
        Base = baseAsset;
        Quote = quoteAsset;
        VenueSymbol = venueSymbol;
        ContractMultiplier = contractMultiplier;
        TickSize = tickSize;
        Key = venue.ToWireName() + ":" + venueSymbol;
        QuoteIsUsd = IsUsdQuote(quoteAsset);
    }

    /// <summary>Dense id within the registry that created it (0, 1, 2 …).</summary>
    public int Id { get; }

    /// <summary>The venue (exchange market) this instrument trades on.</summary>
    public VenueId Venue { get; }

    /// <summary>Spot or perpetual, implied by the venue.</summary>
    public MarketKind Kind => Venue.MarketKindOf();

    /// <summary>Base asset, upper case: BTC, ETH, SOL.</summary>
    public string Base { get; }

    /// <summary>Quote / margin asset, upper case: USDT, USDC.</summary>
    public string Quote { get; }

    /// <summary>The symbol exactly as the venue spells it: BTCUSDT, BTC-USDT-SWAP.</summary>
    public string VenueSymbol { get; }

    /// <summary>
    /// Base-asset quantity per unit of the venue's size field. 1 where the venue quotes sizes in
    /// the base asset (Binance, Bybit, OKX spot); OKX swaps quote contracts, so this is
    /// ctVal × ctMult (BTC-USDT-SWAP: 0.01 BTC per contract).
    /// </summary>
    public double ContractMultiplier { get; }

    /// <summary>Price tick; order-book levels are keyed by integer multiples of it.</summary>
    public double TickSize { get; }

    /// <summary>"venue:SYMBOL", unique across venues, e.g. "okx-swap:BTC-USDT-SWAP".</summary>
    public string Key { get; }

    /// <summary>
    /// True when the quote asset is a USD stablecoin (USDT, USDC, FDUSD, USD). Project decision:
    /// stablecoin notionals are taken as USD (no venue gives guidance); other quotes have no USD
    /// notional and their events carry NaN.
    /// </summary>
    public bool QuoteIsUsd { get; }

    /// <summary>Converts a price to integer ticks (exact for prices that are multiples of the tick).</summary>
    public long ToTicks(double price) => (long)Math.Round(price / TickSize, MidpointRounding.AwayFromZero);

    /// <summary>Converts integer ticks back to a price.</summary>
    public double FromTicks(long ticks) => ticks * TickSize;

    /// <summary>USD notional of a base quantity at a price, or NaN when the quote is not a USD stablecoin.</summary>
    public double UsdNotional(double price, double baseQuantity) => QuoteIsUsd ? price * baseQuantity : double.NaN;

    /// <inheritdoc />
    public override string ToString() => Key;

    private static bool IsUsdQuote(string quote) =>
        quote is "USDT" or "USDC" or "USD" or "FDUSD" or "BUSD" or "USDE";
}
