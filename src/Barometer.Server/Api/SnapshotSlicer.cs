using Barometer.Analytics.Book;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Snapshots;

namespace Barometer.Server.Api;

/// <summary>
/// The slices of a snapshot that concern one asset or one instrument. For an asset: every row of
/// that asset. For an instrument: its own rows in the per-instrument lists (flow instruments,
/// funding, open interest, book markets; basis and margin-basis rows that use it) plus its
/// asset's rows in the per-asset lists (flow assets, funding differentials, open-interest totals,
/// price spreads, book asset depth), which put the instrument in context. The same rule holds for
/// tape (instruments, whales / assets), liquidations (instruments / assets, cascades), regime,
/// correlation (the asset's pairs with any other asset, its cross-venue row) and guards (per
/// asset); section-wide settings and counters are kept as they are.
/// </summary>
internal static class SnapshotSlicer
{
    public static MetricsSnapshot Slice(MetricsSnapshot snapshot, string asset, string? instrument)
    {
        var flow = snapshot.Flow;
        var tape = snapshot.Tape;
        var d = snapshot.Derivatives;
        var books = snapshot.Books;
        var liquidations = snapshot.Liquidations;
        var correlation = snapshot.Correlation;
        return snapshot with
        {
            Flow = new FlowSection(
                Where(flow.Instruments, f => instrument is null ? f.Asset == asset : f.Instrument == instrument),
                Where(flow.Assets, a => a.Asset == asset)),
            Derivatives = new DerivativesSection(
                Where(d.Funding, f => instrument is null ? f.Asset == asset : f.Instrument == instrument),
                Where(d.FundingDifferentials, f => f.Asset == asset),
                Where(d.Basis, b => instrument is null ? b.Asset == asset : b.Instrument == instrument || Contains(b.SpotInstruments, instrument)),
                Where(d.MarginBasis, m => instrument is null ? m.Asset == asset : m.UsdtInstrument == instrument || m.UsdcInstrument == instrument),
                Where(d.OpenInterest, o => instrument is null ? o.Asset == asset : o.Instrument == instrument),
                Where(d.OpenInterestTotals, o => o.Asset == asset),
                Where(d.PriceSpreads, p => p.Asset == asset)),
            Books = new BookSection(
                Where(books.Markets, m => instrument is null ? m.Asset == asset : m.Instrument == instrument),
                Where(books.Assets, a => a.Asset == asset)),
            Tape = tape with
            {
                Instruments = Where(tape.Instruments, t => instrument is null ? t.Asset == asset : t.Instrument == instrument),
                Assets = Where(tape.Assets, a => a.Asset == asset),
                RecentWhales = Where(tape.RecentWhales, w => instrument is null ? w.Asset == asset : w.Instrument == instrument),
            },
            Liquidations = liquidations with
            {
                Instruments = Where(liquidations.Instruments, l => instrument is null ? l.Asset == asset : l.Instrument == instrument),
                Assets = Where(liquidations.Assets, a => a.Asset == asset),
                ActiveCascades = Where(liquidations.ActiveCascades, c => c.Asset == asset),
                RecentCascades = Where(liquidations.RecentCascades, c => c.Asset == asset),
            },
            Regime = snapshot.Regime with { Assets = Where(snapshot.Regime.Assets, r => r.Asset == asset) },
            Correlation = correlation with
            {
                Assets = Where(correlation.Assets, a => a.Asset == asset),
                Pairs = Where(correlation.Pairs, p => p.First == asset || p.Second == asset),
                CrossVenue = Where(correlation.CrossVenue, c => c.Asset == asset),
            },
            Guards = snapshot.Guards with { Assets = Where(snapshot.Guards.Assets, g => g.Asset == asset) },
        };
    }

    private static List<T> Where<T>(IReadOnlyList<T> rows, Func<T, bool> keep)
    {
        var kept = new List<T>();
        foreach (var row in rows)
        {
            if (keep(row))
            {
                kept.Add(row);
            }
        }

        return kept;
    }

    private static bool Contains(IReadOnlyList<string> keys, string key)
    {
        foreach (string k in keys)
        {
            if (string.Equals(k, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
