using Barometer.Core.Instruments;

namespace Barometer.Venues.Okx;

/// <summary>
/// Contract metadata of OKX instruments by instId, from a saved GET /api/v5/public/instruments
/// response or from the bundled snapshot (okx-instruments-bundled.json, embedded; its sources are
/// in docs/venues/okx.md "Bundled instruments"). Swap sizes are contracts, so an OKX swap can only
/// be normalized when its ctVal and ctMult are known here or in the registry.
/// </summary>
public sealed class OkxInstruments
{
    /// <summary>
    /// Tick used when an instrument's tickSz is unknown: fine enough for 9-decimal BTC-quoted spot
    /// prices (FUN-BTC "0.000000454") so book levels never share a key, while prices up to ~9×10⁸
    /// still fit a 64-bit tick count.
    /// </summary>
    public const double DefaultTickSize = 1e-10;

    private const string BundledResource = "Barometer.Venues.Okx.okx-instruments-bundled.json";

    private readonly Dictionary<string, OkxInstrumentInfo> _byId;
    private readonly Dictionary<string, OkxInstrumentInfo>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    /// <summary>Creates the table from parsed instruments (later duplicates win).</summary>
    public OkxInstruments(IEnumerable<OkxInstrumentInfo> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        _byId = new Dictionary<string, OkxInstrumentInfo>(StringComparer.Ordinal);
        foreach (var i in instruments)
        {
            _byId[i.InstId] = i;
        }

        _bySpan = _byId.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of instruments.</summary>
    public int Count => _byId.Count;

    /// <summary>An empty table (every swap is then "contract value unknown" unless registered).</summary>
    public static OkxInstruments Empty { get; } = new([]);

    /// <summary>The bundled snapshot (only instruments whose contract value is confirmed from an OKX source).</summary>
    public static OkxInstruments Bundled { get; } = LoadBundled();

    /// <summary>Parses a saved instruments response; throws <see cref="InvalidDataException"/> when it cannot.</summary>
    public static OkxInstruments FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] body;
        try
        {
            body = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"cannot read '{path}': {ex.Message}", ex);
        }

        if (!OkxRest.TryParseInstruments(body, out var list))
        {
            throw new InvalidDataException($"'{path}' is not an OKX /api/v5/public/instruments response");
        }

        return new OkxInstruments(list);
    }

    /// <summary>Looks an instrument up by instId.</summary>
    public bool TryGet(string instId, out OkxInstrumentInfo info) => _byId.TryGetValue(instId, out info!);

    /// <summary>Looks an instrument up by instId characters.</summary>
    public bool TryGet(ReadOnlySpan<char> instId, out OkxInstrumentInfo info) => _bySpan.TryGetValue(instId, out info!);

    /// <summary>
    /// Registers <paramref name="info"/> on <paramref name="venue"/> with ContractMultiplier =
    /// base per contract (ctVal × ctMult; 1 for spot) and its tick size. Returns false, registering
    /// nothing, when the base quantity per unit is unknown (inverse or missing ctVal) or the
    /// instrument type does not belong to the venue. This is how the connector must register OKX
    /// swaps: a swap registered with the default multiplier 1 would be read as 1 base unit per contract.
    /// </summary>
    public static bool TryRegister(InstrumentRegistry registry, VenueId venue, OkxInstrumentInfo info, out Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(info);
        instrument = null!;
        bool typeMatches = venue == VenueId.OkxSwap ? info.InstType == "SWAP" : venue == VenueId.OkxSpot && info.InstType == "SPOT";
        double perUnit = info.BasePerUnit;
        if (!typeMatches || !(perUnit > 0) || info.BaseCcy.Length == 0 || info.QuoteCcy.Length == 0)
        {
            return false;
        }

        instrument = registry.GetOrAdd(venue, info.BaseCcy, info.QuoteCcy, info.InstId, perUnit, info.TickSize > 0 ? info.TickSize : DefaultTickSize);
        return true;
    }

    private static OkxInstruments LoadBundled()
    {
        using var stream = typeof(OkxInstruments).Assembly.GetManifestResourceStream(BundledResource)
            ?? throw new InvalidOperationException("bundled OKX instruments resource missing");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        if (!OkxRest.TryParseInstruments(memory.ToArray(), out var list))
        {
            throw new InvalidOperationException("bundled OKX instruments resource is not an instruments response");
        }

        return new OkxInstruments(list);
    }
}
