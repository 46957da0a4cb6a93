using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>
/// Open interest of a perpetual, single-sided (the number of contracts outstanding, counted once),
/// so venues compare: Bybit's two-sided `openInterest` is halved or its `singleOpenInterest` used.
/// </summary>
/// <param name="Instrument">The perpetual.</param>
/// <param name="ExchangeTime">Venue time, UTC µs.</param>
/// <param name="ReceiveTime">Receive time, UTC µs.</param>
/// <param name="Quantity">Open interest in the base asset.</param>
/// <param name="NotionalUsd">Open interest in USD (venue value where given, else quantity × mark).</param>
public readonly record struct OpenInterest(
    Instrument Instrument,
    long ExchangeTime,
    long ReceiveTime,
    double Quantity,
    double NotionalUsd);
