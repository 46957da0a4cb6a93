using System.Globalization;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Liquidations;

/// <summary>Small helpers shared by the family and its snapshot: venue masks, sides, USD text.</summary>
internal static class LiquidationText
{
    private static readonly IReadOnlyList<string>[] NamesByMask = BuildNames();

    /// <summary>Wire names of the venues whose bit is set, in venue order (cached per mask: no allocation).</summary>
    public static IReadOnlyList<string> VenueNames(int mask) => NamesByMask[mask & ((1 << VenueIds.Count) - 1)];

    public static int ExchangeCount(int mask)
    {
        int exchanges = 0;
        for (int v = 0; v < VenueIds.Count; v++)
        {
            if ((mask & (1 << v)) != 0)
            {
                exchanges |= 1 << (int)((VenueId)v).ExchangeOf();
            }
        }

        return System.Numerics.BitOperations.PopCount((uint)exchanges);
    }

    public static CascadeSide SideOf(double longUsd, double shortUsd) =>
        longUsd > shortUsd ? CascadeSide.Long : shortUsd > longUsd ? CascadeSide.Short : CascadeSide.Mixed;

    public static string SideWord(CascadeSide side) => side switch
    {
        CascadeSide.Long => "longs liquidated",
        CascadeSide.Short => "shorts liquidated",
        _ => "longs and shorts liquidated",
    };

    /// <summary>Compact USD for messages: $850, $42.5K, $1.17M, $2.3B.</summary>
    public static string Usd(double usd) => usd switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"${usd / 1e9:0.##}B"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"${usd / 1e6:0.##}M"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"${usd / 1e3:0.#}K"),
        _ => string.Create(CultureInfo.InvariantCulture, $"${usd:0}"),
    };

    private static IReadOnlyList<string>[] BuildNames()
    {
        var names = new IReadOnlyList<string>[1 << VenueIds.Count];
        for (int mask = 0; mask < names.Length; mask++)
        {
            var list = new List<string>();
            for (int v = 0; v < VenueIds.Count; v++)
            {
                if ((mask & (1 << v)) != 0)
                {
                    list.Add(((VenueId)v).ToWireName());
                }
            }

            names[mask] = list.AsReadOnly();
        }

        return names;
    }
}
