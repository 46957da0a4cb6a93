using Barometer.Core.Instruments;

namespace Barometer.Core.Events;

/// <summary>
/// Funding state of a perpetual. A positive rate means longs pay shorts.
/// </summary>
/// <param name="Instrument">The perpetual.</param>
/// <param name="ExchangeTime">Venue time, UTC µs.</param>
/// <param name="ReceiveTime">Receive time, UTC µs.</param>
/// <param name="Rate">Rate per funding interval as a fraction (0.0001 = 0.01%).</param>
/// <param name="IntervalHours">Funding interval in hours (8 on most contracts; 4 or 1 on some).</param>
/// <param name="NextFundingTime">Next settlement, UTC µs (0 when unknown).</param>
/// <param name="MarkPrice">Mark price (NaN when the message has none).</param>
/// <param name="IndexPrice">Index price (NaN when the message has none).</param>
public readonly record struct Funding(
    Instrument Instrument,
    long ExchangeTime,
    long ReceiveTime,
    double Rate,
    double IntervalHours,
    long NextFundingTime,
    double MarkPrice,
    double IndexPrice)
{
    /// <summary>The rate scaled to an 8-hour interval.</summary>
    public double RatePer8Hours => IntervalHours > 0 ? Rate * (8.0 / IntervalHours) : double.NaN;
}
