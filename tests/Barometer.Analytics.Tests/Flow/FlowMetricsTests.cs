using System.Text.Json;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Flow;

public sealed class FlowMetricsTests
{
    private const long Second = 1_000_000;
    private const long T0 = 1_796_083_200_000_000;

    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Perp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    private static readonly Instrument Bybit = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    private static MarketEvent T(Instrument i, long time, double price, double quantity, Side side) =>
        MarketEvent.From(new Trade(i, time, time, price, quantity, side, TradeId.FromNumber(time)));

    private static FlowSection Feed(IEnumerable<MarketEvent> events, long now)
    {
        var flow = new FlowMetrics(new AnalyticsOptions());
        foreach (var e in events)
        {
            flow.OnEvent(e, e.ExchangeTime);
        }

        return flow.Snapshot(now);
    }

    // buy 2 @ 100 ($200), sell 1 @ 101 ($101), buy 1 @ 102 ($102), sell 3 @ 99 ($297)
    private static readonly MarketEvent[] Four =
    [
        T(Perp, T0 + Second, 100, 2, Side.Buy),
        T(Perp, T0 + (2 * Second), 101, 1, Side.Sell),
        T(Perp, T0 + (3 * Second), 102, 1, Side.Buy),
        T(Perp, T0 + (4 * Second), 99, 3, Side.Sell),
    ];

    [Fact]
    public void Four_trades_give_the_hand_computed_one_minute_window()
    {
        var w = Assert.Single(Feed(Four, T0 + (4 * Second)).Instruments).OneMinute;

        Assert.Equal(302, w.BuyUsd, 9);
        Assert.Equal(398, w.SellUsd, 9);
        Assert.Equal(700, w.TotalUsd, 9);
        Assert.Equal((2, 2, 4), (w.BuyTrades, w.SellTrades, w.Trades));
        Assert.Equal(100, w.Vwap, 9);               // 700 / 7
        Assert.Equal((99.0, 102.0), (w.MinPrice, w.MaxPrice));
        Assert.Equal(175, w.AvgTradeUsd, 9);
        Assert.Equal(151, w.AvgBuyUsd, 9);
        Assert.Equal(199, w.AvgSellUsd, 9);
        Assert.Equal(-48.0 / 350, w.SizeImbalance, 9); // (151 − 199) / (151 + 199)
        Assert.Equal(1, w.AggressorRatio, 9);
        Assert.Equal(-9600.0 / 700, w.OrderflowImbalance, 9); // 100 × (302 − 398) / 700
        Assert.Equal(30200.0 / 700, w.BuyPercent, 9);
        Assert.Equal(-96, w.NetFlowUsd, 9);
    }

    [Fact]
    public void Tick_direction_counts_up_and_down_ticks_and_the_current_streak()
    {
        var ticks = Assert.Single(Feed(Four, T0 + (4 * Second)).Instruments).Ticks;

        Assert.Equal((2, 1), (ticks.Upticks, ticks.Downticks)); // 100→101↑, 101→102↑, 102→99↓
        Assert.Equal(200.0 / 3, ticks.UpPercent, 9);
        Assert.Equal(TickStreakDirection.Down, ticks.StreakDirection);
        Assert.Equal(1, ticks.StreakLength);
    }

    [Fact]
    public void Trades_leave_the_one_minute_window_after_sixty_seconds_but_stay_in_five_minutes()
    {
        var m = Assert.Single(Feed(Four, T0 + (62 * Second)).Instruments);

        Assert.True(m.OneMinute.Trades < 4);
        Assert.Equal(4, m.FiveMinutes.Trades);
        Assert.Equal(700, m.FiveMinutes.TotalUsd, 9);
    }

    [Fact]
    public void The_asset_aggregates_every_venue_and_dominance_shares_add_up_to_one_hundred()
    {
        var events = Four.Append(T(Bybit, T0 + (5 * Second), 100, 3, Side.Buy)).ToArray(); // $300 on Bybit
        var asset = Assert.Single(Feed(events, T0 + (5 * Second)).Assets);

        Assert.Equal("BTC", asset.Asset);
        Assert.Equal(1000, asset.FiveMinutes.TotalUsd, 9);
        Assert.Equal(602, asset.FiveMinutes.BuyUsd, 9);
        double[] shares = [.. asset.Dominance.Shares.Select(s => s.SharePercent5m)];
        Assert.Equal(100, shares.Sum(), 9);
        Assert.Contains(asset.Dominance.Shares, s => s.Instrument == "binance-futures:BTCUSDT" && Math.Abs(s.SharePercent5m - 70) < 1e-9);
    }

    [Fact]
    public void Buy_plus_sell_is_total_and_vwap_lies_within_the_price_range_for_random_tapes()
    {
        var random = new Random(42);
        for (int run = 0; run < 20; run++)
        {
            var events = new List<MarketEvent>();
            long t = T0;
            for (int i = 0; i < 200; i++)
            {
                t += random.Next(1, 3_000_000);
                events.Add(T(Perp, t, 90 + (random.NextDouble() * 20), 0.001 + random.NextDouble(), random.Next(2) == 0 ? Side.Buy : Side.Sell));
            }

            var m = Assert.Single(Feed(events, t).Instruments);
            foreach (var w in new[] { m.OneMinute, m.FiveMinutes, m.FifteenMinutes })
            {
                Assert.Equal(w.TotalUsd, w.BuyUsd + w.SellUsd, 6);
                Assert.Equal(w.Trades, w.BuyTrades + w.SellTrades);
                Assert.InRange(w.Vwap, w.MinPrice - 1e-9, w.MaxPrice + 1e-9);
            }
        }
    }

    [Fact]
    public void Feeding_the_tape_in_two_halves_with_a_snapshot_between_equals_feeding_it_whole()
    {
        var random = new Random(7);
        var events = new List<MarketEvent>();
        long t = T0;
        for (int i = 0; i < 400; i++)
        {
            t += random.Next(1, 5_000_000);
            events.Add(T(i % 3 == 0 ? Bybit : Perp, t, 95 + (random.NextDouble() * 10), 0.01 + random.NextDouble(), random.Next(2) == 0 ? Side.Buy : Side.Sell));
        }

        var whole = Feed(events, t);
        var halves = new FlowMetrics(new AnalyticsOptions());
        for (int i = 0; i < events.Count; i++)
        {
            halves.OnEvent(events[i], events[i].ExchangeTime);
            if (i == events.Count / 2)
            {
                _ = halves.Snapshot(events[i].ExchangeTime);
            }
        }

        Assert.Equal(JsonSerializer.Serialize(whole, SnapshotJson.Options), JsonSerializer.Serialize(halves.Snapshot(t), SnapshotJson.Options));
    }

    [Fact]
    public void The_section_serializes_with_snake_case_names_and_unavailable_values_as_null()
    {
        string json = JsonSerializer.Serialize(Feed(Four, T0 + (4 * Second)), SnapshotJson.Options);

        Assert.Contains("\"orderflow_imbalance\":", json, StringComparison.Ordinal);
        Assert.Contains("\"buy_usd\":302", json, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
    }
}
