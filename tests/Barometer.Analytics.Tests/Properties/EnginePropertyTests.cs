using Barometer.Analytics.Flow;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Properties;

/// <summary>
/// Properties of the public <see cref="AnalyticsEngine"/> over seeded random tapes
/// (<see cref="MarketTape"/>): they hold for every seed, so a failure names the seed to replay.
/// </summary>
public sealed class EnginePropertyTests
{
    private const long Second = 1_000_000;

    public static TheoryData<ulong> Seeds()
    {
        var seeds = new TheoryData<ulong>();
        for (ulong s = 1; s <= 12; s++)
        {
            seeds.Add(s * 7_919);
        }

        return seeds;
    }

    private static AnalyticsEngine Run(IReadOnlyList<MarketEvent> events, int from = 0, int to = -1, AnalyticsEngine? engine = null)
    {
        engine ??= new AnalyticsEngine();
        if (to < 0)
        {
            to = events.Count;
        }

        for (int i = from; i < to; i++)
        {
            engine.Publish(events[i]);
        }

        return engine;
    }

    private static bool Valid(in Trade t) =>
        t.AggressorSide is Side.Buy or Side.Sell && t.Price > 0 && double.IsFinite(t.Price) && t.Quantity > 0 && double.IsFinite(t.Quantity);

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    /// <summary>
    /// Independent reference for one window: every valid trade (of <paramref name="member"/>'s
    /// instruments) whose second is within the last <paramref name="seconds"/> seconds ending at
    /// the snapshot's second, summed by brute force.
    /// </summary>
    private static void AssertWindow(FlowWindow w, IReadOnlyList<MarketEvent> seen, long now, int seconds, Func<Instrument, bool> member, bool usd, string what)
    {
        long nowSecond = EventTime.FloorDiv(now, Second);
        double buy = 0, sell = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        long buys = 0, sells = 0;
        foreach (var e in seen)
        {
            if (e.Kind != EventKind.Trade || !member(e.Instrument!))
            {
                continue;
            }

            var t = e.AsTrade();
            long age = nowSecond - EventTime.FloorDiv(EventTime.Of(e), Second);
            if (!Valid(t) || age < 0 || age >= seconds)
            {
                continue;
            }

            min = Math.Min(min, t.Price);
            max = Math.Max(max, t.Price);
            if (t.AggressorSide == Side.Buy)
            {
                buys++;
                buy += t.Price * t.Quantity;
            }
            else
            {
                sells++;
                sell += t.Price * t.Quantity;
            }
        }

        Assert.True(w.BuyTrades == buys && w.SellTrades == sells, $"{what}: counts {w.BuyTrades}/{w.SellTrades}, reference {buys}/{sells}");
        Assert.Equal(w.Trades, w.BuyTrades + w.SellTrades);
        if (w.Trades == 0)
        {
            Assert.True(double.IsNaN(w.Vwap), what);
            return;
        }

        // the properties: buy + sell = total, VWAP within [min, max] of the window's trade prices
        Assert.Equal(min, w.MinPrice);
        Assert.Equal(max, w.MaxPrice);
        Assert.True(w.Vwap >= w.MinPrice && w.Vwap <= w.MaxPrice, $"{what}: vwap {w.Vwap} outside [{w.MinPrice}, {w.MaxPrice}]");
        if (usd)
        {
            Close(w.BuyUsd + w.SellUsd, w.TotalUsd, what + " buy + sell = total");
            Close(buy, w.BuyUsd, what + " buy usd");
            Close(sell, w.SellUsd, what + " sell usd");
        }
        else
        {
            Assert.True(double.IsNaN(w.TotalUsd) && w.UnavailableReason is not null, what + ": non-USD quote has no USD values and a reason");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Buy_plus_sell_is_total_and_vwap_lies_in_the_price_range_of_every_window_at_every_snapshot(ulong seed)
    {
        var events = MarketTape.Generate(seed, 3_000, TapeMix.TradesOnly);
        var engine = new AnalyticsEngine();
        for (int i = 0; i < events.Count; i++)
        {
            engine.Publish(events[i]);
            if (i % 499 != 498 && i != events.Count - 1)
            {
                continue;
            }

            var seen = events.Take(i + 1).ToList();
            var flow = engine.Snapshot().Flow;
            foreach (var m in flow.Instruments)
            {
                Func<Instrument, bool> member = x => x.Key == m.Instrument;
                Assert.True(MarketTape.Registry.TryGetByKey(m.Instrument, out var instrument));
                bool usd = instrument.QuoteIsUsd;
                AssertWindow(m.OneMinute, seen, engine.Now, 60, member, usd, $"seed {seed} event {i} {m.Instrument} 1m");
                AssertWindow(m.FiveMinutes, seen, engine.Now, 300, member, usd, $"seed {seed} event {i} {m.Instrument} 5m");
                AssertWindow(m.FifteenMinutes, seen, engine.Now, 900, member, usd, $"seed {seed} event {i} {m.Instrument} 15m");
            }

            foreach (var a in flow.Assets)
            {
                Func<Instrument, bool> member = x => x.Base == a.Asset && x.QuoteIsUsd;
                AssertWindow(a.OneMinute, seen, engine.Now, 60, member, true, $"seed {seed} event {i} {a.Asset} 1m");
                AssertWindow(a.FiveMinutes, seen, engine.Now, 300, member, true, $"seed {seed} event {i} {a.Asset} 5m");
                AssertWindow(a.FifteenMinutes, seen, engine.Now, 900, member, true, $"seed {seed} event {i} {a.Asset} 15m");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Feeding_in_two_halves_with_a_snapshot_between_gives_the_same_final_snapshot_as_feeding_whole(ulong seed)
    {
        var events = MarketTape.Generate(seed, 3_000, TapeMix.Everything);
        string whole = SnapshotJson.ToLine(Run(events).Snapshot());

        var halves = Run(events, 0, events.Count / 2);
        _ = SnapshotJson.ToLine(halves.Snapshot());
        Run(events, events.Count / 2, -1, halves);

        Assert.Equal(whole, SnapshotJson.ToLine(halves.Snapshot()));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Snapshots_taken_after_every_hundred_events_do_not_change_the_final_snapshot(ulong seed)
    {
        var events = MarketTape.Generate(seed, 2_000, TapeMix.Everything);
        string whole = SnapshotJson.ToLine(Run(events).Snapshot());

        var often = new AnalyticsEngine();
        for (int i = 0; i < events.Count; i++)
        {
            often.Publish(events[i]);
            if (i % 100 == 0)
            {
                _ = often.Snapshot();
            }
        }

        Assert.Equal(whole, SnapshotJson.ToLine(often.Snapshot()));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_same_input_twice_gives_byte_identical_snapshot_json(ulong seed)
    {
        string first = SnapshotJson.ToLine(Run(MarketTape.Generate(seed, 3_000, TapeMix.Everything)).Snapshot());
        string second = SnapshotJson.ToLine(Run(MarketTape.Generate(seed, 3_000, TapeMix.Everything)).Snapshot());

        Assert.Equal(first, second);
        Assert.DoesNotContain("NaN", first, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_seeds_give_different_snapshots()
    {
        // guards the properties above against a generator or engine that ignores its input
        string a = SnapshotJson.ToLine(Run(MarketTape.Generate(1, 1_000, TapeMix.Everything)).Snapshot());
        string b = SnapshotJson.ToLine(Run(MarketTape.Generate(2, 1_000, TapeMix.Everything)).Snapshot());

        Assert.NotEqual(a, b);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Depth_bands_are_monotone_from_10_bps_to_5_percent_per_market_and_per_asset(ulong seed)
    {
        var events = MarketTape.Generate(seed, 3_000, new TapeMix(10, 5, 40, 0, 0, 0.02, 0.05));
        var engine = new AnalyticsEngine();
        int checkedBooks = 0;
        for (int i = 0; i < events.Count; i++)
        {
            engine.Publish(events[i]);
            if (i % 250 != 249)
            {
                continue;
            }

            var books = engine.Snapshot().Books;
            foreach (var m in books.Markets)
            {
                var bands = m.Depth.Bands;
                Assert.Equal([0.1, 1, 2, 5], bands.Select(b => b.BandPct).ToArray());
                if (double.IsNaN(bands[0].BidUsd))
                {
                    continue;
                }

                checkedBooks++;
                for (int k = 1; k < bands.Count; k++)
                {
                    Assert.True(bands[k].BidUsd >= bands[k - 1].BidUsd, $"seed {seed} {m.Instrument}: bid {bands[k - 1].BandPct}% {bands[k - 1].BidUsd} > {bands[k].BandPct}% {bands[k].BidUsd}");
                    Assert.True(bands[k].AskUsd >= bands[k - 1].AskUsd, $"seed {seed} {m.Instrument}: ask band {bands[k].BandPct}% shrank");
                    Assert.True(bands[k - 1].Partial ? bands[k].Partial : true, $"seed {seed} {m.Instrument}: a wider band than a partial one is partial too");
                }
            }

            foreach (var a in books.Assets)
            {
                for (int k = 1; k < a.Bands.Count; k++)
                {
                    if (!double.IsNaN(a.Bands[k].BidUsd))
                    {
                        Assert.True(a.Bands[k].BidUsd >= a.Bands[k - 1].BidUsd && a.Bands[k].AskUsd >= a.Bands[k - 1].AskUsd,
                            $"seed {seed} {a.Asset} {a.Kind}: band {a.Bands[k].BandPct}% below the narrower one");
                    }
                }
            }
        }

        Assert.True(checkedBooks > 0, "the tape produced no book with depth");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Open_interest_shares_sum_to_100_percent_and_totals_are_the_sums_of_the_fresh_rows(ulong seed)
    {
        var events = MarketTape.Generate(seed, 3_000, new TapeMix(30, 20, 0, 10, 40, 0.02, 0.05));
        var engine = new AnalyticsEngine();
        int checkedTotals = 0;
        for (int i = 0; i < events.Count; i++)
        {
            engine.Publish(events[i]);
            if (i % 300 != 299)
            {
                continue;
            }

            var d = engine.Snapshot().Derivatives;
            foreach (var total in d.OpenInterestTotals)
            {
                var rows = d.OpenInterest.Where(r => r.Asset == total.Asset).ToList();
                var fresh = rows.Where(r => double.IsFinite(r.Quantity)).ToList();
                var priced = rows.Where(r => double.IsFinite(r.Usd)).ToList();
                Assert.Equal(fresh.Count, total.Markets);
                Assert.Equal(priced.Count, total.UsdMarkets);
                if (fresh.Count > 0)
                {
                    Close(fresh.Sum(r => r.Quantity), total.Quantity, $"seed {seed} {total.Asset} quantity");
                }

                if (priced.Count == 0)
                {
                    Assert.All(rows, r => Assert.True(double.IsNaN(r.SharePercent)));
                    continue;
                }

                checkedTotals++;
                Close(priced.Sum(r => r.Usd), total.Usd, $"seed {seed} {total.Asset} usd");
                Close(100, priced.Sum(r => r.SharePercent), $"seed {seed} {total.Asset} shares");
                Assert.All(priced, r => Assert.InRange(r.SharePercent, 0, 100 + 1e-9));
            }
        }

        Assert.True(checkedTotals > 0, "the tape produced no priced open interest");
    }
}
