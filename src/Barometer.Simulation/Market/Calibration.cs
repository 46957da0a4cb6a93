using Barometer.Core.Instruments;

namespace Barometer.Simulation.Market;

/// <summary>
/// Per-asset magnitudes the simulator is calibrated to (docs/simulation.md has the table and the
/// reasoning). These are assumptions about present-day markets, not measurements: simulated data
/// is always labelled simulated.
/// </summary>
/// <param name="Asset">Base asset.</param>
/// <param name="StartPrice">Starting USD price.</param>
/// <param name="AnnualVolatility">Annualized volatility in the normal regime (0.45 = 45 %).</param>
/// <param name="JumpSigma">Standard deviation of a jump's log size.</param>
/// <param name="MedianTradeUsd">Median notional of a perp trade (spot: half).</param>
/// <param name="TailMinUsd">Where the Pareto tail of trade sizes starts.</param>
/// <param name="CascadeMove">60-second move (fraction) beyond which liquidations start to cascade.</param>
/// <param name="DepthUsdPerPercent">USD that moves the price 1 % (sets the price impact of liquidation flow).</param>
public sealed record AssetProfile(
    string Asset,
    double StartPrice,
    double AnnualVolatility,
    double JumpSigma,
    double MedianTradeUsd,
    double TailMinUsd,
    double CascadeMove,
    double DepthUsdPerPercent);

/// <summary>One simulated market: an asset on a venue, in one quote currency.</summary>
/// <param name="Venue">Venue.</param>
/// <param name="Asset">Profile of the base asset.</param>
/// <param name="Quote">USDT or USDC.</param>
/// <param name="Symbol">The venue's symbol.</param>
/// <param name="TickSize">Price tick.</param>
/// <param name="LotSize">Quantity step in base units.</param>
/// <param name="ContractValue">Base units per contract (OKX ctVal; 1 elsewhere).</param>
/// <param name="TradesPerSecond">Mean trade messages per second in the normal regime.</param>
/// <param name="BestLevelUsd">Median USD resting at the best level.</param>
/// <param name="LevelUsd">Median USD resting at a deeper level.</param>
/// <param name="OpenInterestUsd">Starting open interest (perps; 0 for spot).</param>
/// <param name="FundingIntervalHours">Funding interval (perps).</param>
public sealed record MarketProfile(
    VenueId Venue,
    AssetProfile Asset,
    string Quote,
    string Symbol,
    double TickSize,
    double LotSize,
    double ContractValue,
    double TradesPerSecond,
    double BestLevelUsd,
    double LevelUsd,
    double OpenInterestUsd,
    double FundingIntervalHours)
{
    /// <summary>True for perpetual swaps.</summary>
    public bool IsPerp => Venue.MarketKindOf() == MarketKind.Perpetual;
}

/// <summary>The calibrated markets for BTC, ETH and SOL on the six venues (docs/simulation.md).</summary>
public static class Calibration
{
    /// <summary>BTC, ETH, SOL as of late 2026 (assumed).</summary>
    public static IReadOnlyList<AssetProfile> Assets { get; } =
    [
        new("BTC", 92_000, 0.45, 0.010, 1_500, 50_000, 0.005, 60_000_000),
        new("ETH", 3_100, 0.60, 0.013, 1_000, 30_000, 0.007, 25_000_000),
        new("SOL", 140, 0.75, 0.016, 600, 20_000, 0.010, 8_000_000),
    ];

    /// <summary>The asset profile for <paramref name="asset"/>, or null.</summary>
    public static AssetProfile? Asset(string asset)
    {
        foreach (var a in Assets)
        {
            if (string.Equals(a.Asset, asset, StringComparison.OrdinalIgnoreCase))
            {
                return a;
            }
        }

        return null;
    }

    /// <summary>
    /// The markets of <paramref name="assets"/> on <paramref name="venues"/>, in a fixed order
    /// (asset, then venue, then USDT before USDC).
    /// </summary>
    public static List<MarketProfile> Markets(IEnumerable<string> assets, IEnumerable<VenueId> venues)
    {
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(venues);
        var venueList = new List<VenueId>(venues);
        venueList.Sort();
        var result = new List<MarketProfile>();
        foreach (string name in assets)
        {
            var a = Asset(name) ?? throw new ArgumentException($"no calibration for asset '{name}' (known: BTC, ETH, SOL)", nameof(assets));
            int i = a.Asset switch { "BTC" => 0, "ETH" => 1, _ => 2 };
            foreach (var venue in venueList)
            {
                AddMarkets(result, venue, a, i);
            }
        }

        return result;
    }

    private static double V(int i, double btc, double eth, double sol) => i == 0 ? btc : i == 1 ? eth : sol;

    private static void AddMarkets(List<MarketProfile> result, VenueId venue, AssetProfile a, int i)
    {
        // Index i: 0 BTC, 1 ETH, 2 SOL. Ticks and lots are the venues' usual values for these pairs.
        double perpTick = V(i, 0.1, 0.01, 0.01);
        double spotTick = 0.01;
        double lot = V(i, 0.001, 0.001, 0.01);
        string b = a.Asset;
        switch (venue)
        {
            case VenueId.BinanceFutures:
                result.Add(Perp(venue, a, "USDT", b + "USDT", perpTick, lot, 1, V(i, 40, 30, 15), V(i, 9e9, 6e9, 1.5e9), 8));
                result.Add(Perp(venue, a, "USDC", b + "USDC", perpTick, lot, 1, V(i, 6, 4, 2), V(i, 6e8, 3e8, 8e7), 8));
                break;
            case VenueId.BinanceSpot:
                result.Add(Spot(venue, a, b + "USDT", spotTick, V(i, 15, 10, 8)));
                break;
            case VenueId.BybitLinear:
                result.Add(Perp(venue, a, "USDT", b + "USDT", perpTick, lot, 1, V(i, 20, 15, 10), V(i, 5e9, 3e9, 1e9), 8));
                break;
            case VenueId.BybitSpot:
                result.Add(Spot(venue, a, b + "USDT", spotTick, V(i, 6, 4, 4)));
                break;
            case VenueId.OkxSwap:
                // ctVal: BTC-USDT-SWAP 0.01 BTC (documented); ETH 0.1 and SOL 1 are OKX's usual values (assumed);
                // USDC swaps assumed 0.0001 BTC / 0.001 ETH / 0.01 SOL.
                result.Add(Perp(venue, a, "USDT", b + "-USDT-SWAP", perpTick, V(i, 0.0001, 0.001, 0.01), V(i, 0.01, 0.1, 1), V(i, 15, 12, 8), V(i, 3e9, 2e9, 6e8), 8));
                result.Add(Perp(venue, a, "USDC", b + "-USDC-SWAP", perpTick, V(i, 0.0001, 0.001, 0.01), V(i, 0.0001, 0.001, 0.01), V(i, 3, 2, 2), V(i, 1.5e8, 1e8, 4e7), 8));
                break;
            case VenueId.OkxSpot:
                result.Add(Spot(venue, a, b + "-USDT", spotTick, V(i, 5, 4, 3)));
                break;
        }

        MarketProfile Spot(VenueId v, AssetProfile asset, string symbol, double tick, double tps) =>
            new(v, asset, "USDT", symbol, tick, V(i, 0.00001, 0.0001, 0.001), 1, tps,
                V(i, 150_000, 70_000, 35_000), V(i, 40_000, 20_000, 10_000), 0, 0);

        MarketProfile Perp(VenueId v, AssetProfile asset, string quote, string symbol, double tick, double lotSize, double ctVal, double tps, double oi, double hours) =>
            new(v, asset, quote, symbol, tick, lotSize, ctVal, tps,
                quote == "USDT" ? V(i, 400_000, 200_000, 100_000) : V(i, 60_000, 30_000, 15_000),
                quote == "USDT" ? V(i, 120_000, 60_000, 30_000) : V(i, 15_000, 8_000, 4_000), oi, hours);
    }
}
