namespace Barometer.Core.Configuration;

/// <summary>Endpoint overrides per venue (key "Endpoints:BinanceFutures:WebSocketUrl" …).</summary>
public sealed record VenueEndpointsOptions
{
    /// <summary>binance-futures.</summary>
    public EndpointOptions BinanceFutures { get; init; } = new();

    /// <summary>binance-spot.</summary>
    public EndpointOptions BinanceSpot { get; init; } = new();

    /// <summary>bybit-linear.</summary>
    public EndpointOptions BybitLinear { get; init; } = new();

    /// <summary>bybit-spot.</summary>
    public EndpointOptions BybitSpot { get; init; } = new();

    /// <summary>okx-swap.</summary>
    public EndpointOptions OkxSwap { get; init; } = new();

    /// <summary>okx-spot.</summary>
    public EndpointOptions OkxSpot { get; init; } = new();

    /// <summary>The endpoints of one venue.</summary>
    public EndpointOptions For(Instruments.VenueId venue) => venue switch
    {
        Instruments.VenueId.BinanceFutures => BinanceFutures,
        Instruments.VenueId.BinanceSpot => BinanceSpot,
        Instruments.VenueId.BybitLinear => BybitLinear,
        Instruments.VenueId.BybitSpot => BybitSpot,
        Instruments.VenueId.OkxSwap => OkxSwap,
        _ => OkxSpot,
    };

    internal void Validate(string prefix, List<OptionsProblem> problems)
    {
        BinanceFutures.Validate(prefix + ":BinanceFutures", problems);
        BinanceSpot.Validate(prefix + ":BinanceSpot", problems);
        BybitLinear.Validate(prefix + ":BybitLinear", problems);
        BybitSpot.Validate(prefix + ":BybitSpot", problems);
        OkxSwap.Validate(prefix + ":OkxSwap", problems);
        OkxSpot.Validate(prefix + ":OkxSpot", problems);
    }
}
