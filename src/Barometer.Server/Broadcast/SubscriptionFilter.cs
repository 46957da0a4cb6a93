using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Server.Broadcast;

/// <summary>
/// What one client wants: kinds (event kinds and "snapshot"), instruments (base assets such as BTC
/// or instrument keys such as okx-swap:BTC-USDT-SWAP), venues, and the snapshot rate. Immutable
/// once built; a subscribe replaces the client's filter as a whole. Matching is allocation-free:
/// kinds and venues are bit masks, and the instrument decision is cached per instrument in two
/// caches, one used only by the producer thread and one only by the client's sender.
/// </summary>
/// <remarks>
/// Rules (docs/schema/websocket.md): the venue filter applies to events that have a venue
/// (not to snapshots and alerts: an alert's venue is only the last one that changed it). The
/// instrument filter applies to events with an instrument (base or key listed) and to alerts
/// (asset listed, or the alert has no asset); venue-wide status and gap events (no instrument)
/// and snapshots pass it.
/// </remarks>
internal sealed class SubscriptionFilter
{
    /// <summary>Kind bit of metric snapshots (event kinds use 1 &lt;&lt; kind).</summary>
    public const int SnapshotBit = 1 << 15;

    /// <summary>Wire name of the snapshot kind.</summary>
    public const string SnapshotKindName = "snapshot";

    /// <summary>Longest snapshot_every_ms accepted (one day).</summary>
    public const int MaxSnapshotEveryMs = 86_400_000;

    /// <summary>Most entries in "instruments".</summary>
    public const int MaxInstruments = 1_000;

    private const int AllKindBits = SnapshotBit | (((1 << ((int)EventKind.Alert + 1)) - 1) & ~1);
    private const int AllVenueBits = (1 << VenueIds.Count) - 1;

    private readonly string[]? _assets;
    private readonly string[]? _keys;
    private readonly MatchCache _producerCache = new();
    private readonly MatchCache _senderCache = new();

    private SubscriptionFilter(int kinds, int venues, string[]? assets, string[]? keys, int snapshotEveryMs, string[]? instruments)
    {
        KindBits = kinds;
        VenueBits = venues;
        _assets = assets;
        _keys = keys;
        SnapshotEveryMs = snapshotEveryMs;
        Instruments = instruments;
    }

    /// <summary>Everything (a client that never subscribed).</summary>
    public static SubscriptionFilter All { get; } = new(AllKindBits, AllVenueBits, null, null, 0, null);

    /// <summary>Every kind name a subscribe accepts, in wire order.</summary>
    public static IReadOnlyList<string> KindNames { get; } = BuildKindNames();

    /// <summary>Kind bits.</summary>
    public int KindBits { get; }

    /// <summary>Venue bits (1 &lt;&lt; VenueId).</summary>
    public int VenueBits { get; }

    /// <summary>Minimum event-time distance between two snapshots sent, ms (0: every snapshot).</summary>
    public int SnapshotEveryMs { get; }

    /// <summary>The instruments entries as normalized (assets upper case, keys venue:SYMBOL), or null for all.</summary>
    public IReadOnlyList<string>? Instruments { get; }

    /// <summary>True when snapshots are wanted.</summary>
    public bool WantsSnapshots => (KindBits & SnapshotBit) != 0;

    /// <summary>True when <paramref name="kind"/> is wanted.</summary>
    public bool WantsKind(EventKind kind) => (KindBits & (1 << (int)kind)) != 0;

    /// <summary>Producer: does the event pass (kinds, venues, instruments)? Alerts: see <see cref="MatchesAlert"/>.</summary>
    public bool MatchesEvent(EventKind kind, VenueId venue, Instrument? instrument) =>
        WantsKind(kind) && (VenueBits & (1 << (int)venue)) != 0 && MatchesInstrument(instrument, _producerCache);

    /// <summary>Producer: does an alert on <paramref name="asset"/> pass?</summary>
    public bool MatchesAlert(string? asset) => WantsKind(EventKind.Alert) && MatchesAsset(asset);

    /// <summary>Sender: does a queued frame still pass (the filter may have changed after it was queued)?</summary>
    public bool MatchesFrame(BroadcastFrame frame)
    {
        if (frame.IsSnapshot)
        {
            return WantsSnapshots;
        }

        if (frame.Kind == EventKind.Alert)
        {
            return MatchesAlert(frame.Asset);
        }

        return WantsKind(frame.Kind) && (!frame.HasVenue || (VenueBits & (1 << (int)frame.Venue)) != 0)
            && MatchesInstrument(frame.Instrument, _senderCache);
    }

    /// <summary>Writes the effective filter (the fields of a "subscribed" message).</summary>
    public void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("kinds");
        foreach (string name in KindNames)
        {
            if (EventKinds.TryParse(name, out var kind) ? WantsKind(kind) : WantsSnapshots)
            {
                writer.WriteStringValue(name);
            }
        }

        writer.WriteEndArray();
        if (Instruments is null)
        {
            writer.WriteNull("instruments");
        }
        else
        {
            writer.WriteStartArray("instruments");
            foreach (string entry in Instruments)
            {
                writer.WriteStringValue(entry);
            }

            writer.WriteEndArray();
        }

        writer.WriteStartArray("venues");
        foreach (var venue in VenueIds.All)
        {
            if ((VenueBits & (1 << (int)venue)) != 0)
            {
                writer.WriteStringValue(venue.ToWireName());
            }
        }

        writer.WriteEndArray();
        writer.WriteNumber("snapshot_every_ms", SnapshotEveryMs);
    }

    /// <summary>
    /// Builds a filter from a subscribe object. False with the offending field and a message for
    /// anything not in the protocol: unknown fields, unknown kinds or venues, malformed entries.
    /// </summary>
    public static bool TryParse(JsonElement message, out SubscriptionFilter filter, out string field, out string error)
    {
        filter = All;
        int kinds = AllKindBits;
        int venues = AllVenueBits;
        int every = 0;
        List<string>? assets = null;
        List<string>? keys = null;
        List<string>? instruments = null;
        foreach (var property in message.EnumerateObject())
        {
            field = property.Name;
            switch (property.Name)
            {
                case "type":
                    break;
                case "kinds":
                    if (!TryStrings(property, out var kindNames, out error))
                    {
                        return false;
                    }

                    kinds = 0;
                    foreach (string name in kindNames)
                    {
                        if (string.Equals(name, SnapshotKindName, StringComparison.OrdinalIgnoreCase))
                        {
                            kinds |= SnapshotBit;
                        }
                        else if (EventKinds.TryParse(name, out var kind))
                        {
                            kinds |= 1 << (int)kind;
                        }
                        else
                        {
                            error = $"unknown kind '{Clip(name)}' in 'kinds' (known: {string.Join(", ", KindNames)})";
                            return false;
                        }
                    }

                    break;
                case "venues":
                    if (!TryStrings(property, out var venueNames, out error))
                    {
                        return false;
                    }

                    venues = 0;
                    foreach (string name in venueNames)
                    {
                        if (!VenueIds.TryParse(name, out var venue))
                        {
                            error = $"unknown venue '{Clip(name)}' in 'venues' (known: {string.Join(", ", WireVenues())})";
                            return false;
                        }

                        venues |= 1 << (int)venue;
                    }

                    break;
                case "instruments":
                    if (!TryStrings(property, out var entries, out error))
                    {
                        return false;
                    }

                    if (entries.Count > MaxInstruments)
                    {
                        error = $"'instruments' has {entries.Count} entries, at most {MaxInstruments} are accepted";
                        return false;
                    }

                    assets = [];
                    keys = [];
                    instruments = [];
                    foreach (string entry in entries)
                    {
                        if (!TryInstrument(entry, out string normalized, out bool isKey))
                        {
                            error = $"'{Clip(entry)}' in 'instruments' is neither a base asset (letters and digits, e.g. BTC) nor an instrument key (venue:SYMBOL, e.g. okx-swap:BTC-USDT-SWAP)";
                            return false;
                        }

                        (isKey ? keys : assets).Add(normalized);
                        instruments.Add(normalized);
                    }

                    break;
                case "snapshot_every_ms":
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out every) || every < 0 || every > MaxSnapshotEveryMs)
                    {
                        error = $"'snapshot_every_ms' must be an integer from 0 to {MaxSnapshotEveryMs} (0: every snapshot)";
                        return false;
                    }

                    break;
                default:
                    error = $"unknown field '{Clip(property.Name)}' (a subscribe has: type, kinds, instruments, venues, snapshot_every_ms)";
                    return false;
            }
        }

        field = string.Empty;
        error = string.Empty;
        filter = new SubscriptionFilter(kinds, venues, assets?.ToArray(), keys?.ToArray(), every, instruments?.ToArray());
        return true;
    }

    private bool MatchesAsset(string? asset) =>
        _assets is null || string.IsNullOrEmpty(asset) || Contains(_assets, asset);

    private bool MatchesInstrument(Instrument? instrument, MatchCache cache)
    {
        if (_assets is null || instrument is null)
        {
            return true;
        }

        if (cache.TryGet(instrument, out bool match))
        {
            return match;
        }

        match = Contains(_assets, instrument.Base) || Contains(_keys!, instrument.Key);
        cache.Set(instrument, match);
        return match;
    }

    private static bool Contains(string[] list, string value)
    {
        foreach (string item in list)
        {
            if (string.Equals(item, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryStrings(JsonProperty property, out List<string> items, out string error)
    {
        var value = property.Value;
        items = [];
        if (value.ValueKind != JsonValueKind.Array)
        {
            error = $"'{property.Name}' must be an array of strings";
            return false;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                error = $"'{property.Name}' must be an array of strings";
                return false;
            }

            items.Add(item.GetString()!);
        }

        if (items.Count == 0)
        {
            error = $"'{property.Name}' is empty; omit the field to receive everything";
            return false;
        }

        error = string.Empty;
        return true;
    }

    private static bool TryInstrument(string entry, out string normalized, out bool isKey)
    {
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            isKey = false;
            normalized = entry.ToUpperInvariant();
            return entry.Length is > 0 and <= 20 && IsAlphanumeric(entry);
        }

        isKey = true;
        string symbol = entry[(colon + 1)..];
        if (!VenueIds.TryParse(entry[..colon], out var venue) || symbol.Length is 0 or > 64)
        {
            normalized = string.Empty;
            return false;
        }

        foreach (char c in symbol)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '.'))
            {
                normalized = string.Empty;
                return false;
            }
        }

        normalized = venue.ToWireName() + ":" + symbol.ToUpperInvariant();
        return true;
    }

    private static bool IsAlphanumeric(string text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static IEnumerable<string> WireVenues()
    {
        foreach (var venue in VenueIds.All)
        {
            yield return venue.ToWireName();
        }
    }

    private static string[] BuildKindNames()
    {
        var names = new List<string>();
        for (var kind = EventKind.Trade; kind <= EventKind.Alert; kind++)
        {
            names.Add(kind.ToWireName());
        }

        names.Add(SnapshotKindName);
        return [.. names];
    }

    /// <summary>Instrument → match, indexed by the instrument's dense id; one owner thread per cache.</summary>
    private sealed class MatchCache
    {
        private Instrument?[] _seen = new Instrument?[64];
        private bool[] _match = new bool[64];

        public bool TryGet(Instrument instrument, out bool match)
        {
            int id = instrument.Id;
            if ((uint)id < (uint)_seen.Length && ReferenceEquals(_seen[id], instrument))
            {
                match = _match[id];
                return true;
            }

            match = false;
            return false;
        }

        public void Set(Instrument instrument, bool match)
        {
            int id = instrument.Id;
            if (id < 0)
            {
                return;
            }

            if (id >= _seen.Length)
            {
                int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)id + 1);
                Array.Resize(ref _seen, size);
                Array.Resize(ref _match, size);
            }

            _seen[id] = instrument;
            _match[id] = match;
        }
    }
}
