using System.Text.Json;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Derivatives;

public sealed class DerivativesFundingTests
{
    private const long T0 = 1_800_000_000_000_000;

    private static (DerivativesMetrics Metrics, Instrument Perp) Setup()
    {
        var registry = new InstrumentRegistry();
        var perp = registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT");
        return (new DerivativesMetrics(new AnalyticsOptions()), perp);
    }

    private static void Feed(DerivativesMetrics m, in MarketEvent e) => m.OnEvent(e, EventTime.Of(e));

    [Fact]
    public void Rate_of_0_0001_per_8h_gives_apr_10_95_percent_and_longs_pay()
    {
        var (m, perp) = Setup();
        Feed(m, MarketEvent.From(new Funding(perp, T0, T0, 0.0001, 8, T0 + 3_600_000_000, 100_000, 99_990)));
        var row = Assert.Single(m.Snapshot(T0).Funding);
        Assert.Equal(10.95, row.AprPercent, 9);
        Assert.Equal(0.0001, row.Rate8h, 12);
        Assert.Equal(FundingPayer.LongsPay, row.Payer);
        Assert.False(row.Extreme);
    }

    [Fact]
    public void Rate_of_0_0001_per_4h_gives_8h_rate_0_0002_and_apr_21_9_percent()
    {
        var (m, perp) = Setup();
        Feed(m, MarketEvent.From(new Funding(perp, T0, T0, 0.0001, 4, T0 + 3_600_000_000, double.NaN, double.NaN)));
        var row = Assert.Single(m.Snapshot(T0).Funding);
        Assert.Equal(0.0002, row.Rate8h, 12);
        Assert.Equal(21.9, row.AprPercent, 9);
    }

    [Fact]
    public void Funding_older_than_one_minute_on_binance_is_unavailable_with_reason()
    {
        var (m, perp) = Setup();
        Feed(m, MarketEvent.From(new Funding(perp, T0, T0, 0.0001, 8, T0 + 3_600_000_000, double.NaN, double.NaN)));
        var row = Assert.Single(m.Snapshot(T0 + 61_000_000).Funding);
        Assert.True(double.IsNaN(row.Rate8h));
        Assert.Contains("stale", row.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Section_serializes_with_snake_case_names()
    {
        var (m, perp) = Setup();
        Feed(m, MarketEvent.From(new Funding(perp, T0, T0, -0.0005, 8, T0 + 3_600_000_000, double.NaN, double.NaN)));
        string json = JsonSerializer.Serialize(m.Snapshot(T0), SnapshotJson.Options);
        Assert.Contains("\"funding_differentials\":", json, StringComparison.Ordinal);
        Assert.Contains("\"apr_percent\":", json, StringComparison.Ordinal);
        Assert.Contains("\"payer\":\"shorts_pay\"", json, StringComparison.Ordinal);
        Assert.Contains("\"extreme\":true", json, StringComparison.Ordinal);
    }
}
