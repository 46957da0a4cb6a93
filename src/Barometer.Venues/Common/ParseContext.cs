using Barometer.Core.Instruments;

namespace Barometer.Venues.Common;

/// <summary>
/// What a pure parser needs besides the frame bytes: the venue, the registry that resolves (and,
/// in the `normalize` verb, registers) instruments from their symbol bytes, and the receive time.
/// Parsers never read a clock and never log; they return false for a frame they cannot use.
/// </summary>
/// <param name="Venue">The venue whose frame this is.</param>
/// <param name="Registry">Instrument lookup by venue symbol.</param>
/// <param name="ReceiveTime">When the frame was received, UTC µs.</param>
/// <param name="RegisterUnknownSymbols">True in `normalize` and replay: a symbol not yet known is
/// registered on first sight (with metadata from the venue's instruments where needed); false on the
/// live path, where only configured instruments are subscribed.</param>
public readonly record struct ParseContext(VenueId Venue, InstrumentRegistry Registry, long ReceiveTime, bool RegisterUnknownSymbols = false);
