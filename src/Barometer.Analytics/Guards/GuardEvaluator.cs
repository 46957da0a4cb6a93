using System.Globalization;
using System.Text.Json.Serialization;
using Barometer.Analytics.Book;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Flow;
using Barometer.Core.Configuration;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Guards;

/// <summary>Overall state of one asset's guards.</summary>
public enum GuardStatus
{
    /// <summary>Every input present and within its thresholds.</summary>
    Passing,

    /// <summary>A warning threshold crossed, or an input missing or stale (named in the reasons).</summary>
    Warning,

    /// <summary>A breach threshold crossed.</summary>
    Breach,
}

/// <summary>Guards of every asset followed.</summary>
/// <param name="DataSource">"live", "simulated" or "replay".</param>
/// <param name="Assets">One entry per asset, sorted.</param>
public sealed record GuardSection(string DataSource, IReadOnlyList<AssetGuard> Assets)
{
    /// <summary>No assets yet.</summary>
    public static GuardSection Empty(string dataSource) => new(dataSource, []);
}

/// <summary>
/// Risk guards of one asset, evaluated on its reference market: the USD-quoted perpetual with the
/// most USD volume over the last 5 minutes (ties and no volume: the first by key). NaN = missing.
/// </summary>
/// <param name="Asset">Base asset.</param>
/// <param name="Instrument">The reference perpetual, or null when the asset has none.</param>
/// <param name="SpreadBps">Its top-of-book spread, bps.</param>
/// <param name="Depth10BpsBidUsd">Its L2 bid USD within 10 bps of mid.</param>
/// <param name="Depth10BpsAskUsd">Its L2 ask USD within 10 bps of mid.</param>
/// <param name="FundingApr">Its funding APR, percent.</param>
/// <param name="BasisBps">Its basis against the same venue's spot (else the cross-venue spot), bps.</param>
/// <param name="OiNotionalUsd">Open interest of the asset summed over venues, USD.</param>
/// <param name="LiqEvents5m">Liquidations of the asset in the last 5 minutes, every venue.</param>
/// <param name="LiqEventsLowerBound">True when a venue samples its liquidation feed (the count is a lower bound).</param>
/// <param name="Status">Passing, warning or breach.</param>
/// <param name="Reasons">Why it is not passing, one line each (empty when passing).</param>
/// <param name="DataSource">"live", "simulated" or "replay".</param>
public sealed record AssetGuard(
    string Asset,
    string? Instrument,
    double SpreadBps,
    [property: JsonPropertyName("depth_10bps_bid_usd")] double Depth10BpsBidUsd,
    [property: JsonPropertyName("depth_10bps_ask_usd")] double Depth10BpsAskUsd,
    double FundingApr,
    double BasisBps,
    double OiNotionalUsd,
    [property: JsonPropertyName("liq_events_5m")] long? LiqEvents5m,
    bool LiqEventsLowerBound,
    GuardStatus Status,
    IReadOnlyList<string> Reasons,
    string DataSource);

/// <summary>Liquidation count input of the guards for one asset.</summary>
/// <param name="Events5m">Liquidations in the last 5 minutes, every venue.</param>
/// <param name="LowerBound">True when a venue samples its feed.</param>
internal readonly record struct GuardLiquidations(long Events5m, bool LowerBound);

/// <summary>
/// The guards (docs/metrics.md, "Guards"): a pure function of the other snapshot sections, so they
/// agree with what the dashboards show.
/// </summary>
internal static class GuardEvaluator
{
    public static GuardSection Evaluate(
        IReadOnlyList<string> assets,
        FlowSection flow,
        BookSection books,
        DerivativesSection derivatives,
        IReadOnlyDictionary<string, GuardLiquidations> liquidations,
        GuardOptions options,
        string dataSource)
    {
        var names = new List<string>(assets);
        names.Sort(string.CompareOrdinal);
        var result = new AssetGuard[names.Count];
        for (int a = 0; a < names.Count; a++)
        {
            result[a] = EvaluateAsset(names[a], flow, books, derivatives, liquidations, options, dataSource);
        }

        return new GuardSection(dataSource, result);
    }

    private static AssetGuard EvaluateAsset(string asset, FlowSection flow, BookSection books, DerivativesSection derivatives,
        IReadOnlyDictionary<string, GuardLiquidations> liquidations, GuardOptions o, string dataSource)
    {
        var reasons = new List<string>();
        bool warning = false, breach = false;
        string? reference = Reference(asset, flow, books, derivatives);

        double spread = double.NaN, bid = double.NaN, ask = double.NaN, apr = double.NaN, basis = double.NaN;
        if (reference is null)
        {
            reasons.Add("no perpetual market of this asset has data yet");
            warning = true;
        }
        else
        {
            var market = FindMarket(books, reference);
            if (market is null || !double.IsFinite(market.Top.SpreadBps))
            {
                Missing(reasons, ref warning, "spread_bps", market?.Top.UnavailableReason ?? "no book top");
            }
            else
            {
                spread = market.Top.SpreadBps;
                if (spread > o.SpreadBpsWarning)
                {
                    reasons.Add(F($"spread_bps {spread:0.##} > {o.SpreadBpsWarning:0.##} (warning)"));
                    warning = true;
                }
            }

            var band = market is null ? null : Band10Bps(market.Depth);
            if (band is null || !double.IsFinite(band.BidUsd) || !double.IsFinite(band.AskUsd))
            {
                Missing(reasons, ref warning, "depth_10bps", band?.UnavailableReason ?? market?.Depth.UnavailableReason ?? "no L2 book");
            }
            else
            {
                bid = band.BidUsd;
                ask = band.AskUsd;
                if (bid < o.Depth10BpsWarningUsd)
                {
                    reasons.Add(F($"depth_10bps bid ${bid:N0} < ${o.Depth10BpsWarningUsd:N0} (warning)"));
                    warning = true;
                }

                if (ask < o.Depth10BpsWarningUsd)
                {
                    reasons.Add(F($"depth_10bps ask ${ask:N0} < ${o.Depth10BpsWarningUsd:N0} (warning)"));
                    warning = true;
                }
            }

            var funding = FindFunding(derivatives, reference);
            if (funding is null || !double.IsFinite(funding.AprPercent))
            {
                Missing(reasons, ref warning, "funding_apr", funding?.UnavailableReason ?? "no funding update");
            }
            else
            {
                apr = funding.AprPercent;
                if (Math.Abs(apr) > o.FundingAprWarning)
                {
                    reasons.Add(F($"funding_apr {apr:0.#}% beyond ±{o.FundingAprWarning:0.#}% (warning)"));
                    warning = true;
                }
            }

            var basisRow = FindBasis(derivatives, reference);
            if (basisRow is null || !double.IsFinite(basisRow.BasisBps))
            {
                Missing(reasons, ref warning, "basis_bps", basisRow?.UnavailableReason ?? "no spot market to compare with");
            }
            else
            {
                basis = basisRow.BasisBps;
                if (Math.Abs(basis) > o.BasisBpsWarning)
                {
                    reasons.Add(F($"basis_bps {basis:0.#} beyond ±{o.BasisBpsWarning:0.#} (warning)"));
                    warning = true;
                }
            }
        }

        double oi = double.NaN;
        OpenInterestTotal? total = null;
        foreach (var t in derivatives.OpenInterestTotals)
        {
            if (t.Asset == asset)
            {
                total = t;
                break;
            }
        }

        if (total is null || !double.IsFinite(total.Usd))
        {
            Missing(reasons, ref warning, "oi_notional", total?.UnavailableReason ?? "no open interest update");
        }
        else
        {
            oi = total.Usd;
        }

        long? liq = null;
        bool lowerBound = false;
        if (liquidations.TryGetValue(asset, out var l))
        {
            liq = l.Events5m;
            lowerBound = l.LowerBound;
            if (l.Events5m > o.LiquidationEvents5mBreach)
            {
                reasons.Add(F($"liq_events_5m {(lowerBound ? "≥ " : "")}{l.Events5m} > {o.LiquidationEvents5mBreach} (breach)"));
                breach = true;
            }
        }
        else
        {
            Missing(reasons, ref warning, "liq_events_5m", "no liquidation metrics for this asset");
        }

        var status = breach ? GuardStatus.Breach : warning ? GuardStatus.Warning : GuardStatus.Passing;
        return new AssetGuard(asset, reference, spread, bid, ask, apr, basis, oi, liq, lowerBound, status, reasons, dataSource);
    }

    private static void Missing(List<string> reasons, ref bool warning, string input, string why)
    {
        reasons.Add($"{input} unavailable: {why} (warning)");
        warning = true;
    }

    /// <summary>The asset's USD-quoted perpetual with the most 5m USD volume; without volume, the first perpetual by key seen in books or funding.</summary>
    private static string? Reference(string asset, FlowSection flow, BookSection books, DerivativesSection derivatives)
    {
        string? best = null;
        double bestVolume = 0;
        foreach (var f in flow.Instruments)
        {
            if (f.Asset != asset || f.Market != MarketKind.Perpetual || !(f.FiveMinutes.TotalUsd > bestVolume))
            {
                continue;
            }

            best = f.Instrument;
            bestVolume = f.FiveMinutes.TotalUsd;
        }

        if (best is not null)
        {
            return best;
        }

        foreach (var m in books.Markets)
        {
            if (m.Asset == asset && m.Kind == MarketKind.Perpetual && (best is null || string.CompareOrdinal(m.Instrument, best) < 0))
            {
                best = m.Instrument;
            }
        }

        foreach (var r in derivatives.Funding)
        {
            if (best is null && r.Asset == asset)
            {
                best = r.Instrument;
            }
        }

        return best;
    }

    private static BookMarket? FindMarket(BookSection books, string instrument)
    {
        foreach (var m in books.Markets)
        {
            if (m.Instrument == instrument)
            {
                return m;
            }
        }

        return null;
    }

    private static BookDepthBand? Band10Bps(BookDepthView depth)
    {
        foreach (var b in depth.Bands)
        {
            if (Math.Abs(b.BandPct - 0.1) < 1e-9)
            {
                return b;
            }
        }

        return null;
    }

    private static FundingRow? FindFunding(DerivativesSection derivatives, string instrument)
    {
        foreach (var r in derivatives.Funding)
        {
            if (r.Instrument == instrument)
            {
                return r;
            }
        }

        return null;
    }

    private static BasisRow? FindBasis(DerivativesSection derivatives, string instrument)
    {
        BasisRow? cross = null;
        foreach (var r in derivatives.Basis)
        {
            if (r.Instrument != instrument)
            {
                continue;
            }

            if (r.Reference == BasisReference.SameVenueSpot && double.IsFinite(r.BasisBps))
            {
                return r;
            }

            if (cross is null || (!double.IsFinite(cross.BasisBps) && double.IsFinite(r.BasisBps)))
            {
                cross = r;
            }
        }

        return cross;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
