using System.Text.Json;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Flow;

public sealed class FlowBadInputTests
{
    private const long Second = 1_000_000;
    private const long T0 = 1_796_083_200_000_000;

    private static readonly Instrument Perp = new InstrumentRegistry().GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    private static MarketEvent T(long time, double price, double quantity, Side side) =>
        MarketEvent.From(new Trade(Perp, time, time, price, quantity, side, TradeId.FromNumber(time)));

    [Theory]
    [InlineData(100.1, 3.0)]   // 100.1 × 3 / 3 = 100.09999999999998 in doubles
    [InlineData(97.9, 0.03)]   // 97.9 × 0.03 / 0.03 = 97.90000000000002
    public void Vwap_of_trades_at_one_price_is_exactly_that_price(double price, double quantity)
    {
        var flow = new FlowMetrics(new AnalyticsOptions());
        flow.OnEvent(T(T0, price, quantity, Side.Buy), T0);
        flow.OnEvent(T(T0 + Second, price, quantity, Side.Sell), T0 + Second);

        var w = Assert.Single(flow.Snapshot(T0 + Second).Instruments).OneMinute;

        Assert.Equal(price, w.Vwap);
        Assert.Equal((price, price), (w.MinPrice, w.MaxPrice));
    }

    [Fact]
    public void Bad_trades_are_skipped_counted_and_leave_the_windows_and_ticks_as_without_them()
    {
        MarketEvent[] good = [T(T0, 100, 1, Side.Buy), T(T0 + (3 * Second), 101, 2, Side.Sell)];
        MarketEvent[] bad =
        [
            T(T0 + Second, double.NaN, 1, Side.Buy),
            T(T0 + Second, double.PositiveInfinity, 1, Side.Buy),
            T(T0 + Second, -100, 1, Side.Sell),
            T(T0 + Second, 100, -1, Side.Sell),
            T(T0 + Second, 100, 0, Side.Buy),
            T(T0 + Second, 100, double.NaN, Side.Buy),
            T(T0 + (2 * Second), 50, 1, Side.Unknown),
            T(T0 + (2 * Second), 50, 1, (Side)7),
        ];

        var clean = new FlowMetrics(new AnalyticsOptions());
        var dirty = new FlowMetrics(new AnalyticsOptions());
        foreach (var e in good)
        {
            clean.OnEvent(e, e.ExchangeTime);
        }

        dirty.OnEvent(good[0], good[0].ExchangeTime);
        foreach (var e in bad)
        {
            dirty.OnEvent(e, e.ExchangeTime);
        }

        dirty.OnEvent(good[1], good[1].ExchangeTime);

        Assert.Equal(8, dirty.Rejected);
        Assert.Equal(0, clean.Rejected);
        var w = Assert.Single(dirty.Snapshot(T0 + (3 * Second)).Instruments);
        Assert.Equal(2, w.OneMinute.Trades);
        Assert.Equal(302, w.OneMinute.TotalUsd, 9);                      // 100 + 2 × 101
        Assert.Equal((1, 0), (w.Ticks.Upticks, w.Ticks.Downticks));      // 100 → 101: the bad prices are no ticks
        Assert.Equal(
            JsonSerializer.Serialize(clean.Snapshot(T0 + (3 * Second)), SnapshotJson.Options),
            JsonSerializer.Serialize(dirty.Snapshot(T0 + (3 * Second)), SnapshotJson.Options));
    }
}
