using BenchmarkDotNet.Attributes;
using Barometer.Analytics;
using Barometer.Analytics.Derivatives;
using Barometer.Analytics.Flow;
using Barometer.Analytics.Tape;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Benchmarks;

/// <summary>
/// Events per second through the analytics engine's hot path (<c>OnEvent</c> / <c>Publish</c>).
/// 3 assets (BTC, ETH, SOL) × 6 venue markets (Binance, Bybit, OKX; perpetual and spot, USDT).
/// One operation = one event; each invocation publishes <see cref="Events"/> pre-built events
/// (built in the global setup), 0.5 ms of event time apart (524 s in all, inside the 15-minute
/// window). Every iteration starts from a fresh engine primed, before the measured loop and at
/// earlier times, with one event of each kind per market (so first-sight allocations — per-market
/// state, rings, local books — are not in the figure and every measured event takes its real,
/// newest-time path). Allocated bytes are per event.
/// </summary>
[MemoryDiagnoser]
public class AnalyticsBenchmarks
{
    /// <summary>Events per invocation (2^20, about 110 MB of pre-built events; each benchmark builds only its own tape).</summary>
    public const int Events = 1_048_576;

    private const long T0 = 1_796_083_200_000_000;
    private const long Step = 500;

    private static readonly (string Asset, double Price, double Tick)[] Assets = [("BTC", 100_000, 0.1), ("ETH", 3_500, 0.01), ("SOL", 150, 0.001)];

    private Instrument[] _markets = null!;
    private MarketEvent[] _prime = null!;
    private MarketEvent[] _events = null!;
    private FlowMetrics _flow = null!;
    private TapeMetrics _tapeFamily = null!;
    private DerivativesMetrics _derivatives = null!;
    private AnalyticsEngine _engine = null!;

    [GlobalSetup(Targets = [nameof(FlowFamilyTrades), nameof(TapeFamilyTrades), nameof(DerivativesFamilyTrades), nameof(EngineTrades)])]
    public void SetupTrades() => Setup(() => Build(seed: 1, tradesPercent: 100, topsPercent: 0, l2Percent: 0));

    /// <summary>65 % trades, 30 % tops; the rest 3 % funding, 2 % OI.</summary>
    [GlobalSetup(Target = nameof(EngineMixed))]
    public void SetupMixed() => Setup(() => Build(seed: 2, tradesPercent: 65, topsPercent: 30, l2Percent: 0));

    [GlobalSetup(Target = nameof(EngineMixedWithL2Deltas))]
    public void SetupMixedWithL2() => Setup(() => Build(seed: 3, tradesPercent: 55, topsPercent: 25, l2Percent: 15));

    private void Setup(Func<MarketEvent[]> tape)
    {
        var registry = new InstrumentRegistry();
        var markets = new List<Instrument>();
        foreach (var (asset, _, tick) in Assets)
        {
            markets.Add(registry.GetOrAdd(VenueId.BinanceFutures, asset, "USDT", asset + "USDT", 1, tick));
            markets.Add(registry.GetOrAdd(VenueId.BinanceSpot, asset, "USDT", asset + "USDT", 1, tick));
            markets.Add(registry.GetOrAdd(VenueId.BybitLinear, asset, "USDT", asset + "USDT", 1, tick));
            markets.Add(registry.GetOrAdd(VenueId.BybitSpot, asset, "USDT", asset + "USDT", 1, tick));
            markets.Add(registry.GetOrAdd(VenueId.OkxSwap, asset, "USDT", asset + "-USDT-SWAP", 0.01, tick));
            markets.Add(registry.GetOrAdd(VenueId.OkxSpot, asset, "USDT", asset + "-USDT", 1, tick));
        }

        _markets = [.. markets];
        _prime = BuildPrime();
        _events = tape();
    }

    [IterationSetup(Target = nameof(FlowFamilyTrades))]
    public void NewFlow()
    {
        _flow = new FlowMetrics(new AnalyticsOptions());
        foreach (var e in _prime)
        {
            _flow.OnEvent(e, EventTime.Of(e));
        }
    }

    [IterationSetup(Target = nameof(TapeFamilyTrades))]
    public void NewTape()
    {
        _tapeFamily = new TapeMetrics(new AnalyticsOptions());
        foreach (var e in _prime)
        {
            _tapeFamily.OnEvent(e, EventTime.Of(e));
        }
    }

    [IterationSetup(Target = nameof(DerivativesFamilyTrades))]
    public void NewDerivatives()
    {
        _derivatives = new DerivativesMetrics(new AnalyticsOptions());
        foreach (var e in _prime)
        {
            _derivatives.OnEvent(e, EventTime.Of(e));
        }
    }

    [IterationSetup(Targets = [nameof(EngineTrades), nameof(EngineMixed), nameof(EngineMixedWithL2Deltas)])]
    public void NewEngine()
    {
        _engine = new AnalyticsEngine();
        foreach (var e in _prime)
        {
            _engine.Publish(e);
        }
    }

    /// <summary>(a) Trades through the flow family alone.</summary>
    [Benchmark(OperationsPerInvoke = Events, Description = "flow family, trades")]
    public void FlowFamilyTrades()
    {
        var flow = _flow;
        var events = _events;
        for (int i = 0; i < events.Length; i++)
        {
            flow.OnEvent(in events[i], EventTime.Of(in events[i]));
        }
    }

    /// <summary>Trades through the tape family alone (CVD, large trades, bars): attributes the engine's cost per trade.</summary>
    [Benchmark(OperationsPerInvoke = Events, Description = "tape family, trades")]
    public void TapeFamilyTrades()
    {
        var tape = _tapeFamily;
        var events = _events;
        for (int i = 0; i < events.Length; i++)
        {
            tape.OnEvent(in events[i], EventTime.Of(in events[i]));
        }
    }

    /// <summary>Trades through the derivatives family alone (last price, 1 h volume).</summary>
    [Benchmark(OperationsPerInvoke = Events, Description = "derivatives family, trades")]
    public void DerivativesFamilyTrades()
    {
        var derivatives = _derivatives;
        var events = _events;
        for (int i = 0; i < events.Length; i++)
        {
            derivatives.OnEvent(in events[i], EventTime.Of(in events[i]));
        }
    }

    /// <summary>(b0) Trades through the whole engine (every family).</summary>
    [Benchmark(OperationsPerInvoke = Events, Description = "engine, trades")]
    public void EngineTrades() => Publish(_events);

    /// <summary>(b) The whole engine, 65 % trades, 30 % book tops, 3 % funding, 2 % open interest.</summary>
    [Benchmark(OperationsPerInvoke = Events, Description = "engine, trades+tops+funding+OI")]
    public void EngineMixed() => Publish(_events);

    /// <summary>The whole engine with L2 deltas too: 55 % trades, 25 % tops, 15 % 1–4-level deltas, 3 % funding, 2 % OI.</summary>
    [Benchmark(OperationsPerInvoke = Events, Description = "engine, mix + 15% L2 deltas")]
    public void EngineMixedWithL2Deltas() => Publish(_events);

    private void Publish(MarketEvent[] events)
    {
        var engine = _engine;
        for (int i = 0; i < events.Length; i++)
        {
            engine.Publish(in events[i]);
        }
    }

    /// <summary>One trade, book top, 40-level book snapshot per market and funding + OI per perpetual, 1 s before the tape.</summary>
    private MarketEvent[] BuildPrime()
    {
        var list = new List<MarketEvent>();
        long t = T0 - 1_000_000;
        for (int m = 0; m < _markets.Length; m++)
        {
            var i = _markets[m];
            double price = Assets[m / 6].Price;
            list.Add(MarketEvent.From(new Trade(i, t, t, price, 0.01, Side.Buy, TradeId.FromNumber(1))));
            list.Add(MarketEvent.From(new BookTop(i, t, t, price - i.TickSize, 1, price + i.TickSize, 1, 1)));
            long c = i.ToTicks(price);
            var bids = new BookLevel[40];
            var asks = new BookLevel[40];
            for (int k = 0; k < 40; k++)
            {
                bids[k] = new BookLevel(c - 1 - k, i.FromTicks(c - 1 - k), 1 + (k % 3));
                asks[k] = new BookLevel(c + 1 + k, i.FromTicks(c + 1 + k), 1 + (k % 4));
            }

            list.Add(MarketEvent.From(new BookUpdate(i, t, t, true, 1, 1, -1, bids, asks)));
            if (i.Kind == MarketKind.Perpetual)
            {
                list.Add(MarketEvent.From(new Funding(i, t, t, 0.0001, 8, t + 3_600_000_000, price, price)));
                list.Add(MarketEvent.From(new OpenInterest(i, t, t, 1_000, double.NaN)));
            }
        }

        return [.. list];
    }

    /// <summary>A random walk per asset; market, kind of event and sizes from a fixed LCG (the same tape every run).</summary>
    private MarketEvent[] Build(ulong seed, int tradesPercent, int topsPercent, int l2Percent)
    {
        ulong state = seed;
        uint Next()
        {
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            return (uint)(state >> 32);
        }

        var prices = new double[Assets.Length];
        for (int a = 0; a < prices.Length; a++)
        {
            prices[a] = Assets[a].Price;
        }

        var events = new MarketEvent[Events];
        long updateId = 2;
        for (int n = 0; n < events.Length; n++)
        {
            long t = T0 + (n * Step);
            int m = (int)(Next() % (uint)_markets.Length);
            var i = _markets[m];
            int a = m / 6;
            prices[a] *= 1 + ((Next() / 4294967296.0) - 0.5) * 0.0002;
            double price = Math.Round(prices[a] / i.TickSize) * i.TickSize;
            int pick = (int)(Next() % 100);
            if (i.Kind == MarketKind.Spot && pick >= tradesPercent + topsPercent + l2Percent)
            {
                pick = 0; // funding and open interest exist only on perpetuals
            }

            if (pick < tradesPercent)
            {
                var side = (Next() & 1) == 0 ? Side.Buy : Side.Sell;
                events[n] = MarketEvent.From(new Trade(i, t, t, price, (1 + (Next() % 1000)) * 10 / Assets[a].Price, side, TradeId.FromNumber(n)));
            }
            else if (pick < tradesPercent + topsPercent)
            {
                events[n] = MarketEvent.From(new BookTop(i, t, t, price - i.TickSize, 1 + (Next() % 5), price + i.TickSize, 1 + (Next() % 5), n));
            }
            else if (pick < tradesPercent + topsPercent + l2Percent)
            {
                // 1–4 levels per side near the primed top (the prime's centre), 1 in 4 a delete; never crossing.
                long c = i.ToTicks(Assets[a].Price);
                int levels = 1 + (int)(Next() % 4);
                var bids = new BookLevel[levels];
                var asks = new BookLevel[levels];
                for (int k = 0; k < levels; k++)
                {
                    long b = c - 1 - (Next() % 40), s = c + 1 + (Next() % 40);
                    bids[k] = new BookLevel(b, i.FromTicks(b), (Next() % 4) == 0 ? 0 : 1 + (Next() % 5));
                    asks[k] = new BookLevel(s, i.FromTicks(s), (Next() % 4) == 0 ? 0 : 1 + (Next() % 5));
                }

                long id = updateId++;
                events[n] = MarketEvent.From(new BookUpdate(i, t, t, false, id, id, id - 1, bids, asks));
            }
            else if (pick < 98)
            {
                events[n] = MarketEvent.From(new Funding(i, t, t, ((int)(Next() % 200) - 100) * 1e-6, 8, t + 3_600_000_000, price, price));
            }
            else
            {
                events[n] = MarketEvent.From(new OpenInterest(i, t, t, 1_000 + (Next() % 500), double.NaN));
            }
        }

        return events;
    }
}
