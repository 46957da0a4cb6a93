using System.Globalization;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Derivatives;

/// <summary>
/// Funding, basis, open interest and cross-venue price spread from Funding, OpenInterest, BookTop
/// and Trade events (definitions: docs/metrics/derivatives.md). Per-market state is created on
/// first sight of an instrument and indexed by <see cref="Instrument.Id"/>; every ring is fixed
/// size, so memory is bounded and <see cref="OnEvent"/> allocates nothing once a market is known.
/// </summary>
internal sealed class DerivativesMetrics : IMetricFamily<DerivativesSection>
{
    internal const long Second = 1_000_000;
    internal const long Minute = 60 * Second;
    internal const long Hour = 60 * Minute;

    /// <summary>A book top (or last trade) older than this is stale.</summary>
    internal const long QuoteStaleAfter = 10 * Second;
    internal const double ExtremeRate8h = 0.0004;
    internal const double FundingArbitrage8h = 0.0001;
    internal const double FundingFlatBand = 0.000005;
    internal const double SteepPercent = 0.5;
    internal const double BasisArbitragePercent = 0.03;
    internal const double BasisTrendBandBps = 1.0;

    private MarketState?[] _byId = new MarketState?[16];
    private MarketState[] _states = new MarketState[16];
    private int _count;

    public DerivativesMetrics(AnalyticsOptions options) => _ = options;

    /// <summary>
    /// Bad input skipped (not applied to any state): a book top with a non-finite or non-positive
    /// price, bid above ask or a negative size; a trade with a non-finite or non-positive price or
    /// quantity or no buy/sell side; funding with a non-finite rate; open interest with a negative or
    /// non-finite quantity or a negative or infinite USD value.
    /// </summary>
    internal long Rejected { get; private set; }

    /// <summary>Funding older than this is stale: binance-futures streams every 1 s, bybit-linear publishes on change, okx-swap every 30–90 s.</summary>
    internal static long FundingStaleAfter(VenueId venue) => venue switch
    {
        VenueId.BinanceFutures => 1 * Minute,
        VenueId.BybitLinear => 3 * Minute,
        _ => 10 * Minute,
    };

    /// <summary>Open interest older than this is stale: binance-futures polls every 10 s, bybit-linear on change, okx-swap every 3 s on change.</summary>
    internal static long OpenInterestStaleAfter(VenueId venue) => venue switch
    {
        VenueId.BinanceFutures => 1 * Minute,
        VenueId.BybitLinear => 5 * Minute,
        _ => 10 * Minute,
    };

    public void OnEvent(in MarketEvent e, long time)
    {
        switch (e.Kind)
        {
            case EventKind.BookTop:
                {
                    var top = e.AsBookTop();
                    if (!ValidTop(top))
                    {
                        Rejected++;
                        break;
                    }

                    var s = State(e.Instrument!);
                    if (time >= s.MidTime)
                    {
                        s.Mid = top.Mid;
                        s.MidTime = time;
                        if (s.Kind == MarketKind.Perpetual)
                        {
                            SampleBasis(s, time);
                        }
                    }

                    break;
                }

            case EventKind.Trade:
                {
                    var trade = e.AsTrade();
                    if (!ValidTrade(trade))
                    {
                        Rejected++;
                        break;
                    }

                    var s = State(e.Instrument!);
                    if (time >= s.LastTradeTime)
                    {
                        s.LastTradePrice = trade.Price;
                        s.LastTradeTime = time;
                    }

                    double usd = trade.NotionalUsd;
                    if (double.IsFinite(usd) && usd > 0)
                    {
                        s.Volume.Add(time, usd);
                        if (s.FirstTradeTime == 0 || time < s.FirstTradeTime)
                        {
                            s.FirstTradeTime = time;
                        }
                    }

                    break;
                }

            case EventKind.Funding:
                {
                    var s = State(e.Instrument!);
                    if (s.Kind != MarketKind.Perpetual)
                    {
                        break;
                    }

                    var f = e.AsFunding();
                    double rate8h = f.RatePer8Hours;
                    if (!double.IsFinite(f.Rate))
                    {
                        Rejected++;
                        break;
                    }

                    if (f.NextFundingTime > 0 && time >= s.FundingTime)
                    {
                        s.HasLiveFunding = true;
                        s.FundingTime = time;
                        s.Rate = f.Rate;
                        s.IntervalHours = f.IntervalHours;
                        s.Rate8h = rate8h;
                        s.NextFundingTime = f.NextFundingTime;
                        s.MarkPrice = f.MarkPrice;
                        s.IndexPrice = f.IndexPrice;
                    }

                    if (double.IsFinite(rate8h) && time >= s.ObsTime)
                    {
                        if (!s.HasObs)
                        {
                            s.HasObs = true;
                            s.ObsValue = rate8h;
                            s.ObsSince = time;
                        }
                        else if (rate8h != s.ObsValue)
                        {
                            s.HasPrevObs = true;
                            s.PrevObsValue = s.ObsValue;
                            s.ObsValue = rate8h;
                            s.ObsSince = time;
                        }

                        s.ObsTime = time;
                        s.FundingSamples.Add(time, rate8h);
                    }

                    break;
                }

            case EventKind.OpenInterest:
                {
                    var oi = e.AsOpenInterest();
                    if (!double.IsFinite(oi.Quantity) || oi.Quantity < 0 || double.IsInfinity(oi.NotionalUsd) || oi.NotionalUsd < 0)
                    {
                        Rejected++;
                        break;
                    }

                    var s = State(e.Instrument!);
                    if (s.Kind != MarketKind.Perpetual || time < s.OiTime)
                    {
                        break;
                    }

                    s.HasOi = true;
                    s.OiTime = time;
                    s.OiQuantity = oi.Quantity;
                    s.OiUsd = oi.NotionalUsd;
                    s.OiSamples.Add(time, oi.Quantity);
                    break;
                }
        }
    }

    /// <summary>Finite positive prices, bid ≤ ask, finite non-negative sizes.</summary>
    private static bool ValidTop(in BookTop top) =>
        top.BidPrice > 0 && double.IsFinite(top.AskPrice) && top.AskPrice >= top.BidPrice
        && top.BidSize >= 0 && top.AskSize >= 0 && double.IsFinite(top.BidSize) && double.IsFinite(top.AskSize);

    /// <summary>Finite positive price and quantity, a buy or sell aggressor (the flow family's rule).</summary>
    private static bool ValidTrade(in Trade trade) =>
        trade.Price > 0 && double.IsFinite(trade.Price) && trade.Quantity > 0 && double.IsFinite(trade.Quantity)
        && trade.AggressorSide is (Side.Buy or Side.Sell);

    private static void SampleBasis(MarketState perp, long time)
    {
        var same = perp.SameVenueSpot;
        if (same is not null && time - same.MidTime <= QuoteStaleAfter && same.MidTime > 0)
        {
            perp.BasisSamples.Add(time, (perp.Mid / same.Mid - 1) * 1e4);
        }

        double sum = 0;
        int n = 0;
        for (int i = 0; i < perp.CrossSpotCount; i++)
        {
            var spot = perp.CrossSpots[i];
            if (spot.MidTime > 0 && time - spot.MidTime <= QuoteStaleAfter)
            {
                sum += spot.Mid;
                n++;
            }
        }

        if (n > 0)
        {
            perp.CrossBasisSamples.Add(time, (perp.Mid / (sum / n) - 1) * 1e4);
        }
    }

    private MarketState State(Instrument instrument)
    {
        int id = instrument.Id;
        if (id < _byId.Length && _byId[id] is { } known && ReferenceEquals(known.Instrument, instrument))
        {
            return known;
        }

        return Register(instrument);
    }

    private MarketState Register(Instrument instrument)
    {
        int id = instrument.Id;
        if (id >= _byId.Length)
        {
            Array.Resize(ref _byId, Math.Max(id + 1, _byId.Length * 2));
        }

        var s = new MarketState(instrument);
        _byId[id] = s;
        for (int i = 0; i < _count; i++)
        {
            Link(s, _states[i]);
            Link(_states[i], s);
        }

        if (_count == _states.Length)
        {
            Array.Resize(ref _states, _states.Length * 2);
        }

        _states[_count++] = s;
        return s;
    }

    private static void Link(MarketState perp, MarketState other)
    {
        if (perp.Kind != MarketKind.Perpetual || !string.Equals(perp.Instrument.Base, other.Instrument.Base, StringComparison.Ordinal))
        {
            return;
        }

        bool sameExchange = perp.Instrument.Venue.ExchangeOf() == other.Instrument.Venue.ExchangeOf();
        bool sameQuote = string.Equals(perp.Instrument.Quote, other.Instrument.Quote, StringComparison.Ordinal);
        if (other.Kind == MarketKind.Spot && sameQuote)
        {
            if (sameExchange && perp.SameVenueSpot is null)
            {
                perp.SameVenueSpot = other;
            }

            if (perp.CrossSpotCount == perp.CrossSpots.Length)
            {
                Array.Resize(ref perp.CrossSpots, perp.CrossSpots.Length * 2);
            }

            perp.CrossSpots[perp.CrossSpotCount++] = other;
        }
        else if (other.Kind == MarketKind.Perpetual && other.Instrument.Venue == perp.Instrument.Venue
                 && perp.Instrument.Quote == "USDT" && other.Instrument.Quote == "USDC" && perp.UsdcTwin is null)
        {
            perp.UsdcTwin = other;
        }
    }

    public DerivativesSection Snapshot(long now)
    {
        if (_count == 0)
        {
            return DerivativesSection.Empty;
        }

        var sorted = new MarketState[_count];
        Array.Copy(_states, sorted, _count);
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Instrument.Key, b.Instrument.Key));
        var assets = new List<string>();
        foreach (var s in sorted)
        {
            if (!assets.Contains(s.Instrument.Base))
            {
                assets.Add(s.Instrument.Base);
            }
        }

        assets.Sort(StringComparer.Ordinal);

        var funding = new List<FundingRow>();
        var basis = new List<BasisRow>();
        var margin = new List<MarginBasisRow>();
        var oiRows = new List<OpenInterestRow>();
        foreach (var s in sorted)
        {
            if (s.Kind != MarketKind.Perpetual)
            {
                continue;
            }

            if (s.HasObs || s.HasLiveFunding)
            {
                funding.Add(FundingRowOf(s, now));
            }

            if (s.MidTime > 0)
            {
                basis.Add(SameVenueBasis(s, now));
                basis.Add(CrossVenueBasis(s, now));
            }

            if (s.UsdcTwin is { } usdc)
            {
                margin.Add(MarginBasis(s, usdc, now));
            }

            if (s.HasOi)
            {
                oiRows.Add(OpenInterestRowOf(s, now));
            }
        }

        var differentials = new List<FundingDifferential>();
        var totals = new List<OpenInterestTotal>();
        var spreads = new List<PriceSpreadRow>();
        foreach (string asset in assets)
        {
            if (HasAny(funding, asset))
            {
                differentials.Add(Differential(asset, funding));
            }

            if (HasAnyOi(oiRows, asset))
            {
                totals.Add(TotalAndShares(asset, oiRows));
            }

            if (Spread(asset, MarketKind.Perpetual, sorted, now) is { } perpSpread)
            {
                spreads.Add(perpSpread);
            }

            if (Spread(asset, MarketKind.Spot, sorted, now) is { } spotSpread)
            {
                spreads.Add(spotSpread);
            }
        }

        margin.Sort(static (a, b) => string.CompareOrdinal(a.UsdtInstrument, b.UsdtInstrument));
        return new DerivativesSection(funding.ToArray(), differentials.ToArray(), basis.ToArray(), margin.ToArray(),
            oiRows.ToArray(), totals.ToArray(), spreads.ToArray());
    }

    private static string Seconds(long micros) => (micros / (double)Second).ToString("0.###", CultureInfo.InvariantCulture);

    private static FundingRow FundingRowOf(MarketState s, long now)
    {
        var ins = s.Instrument;
        double prev = s.HasPrevObs ? s.PrevObsValue : double.NaN;
        double change = s.HasPrevObs ? s.ObsValue - s.PrevObsValue : double.NaN;
        long changedAt = s.HasPrevObs ? s.ObsSince : 0;
        string? reason = null;
        long limit = FundingStaleAfter(ins.Venue);
        if (!s.HasLiveFunding)
        {
            reason = "no live funding update (settled history only)";
        }
        else if (now - s.FundingTime > limit)
        {
            reason = $"funding stale: last update {Seconds(now - s.FundingTime)} s ago (limit {Seconds(limit)} s)";
        }
        else if (!(s.IntervalHours > 0) || !double.IsFinite(s.Rate8h))
        {
            reason = "funding interval unknown";
        }

        if (reason is not null)
        {
            return new FundingRow(ins.Key, ins.Venue.ToWireName(), ins.Base, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
                0, double.NaN, double.NaN, FundingPayer.Unknown, false, prev, change, changedAt, double.NaN, RateTrend.Unknown,
                s.FundingTime, reason);
        }

        double apr = s.Rate * (24.0 / s.IntervalHours) * 365 * 100;
        var payer = s.Rate > 0 ? FundingPayer.LongsPay : s.Rate < 0 ? FundingPayer.ShortsPay : FundingPayer.Neutral;
        double momentum = double.NaN;
        var arrow = RateTrend.Unknown;
        if (s.FundingSamples.AtOrBefore(now - Hour, out long refTime, out double refValue) && refTime >= now - Hour - 8 * Hour)
        {
            momentum = s.Rate8h - refValue;
            arrow = momentum > FundingFlatBand ? RateTrend.Up : momentum < -FundingFlatBand ? RateTrend.Down : RateTrend.Flat;
        }
        else
        {
            reason = "momentum: no funding observation about 1 h ago";
        }

        return new FundingRow(ins.Key, ins.Venue.ToWireName(), ins.Base, s.Rate, s.IntervalHours, s.Rate8h, s.Rate8h * 100, apr,
            s.NextFundingTime, s.MarkPrice, s.IndexPrice, payer, Math.Abs(s.Rate8h) > ExtremeRate8h, prev, change, changedAt,
            momentum, arrow, s.FundingTime, reason);
    }

    private static bool HasAny(List<FundingRow> rows, string asset)
    {
        foreach (var r in rows)
        {
            if (r.Asset == asset)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasAnyOi(List<OpenInterestRow> rows, string asset)
    {
        foreach (var r in rows)
        {
            if (r.Asset == asset)
            {
                return true;
            }
        }

        return false;
    }

    private static FundingDifferential Differential(string asset, List<FundingRow> rows)
    {
        FundingRow? max = null, min = null;
        int n = 0;
        foreach (var r in rows)
        {
            if (r.Asset != asset || !double.IsFinite(r.Rate8h))
            {
                continue;
            }

            n++;
            if (max is null || r.Rate8h > max.Rate8h)
            {
                max = r;
            }

            if (min is null || r.Rate8h < min.Rate8h)
            {
                min = r;
            }
        }

        if (n < 2 || max is null || min is null)
        {
            return new FundingDifferential(asset, null, double.NaN, null, double.NaN, double.NaN, double.NaN, false, n,
                $"needs live funding on at least 2 perpetuals, has {n}");
        }

        double diff = max.Rate8h - min.Rate8h;
        return new FundingDifferential(asset, max.Instrument, max.Rate8h, min.Instrument, min.Rate8h, diff, diff * 100,
            diff > FundingArbitrage8h, n, null);
    }

    private static bool Fresh(MarketState s, long now) => s.MidTime > 0 && now - s.MidTime <= QuoteStaleAfter;

    private static string QuoteProblem(MarketState s, long now) => s.MidTime == 0
        ? $"no book top for {s.Instrument.Key}"
        : $"book top of {s.Instrument.Key} stale: {Seconds(now - s.MidTime)} s old (limit {Seconds(QuoteStaleAfter)} s)";

    private static BasisRow SameVenueBasis(MarketState perp, long now)
    {
        var ins = perp.Instrument;
        var spot = perp.SameVenueSpot;
        string[] keys = spot is null ? [] : [spot.Instrument.Key];
        string? reason = spot is null ? $"no {ins.Quote} spot market of the same exchange seen"
            : !Fresh(perp, now) ? QuoteProblem(perp, now)
            : !Fresh(spot, now) ? QuoteProblem(spot, now)
            : null;
        if (reason is not null || spot is null)
        {
            return UnavailableBasis(ins, BasisReference.SameVenueSpot, keys, reason!);
        }

        return BasisOf(perp, BasisReference.SameVenueSpot, keys, spot.Mid, perp.BasisSamples, now);
    }

    private static BasisRow CrossVenueBasis(MarketState perp, long now)
    {
        var ins = perp.Instrument;
        if (!Fresh(perp, now))
        {
            return UnavailableBasis(ins, BasisReference.CrossVenueSpotAverage, [], QuoteProblem(perp, now));
        }

        var keys = new List<string>();
        double sum = 0;
        for (int i = 0; i < perp.CrossSpotCount; i++)
        {
            var spot = perp.CrossSpots[i];
            if (Fresh(spot, now))
            {
                keys.Add(spot.Instrument.Key);
                sum += spot.Mid;
            }
        }

        if (keys.Count == 0)
        {
            return UnavailableBasis(ins, BasisReference.CrossVenueSpotAverage, [],
                $"no fresh {ins.Base}/{ins.Quote} spot book top on any venue");
        }

        keys.Sort(StringComparer.Ordinal);
        return BasisOf(perp, BasisReference.CrossVenueSpotAverage, keys.ToArray(), sum / keys.Count, perp.CrossBasisSamples, now);
    }

    private static BasisRow UnavailableBasis(Instrument ins, BasisReference reference, string[] keys, string reason) =>
        new(ins.Key, ins.Base, ins.Quote, reference, keys, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
            BasisStructure.Unknown, false, false, double.NaN, BasisTrend.Unknown, reason);

    private static BasisRow BasisOf(MarketState perp, BasisReference reference, string[] keys, double spotMid, SampleRing samples, long now)
    {
        var ins = perp.Instrument;
        double usd = perp.Mid - spotMid;
        double pct = usd / spotMid * 100;
        double bps = usd / spotMid * 1e4;
        var structure = usd > 0 ? BasisStructure.Contango : usd < 0 ? BasisStructure.Backwardation : BasisStructure.Flat;
        double change = double.NaN;
        var trend = BasisTrend.Unknown;
        string? reason = null;
        if (samples.AtOrBefore(now - 5 * Minute, out long refTime, out double refBps) && refTime >= now - 7 * Minute)
        {
            change = bps - refBps;
            double absChange = Math.Abs(bps) - Math.Abs(refBps);
            trend = absChange > BasisTrendBandBps ? BasisTrend.Widening : absChange < -BasisTrendBandBps ? BasisTrend.Narrowing : BasisTrend.Stable;
        }
        else
        {
            reason = "trend: no basis sample between 7 and 5 min ago";
        }

        return new BasisRow(ins.Key, ins.Base, ins.Quote, reference, keys, perp.Mid, spotMid, usd, pct, bps, structure,
            Math.Abs(pct) > SteepPercent, Math.Abs(pct) > BasisArbitragePercent, change, trend, reason);
    }

    private static MarginBasisRow MarginBasis(MarketState usdt, MarketState usdc, long now)
    {
        string? reason = !Fresh(usdt, now) ? QuoteProblem(usdt, now) : !Fresh(usdc, now) ? QuoteProblem(usdc, now) : null;
        double bps = reason is null ? (usdc.Mid / usdt.Mid - 1) * 1e4 : double.NaN;
        return new MarginBasisRow(usdt.Instrument.Venue.ToWireName(), usdt.Instrument.Base, usdt.Instrument.Key, usdc.Instrument.Key,
            reason is null ? usdt.Mid : double.NaN, reason is null ? usdc.Mid : double.NaN, bps, reason);
    }

    private static OpenInterestRow OpenInterestRowOf(MarketState s, long now)
    {
        var ins = s.Instrument;
        long limit = OpenInterestStaleAfter(ins.Venue);
        if (now - s.OiTime > limit)
        {
            return new OpenInterestRow(ins.Key, ins.Venue.ToWireName(), ins.Base, double.NaN, double.NaN, OiUsdSource.None, double.NaN,
                double.NaN, double.NaN, double.NaN, RateTrend.Unknown, double.NaN, double.NaN, s.OiTime,
                $"open interest stale: last update {Seconds(now - s.OiTime)} s ago (limit {Seconds(limit)} s)");
        }

        var reasons = new List<string>();
        double usd = double.NaN;
        var source = OiUsdSource.None;
        if (double.IsFinite(s.OiUsd))
        {
            usd = s.OiUsd;
            source = OiUsdSource.Venue;
        }
        else if (Fresh(s, now) && ins.QuoteIsUsd)
        {
            usd = ins.UsdNotional(s.Mid, s.OiQuantity);
            source = OiUsdSource.Mid;
        }
        else if (s.LastTradeTime > 0 && now - s.LastTradeTime <= QuoteStaleAfter && ins.QuoteIsUsd)
        {
            usd = ins.UsdNotional(s.LastTradePrice, s.OiQuantity);
            source = OiUsdSource.LastTrade;
        }
        else if (s.HasLiveFunding && now - s.FundingTime <= FundingStaleAfter(ins.Venue) && s.MarkPrice > 0 && double.IsFinite(s.MarkPrice) && ins.QuoteIsUsd)
        {
            usd = ins.UsdNotional(s.MarkPrice, s.OiQuantity);
            source = OiUsdSource.Mark;
        }
        else
        {
            reasons.Add("usd: no venue value and no fresh mid, last trade or mark price");
        }

        double change = double.NaN, changePct = double.NaN, accel = double.NaN;
        var momentum = RateTrend.Unknown;
        if (s.OiSamples.AtOrBefore(s.OiTime - Minute, out long t1, out double q1) && t1 >= s.OiTime - 2 * Minute)
        {
            change = s.OiQuantity - q1;
            changePct = q1 > 0 ? change / q1 * 100 : double.NaN;
            if (s.OiSamples.AtOrBefore(t1 - Minute, out long t2, out double q2) && t2 >= t1 - 2 * Minute)
            {
                accel = change - (q1 - q2);
                double band = 1e-4 * s.OiQuantity;
                momentum = accel > band ? RateTrend.Up : accel < -band ? RateTrend.Down : RateTrend.Flat;
            }
            else
            {
                reasons.Add("momentum: no sample about 2 min earlier");
            }
        }
        else
        {
            reasons.Add("change: no sample between 2 and 1 min earlier");
        }

        double volume = s.Volume.Sum(now);
        double ratio = double.NaN;
        if (s.FirstTradeTime == 0 || now - s.FirstTradeTime < Hour)
        {
            volume = double.NaN;
            reasons.Add("oi/volume: less than 1 h of trades seen");
        }
        else if (!(volume > 0))
        {
            reasons.Add("oi/volume: no traded USD in the last hour");
        }
        else if (double.IsFinite(usd))
        {
            ratio = usd / volume;
        }

        return new OpenInterestRow(ins.Key, ins.Venue.ToWireName(), ins.Base, s.OiQuantity, usd, source, double.NaN, change, changePct,
            accel, momentum, volume, ratio, s.OiTime, reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    private static OpenInterestTotal TotalAndShares(string asset, List<OpenInterestRow> rows)
    {
        double qty = 0, usd = 0;
        int n = 0, nUsd = 0;
        foreach (var r in rows)
        {
            if (r.Asset != asset || !double.IsFinite(r.Quantity))
            {
                continue;
            }

            qty += r.Quantity;
            n++;
            if (double.IsFinite(r.Usd))
            {
                usd += r.Usd;
                nUsd++;
            }
        }

        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (r.Asset == asset && double.IsFinite(r.Usd) && usd > 0)
            {
                rows[i] = r with { SharePercent = r.Usd / usd * 100 };
            }
        }

        if (n == 0)
        {
            return new OpenInterestTotal(asset, double.NaN, double.NaN, 0, 0, "no fresh open interest");
        }

        return new OpenInterestTotal(asset, qty, nUsd > 0 ? usd : double.NaN, n, nUsd, nUsd > 0 ? null : "no USD value on any venue");
    }

    private static PriceSpreadRow? Spread(string asset, MarketKind kind, MarketState[] sorted, long now)
    {
        MarketState? high = null, low = null;
        int n = 0, seen = 0;
        foreach (var s in sorted)
        {
            if (s.Kind != kind || s.Instrument.Base != asset || !s.Instrument.QuoteIsUsd || s.MidTime == 0)
            {
                continue;
            }

            seen++;
            if (!Fresh(s, now))
            {
                continue;
            }

            n++;
            if (high is null || s.Mid > high.Mid)
            {
                high = s;
            }

            if (low is null || s.Mid < low.Mid)
            {
                low = s;
            }
        }

        if (seen == 0)
        {
            return null;
        }

        if (n < 2 || high is null || low is null)
        {
            return new PriceSpreadRow(asset, kind, null, double.NaN, null, double.NaN, double.NaN, double.NaN, n,
                $"needs fresh book tops on at least 2 markets, has {n}");
        }

        return new PriceSpreadRow(asset, kind, high.Instrument.Key, high.Mid, low.Instrument.Key, low.Mid, high.Mid - low.Mid,
            (high.Mid / low.Mid - 1) * 1e4, n, null);
    }

    private sealed class MarketState(Instrument instrument)
    {
        public readonly Instrument Instrument = instrument;
        public readonly MarketKind Kind = instrument.Kind;

        public double Mid;
        public long MidTime;
        public double LastTradePrice;
        public long LastTradeTime;
        public long FirstTradeTime;
        public readonly VolumeRing Volume = new();

        public MarketState? SameVenueSpot;
        public MarketState[] CrossSpots = new MarketState[4];
        public int CrossSpotCount;
        public MarketState? UsdcTwin;
        public readonly SampleRing BasisSamples = new(10 * Second, 64);
        public readonly SampleRing CrossBasisSamples = new(10 * Second, 64);

        public bool HasLiveFunding;
        public long FundingTime;
        public double Rate, IntervalHours, Rate8h, MarkPrice, IndexPrice;
        public long NextFundingTime;
        public bool HasObs, HasPrevObs;
        public double ObsValue, PrevObsValue;
        public long ObsSince, ObsTime;
        public readonly SampleRing FundingSamples = new(Minute, 80);

        public bool HasOi;
        public long OiTime;
        public double OiQuantity, OiUsd;
        public readonly SampleRing OiSamples = new(5 * Second, 40);
    }
}

/// <summary>
/// Fixed ring of (time, value) samples, at most one per time bucket (the last value seen in the
/// bucket); older-than-newest samples are ignored, the oldest is overwritten when full.
/// </summary>
internal sealed class SampleRing
{
    private readonly long _bucket;
    private readonly long[] _times;
    private readonly double[] _values;
    private int _head;
    private int _count;

    public SampleRing(long bucketMicros, int capacity)
    {
        _bucket = bucketMicros;
        _times = new long[capacity];
        _values = new double[capacity];
    }

    public int Count => _count;

    public void Add(long time, double value)
    {
        if (_count > 0)
        {
            int newest = (_head + _count - 1) % _times.Length;
            long last = _times[newest];
            if (time < last)
            {
                return;
            }

            if (Math.DivRem(time, _bucket).Quotient == Math.DivRem(last, _bucket).Quotient)
            {
                _times[newest] = time;
                _values[newest] = value;
                return;
            }
        }

        if (_count == _times.Length)
        {
            _head = (_head + 1) % _times.Length;
            _count--;
        }

        int slot = (_head + _count) % _times.Length;
        _times[slot] = time;
        _values[slot] = value;
        _count++;
    }

    /// <summary>The newest sample with time ≤ <paramref name="time"/>.</summary>
    public bool AtOrBefore(long time, out long sampleTime, out double value)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            int slot = (_head + i) % _times.Length;
            if (_times[slot] <= time)
            {
                sampleTime = _times[slot];
                value = _values[slot];
                return true;
            }
        }

        sampleTime = 0;
        value = double.NaN;
        return false;
    }
}

/// <summary>Traded USD in 60 one-minute buckets (the current minute and the 59 before it).</summary>
internal sealed class VolumeRing
{
    private const int Buckets = 60;
    private readonly long[] _minute = new long[Buckets];
    private readonly double[] _usd = new double[Buckets];

    public VolumeRing() => Array.Fill(_minute, long.MinValue);

    public void Add(long time, double usd)
    {
        long minute = time / DerivativesMetrics.Minute;
        int slot = (int)(minute % Buckets);
        if (_minute[slot] > minute)
        {
            return;
        }

        if (_minute[slot] != minute)
        {
            _minute[slot] = minute;
            _usd[slot] = 0;
        }

        _usd[slot] += usd;
    }

    public double Sum(long now)
    {
        long current = now / DerivativesMetrics.Minute;
        double sum = 0;
        for (int i = 0; i < Buckets; i++)
        {
            if (_minute[i] <= current && _minute[i] > current - Buckets)
            {
                sum += _usd[i];
            }
        }

        return sum;
    }
}

/// <summary>Who pays funding.</summary>
public enum FundingPayer : byte
{
    /// <summary>Rate unavailable.</summary>
    Unknown = 0,

    /// <summary>Rate &gt; 0: longs pay shorts.</summary>
    LongsPay = 1,

    /// <summary>Rate &lt; 0: shorts pay longs.</summary>
    ShortsPay = 2,

    /// <summary>Rate = 0.</summary>
    Neutral = 3,
}

/// <summary>Direction arrow of a rate or a quantity.</summary>
public enum RateTrend : byte
{
    /// <summary>Not computable.</summary>
    Unknown = 0,

    /// <summary>Rising.</summary>
    Up = 1,

    /// <summary>Falling.</summary>
    Down = 2,

    /// <summary>Within the flat band.</summary>
    Flat = 3,
}

/// <summary>Sign of a basis.</summary>
public enum BasisStructure : byte
{
    /// <summary>Basis unavailable.</summary>
    Unknown = 0,

    /// <summary>Perp above spot.</summary>
    Contango = 1,

    /// <summary>Perp below spot.</summary>
    Backwardation = 2,

    /// <summary>Perp equals spot.</summary>
    Flat = 3,
}

/// <summary>How |basis| changed over about 5 minutes.</summary>
public enum BasisTrend : byte
{
    /// <summary>No sample about 5 minutes ago, or basis unavailable.</summary>
    Unknown = 0,

    /// <summary>|basis| grew by more than 1 bp.</summary>
    Widening = 1,

    /// <summary>|basis| shrank by more than 1 bp.</summary>
    Narrowing = 2,

    /// <summary>|basis| changed by at most 1 bp.</summary>
    Stable = 3,
}

/// <summary>Which spot price a basis is measured against.</summary>
public enum BasisReference : byte
{
    /// <summary>The spot market of the same exchange with the same base and quote.</summary>
    SameVenueSpot = 0,

    /// <summary>The average of the fresh spot mids (same base and quote) across exchanges.</summary>
    CrossVenueSpotAverage = 1,
}

/// <summary>Where the USD value of open interest comes from.</summary>
public enum OiUsdSource : byte
{
    /// <summary>No USD value.</summary>
    None = 0,

    /// <summary>The venue's own USD value (OpenInterest.NotionalUsd).</summary>
    Venue = 1,

    /// <summary>Quantity × fresh book mid.</summary>
    Mid = 2,

    /// <summary>Quantity × fresh last trade price.</summary>
    LastTrade = 3,

    /// <summary>Quantity × mark price of the latest fresh live funding.</summary>
    Mark = 4,
}

/// <summary>Funding of one perpetual (docs/metrics.md, "Funding rate").</summary>
/// <param name="Instrument">Instrument key, "venue:SYMBOL".</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Rate">Live rate per interval, fraction.</param>
/// <param name="IntervalHours">Funding interval, hours.</param>
/// <param name="Rate8h">Rate scaled to 8 h, fraction.</param>
/// <param name="Rate8hPercent">Rate8h × 100.</param>
/// <param name="AprPercent">Rate × (24 / IntervalHours) × 365 × 100.</param>
/// <param name="NextFundingTime">Next settlement, UTC µs (0 when unavailable).</param>
/// <param name="MarkPrice">Mark price of the live update.</param>
/// <param name="IndexPrice">Index price of the live update.</param>
/// <param name="Payer">Who pays.</param>
/// <param name="Extreme">|Rate8h| &gt; 0.04%.</param>
/// <param name="PreviousRate8h">The previous different 8 h rate (live or settled observation).</param>
/// <param name="ChangeSincePrevious">Latest observed 8 h rate − PreviousRate8h.</param>
/// <param name="ChangedAt">When the latest observed value first appeared, UTC µs (0 when none).</param>
/// <param name="Momentum1h">Rate8h − the 8 h rate observed about 1 h earlier.</param>
/// <param name="MomentumArrow">Arrow of Momentum1h (flat band ±0.0005% per 8 h).</param>
/// <param name="LastUpdateTime">Event time of the latest live update, UTC µs (0 when none).</param>
/// <param name="UnavailableReason">Why values are null, or null when all are available.</param>
public sealed record FundingRow(
    string Instrument, string Venue, string Asset, double Rate, double IntervalHours, double Rate8h, double Rate8hPercent,
    double AprPercent, long NextFundingTime, double MarkPrice, double IndexPrice, FundingPayer Payer, bool Extreme,
    double PreviousRate8h, double ChangeSincePrevious, long ChangedAt, double Momentum1h, RateTrend MomentumArrow,
    long LastUpdateTime, string? UnavailableReason);

/// <summary>Cross-venue funding differential of one asset.</summary>
/// <param name="Asset">Base asset.</param>
/// <param name="MaxInstrument">Perpetual with the highest 8 h rate.</param>
/// <param name="MaxRate8h">Its 8 h rate, fraction.</param>
/// <param name="MinInstrument">Perpetual with the lowest 8 h rate.</param>
/// <param name="MinRate8h">Its 8 h rate, fraction.</param>
/// <param name="Differential8h">MaxRate8h − MinRate8h, fraction.</param>
/// <param name="DifferentialPercent">Differential8h × 100.</param>
/// <param name="Arbitrage">Differential8h &gt; 0.01%.</param>
/// <param name="Markets">Perpetuals with an available rate.</param>
/// <param name="UnavailableReason">Why null, or null.</param>
public sealed record FundingDifferential(
    string Asset, string? MaxInstrument, double MaxRate8h, string? MinInstrument, double MinRate8h, double Differential8h,
    double DifferentialPercent, bool Arbitrage, int Markets, string? UnavailableReason);

/// <summary>Basis of one perpetual against a spot reference.</summary>
/// <param name="Instrument">Perpetual key.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Quote">Quote asset (the spot reference has the same quote).</param>
/// <param name="Reference">Which spot reference.</param>
/// <param name="SpotInstruments">Spot keys used (sorted).</param>
/// <param name="PerpMid">Perpetual mid.</param>
/// <param name="SpotMid">Spot mid (average for the cross-venue reference).</param>
/// <param name="BasisUsd">PerpMid − SpotMid, quote units.</param>
/// <param name="BasisPercent">BasisUsd / SpotMid × 100.</param>
/// <param name="BasisBps">BasisUsd / SpotMid × 10⁴.</param>
/// <param name="Structure">Contango / backwardation.</param>
/// <param name="Steep">|BasisPercent| &gt; 0.5.</param>
/// <param name="Arbitrage">|BasisPercent| &gt; 0.03.</param>
/// <param name="Change5mBps">BasisBps − the basis sampled about 5 min earlier.</param>
/// <param name="Trend">Widening / narrowing / stable.</param>
/// <param name="UnavailableReason">Why null, or null.</param>
public sealed record BasisRow(
    string Instrument, string Asset, string Quote, BasisReference Reference, IReadOnlyList<string> SpotInstruments,
    double PerpMid, double SpotMid, double BasisUsd, double BasisPercent, double BasisBps, BasisStructure Structure,
    bool Steep, bool Arbitrage, double Change5mBps, BasisTrend Trend, string? UnavailableReason);

/// <summary>USDC-margined vs USDT-margined perpetual of one asset on one exchange.</summary>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="UsdtInstrument">USDT perpetual key.</param>
/// <param name="UsdcInstrument">USDC perpetual key.</param>
/// <param name="UsdtMid">USDT perpetual mid.</param>
/// <param name="UsdcMid">USDC perpetual mid.</param>
/// <param name="BasisBps">(UsdcMid / UsdtMid − 1) × 10⁴.</param>
/// <param name="UnavailableReason">Why null, or null.</param>
public sealed record MarginBasisRow(
    string Venue, string Asset, string UsdtInstrument, string UsdcInstrument, double UsdtMid, double UsdcMid, double BasisBps,
    string? UnavailableReason);

/// <summary>Open interest of one perpetual.</summary>
/// <param name="Instrument">Perpetual key.</param>
/// <param name="Venue">Venue wire name.</param>
/// <param name="Asset">Base asset.</param>
/// <param name="Quantity">Open interest, base asset, single-sided.</param>
/// <param name="Usd">Open interest in USD.</param>
/// <param name="UsdSource">Where Usd comes from.</param>
/// <param name="SharePercent">Usd / asset total Usd × 100.</param>
/// <param name="ChangePerMinute">Quantity − the quantity about 1 min earlier, base.</param>
/// <param name="ChangePerMinutePercent">ChangePerMinute / earlier quantity × 100.</param>
/// <param name="Acceleration">ChangePerMinute − the change of the minute before, base.</param>
/// <param name="Momentum">Arrow of Acceleration (flat band ±0.01% of Quantity).</param>
/// <param name="VolumeUsd1h">Traded USD on this perpetual in the current and the previous 59 one-minute buckets.</param>
/// <param name="OiToVolume">Usd / VolumeUsd1h.</param>
/// <param name="LastUpdateTime">Event time of the latest open-interest update, UTC µs.</param>
/// <param name="UnavailableReason">Why some values are null ("; "-separated), or null.</param>
public sealed record OpenInterestRow(
    string Instrument, string Venue, string Asset, double Quantity, double Usd, OiUsdSource UsdSource, double SharePercent,
    double ChangePerMinute, double ChangePerMinutePercent, double Acceleration, RateTrend Momentum, double VolumeUsd1h,
    double OiToVolume, long LastUpdateTime, string? UnavailableReason);

/// <summary>Open interest of one asset summed over venues.</summary>
/// <param name="Asset">Base asset.</param>
/// <param name="Quantity">Sum of fresh quantities, base.</param>
/// <param name="Usd">Sum of fresh USD values (markets without one excluded).</param>
/// <param name="Markets">Perpetuals in Quantity.</param>
/// <param name="UsdMarkets">Perpetuals in Usd.</param>
/// <param name="UnavailableReason">Why null, or null.</param>
public sealed record OpenInterestTotal(string Asset, double Quantity, double Usd, int Markets, int UsdMarkets, string? UnavailableReason);

/// <summary>Largest cross-venue price gap of one asset in one market kind.</summary>
/// <param name="Asset">Base asset.</param>
/// <param name="Kind">Spot or perpetual.</param>
/// <param name="HighInstrument">Market with the highest mid.</param>
/// <param name="HighMid">Its mid.</param>
/// <param name="LowInstrument">Market with the lowest mid.</param>
/// <param name="LowMid">Its mid.</param>
/// <param name="GapUsd">HighMid − LowMid.</param>
/// <param name="GapBps">(HighMid / LowMid − 1) × 10⁴.</param>
/// <param name="Markets">Markets with a fresh mid.</param>
/// <param name="UnavailableReason">Why null, or null.</param>
public sealed record PriceSpreadRow(
    string Asset, MarketKind Kind, string? HighInstrument, double HighMid, string? LowInstrument, double LowMid, double GapUsd,
    double GapBps, int Markets, string? UnavailableReason);

/// <summary>Funding, basis, open interest and cross-venue price spread (docs/metrics.md). Lists are sorted by instrument key or asset.</summary>
/// <param name="Funding">Per perpetual.</param>
/// <param name="FundingDifferentials">Per asset.</param>
/// <param name="Basis">Per perpetual and reference.</param>
/// <param name="MarginBasis">Per venue and asset.</param>
/// <param name="OpenInterest">Per perpetual.</param>
/// <param name="OpenInterestTotals">Per asset.</param>
/// <param name="PriceSpreads">Per asset and market kind.</param>
public sealed record DerivativesSection(
    IReadOnlyList<FundingRow> Funding,
    IReadOnlyList<FundingDifferential> FundingDifferentials,
    IReadOnlyList<BasisRow> Basis,
    IReadOnlyList<MarginBasisRow> MarginBasis,
    IReadOnlyList<OpenInterestRow> OpenInterest,
    IReadOnlyList<OpenInterestTotal> OpenInterestTotals,
    IReadOnlyList<PriceSpreadRow> PriceSpreads)
{
    /// <summary>A section with no rows.</summary>
    public static DerivativesSection Empty { get; } = new([], [], [], [], [], [], []);
}
