using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>
/// One trade print, as the venue reports it (Binance aggTrade and OKX `trades` may aggregate fills
/// of one taker order at one price).
/// </summary>
/// <param name="Instrument">Where it traded.</param>
/// <param name="ExchangeTime">Venue trade time, UTC µs.</param>
/// <param name="ReceiveTime">When our process received the frame, UTC µs.</param>
/// <param name="Price">Trade price in quote currency.</param>
/// <param name="Quantity">Size in the base asset (contracts already multiplied out), always &gt; 0.</param>
/// <param name="AggressorSide">The taker's side: Buy = buyer lifted the offer. Binance m:true ⇒ Sell;
/// Bybit S and OKX side are the taker side directly.</param>
/// <param name="Id">The venue's trade id.</param>
public readonly record struct Trade(
    Instrument Instrument,
    long ExchangeTime,
    long ReceiveTime,
    double Price,
    double Quantity,
    Side AggressorSide,
    TradeId Id)
{
    /// <summary>USD notional: price × base quantity (NaN when the quote is not a USD stablecoin).</summary>
    public double NotionalUsd => Instrument.UsdNotional(Price, Quantity);
}
