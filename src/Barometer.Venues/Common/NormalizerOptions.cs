namespace Barometer.Venues.Common;

/// <summary>Inputs a normalizer may need beyond the frames.</summary>
public sealed record NormalizerOptions
{
    /// <summary>
    /// A saved copy of the venue's instruments response (OKX /api/v5/public/instruments) for
    /// contract-value conversion; null uses the bundled snapshot.
    /// </summary>
    public string? InstrumentsFile { get; init; }
}
