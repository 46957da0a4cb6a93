using System.Text.Json;
using Barometer.Analytics.Liquidations;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using static Barometer.Analytics.Tests.Liquidations.LiquidationFixtures;

namespace Barometer.Analytics.Tests.Liquidations;

public sealed class LiquidationEngineTests
{
    private static List<MarketEvent> RandomTape(int seed, int count)
    {
        var random = new Random(seed);
        Instrument[] liquidating = [Binance, Bybit, Okx, BybitEth];
        var events = new List<MarketEvent>();
        long t = T0;
        for (int i = 0; i < count; i++)
        {
            t += random.Next(1, 4_000_000);
            var instrument = liquidating[random.Next(liquidating.Length)];
            double price = instrument.Base == "ETH" ? 3_000 + (random.NextDouble() * 60) : 100_000 + (random.NextDouble() * 2_000);
            events.Add(random.Next(3) == 0
                ? Liq(instrument, t, price, 0.01 + (random.NextDouble() * 5), random.Next(2) == 0 ? PositionSide.Long : PositionSide.Short)
                : Trade(instrument, t, price));
        }

        return events;
    }

    [Fact]
    public void The_engine_publishes_cascade_alerts_on_its_alert_sink_and_in_the_snapshot()
    {
        var alerts = new AlertRecorder();
        var engine = new AnalyticsEngine(null, alerts);
        foreach (var e in new[]
        {
            Liq(Binance, T0, 100_000, 0.5, PositionSide.Long),
            Liq(Bybit, T0 + (4 * Second), 99_800, 2, PositionSide.Long),
            Liq(Okx, T0 + (8 * Second), 99_700, 1, PositionSide.Long),
            Liq(Binance, T0 + (12 * Second), 99_900, 0.3, PositionSide.Short),
            Liq(Bybit, T0 + (16 * Second), 99_500, 5, PositionSide.Long),
            Trade(Bybit, T0 + (17 * Second), 99_500),
        })
        {
            engine.Publish(e);
        }

        var snapshot = engine.Snapshot();
        Assert.Equal(AlertPhase.Opened, Assert.Single(alerts.Alerts).Phase);
        Assert.Single(snapshot.Liquidations.ActiveCascades);
        string json = SnapshotJson.ToLine(snapshot);
        using var doc = JsonDocument.Parse(json);
        Assert.Contains(doc.RootElement.EnumerateObject(), p => p.Name == "liquidations");
        var cascade = doc.RootElement.GetProperty("liquidations").GetProperty("active_cascades")[0];
        Assert.Equal("liquidation_cascade", cascade.GetProperty("type").GetString());
        Assert.True(cascade.GetProperty("cross_exchange").GetBoolean());
        Assert.Equal("long", cascade.GetProperty("side").GetString());
        Assert.Equal("opened", cascade.GetProperty("phase").GetString());
        Assert.Equal(0.15, cascade.GetProperty("factors").GetProperty("venue_breadth").GetProperty("contribution").GetDouble(), 9);
        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Feeding_a_tape_in_two_halves_with_snapshots_between_equals_feeding_it_whole_alerts_included()
    {
        var events = RandomTape(11, 3000);
        var wholeAlerts = new AlertRecorder();
        var whole = New(alerts: wholeAlerts).Feed([.. events]);
        var halvesAlerts = new AlertRecorder();
        var halves = New(alerts: halvesAlerts);
        for (int i = 0; i < events.Count; i++)
        {
            halves.Feed(events[i]);
            if (i % 700 == 0)
            {
                _ = halves.Snapshot(EventTime.Of(events[i]));
            }
        }

        long now = EventTime.Of(events[^1]);
        Assert.NotEmpty(wholeAlerts.Alerts);                   // the random tape does contain cascades
        Assert.Equal(JsonSerializer.Serialize(wholeAlerts.Alerts, SnapshotJson.Options), JsonSerializer.Serialize(halvesAlerts.Alerts, SnapshotJson.Options));
        Assert.Equal(JsonSerializer.Serialize(whole.Snapshot(now), SnapshotJson.Options), JsonSerializer.Serialize(halves.Snapshot(now), SnapshotJson.Options));
    }

    [Fact]
    public void Every_alert_phase_sequence_is_opened_then_updates_then_closed_and_totals_never_shrink()
    {
        var alerts = new AlertRecorder();
        var events = RandomTape(5, 5000);
        New(alerts: alerts).Feed([.. events]).Feed(Trade(Bybit, EventTime.Of(events[^1]) + (3600 * Second), 100_000));

        foreach (var group in alerts.Alerts.GroupBy(a => a.Id))
        {
            var phases = group.Select(a => a.Phase).ToList();
            Assert.Equal(AlertPhase.Opened, phases[0]);
            Assert.Equal(AlertPhase.Closed, phases[^1]);
            Assert.All(phases.Skip(1).SkipLast(1), p => Assert.Equal(AlertPhase.Updated, p));
            var counts = group.Select(a => a.Count).ToList();
            Assert.Equal(counts.OrderBy(c => c), counts);
            Assert.All(group, a => Assert.InRange(a.Score, 0, 3.1));
            Assert.All(group, a => Assert.True(Math.Abs(a.Usd - (a.LongUsd + a.ShortUsd)) <= 1e-9 * a.Usd)); // summed in different orders
        }
    }

    [Fact]
    public void Long_plus_short_is_total_and_classes_add_up_for_random_tapes()
    {
        var section = New().Feed([.. RandomTape(3, 4000)]).Snapshot(EventTime.Of(RandomTape(3, 4000)[^1]));

        foreach (var w in section.Instruments.SelectMany(r => new[] { r.OneMinute, r.FiveMinutes }).Concat(section.Assets.SelectMany(a => new[] { a.OneMinute, a.FiveMinutes })))
        {
            Assert.Equal(w.Count, w.LongCount + w.ShortCount);
            Assert.Equal(w.TotalUsd, w.LongUsd + w.ShortUsd, 6);
            Assert.Equal(w.Count, w.Institutional.Count + w.Large.Count + w.Small.Count);
            Assert.True(Math.Abs(w.TotalUsd - (w.Institutional.Usd + w.Large.Usd + w.Small.Usd)) <= 1e-9 * w.TotalUsd);
        }
    }

    [Fact]
    public void Trades_and_liquidations_allocate_nothing_after_warm_up()
    {
        var metrics = New();
        var events = RandomTape(9, 6000);
        int half = events.Count / 2;
        for (int i = 0; i < half; i++)
        {
            metrics.OnEvent(events[i], EventTime.Of(events[i]));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = half; i < events.Count; i++)
        {
            metrics.OnEvent(events[i], EventTime.Of(events[i]));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void New_thresholds_are_validated_with_their_keys()
    {
        var problems = new BarometerOptions
        {
            Thresholds = new()
            {
                LargeLiquidationUsd = 50_000,
                InstitutionalLiquidationUsd = 20_000,
                LiquidationDangerZoneUsd = 0,
                LiquidationClusterRetentionMinutes = 0,
                CascadeMinLiquidations = 1,
                CascadeWindowSeconds = 3601,
            },
        }.Validate().Select(p => p.ToString()).ToList();

        Assert.Contains("Thresholds:InstitutionalLiquidationUsd: 20000 must not be below LargeLiquidationUsd (50000)", problems);
        Assert.Contains("Thresholds:LiquidationDangerZoneUsd: 0 must be a positive number", problems);
        Assert.Contains("Thresholds:LiquidationClusterRetentionMinutes: 0 must be between 1 and 240", problems);
        Assert.Contains("Thresholds:CascadeMinLiquidations: 1 must be between 2 and 1000", problems);
        Assert.Contains("Thresholds:CascadeWindowSeconds: 3601 must be between 1 and 3600", problems);
        Assert.Empty(new BarometerOptions().Validate());
    }

    [Fact]
    public void Invalid_liquidation_options_are_reported_by_key_and_refused_by_the_engine()
    {
        var bad = new LiquidationOptions
        {
            HeatmapPriceBins = 1,
            HeatmapTimeBins = 7,
            HeatmapRangePercent = 0,
            RingCapacity = 10,
            RecentCascades = -1,
            CascadeUpdateInterval = TimeSpan.FromSeconds(-1),
            LevelRangePercent = 60,
            RiskNearPercent = double.NaN,
        };
        var keys = bad.Validate().Select(p => p.Key).ToList();

        Assert.Equal(
        [
            "Analytics:Liquidations:HeatmapPriceBins", "Analytics:Liquidations:HeatmapWindow", "Analytics:Liquidations:HeatmapRangePercent",
            "Analytics:Liquidations:RingCapacity", "Analytics:Liquidations:RecentCascades", "Analytics:Liquidations:CascadeUpdateInterval",
            "Analytics:Liquidations:LevelRangePercent", "Analytics:Liquidations:RiskNearPercent",
        ], keys); // 60 min does not divide into 7 equal µs bins
        var error = Assert.Throws<ArgumentException>(() => new AnalyticsEngine(new AnalyticsOptions { Liquidations = bad }));
        Assert.Contains("Analytics:Liquidations:RingCapacity: 10 must be between 1000 and 10000000", error.Message, StringComparison.Ordinal);
        Assert.Empty(new LiquidationOptions().Validate());
    }
}
