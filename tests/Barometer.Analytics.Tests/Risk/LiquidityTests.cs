using System.Text.Json;
using Barometer.Analytics.Book;
using Barometer.Analytics.Risk;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using static Barometer.Analytics.Tests.Risk.RiskFixtures;

namespace Barometer.Analytics.Tests.Risk;

/// <summary>Liquidity through the engine (the regime family samples the book family's depth every 10 s of event time).</summary>
public sealed class LiquidityTests
{
    /// <summary>
    /// The book fixture of the book tests scaled by <paramref name="size"/> (mid 100): within 1 %, bids
    /// 99.95×2 + 99.5×1 = 299.4 and asks 100.05×1 + 100.5×2 = 301.05 ⇒ 600.45 USD per unit of size.
    /// </summary>
    private static MarketEvent Book(Instrument i, long time, double size = 1) => BookSnapshot(i, time,
        [L(i, 99.95, 2 * size), L(i, 99.5, 1 * size), L(i, 98.5, 2 * size), L(i, 97, 4 * size), L(i, 94, 10 * size)],
        [L(i, 100.05, 1 * size), L(i, 100.5, 2 * size), L(i, 101.5, 1 * size), L(i, 103, 2 * size), L(i, 104, 1 * size)]);

    /// <summary>
    /// Seconds 1 … 409: a top every second (spread 10 bps: 99.95 / 100.05) and a book snapshot every 5 s, so
    /// the samples at 10, 20 … 400 s are all alike (40 samples); from 401 s on, <paramref name="last"/>'s book and
    /// top; then one top at 410 s, whose arrival takes the 41st sample.
    /// </summary>
    private static List<MarketEvent> Hour(Instrument i, double lastSize, double lastBid, double lastAsk)
    {
        var events = new List<MarketEvent>();
        for (int t = 1; t <= 410; t++)
        {
            bool late = t > 400;
            long time = T0 + (t * Second);
            if (t % 5 == 1)
            {
                events.Add(Book(i, time, late ? lastSize : 1));
            }

            events.Add(late ? Top(i, time, lastBid, lastAsk) : Top(i, time, 99.95, 100.05));
        }

        return events;
    }

    private static MetricsSnapshot Run(IEnumerable<MarketEvent> events)
    {
        var engine = new AnalyticsEngine();
        foreach (var e in events)
        {
            engine.Publish(e);
        }

        return engine.Snapshot();
    }

    private static MarketLiquidity Market(MetricsSnapshot s, Instrument i) =>
        s.Regime.Assets.Single(a => a.Asset == i.Base).Liquidity.Markets.Single(m => m.Instrument == i.Key);

    [Fact]
    public void Depth_query_of_the_book_family_matches_the_one_percent_band()
    {
        var books = new BookMetrics(new AnalyticsOptions());
        books.OnEvent(Book(BtcBinance, T0), T0);

        Assert.True(books.TryDepthUsd(BtcBinance, 0.01, T0 + (60 * Second), out double bid, out double ask));
        Assert.Equal(299.4, bid, 9);
        Assert.Equal(301.05, ask, 9);

        // Older than StaleAfter (60 s), unknown market: false with NaN.
        Assert.False(books.TryDepthUsd(BtcBinance, 0.01, T0 + (60 * Second) + 1, out bid, out _));
        Assert.True(double.IsNaN(bid));
        Assert.False(books.TryDepthUsd(BtcBybit, 0.01, T0, out _, out _));
    }

    [Fact]
    public void An_unchanged_book_is_normal_at_the_middle_of_its_own_history()
    {
        var m = Market(Run(Hour(BtcBinance, 1, 99.95, 100.05)), BtcBinance);

        // 41 equal samples: mid-rank (0 + ½ · 41) / 41 = 50 % for both ⇒ score 50.
        Assert.Equal(T0 + (410 * Second), m.SampleTime);
        Assert.Equal(41, m.DepthSamples);
        Assert.Equal(41, m.SpreadSamples);
        Assert.Equal(600.45, m.DepthUsd, 9);
        Assert.Equal(10.0, m.SpreadBps, 9); // 0.1 / 100 × 10 000
        Assert.Equal(50.0, m.Score, 9);
        Assert.Equal(LiquidityLevel.Normal, m.Level);
        Assert.Null(m.UnavailableReason);
    }

    [Fact]
    public void A_deeper_book_and_tighter_spread_than_all_of_the_hour_is_thick()
    {
        // Newest: depth 3 × 600.45, above the 40 others ⇒ (40 + ½) / 41 = 98.780 %; spread 2 bps, below all ⇒
        // ½ / 41 = 1.2195 % ⇒ spread part 100 − 1.2195. Score = 98.780 ⇒ THICK.
        var s = Run(Hour(BtcBinance, 3, 99.99, 100.01));
        var m = Market(s, BtcBinance);

        Assert.Equal(3 * 600.45, m.DepthUsd, 9);
        Assert.Equal(2.0, m.SpreadBps, 9);
        Assert.Equal(100 * 40.5 / 41, m.DepthPercentile, 9);
        Assert.Equal(100 * 0.5 / 41, m.SpreadPercentile, 9);
        Assert.Equal(100 * 40.5 / 41, m.Score, 9);
        Assert.Equal(LiquidityLevel.Thick, m.Level);

        var asset = s.Regime.Assets.Single(a => a.Asset == "BTC").Liquidity;
        Assert.Equal(m.Score, asset.Score, 12);
        Assert.Equal(LiquidityLevel.Thick, asset.Level);
    }

    [Fact]
    public void A_thinner_book_and_wider_spread_than_all_of_the_hour_is_thin()
    {
        // Depth 600.45 / 4 below all ⇒ ½ / 41; spread 50 bps above all ⇒ part 100 − 100 · 40.5/41. Score 1.2195 ⇒ THIN.
        var m = Market(Run(Hour(BtcBinance, 0.25, 99.75, 100.25)), BtcBinance);

        Assert.Equal(50.0, m.SpreadBps, 9);
        Assert.Equal(100 * 0.5 / 41, m.Score, 9);
        Assert.Equal(LiquidityLevel.Thin, m.Level);
    }

    [Fact]
    public void The_asset_score_is_the_mean_of_its_markets()
    {
        // Binance as in the thick case (98.780), Bybit unchanged (50): mean 74.390 ⇒ NORMAL.
        var s = Run(Merge(Hour(BtcBinance, 3, 99.99, 100.01), Hour(BtcBybit, 1, 99.95, 100.05)));
        var liquidity = s.Regime.Assets.Single(a => a.Asset == "BTC").Liquidity;

        Assert.Equal(2, liquidity.Markets.Count);
        Assert.Equal(((100 * 40.5 / 41) + 50) / 2, liquidity.Score, 9);
        Assert.Equal(LiquidityLevel.Normal, liquidity.Level);
    }

    [Fact]
    public void Fewer_than_30_samples_leave_the_score_unavailable()
    {
        // Up to 200 s: samples at 10 … 200 s = 20.
        var m = Market(Run(Hour(BtcBinance, 1, 99.95, 100.05).Where(e => e.ExchangeTime <= T0 + (200 * Second))), BtcBinance);

        Assert.Equal(20, m.DepthSamples);
        Assert.True(double.IsNaN(m.Score));
        Assert.Null(m.Level);
        Assert.Equal("spread needs 30 samples in the last hour (have 20); depth needs 30 samples in the last hour (have 20)", m.UnavailableReason);
    }

    [Fact]
    public void A_sample_sees_the_book_as_it_was_before_the_event_that_crosses_the_boundary()
    {
        // A top at 5 s, then the first book snapshot exactly at 10 s: the 10 s sample has the spread but no depth yet.
        var engine = new AnalyticsEngine();
        engine.Publish(Top(BtcBinance, T0 + (5 * Second), 99.95, 100.05));
        engine.Publish(Book(BtcBinance, T0 + (10 * Second)));
        var first = Market(engine.Snapshot(), BtcBinance);

        Assert.Equal(T0 + (10 * Second), first.SampleTime);
        Assert.Equal(10.0, first.SpreadBps, 9);
        Assert.True(double.IsNaN(first.DepthUsd));
        Assert.Contains("no synced, fresh USD book at the last sample (depth)", first.UnavailableReason, StringComparison.Ordinal);

        engine.Publish(Top(BtcBinance, T0 + (20 * Second), 99.95, 100.05));
        Assert.Equal(600.45, Market(engine.Snapshot(), BtcBinance).DepthUsd, 9);
    }

    [Fact]
    public void A_top_older_than_10_s_at_a_sample_gives_no_spread_and_an_invalid_top_is_counted()
    {
        var engine = new AnalyticsEngine();
        engine.Publish(Top(BtcBinance, T0 + (1 * Second), 99.95, 100.05));
        engine.Publish(Top(BtcBinance, T0 + (15 * Second), 100.05, 99.95)); // crossed: counted, clears the spread
        engine.Publish(Trade(BtcBinance, T0 + (20 * Second), 100));          // takes the 20 s sample
        var s = engine.Snapshot();

        Assert.Equal(1, s.Regime.IgnoredBookTops);
        Assert.True(double.IsNaN(Market(s, BtcBinance).SpreadBps));

        var stale = new AnalyticsEngine();
        stale.Publish(Top(BtcBinance, T0 + (1 * Second), 99.95, 100.05));
        stale.Publish(Trade(BtcBinance, T0 + (20 * Second), 100)); // the 20 s sample: top 19 s old
        Assert.True(double.IsNaN(Market(stale.Snapshot(), BtcBinance).SpreadBps));
    }

    [Fact]
    public void Snapshots_taken_at_any_cadence_leave_regime_and_correlation_unchanged()
    {
        // 70 minutes of a random tape on four markets (trades every second, tops, book snapshots).
        var random = new Random(17);
        var events = new List<MarketEvent>();
        double btc = 100_000, eth = 4_000;
        for (int t = 0; t < 70 * 60; t++)
        {
            long time = T0 + (t * Second) + random.Next(0, 900_000);
            btc *= Math.Exp(0.0005 * (random.NextDouble() - 0.5));
            eth *= Math.Exp(0.0007 * (random.NextDouble() - 0.5));
            events.Add(Trade(BtcBinance, time, Math.Round(btc, 2)));
            events.Add(Trade(BtcBybit, time + 1000, Math.Round(btc * 1.0001, 2)));
            events.Add(Trade(EthBinance, time + 2000, Math.Round(eth, 2)));
            if (t % 3 == 0)
            {
                events.Add(Top(BtcBinance, time + 3000, Math.Round(btc - 0.5, 2), Math.Round(btc + 0.5, 2)));
            }

            if (t % 7 == 0)
            {
                double mid = Math.Round(btc, 2);
                events.Add(BookSnapshot(BtcBinance, time + 4000,
                    [L(BtcBinance, mid - 1, 1 + random.Next(5)), L(BtcBinance, mid - 500, 3)],
                    [L(BtcBinance, mid + 1, 1 + random.Next(5)), L(BtcBinance, mid + 2000, 3)]));
            }
        }

        var once = new AnalyticsEngine();
        var often = new AnalyticsEngine();
        for (int k = 0; k < events.Count; k++)
        {
            once.Publish(events[k]);
            often.Publish(events[k]);
            if (k % 101 == 0)
            {
                _ = often.Snapshot();
            }
        }

        var a = once.Snapshot();
        var b = often.Snapshot();
        Assert.Equal(JsonSerializer.Serialize(a.Regime, SnapshotJson.Options), JsonSerializer.Serialize(b.Regime, SnapshotJson.Options));
        Assert.Equal(JsonSerializer.Serialize(a.Correlation, SnapshotJson.Options), JsonSerializer.Serialize(b.Correlation, SnapshotJson.Options));

        // And the run produced values: a regime for both assets, a BTC liquidity score, a BTC–ETH coefficient.
        Assert.All(a.Regime.Assets, r => Assert.NotNull(r.Regime));
        Assert.False(double.IsNaN(a.Regime.Assets.Single(r => r.Asset == "BTC").Liquidity.Score));
        Assert.False(double.IsNaN(Assert.Single(a.Correlation.Pairs).Coefficient));
    }

    [Fact]
    public void The_snapshot_line_carries_regime_and_correlation_after_the_existing_sections()
    {
        string line = SnapshotJson.ToLine(Run(Hour(BtcBinance, 1, 99.95, 100.05)));

        int books = line.IndexOf("\"books\":", StringComparison.Ordinal);
        int regime = line.IndexOf("\"regime\":{\"assets\":[", StringComparison.Ordinal);
        int correlation = line.IndexOf("\"correlation\":{\"window_seconds\":900", StringComparison.Ordinal);
        Assert.True(books > 0 && regime > books && correlation > regime, line);
    }
}
