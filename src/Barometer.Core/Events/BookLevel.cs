namespace Barometer.Core.Events;

/// <summary>
/// One price level. <see cref="PriceTicks"/> is the exact key (price ÷ instrument tick size);
/// <see cref="Quantity"/> is the absolute size at the level in the base asset, 0 = delete.
/// </summary>
/// <param name="PriceTicks">Price in integer ticks of the instrument.</param>
/// <param name="Price">Price as parsed.</param>
/// <param name="Quantity">Absolute base quantity at the level; 0 removes the level.</param>
public readonly record struct BookLevel(long PriceTicks, double Price, double Quantity);
