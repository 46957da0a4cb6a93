namespace Barometer.Core.Instruments;

/// <summary>
/// A venue is one exchange market with its own endpoints and symbol space. The wire names
/// ("binance-futures" …) are what configuration, the CLI, payloads and storage use.
/// </summary>
public enum VenueId : byte
{
    BinanceFutures = 0,
    BinanceSpot = 1,
    BybitLinear = 2,
    BybitSpot = 3,
    OkxSwap = 4,
    OkxSpot = 5,
}

/// <summary>The exchange a venue belongs to (used for display and cross-venue grouping).</summary>
public enum Exchange : byte
{
    Binance = 0,
    Bybit = 1,
    Okx = 2,
}

/// <summary>Conversions between <see cref="VenueId"/> and its wire name, exchange and market kind.</summary>
public static class VenueIds
{
    /// <summary>Number of venues; venue-indexed arrays have this length.</summary>
    public const int Count = 6;

    private static readonly string[] WireNames =
        ["binance-futures", "binance-spot", "bybit-linear", "bybit-spot", "okx-swap", "okx-spot"];

    /// <summary>All venues in enum order.</summary>
    public static IReadOnlyList<VenueId> All { get; } =
        [VenueId.BinanceFutures, VenueId.BinanceSpot, VenueId.BybitLinear, VenueId.BybitSpot, VenueId.OkxSwap, VenueId.OkxSpot];

    /// <summary>The wire name, e.g. "binance-futures".</summary>
    public static string ToWireName(this VenueId venue) => WireNames[(int)venue];

    /// <summary>Parses a wire name (case-insensitive).</summary>
    public static bool TryParse(string? text, out VenueId venue)
    {
        for (int i = 0; i < WireNames.Length; i++)
        {
            if (string.Equals(WireNames[i], text, StringComparison.OrdinalIgnoreCase))
            {
                venue = (VenueId)i;
                return true;
            }
        }

        venue = default;
        return false;
    }

    /// <summary>The exchange that runs this venue.</summary>
    public static Exchange ExchangeOf(this VenueId venue) => venue switch
    {
        VenueId.BinanceFutures or VenueId.BinanceSpot => Exchange.Binance,
        VenueId.BybitLinear or VenueId.BybitSpot => Exchange.Bybit,
        _ => Exchange.Okx,
    };

    /// <summary>Spot or perpetual.</summary>
    public static MarketKind MarketKindOf(this VenueId venue) => venue switch
    {
        VenueId.BinanceSpot or VenueId.BybitSpot or VenueId.OkxSpot => MarketKind.Spot,
        _ => MarketKind.Perpetual,
    };

    /// <summary>Upper-case exchange label for screens: BINANCE, BYBIT, OKX.</summary>
    public static string ExchangeLabel(this VenueId venue) => venue.ExchangeOf() switch
    {
        Exchange.Binance => "BINANCE",
        Exchange.Bybit => "BYBIT",
        _ => "OKX",
    };
}
