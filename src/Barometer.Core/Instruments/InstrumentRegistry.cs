namespace Barometer.Core.Instruments;

/// <summary>
/// Creates and looks up <see cref="Instrument"/>s. Registration happens at start-up (from
/// configuration and the venues' instrument lists) or on first sight of a symbol in the
/// `normalize` verb. Lookups are lock-free and allocation-free (copy-on-write maps published with
/// a volatile write), so parsers on the hot path never contend with registration. Thread-safe.
/// </summary>
public sealed class InstrumentRegistry
{
    private readonly Lock _writeGate = new();
    private volatile State _state = State.Empty;

    /// <summary>All instruments, in id order.</summary>
    public IReadOnlyList<Instrument> All => _state.ById;

    /// <summary>Number of registered instruments.</summary>
    public int Count => _state.ById.Length;

    /// <summary>Looks up by id.</summary>
    public Instrument this[int id] => _state.ById[id];

    /// <summary>
    /// Registers an instrument, or returns the existing one with the same venue and symbol
    /// (first registration wins; a later one with different metadata is ignored).
    /// </summary>
    public Instrument GetOrAdd(VenueId venue, string baseAsset, string quoteAsset, string venueSymbol,
        double contractMultiplier = 1.0, double tickSize = 1e-8)
    {
        ArgumentException.ThrowIfNullOrEmpty(venueSymbol);
        ArgumentException.ThrowIfNullOrEmpty(baseAsset);
        ArgumentException.ThrowIfNullOrEmpty(quoteAsset);
        if (!(contractMultiplier > 0) || double.IsInfinity(contractMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(contractMultiplier), contractMultiplier, "must be a positive number");
        }

        if (!(tickSize > 0) || double.IsInfinity(tickSize))
        {
            throw new ArgumentOutOfRangeException(nameof(tickSize), tickSize, "must be a positive number");
        }

        lock (_writeGate)
        {
            var state = _state;
            if (state.BySymbol[(int)venue].TryGetValue(venueSymbol, out var existing))
            {
                return existing;
            }

            var instrument = new Instrument(state.ById.Length, venue, baseAsset.ToUpperInvariant(),
                quoteAsset.ToUpperInvariant(), venueSymbol, contractMultiplier, tickSize);
            _state = state.With(instrument);
            return instrument;
        }
    }

    /// <summary>Looks up by "venue:SYMBOL" key.</summary>
    public bool TryGetByKey(string key, out Instrument instrument) => _state.ByKey.TryGetValue(key, out instrument!);

    /// <summary>Looks up by venue and symbol string.</summary>
    public bool TryGet(VenueId venue, string venueSymbol, out Instrument instrument) =>
        _state.BySymbol[(int)venue].TryGetValue(venueSymbol, out instrument!);

    /// <summary>Looks up by venue and symbol characters without allocating.</summary>
    public bool TryGet(VenueId venue, ReadOnlySpan<char> venueSymbol, out Instrument instrument) =>
        _state.BySymbolSpan[(int)venue].TryGetValue(venueSymbol, out instrument!);

    /// <summary>
    /// Looks up by venue and UTF-8 symbol bytes (as they sit in a frame) without allocating.
    /// Symbols are ASCII; longer than 64 bytes are never found.
    /// </summary>
    public bool TryGet(VenueId venue, ReadOnlySpan<byte> venueSymbolUtf8, out Instrument instrument)
    {
        if (venueSymbolUtf8.Length > 64)
        {
            instrument = null!;
            return false;
        }

        Span<char> chars = stackalloc char[64];
        for (int i = 0; i < venueSymbolUtf8.Length; i++)
        {
            chars[i] = (char)venueSymbolUtf8[i];
        }

        return TryGet(venue, chars[..venueSymbolUtf8.Length], out instrument);
    }

    /// <summary>All instruments of one base asset across venues (e.g. every BTC market).</summary>
    public IReadOnlyList<Instrument> ForBase(string baseAsset)
    {
        var result = new List<Instrument>();
        foreach (var instrument in _state.ById)
        {
            if (string.Equals(instrument.Base, baseAsset, StringComparison.OrdinalIgnoreCase))
            {
                result.Add(instrument);
            }
        }

        return result;
    }

    private sealed class State
    {
        public static readonly State Empty = new([], new Dictionary<string, Instrument>(StringComparer.Ordinal), NewSymbolMaps());

        private State(Instrument[] byId, Dictionary<string, Instrument> byKey, Dictionary<string, Instrument>[] bySymbol)
        {
            ById = byId;
            ByKey = byKey;
            BySymbol = bySymbol;
            BySymbolSpan = new Dictionary<string, Instrument>.AlternateLookup<ReadOnlySpan<char>>[bySymbol.Length];
            for (int i = 0; i < bySymbol.Length; i++)
            {
                BySymbolSpan[i] = bySymbol[i].GetAlternateLookup<ReadOnlySpan<char>>();
            }
        }

        public Instrument[] ById { get; }

        public Dictionary<string, Instrument> ByKey { get; }

        public Dictionary<string, Instrument>[] BySymbol { get; }

        public Dictionary<string, Instrument>.AlternateLookup<ReadOnlySpan<char>>[] BySymbolSpan { get; }

        public State With(Instrument instrument)
        {
            var byId = new Instrument[ById.Length + 1];
            ById.CopyTo(byId, 0);
            byId[^1] = instrument;
            var byKey = new Dictionary<string, Instrument>(ByKey, StringComparer.Ordinal) { [instrument.Key] = instrument };
            var bySymbol = new Dictionary<string, Instrument>[BySymbol.Length];
            for (int i = 0; i < BySymbol.Length; i++)
            {
                bySymbol[i] = i == (int)instrument.Venue
                    ? new Dictionary<string, Instrument>(BySymbol[i], StringComparer.Ordinal) { [instrument.VenueSymbol] = instrument }
                    : BySymbol[i];
            }

            return new State(byId, byKey, bySymbol);
        }

        private static Dictionary<string, Instrument>[] NewSymbolMaps()
        {
            var maps = new Dictionary<string, Instrument>[VenueIds.Count];
            for (int i = 0; i < maps.Length; i++)
            {
                maps[i] = new Dictionary<string, Instrument>(StringComparer.Ordinal);
            }

            return maps;
        }
    }
}
