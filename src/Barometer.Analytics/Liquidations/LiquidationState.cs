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

/// <summary>Running figures of an asset's cascade; reused from one cascade to the next.</summary>
internal sealed class CascadeState
{
    public bool Active;

    /// <summary>Start time at opening: the alert id is built from it, so it never changes.</summary>
    public long IdStart;
    public string? Id;
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
    public VenueId LastVenue;
    public long PublishedAt;
    public bool Grown;

    /// <summary>For a closed cascade kept for snapshots: its asset and the event time that closed it.</summary>
    public LiquidationAssetState? Asset;
    public long ClosedAt;

    /// <summary>
    /// The cascade's liquidations in the trailing window (newest − window … newest), which the score is
    /// computed from (docs/metrics.md); refreshed from the ring before every alert and snapshot.
    /// </summary>
    public int WCount;
    public long WStart;
    public double WUsd;
    public double WLongUsd;
    public double WShortUsd;
    public double WLow;
    public double WHigh;
    public int WVenueMask;

    public void CopyFrom(CascadeState other)
    {
        Active = other.Active;
        IdStart = other.IdStart;
        Id = other.Id;
        Start = other.Start;
        Last = other.Last;
        Count = other.Count;
        LongCount = other.LongCount;
        ShortCount = other.ShortCount;
        Usd = other.Usd;
        LongUsd = other.LongUsd;
        ShortUsd = other.ShortUsd;
        Low = other.Low;
        High = other.High;
        VenueMask = other.VenueMask;
        SampledMask = other.SampledMask;
        LastVenue = other.LastVenue;
        PublishedAt = other.PublishedAt;
        Grown = other.Grown;
        Asset = other.Asset;
        ClosedAt = other.ClosedAt;
        WCount = other.WCount;
        WStart = other.WStart;
        WUsd = other.WUsd;
        WLongUsd = other.WLongUsd;
        WShortUsd = other.WShortUsd;
        WLow = other.WLow;
        WHigh = other.WHigh;
        WVenueMask = other.WVenueMask;
    }

    /// <summary>Starts the trailing-window figures over (before a refresh from the ring).</summary>
    public void ResetWindow()
    {
        WCount = 0;
        WStart = long.MaxValue;
        WUsd = WLongUsd = WShortUsd = 0;
        WLow = double.PositiveInfinity;
        WHigh = double.NegativeInfinity;
        WVenueMask = 0;
    }

    /// <summary>Adds one liquidation of the trailing window.</summary>
    public void AddWindow(in LiquidationEntry e)
    {
        WCount++;
        WStart = Math.Min(WStart, e.Time);
        WUsd += e.Usd;
        if (e.Long)
        {
            WLongUsd += e.Usd;
        }
        else
        {
            WShortUsd += e.Usd;
        }

        WLow = Math.Min(WLow, e.Price);
        WHigh = Math.Max(WHigh, e.Price);
        WVenueMask |= 1 << e.Venue;
    }

    public void Open(LiquidationEntry[] entries)
    {
        Active = true;
        Id = null;
        Start = long.MaxValue;
        Last = long.MinValue;
        Count = LongCount = ShortCount = 0;
        Usd = LongUsd = ShortUsd = 0;
        Low = double.PositiveInfinity;
        High = double.NegativeInfinity;
        VenueMask = SampledMask = 0;
        Grown = false;
        for (int i = 0; i < entries.Length; i++)
        {
            Add(entries[i]);
        }

        IdStart = Start;
    }

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
