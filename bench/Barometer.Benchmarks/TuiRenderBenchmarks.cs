using BenchmarkDotNet.Attributes;
using Barometer.Analytics;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Tui;

namespace Barometer.Benchmarks;

/// <summary>
/// One dashboard frame: <see cref="DashboardRenderer.Render"/> of a full snapshot and
/// <see cref="FrameWriter.ToTerminal"/> (off-screen ANSI rendering, crop, one string), as the TUI
/// does every refresh. The snapshot: 3 assets × 6 venues (18 markets), 10 minutes of trades with
/// whales, book tops and 50-level L2 books, funding, open interest and liquidations on every
/// perpetual — every panel has rows. Terminal 160 × 50 (more rows per panel than 80 × 24).
/// </summary>
[MemoryDiagnoser]
public class TuiRenderBenchmarks
{
    private const long Second = 1_000_000;
    private static readonly string[] Assets = ["BTC", "ETH", "SOL"];
    private static readonly double[] Levels = [100_000, 4_000, 200];
    private MetricsSnapshot _snapshot = null!;
    private ViewState _state = null!;

    /// <summary>The dashboard measured.</summary>
    [Params(DashboardKind.Microstructure, DashboardKind.Flow, DashboardKind.Risk, DashboardKind.Liquidations)]
    public DashboardKind Dashboard { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry();
        var engine = new AnalyticsEngine(new AnalyticsOptions { DataSource = "simulated" });
        var random = new Random(7);
        long t0 = 1_796_083_200_000_000;
        var markets = new List<(Instrument I, double Level)>();
        foreach (var venue in VenueIds.All)
        {
            for (int a = 0; a < Assets.Length; a++)
            {
                markets.Add((registry.GetOrAdd(venue, Assets[a], "USDT", Assets[a] + "USDT", 1, Levels[a] / 1_000_000), Levels[a]));
            }
        }

        for (int s = 0; s < 600; s++)
        {
            long time = t0 + (s * Second);
            foreach (var (i, level) in markets)
            {
                double price = level * (1 + (0.001 * Math.Sin(s / 30.0)) + (0.0002 * random.NextDouble()));
                double qty = (s % 97 == 0 ? 8_000_000 : 20_000 * random.NextDouble()) / level;
                engine.Publish(MarketEvent.From(new Trade(i, time, time, price, qty, random.Next(2) == 0 ? Side.Buy : Side.Sell, TradeId.FromNumber(time))));
                engine.Publish(MarketEvent.From(new BookTop(i, time, time, price - (level * 0.00001), 1, price + (level * 0.00001), 1, 0)));
                if (s % 10 == 0)
                {
                    var bids = new BookLevel[50];
                    var asks = new BookLevel[50];
                    for (int k = 0; k < 50; k++)
                    {
                        double bid = price * (1 - (0.001 * (k + 1)));
                        double ask = price * (1 + (0.001 * (k + 1)));
                        bids[k] = new BookLevel(i.ToTicks(bid), bid, 1 + random.NextDouble());
                        asks[k] = new BookLevel(i.ToTicks(ask), ask, 1 + random.NextDouble());
                    }

                    engine.Publish(MarketEvent.From(new BookUpdate(i, time, time, true, s + 1, s + 1, -1, bids, asks)));
                }

                if (i.Kind == MarketKind.Perpetual)
                {
                    if (s % 5 == 0)
                    {
                        engine.Publish(MarketEvent.From(new Funding(i, time, time, 0.0001 + (0.00005 * Math.Sin(s / 60.0)), 8, time + (3600 * Second), price, price)));
                        engine.Publish(MarketEvent.From(new OpenInterest(i, time, time, 1_000_000_000 / level, double.NaN)));
                    }

                    if (s % 3 == 0)
                    {
                        var side = random.Next(3) == 0 ? PositionSide.Short : PositionSide.Long;
                        engine.Publish(MarketEvent.From(new Liquidation(i, time, time, price * 0.99, 50_000 / level, side, Liquidation.OrderSideFor(side), FeedCompleteness.Complete)));
                    }
                }
            }
        }

        _snapshot = engine.Snapshot();
        var tape = new List<LiquidationPrint>();
        for (int k = 0; k < 50; k++)
        {
            tape.Add(new LiquidationPrint(t0 + (k * Second), "bybit-linear", "BTC", k % 2 == 0, 99_000, 10_000 * k));
        }

        _state = new ViewState { Width = 160, Height = 50, Tape = tape, WallTime = _snapshot.Time + Second };
    }

    /// <summary>Build the renderable and render it to terminal text.</summary>
    [Benchmark]
    public int Frame() => FrameWriter.ToTerminal(DashboardRenderer.Render(_snapshot, _state with { Dashboard = Dashboard }), 160, 50).Length;
}
