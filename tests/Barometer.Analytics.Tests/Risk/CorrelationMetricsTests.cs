using System.Text.Json;
using Barometer.Analytics.Risk;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using static Barometer.Analytics.Tests.Risk.RiskFixtures;

namespace Barometer.Analytics.Tests.Risk;

public sealed class CorrelationMetricsTests
{
    private const double U = 0.001; // one return unit: 0.1 %

    private static CorrelationSection Feed(IEnumerable<MarketEvent> events, long now, CorrelationMetrics? metrics = null)
    {
        metrics ??= new CorrelationMetrics(new AnalyticsOptions());
        foreach (var e in events)
        {
            metrics.OnEvent(e, EventTime.Of(e));
        }

        return metrics.Snapshot(now);
    }

    private static AssetPairCorrelation Pair(CorrelationSection s, string first, string second) =>
        s.Pairs.Single(p => p.First == first && p.Second == second);

    /// <summary>±1 signs for indices −50 … count + 50 (index i at [i + 50]), seeded.</summary>
    private static int[] Signs(int seed, int count)
    {
        var random = new Random(seed);
        var g = new int[count + 101];
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = random.Next(2) == 0 ? -1 : 1;
        }

        return g;
    }

    /// <summary>Returns r[t − 1] = U · g[t + shift] for t = 1 … count.</summary>
    private static double[] Shifted(int[] g, int count, int shift)
    {
        var r = new double[count];
        for (int t = 1; t <= count; t++)
        {
            r[t - 1] = U * g[t + shift + 50];
        }

        return r;
    }

    [Fact]
    public void Pearson_matrix_of_three_assets_matches_the_hand_computed_periodic_returns()
    {
        // 400 one-second returns (100 whole periods, so every mean is 0):
        // BTC [+1, −1, +2, −2], ETH [+1, −1, −2, +2], SOL = −BTC (units of 0.1 %).
        var btc = PricesFrom(100_000, Cycle(U, 400, 1, -1, 2, -2));
        var eth = PricesFrom(4_000, Cycle(U, 400, 1, -1, -2, 2));
        var sol = PricesFrom(200, Cycle(U, 400, -1, 1, -2, 2));

        var s = Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth), EverySecond(SolBinance, sol)), T0 + (400 * Second));

        Assert.Equal(["BTC", "ETH", "SOL"], s.Assets.Select(a => a.Asset));
        Assert.All(s.Assets, a => Assert.Equal(400, a.Samples));
        Assert.Equal(3, s.Pairs.Count);

        // Per period: Σab = 1 + 1 − 4 − 4 = −6, Σa² = Σb² = 10 ⇒ ρ = −6 / 10.
        var btcEth = Pair(s, "BTC", "ETH");
        Assert.Equal(400, btcEth.Samples);
        Assert.Equal(-0.6, btcEth.Coefficient, 9);
        Assert.Null(btcEth.UnavailableReason);

        // SOL = −BTC ⇒ ρ = −1; ETH·SOL per period: −1 − 1 + 4 + 4 = 6 ⇒ ρ = +0.6.
        Assert.Equal(-1.0, Pair(s, "BTC", "SOL").Coefficient, 9);
        Assert.Equal(0.6, Pair(s, "ETH", "SOL").Coefficient, 9);
    }

    [Fact]
    public void Eth_equal_to_btc_three_seconds_later_makes_btc_the_leader_by_three_seconds_with_peak_one()
    {
        // ETH's return at t is BTC's return at t − 3: c(k) = corr(BTC(t), ETH(t + k)) pairs identical
        // values at k = +3 ⇒ c(3) = 1; BTC's signs are independent, so every other lag is far lower.
        var g = Signs(11, 600);
        var btc = PricesFrom(100_000, Shifted(g, 600, 0));
        var eth = PricesFrom(4_000, Shifted(g, 600, -3));

        var pair = Pair(Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth)), T0 + (600 * Second)), "BTC", "ETH");

        Assert.Equal("BTC", pair.LeadLag.Leader);
        Assert.Equal("ETH", pair.LeadLag.Follower);
        Assert.Equal(3, pair.LeadLag.LeadSeconds);
        Assert.Equal(3, pair.LeadLag.PeakLagSeconds);
        Assert.Equal(1.0, pair.LeadLag.PeakCorrelation, 9);
        Assert.Null(pair.LeadLag.NeutralReason);
        Assert.True(Math.Abs(pair.Coefficient) < 0.2, $"lag-0 coefficient of independent signs was {pair.Coefficient}");
    }

    [Fact]
    public void The_second_asset_of_a_pair_leads_when_the_peak_lag_is_negative()
    {
        // SOL(t) = BTC(t + 5): SOL moves first. c(k) = corr(BTC(t), SOL(t + k)) = corr(BTC(t), BTC(t + k + 5)) peaks at k = −5.
        var g = Signs(5, 600);
        var btc = PricesFrom(100_000, Shifted(g, 600, 0));
        var sol = PricesFrom(200, Shifted(g, 600, 5));

        var lead = Pair(Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(SolBinance, sol)), T0 + (600 * Second)), "BTC", "SOL").LeadLag;

        Assert.Equal("SOL", lead.Leader);
        Assert.Equal("BTC", lead.Follower);
        Assert.Equal(5, lead.LeadSeconds);
        Assert.Equal(-5, lead.PeakLagSeconds);
        Assert.Equal(1.0, lead.PeakCorrelation, 9);
    }

    [Fact]
    public void Identical_moves_peak_at_lag_zero_and_have_no_leader()
    {
        var g = Signs(3, 300);
        var btc = PricesFrom(100_000, Shifted(g, 300, 0));
        var eth = PricesFrom(4_000, Shifted(g, 300, 0));

        var pair = Pair(Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth)), T0 + (300 * Second)), "BTC", "ETH");

        Assert.Equal(1.0, pair.Coefficient, 9);
        Assert.Null(pair.LeadLag.Leader);
        Assert.Equal(0, pair.LeadLag.LeadSeconds);
        Assert.Equal(0, pair.LeadLag.PeakLagSeconds);
        Assert.Equal(1.0, pair.LeadLag.PeakCorrelation, 9);
        Assert.Equal("peak at lag 0 (the assets move together)", pair.LeadLag.NeutralReason);
        Assert.Null(pair.LeadLag.UnavailableReason);
    }

    [Fact]
    public void Independent_assets_have_a_peak_below_the_threshold_and_no_leader()
    {
        // Two independent sign sequences of 600: every c(k) is noise of about ±1/√600 ≈ ±0.04.
        var btc = PricesFrom(100_000, Shifted(Signs(21, 600), 600, 0));
        var eth = PricesFrom(4_000, Shifted(Signs(22, 600), 600, 0));

        var lead = Pair(Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth)), T0 + (600 * Second)), "BTC", "ETH").LeadLag;

        Assert.Null(lead.Leader);
        Assert.True(lead.PeakCorrelation < CorrelationCalc.LeaderThreshold);
        Assert.StartsWith("peak correlation ", lead.NeutralReason, StringComparison.Ordinal);
        Assert.EndsWith("is below 0.2", lead.NeutralReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(119, false)]
    [InlineData(120, true)]
    public void A_pair_needs_120_common_returns(int returns, bool available)
    {
        var btc = PricesFrom(100_000, Cycle(U, returns, 1, -1, 2, -2));
        var eth = PricesFrom(4_000, Cycle(U, returns, 1, -1, -2, 2));

        var pair = Pair(Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth)), T0 + (returns * Second)), "BTC", "ETH");

        Assert.Equal(returns, pair.Samples);
        if (available)
        {
            Assert.Equal(-0.6, pair.Coefficient, 9); // 120 = 30 whole periods
            Assert.Null(pair.UnavailableReason);
        }
        else
        {
            Assert.True(double.IsNaN(pair.Coefficient));
            Assert.Equal("119 common 1 s returns (needs 120)", pair.UnavailableReason);
            Assert.Equal("119 common 1 s returns (needs 120)", pair.LeadLag.UnavailableReason);
            Assert.Null(pair.LeadLag.Leader);
        }
    }

    [Fact]
    public void A_stale_asset_makes_its_pairs_unavailable_and_leaves_the_others()
    {
        // BTC and ETH trade every second to 400 s; SOL stops at 300 s: at 400 s its last trade is 100 s old (limit 60 s).
        var btc = PricesFrom(100_000, Cycle(U, 400, 1, -1, 2, -2));
        var eth = PricesFrom(4_000, Cycle(U, 400, 1, -1, -2, 2));
        var sol = PricesFrom(200, Cycle(U, 300, -1, 1, -2, 2));

        var s = Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth), EverySecond(SolBinance, sol)), T0 + (400 * Second));

        const string stale = "SOL stale: last trade 100 s ago (limit 60 s)";
        Assert.Equal(stale, s.Assets.Single(a => a.Asset == "SOL").UnavailableReason);
        Assert.Equal(100.0, s.Assets.Single(a => a.Asset == "SOL").LastTradeAgeSeconds, 9);
        foreach (var pair in new[] { Pair(s, "BTC", "SOL"), Pair(s, "ETH", "SOL") })
        {
            Assert.True(double.IsNaN(pair.Coefficient));
            Assert.Equal(stale, pair.UnavailableReason);
            Assert.Equal(stale, pair.LeadLag.UnavailableReason);
        }

        Assert.Equal(-0.6, Pair(s, "BTC", "ETH").Coefficient, 9);
    }

    [Fact]
    public void A_price_is_carried_forward_at_most_sixty_seconds()
    {
        // Trades every second 0 … 100, then none until 190, then every second to 300. Prices exist for
        // seconds 0 … 160 (carried ≤ 60 s) and 190 … 300, so returns exist for 1 … 160 and 191 … 300: 160 + 110.
        var events = new List<MarketEvent>();
        for (int t = 0; t <= 300; t++)
        {
            if (t <= 100 || t >= 190)
            {
                events.Add(Trade(BtcBinance, T0 + (t * Second), 100_000 + (t % 2)));
            }
        }

        var s = Feed(events, T0 + (300 * Second));

        Assert.Equal(270, Assert.Single(s.Assets).Samples);
    }

    [Fact]
    public void A_market_that_trades_every_other_second_contributes_a_return_every_second()
    {
        // Carried forward: a zero return in the seconds without a trade, so 200 returns over 200 s.
        var events = new List<MarketEvent>();
        for (int t = 0; t <= 200; t += 2)
        {
            events.Add(Trade(BtcBinance, T0 + (t * Second), 100_000 + t));
        }

        Assert.Equal(200, Assert.Single(Feed(events, T0 + (200 * Second)).Assets).Samples);
    }

    [Fact]
    public void Each_venue_against_the_mean_of_the_others_matches_the_hand_computed_values()
    {
        // Binance = Bybit = [+1, −1, +2, −2], OKX = [+1, −1, −2, +2] (400 returns, whole periods).
        // Binance vs mean(Bybit, OKX) = [1, −1, 0, 0]: Σab = 2, Σa² = 10, Σb² = 2 ⇒ 2 / √20 = 0.4472136.
        // OKX vs mean(Binance, Bybit) = Binance ⇒ −0.6 (the Pearson fixture above).
        var same = Cycle(U, 400, 1, -1, 2, -2);
        var s = Feed(Merge(
            EverySecond(BtcBinance, PricesFrom(100_000, same)),
            EverySecond(BtcBybit, PricesFrom(100_010, same)),
            EverySecond(BtcOkx, PricesFrom(99_990, Cycle(U, 400, 1, -1, -2, 2)))), T0 + (400 * Second));

        var cross = Assert.Single(s.CrossVenue);
        Assert.Equal("BTC", cross.Asset);
        Assert.Null(cross.UnavailableReason);
        Assert.Equal(["binance-futures:BTCUSDT", "bybit-linear:BTCUSDT", "okx-swap:BTC-USDT-SWAP"], cross.Venues.Select(v => v.Instrument));
        Assert.Equal(2 / Math.Sqrt(20), cross.Venues[0].Coefficient, 9);
        Assert.Equal(2 / Math.Sqrt(20), cross.Venues[1].Coefficient, 9);
        Assert.Equal(-0.6, cross.Venues[2].Coefficient, 9);
        Assert.All(cross.Venues, v => Assert.Equal(400, v.Samples));
        Assert.Equal("okx-swap", cross.Venues[2].Venue);

        // The asset series is the mean of the three: [1, −1, 2/3, −2/3]; its own samples count every second once.
        Assert.Equal(400, Assert.Single(s.Assets).Samples);
    }

    [Fact]
    public void An_asset_with_one_market_has_no_cross_venue_comparison()
    {
        var s = Feed(EverySecond(BtcBinance, PricesFrom(100_000, Cycle(U, 200, 1, -1))), T0 + (200 * Second));

        var cross = Assert.Single(s.CrossVenue);
        Assert.Equal("one market only (nothing to compare)", cross.UnavailableReason);
        Assert.Equal("one market only (nothing to compare)", Assert.Single(cross.Venues).UnavailableReason);
        Assert.Empty(s.Pairs);
    }

    [Fact]
    public void A_flat_asset_has_zero_variance_and_no_coefficient()
    {
        var btc = PricesFrom(100_000, Cycle(U, 200, 1, -1, 2, -2));
        var eth = PricesFrom(4_000, new double[200]);

        var pair = Pair(Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth)), T0 + (200 * Second)), "BTC", "ETH");

        Assert.Equal(200, pair.Samples);
        Assert.True(double.IsNaN(pair.Coefficient));
        Assert.Equal("no price change of ETH in the window (zero variance)", pair.UnavailableReason);
    }

    [Fact]
    public void Returns_older_than_the_900_second_window_drop_out()
    {
        // 1200 s of trades: only the returns of the last 900 seconds count.
        var btc = PricesFrom(100_000, Cycle(U, 1200, 1, -1, 2, -2));
        var eth = PricesFrom(4_000, Cycle(U, 1200, 1, -1, -2, 2));

        var s = Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth)), T0 + (1200 * Second));

        Assert.Equal(900, Pair(s, "BTC", "ETH").Samples);
        Assert.Equal(-0.6, Pair(s, "BTC", "ETH").Coefficient, 9); // 900 = 225 whole periods
    }

    [Fact]
    public void Bad_and_late_trades_are_counted_and_change_nothing_else()
    {
        var btc = PricesFrom(100_000, Cycle(U, 200, 1, -1, 2, -2));
        var eth = PricesFrom(4_000, Cycle(U, 200, 1, -1, -2, 2));
        var clean = Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth));
        var dirty = new List<MarketEvent>();
        foreach (var e in clean)
        {
            dirty.Add(e);
            if (e.Instrument == BtcBinance && e.ExchangeTime == T0 + (100 * Second))
            {
                dirty.Add(Trade(BtcBinance, e.ExchangeTime, double.NaN));
                dirty.Add(Trade(BtcBinance, e.ExchangeTime, 1, -2));
                dirty.Add(Trade(BtcBinance, e.ExchangeTime, 1, 1, Side.Unknown));
                dirty.Add(Trade(BtcBinance, e.ExchangeTime, double.PositiveInfinity));
                dirty.Add(Trade(BtcBinance, e.ExchangeTime - (5 * Second), 1)); // five seconds late
                dirty.Add(Trade(EthBtc, e.ExchangeTime, 0.04));                 // not USD-quoted: not used, not bad
            }
        }

        var a = Feed(clean, T0 + (200 * Second));
        var b = Feed(dirty, T0 + (200 * Second));

        Assert.Equal((0L, 0L), (a.IgnoredTrades, a.LateTrades));
        Assert.Equal((4L, 1L), (b.IgnoredTrades, b.LateTrades));
        Assert.Equal(JsonSerializer.Serialize(a with { IgnoredTrades = 4, LateTrades = 1 }, SnapshotJson.Options), JsonSerializer.Serialize(b, SnapshotJson.Options));
    }

    [Fact]
    public void Snapshots_taken_in_between_do_not_change_the_result()
    {
        var g = Signs(9, 1000);
        var events = Merge(
            EverySecond(BtcBinance, PricesFrom(100_000, Shifted(g, 1000, 0))),
            EverySecond(BtcBybit, PricesFrom(100_000, Shifted(g, 1000, -1))),
            EverySecond(EthBinance, PricesFrom(4_000, Shifted(g, 1000, -2))));
        var whole = Feed(events, T0 + (1000 * Second));

        var stepped = new CorrelationMetrics(new AnalyticsOptions());
        foreach (var e in events)
        {
            stepped.OnEvent(e, EventTime.Of(e));
            if (e.ExchangeTime % (37 * Second) == 0)
            {
                _ = stepped.Snapshot(e.ExchangeTime);
            }
        }

        Assert.Equal(JsonSerializer.Serialize(whole, SnapshotJson.Options), JsonSerializer.Serialize(stepped.Snapshot(T0 + (1000 * Second)), SnapshotJson.Options));
    }

    [Fact]
    public void The_section_serializes_snake_case_with_unavailable_values_as_null()
    {
        var btc = PricesFrom(100_000, Cycle(U, 50, 1, -1));
        var eth = PricesFrom(4_000, Cycle(U, 50, 1, -1));

        string json = JsonSerializer.Serialize(Feed(Merge(EverySecond(BtcBinance, btc), EverySecond(EthBinance, eth)), T0 + (50 * Second)), SnapshotJson.Options);

        Assert.StartsWith("""{"window_seconds":900,"min_samples":120,"max_lag_seconds":30,"assets":[{"asset":"BTC","instruments":["binance-futures:BTCUSDT"],"samples":50,""", json, StringComparison.Ordinal);
        Assert.Contains(""","pairs":[{"first":"BTC","second":"ETH","samples":50,"coefficient":null,"lead_lag":{"leader":null,"follower":null,"lead_seconds":0,"peak_lag_seconds":0,"peak_correlation":null,"neutral_reason":null,"unavailable_reason":"50 common 1 s returns (needs 120)"},"unavailable_reason":"50 common 1 s returns (needs 120)"}]""", json, StringComparison.Ordinal);
        Assert.Contains(""","cross_venue":[{"asset":"BTC","venues":[{"instrument":"binance-futures:BTCUSDT","venue":"binance-futures","market":"perpetual","samples":0,"coefficient":null,""", json, StringComparison.Ordinal);
        Assert.EndsWith(""","ignored_trades":0,"late_trades":0}""", json, StringComparison.Ordinal);
    }
}
