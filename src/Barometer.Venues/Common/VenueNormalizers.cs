using Barometer.Core.Instruments;

namespace Barometer.Venues.Common;

/// <summary>Creates the frame normalizer of a venue.</summary>
public static class VenueNormalizers
{
    /// <summary>
    /// The normalizer for <paramref name="venue"/>, or null when that venue has no parser yet.
    /// Throws <see cref="InvalidDataException"/> when <see cref="NormalizerOptions.InstrumentsFile"/> cannot be read.
    /// </summary>
    public static IFrameNormalizer? TryCreate(VenueId venue, InstrumentRegistry registry, NormalizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        options ??= new NormalizerOptions();
        return venue switch
        {
            // One line per venue, added with the venue's parsers.
            VenueId.BinanceFutures or VenueId.BinanceSpot => Binance.BinanceNormalizer.Create(venue, registry, options),
            VenueId.BybitLinear or VenueId.BybitSpot => Bybit.BybitNormalizer.Create(venue, registry, options),
            VenueId.OkxSwap or VenueId.OkxSpot => Okx.OkxNormalizer.Create(venue, registry, options),
            _ => null,
        };
    }
}
