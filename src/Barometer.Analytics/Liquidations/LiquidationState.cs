using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Liquidations;

/// <summary>One accepted liquidation as the ring keeps it (40 bytes).</summary>
internal struct LiquidationEntry
{
    public long Time;
    public double Price;
    public double Usd;
    public int Instrument;
    public int Asset;
    public byte Venue;
    public bool Long;
    public bool Sampled;
}

/// <summary>Per-instrument state; allocated on the instrument's first trade or liquidation.</summary>
internal sealed class LiquidationInstrumentState(Instrument instrument, int index, LiquidationAssetState? asset)
{
    public Instrument Instrument { get; } = instrument;

    /// <summary>Index in the family's instrument list (the ring refers to it).</summary>
    public int Index { get; } = index;

    /// <summary>The asset it aggregates into, or null when the quote is not a USD stablecoin.</summary>
    public LiquidationAssetState? Asset { get; } = asset;

    public bool HasLiquidations;
    public long LastTime = long.MinValue;
    public FeedCompleteness Feed;
}

/// <summary>Per-asset state: last trade price, the last N liquidations (cascade opening) and the cascade.</summary>
internal sealed class LiquidationAssetState
{
    public LiquidationAssetState(string name, int index, int minCount)
    {
        Name = name;
        Index = index;
        Recent = new LiquidationEntry[minCount];
    }

    public string Name { get; }

    public int Index { get; }

    public double Price = double.NaN;
    public long PriceTime = long.MinValue;
    public Instrument? PriceInstrument;

    public long LastLiquidationTime = long.MinValue;
    public double LastLiquidationPrice = double.NaN;

    /// <summary>The last N liquidations while no cascade is active (N = the cascade minimum count).</summary>
    public readonly LiquidationEntry[] Recent;
    public int RecentNext;
    public int RecentCount;

    public readonly CascadeState Cascade = new();
}

/// <summary>Counts, USD, price range and venues of a set of liquidations (a cascade's totals or its trailing window).</summary>
internal struct CascadeTally
{
    public long Start;
    public long Last;
    public int Count;
    public int LongCount;
    public int ShortCount;
    public double Usd;
    public double LongUsd;
    public double ShortUsd;
    public double Low;
    public double High;
    public int VenueMask;
    public int SampledMask;

    /// <summary>An empty tally.</summary>
    public static CascadeTally Empty => new()
    {
        Start = long.MaxValue,
        Last = long.MinValue,
        Low = double.PositiveInfinity,
        High = double.NegativeInfinity,
    };

    public void Add(in LiquidationEntry e)
    {
        Start = Math.Min(Start, e.Time);
        Last = Math.Max(Last, e.Time);
        Count++;
        Usd += e.Usd;
        if (e.Long)
        {
            LongCount++;
            LongUsd += e.Usd;
        }
        else
        {
            ShortCount++;
            ShortUsd += e.Usd;
        }

        Low = Math.Min(Low, e.Price);
        High = Math.Max(High, e.Price);
        VenueMask |= 1 << e.Venue;
        if (e.Sampled)
        {
            SampledMask |= 1 << e.Venue;
        }
    }
}

/// <summary>Running figures of an asset's cascade; reused from one cascade to the next.</summary>
internal sealed class CascadeState
{
    public bool Active;

    /// <summary>Start time at opening: the alert id is built from it, so it never changes.</summary>
    public long IdStart;
    public string? Id;

    /// <summary>Every liquidation of the cascade.</summary>
    public CascadeTally Total = CascadeTally.Empty;

    /// <summary>
    /// The cascade's liquidations in the trailing window (newest − window … newest), which the score is
    /// computed from (docs/metrics.md); refreshed from the ring before every alert and snapshot.
    /// </summary>
    public CascadeTally Window = CascadeTally.Empty;

    public VenueId LastVenue;
    public long PublishedAt;
    public bool Grown;

    /// <summary>For a closed cascade kept for snapshots: its asset and the event time that closed it.</summary>
    public LiquidationAssetState? Asset;
    public long ClosedAt;

    public long Start => Total.Start;

    public long Last => Total.Last;

    public int Count => Total.Count;

    public int LongCount => Total.LongCount;

    public int ShortCount => Total.ShortCount;

    public double Usd => Total.Usd;

    public double LongUsd => Total.LongUsd;

    public double ShortUsd => Total.ShortUsd;

    public double Low => Total.Low;

    public double High => Total.High;

    public int VenueMask => Total.VenueMask;

    public int SampledMask => Total.SampledMask;

    public void CopyFrom(CascadeState other)
    {
        Active = other.Active;
        IdStart = other.IdStart;
        Id = other.Id;
        Total = other.Total;
        Window = other.Window;
        LastVenue = other.LastVenue;
        PublishedAt = other.PublishedAt;
        Grown = other.Grown;
        Asset = other.Asset;
        ClosedAt = other.ClosedAt;
    }

    public void Open(LiquidationEntry[] entries)
    {
        Active = true;
        Id = null;
        Total = CascadeTally.Empty;
        Grown = false;
        for (int i = 0; i < entries.Length; i++)
        {
            Total.Add(entries[i]);
        }

        IdStart = Total.Start;
    }

    public void Add(in LiquidationEntry e) => Total.Add(e);
}

/// <summary>Sums of ring entries over one window (snapshot time only).</summary>
internal struct LiquidationWindowSums
{
    public long Count;
    public long LongCount;
    public long ShortCount;
    public double LongUsd;
    public double ShortUsd;
    public long InstitutionalCount;
    public double InstitutionalUsd;
    public long LargeCount;
    public double LargeUsd;
    public long SmallCount;
    public double SmallUsd;
    public int SampledMask;

    public readonly double TotalUsd => LongUsd + ShortUsd;

    public void Add(in LiquidationEntry e, double large, double institutional)
    {
        Count++;
        if (e.Long)
        {
            LongCount++;
            LongUsd += e.Usd;
        }
        else
        {
            ShortCount++;
            ShortUsd += e.Usd;
        }

        if (e.Usd >= institutional)
        {
            InstitutionalCount++;
            InstitutionalUsd += e.Usd;
        }
        else if (e.Usd >= large)
        {
            LargeCount++;
            LargeUsd += e.Usd;
        }
        else if (!double.IsNaN(e.Usd))
        {
            SmallCount++;
            SmallUsd += e.Usd;
        }

        if (e.Sampled)
        {
            SampledMask |= 1 << e.Venue;
        }
    }
}

/// <summary>One cluster bucket being summed (snapshot time only).</summary>
internal sealed class BucketSums
{
    public long Count;
    public long LongCount;
    public long ShortCount;
    public double LongUsd;
    public double ShortUsd;
    public long Last = long.MinValue;
    public int SampledMask;

    public double Usd => LongUsd + ShortUsd;
}
