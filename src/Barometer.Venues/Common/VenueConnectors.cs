using Barometer.Core.Instruments;

namespace Barometer.Venues.Common;

/// <summary>Creates the connector of a venue.</summary>
public static class VenueConnectors
{
    /// <summary>The connector for <paramref name="venue"/>, or null when that venue has none yet.</summary>
    public static IVenueConnector? TryCreate(VenueId venue, VenueConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return venue switch
        {
            // One line per venue, added with the venue's connector.
            VenueId.BinanceFutures or VenueId.BinanceSpot => new Binance.BinanceConnector(venue, context),
            VenueId.BybitLinear or VenueId.BybitSpot => new Bybit.BybitConnector(venue, context),
            VenueId.OkxSwap or VenueId.OkxSpot => new Okx.OkxConnector(venue, context),
            _ => null,
        };
    }
}
