using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>
/// A forced close of a position. Venues encode sides differently (Binance and OKX send the
/// liquidation order's side, Bybit the liquidated position's side); parsers fill both fields.
/// </summary>
/// <param name="Instrument">Where it happened.</param>
/// <param name="ExchangeTime">Venue time, UTC µs.</param>
/// <param name="ReceiveTime">Receive time, UTC µs.</param>
/// <param name="Price">Fill price (average price where the venue gives it, else order price).</param>
/// <param name="Quantity">Size in the base asset, &gt; 0.</param>
/// <param name="LiquidatedSide">Which position was liquidated: Long or Short.</param>
/// <param name="OrderSide">The liquidation order's side: Sell closes a long, Buy closes a short.</param>
/// <param name="Completeness">Whether the venue's feed is complete or sampled.</param>
public readonly record struct Liquidation(
    Instrument Instrument,
    long ExchangeTime,
    long ReceiveTime,
    double Price,
    double Quantity,
    PositionSide LiquidatedSide,
    Side OrderSide,
    FeedCompleteness Completeness)
{
    /// <summary>USD notional: price × base quantity.</summary>
    public double NotionalUsd => Instrument.UsdNotional(Price, Quantity);

    /// <summary>The order side implied by a liquidated position side.</summary>
    public static Side OrderSideFor(PositionSide liquidated) =>
        liquidated == PositionSide.Long ? Side.Sell : liquidated == PositionSide.Short ? Side.Buy : Side.Unknown;

    /// <summary>The liquidated position implied by a liquidation order side.</summary>
    public static PositionSide LiquidatedSideFor(Side orderSide) =>
        orderSide == Side.Sell ? PositionSide.Long : orderSide == Side.Buy ? PositionSide.Short : PositionSide.Unknown;
}
