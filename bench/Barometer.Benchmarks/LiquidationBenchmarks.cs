using BenchmarkDotNet.Attributes;
using Barometer.Analytics;
using Barometer.Analytics.Liquidations;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Benchmarks;

/// <summary>
/// Mixed trade + liquidation events through the liquidation family on one thread: BTC, ETH and
/// SOL perpetuals on Binance, Bybit and OKX (9 instruments), one liquidation per 32 events, event
/// time advancing 1 ms per event (≈ 31 liquidations/s — a busy market: cascades stay open, so the
/// detector's join path and one Updated alert per asset per second are exercised; after ~53 min of
/// event time the 100,000-entry ring is full and the drop-oldest path runs too). Times keep rising
/// from one invocation to the next. One operation = one event; events/s = 1 / mean.
/// </summary>
[MemoryDiagnoser]
public class LiquidationBenchmarks
{
    private const int Events = 1 << 16;
    private const long Step = 1_000;
    private readonly MarketEvent[] _events = new MarketEvent[Events];
    private readonly long[] _times = new long[Events];
    private readonly CountingSink _sink = new();
    private LiquidationMetrics _withAlerts = null!;
    private LiquidationMetrics _withoutSink = null!;
    private LiquidationMetrics _snapshotFamily = null!;
    private long _offsetWithAlerts;
    private long _offsetWithoutSink;
    private long _snapshotNow;

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry();
        string[] assets = ["BTC", "ETH", "SOL"];
        double[] basePrices = [100_000, 3_500, 150];
        var instruments = new List<(Instrument Instrument, int Asset)>();
        for (int a = 0; a < assets.Length; a++)
        {
            instruments.Add((registry.GetOrAdd(VenueId.BinanceFutures, assets[a], "USDT", assets[a] + "USDT", 1, 0.01), a));
            instruments.Add((registry.GetOrAdd(VenueId.BybitLinear, assets[a], "USDT", assets[a] + "USDT", 1, 0.01), a));
            instruments.Add((registry.GetOrAdd(VenueId.OkxSwap, assets[a], "USDT", assets[a] + "-USDT-SWAP", 0.01, 0.01), a));
        }

        var random = new Random(42);
        var prices = (double[])basePrices.Clone();
        const long start = 1_796_083_200_000_000;
        for (int i = 0; i < Events; i++)
        {
            var (instrument, asset) = instruments[random.Next(instruments.Count)];
            prices[asset] *= 1 + ((random.NextDouble() - 0.5) * 0.0004);
            double price = prices[asset];
            long t = start + (i * Step);
            _times[i] = t;
            if (i % 32 == 31)
            {
                var side = random.Next(2) == 0 ? PositionSide.Long : PositionSide.Short;
                double usd = Math.Exp(random.NextDouble() * 12); // $1 … $160K, log-uniform
                var completeness = instrument.Venue == VenueId.BybitLinear ? FeedCompleteness.Complete : FeedCompleteness.Sampled;
                _events[i] = MarketEvent.From(new Liquidation(instrument, t, t, price, usd / price, side, Liquidation.OrderSideFor(side), completeness));
            }
            else
            {
                _events[i] = MarketEvent.From(new Trade(instrument, t, t, price, 0.001 + random.NextDouble(), random.Next(2) == 0 ? Side.Buy : Side.Sell,
                    TradeId.FromNumber(i)));
            }
        }

        _withAlerts = new LiquidationMetrics(new AnalyticsOptions(), _sink);
        _withoutSink = new LiquidationMetrics(new AnalyticsOptions());
        _snapshotFamily = new LiquidationMetrics(new AnalyticsOptions());

        // The snapshot family holds a full hour: 56 passes of 65.5 s of event time ≈ 115,000 liquidations offered, ring at its cap.
        long offset = 0;
        for (int pass = 0; pass < 56; pass++)
        {
            for (int i = 0; i < Events; i++)
            {
                _snapshotFamily.OnEvent(_events[i], _times[i] + offset);
            }

            offset += Events * Step;
        }

        _snapshotNow = _times[Events - 1] + offset - (Events * Step);
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "mixed trades + liquidations (1/32), alert sink")]
    public long MixedWithAlertSink()
    {
        long offset = _offsetWithAlerts;
        for (int i = 0; i < Events; i++)
        {
            _withAlerts.OnEvent(_events[i], _times[i] + offset);
        }

        _offsetWithAlerts = offset + (Events * Step);
        return _sink.Count;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "mixed trades + liquidations (1/32), no alert sink")]
    public long MixedWithoutAlertSink()
    {
        long offset = _offsetWithoutSink;
        for (int i = 0; i < Events; i++)
        {
            _withoutSink.OnEvent(_events[i], _times[i] + offset);
        }

        _offsetWithoutSink = offset + (Events * Step);
        return offset;
    }

    [Benchmark(Description = "snapshot of a full ring (100,000 liquidations, 3 assets)")]
    public LiquidationSection Snapshot() => _snapshotFamily.Snapshot(_snapshotNow);

    private sealed class CountingSink : IEventSink
    {
        public long Count;

        public void Publish(in MarketEvent e) => Count++;
    }
}
