namespace Barometer.Core.Instruments;

/// <summary>Spot pair or perpetual swap (linear, stablecoin-margined).</summary>
public enum MarketKind : byte
{
    Spot = 0,
    Perpetual = 1,
}
