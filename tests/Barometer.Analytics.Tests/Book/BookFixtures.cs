using Barometer.Analytics.Book;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Book;

/// <summary>Builders for book events in tests (time = exchange time, UTC µs).</summary>
internal static class BookFixtures
{
    public const long Second = 1_000_000;

    public static readonly InstrumentRegistry Registry = new();

    public static readonly Instrument BinancePerp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument BybitPerp = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument BinanceSpot = Registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    public static readonly Instrument OkxEthSpot = Registry.GetOrAdd(VenueId.OkxSpot, "ETH", "USDT", "ETH-USDT", 1, 0.01);
    public static readonly Instrument EthBtc = Registry.GetOrAdd(VenueId.BinanceSpot, "ETH", "BTC", "ETHBTC", 1, 0.01);

    public static BookMetrics NewMetrics() => new(new AnalyticsOptions());

    public static BookLevel L(Instrument i, double price, double quantity) => new(i.ToTicks(price), price, quantity);

    public static MarketEvent Top(Instrument i, long time, double bid, double bidSize, double ask, double askSize) =>
        MarketEvent.From(new BookTop(i, time, time, bid, bidSize, ask, askSize, 0));

    public static MarketEvent Snapshot(Instrument i, long time, BookLevel[] bids, BookLevel[] asks, long id = 1) =>
        MarketEvent.From(new BookUpdate(i, time, time, true, id, id, -1, bids, asks));

    public static MarketEvent Delta(Instrument i, long time, BookLevel[] bids, BookLevel[] asks, long id = 2) =>
        MarketEvent.From(new BookUpdate(i, time, time, false, id, id, id - 1, bids, asks));

    public static MarketEvent Status(Instrument? i, VenueId venue, long time, ConnectionState state, string reason = "") =>
        MarketEvent.From(new ConnectionStatus(venue, i, "depth", time, state, reason));

    public static MarketEvent Gap(Instrument? i, VenueId venue, long start, long end, GapCause cause, string detail = "") =>
        MarketEvent.From(new DataGap(venue, i, "depth", start, end, cause, detail));

    /// <summary>
    /// The hand-computed fixture book (mid 100.00): bids 99.95×2, 99.5×1, 98.5×2, 97×4, 94×10;
    /// asks 100.05×1, 100.5×2, 101.5×1, 103×2, 104×1.
    /// </summary>
    public static MarketEvent FixtureSnapshot(Instrument i, long time) => Snapshot(i, time,
        [L(i, 99.95, 2), L(i, 99.5, 1), L(i, 98.5, 2), L(i, 97, 4), L(i, 94, 10)],
        [L(i, 100.05, 1), L(i, 100.5, 2), L(i, 101.5, 1), L(i, 103, 2), L(i, 104, 1)]);

    public static void Feed(this BookMetrics metrics, MarketEvent e) => metrics.OnEvent(e, EventTime.Of(e));

    public static BookMarket Market(this BookSection section, Instrument i)
    {
        foreach (var m in section.Markets)
        {
            if (m.Instrument == i.Key)
            {
                return m;
            }
        }

        throw new InvalidOperationException("no market " + i.Key);
    }
}
