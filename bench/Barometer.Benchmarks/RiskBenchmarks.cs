using BenchmarkDotNet.Attributes;
using Barometer.Analytics;
using Barometer.Analytics.Book;
using Barometer.Analytics.Risk;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Benchmarks;

/// <summary>
/// The regime and correlation families on 3 assets × 6 venues (18 markets), each with a
/// 400-level L2 book per side in the book family (the depth the 10 s liquidity samples read).
/// <see cref="Feed"/>: events per second through both families — two trades to one book top,
/// 1 ms of event time apart, so a 10 s liquidity sampling of all 18 books happens every 10,000
/// events and a minute rolls every 60,000; one operation = one event. The event is built in the
/// loop (<see cref="BuildOnly"/> measures that part alone). Snapshots: both families after 65
/// minutes of such a tape (full 900 s correlation window, full 60-minute regime window and
/// liquidity history).
/// </summary>
[MemoryDiagnoser]
public class RiskBenchmarks
{
    private const int Events = 100_000;
    private const long Millisecond = 1_000;
    private static readonly string[] Assets = ["BTC", "ETH", "SOL"];
    private static readonly double[] Levels = [100_000, 4_000, 200];

    private readonly double[] _walk = new double[4096];
    private Instrument[] _markets = null!;
    private BookMetrics _books = null!;
    private RegimeMetrics _regime = null!;
    private CorrelationMetrics _correlation = null!;
    private long _time;
    private long _sink;

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry();
        var markets = new List<Instrument>();
        foreach (var venue in VenueIds.All)
        {
            for (int a = 0; a < Assets.Length; a++)
            {
                markets.Add(registry.GetOrAdd(venue, Assets[a], "USDT", Assets[a] + "USDT", 1, Levels[a] / 1_000_000));
            }
        }

        _markets = [.. markets];
        var random = new Random(42);
        double x = 0;
        for (int i = 0; i < _walk.Length; i++)
        {
            x += 0.0002 * (random.NextDouble() - 0.5);
            _walk[i] = Math.Exp(x);
        }

        // The books never go stale here (their one snapshot is all they get); the families use the defaults.
        _books = new BookMetrics(new AnalyticsOptions { StaleAfter = TimeSpan.FromDays(3650) });
        _regime = new RegimeMetrics(new AnalyticsOptions(), _books);
        _correlation = new CorrelationMetrics(new AnalyticsOptions());
        _time = 1_796_083_200_000_000;
        foreach (var m in _markets)
        {
            var bids = new BookLevel[400];
            var asks = new BookLevel[400];
            double level = Level(m);
            long mid = m.ToTicks(level);
            for (int i = 0; i < 400; i++)
            {
                // One level every 10 ticks (tick = 1e-6 of the price): 400 levels reach 0.4 %, so the 1 % band sums all 400.
                bids[i] = new BookLevel(mid - 5 - (10 * i), m.FromTicks(mid - 5 - (10 * i)), 1 + (i % 7));
                asks[i] = new BookLevel(mid + 5 + (10 * i), m.FromTicks(mid + 5 + (10 * i)), 1 + (i % 5));
            }

            _books.OnEvent(MarketEvent.From(new BookUpdate(m, _time, _time, true, 1, 1, -1, bids, asks)), _time);
        }

        // 65 minutes of tape, so the snapshot benchmarks see full windows.
        for (long k = 0; k < 65 * 60 * 1000; k++)
        {
            Publish(Next(k));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events, Description = "build the event only")]
    public long BuildOnly()
    {
        long sum = 0;
        for (int k = 0; k < Events; k++)
        {
            sum += EventTime.Of(Next(k));
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "regime + correlation, 2 trades : 1 top")]
    public long Feed()
    {
        for (int k = 0; k < Events; k++)
        {
            Publish(Next(k));
        }

        return _time;
    }

    [Benchmark(Description = "correlation snapshot (3 assets × 6 venues, 900 s)")]
    public int CorrelationSnapshot() => _correlation.Snapshot(_time).Pairs.Count;

    [Benchmark(Description = "regime snapshot (3 assets × 6 venues, 60 min)")]
    public int RegimeSnapshot() => _regime.Snapshot(_time).Assets.Count;

    private double Level(Instrument m) => Levels[Array.IndexOf(Assets, m.Base)];

    private MarketEvent Next(long k)
    {
        _time += Millisecond;
        var m = _markets[(int)(k % _markets.Length)];
        double price = Math.Round(Level(m) * _walk[(int)((_time / 100_000) & 4095)] / m.TickSize) * m.TickSize;
        if (k % 3 == 2)
        {
            return MarketEvent.From(new BookTop(m, _time, _time, price - (5 * m.TickSize), 1, price + (5 * m.TickSize), 1, 0));
        }

        _sink++;
        return MarketEvent.From(new Trade(m, _time, _time, price, 0.01, (k & 1) == 0 ? Side.Buy : Side.Sell, TradeId.FromNumber(_sink)));
    }

    private void Publish(in MarketEvent e)
    {
        _regime.OnEvent(e, _time);
        _correlation.OnEvent(e, _time);
    }
}
