using System.Security.Cryptography;
using System.Text.Json;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;
using Barometer.Simulation.Market;

namespace Barometer.Simulation.Tests.Market;

public sealed class MarketSimulatorTests
{
    private const long Second = 1_000_000;
    private const long Minute = 60 * Second;

    private sealed class Collect : IEventSink
    {
        public readonly List<MarketEvent> Events = new();

        public void Publish(in MarketEvent e) => Events.Add(e);
    }

    /// <summary>Hashes every event's normalized JSON, in order.</summary>
    private sealed class HashSink : IEventSink, IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly MemoryStream _buffer = new();
        private readonly Utf8JsonWriter _writer;

        public HashSink() => _writer = new Utf8JsonWriter(_buffer);

        public long Count { get; private set; }

        public void Publish(in MarketEvent e)
        {
            _buffer.SetLength(0);
            _writer.Reset(_buffer);
            NormalizedEventJson.Write(_writer, e);
            _writer.Flush();
            _hash.AppendData(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            Count++;
        }

        public string Hex() => Convert.ToHexString(_hash.GetHashAndReset());

        public void Dispose()
        {
            _writer.Dispose();
            _hash.Dispose();
        }
    }

    private static (string Hash, long Count) Run(ulong seed, long micros)
    {
        var sim = new MarketSimulator(new SimulatorOptions { Seed = seed });
        using var sink = new HashSink();
        sim.RunUntil(sim.Now + micros, sink);
        return (sink.Hex(), sink.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_events_and_another_seed_does_not()
    {
        var a = Run(42, 2 * Minute);
        var b = Run(42, 2 * Minute);
        var c = Run(43, 2 * Minute);
        Assert.True(a.Count > 10_000, $"only {a.Count} events in two minutes");
        Assert.Equal(a, b);
        Assert.NotEqual(a.Hash, c.Hash);
    }

    [Fact]
    public void Every_venue_and_the_usdc_perps_are_simulated_with_their_symbols_ticks_and_contract_values()
    {
        var sim = new MarketSimulator(new SimulatorOptions());
        var keys = sim.Instruments.Select(i => i.Key).ToHashSet();
        foreach (string k in new[]
        {
            "binance-futures:BTCUSDT", "binance-futures:SOLUSDC", "binance-spot:ETHUSDT", "bybit-linear:SOLUSDT",
            "bybit-spot:BTCUSDT", "okx-swap:BTC-USDT-SWAP", "okx-swap:SOL-USDC-SWAP", "okx-spot:ETH-USDT",
        })
        {
            Assert.Contains(k, keys);
        }

        var okxBtc = sim.Instruments.Single(i => i.Key == "okx-swap:BTC-USDT-SWAP");
        Assert.Equal(0.01, okxBtc.ContractMultiplier);
        Assert.Equal(0.1, okxBtc.TickSize);
        Assert.Equal(24, sim.Instruments.Count); // 3 assets × (2 Binance futures + 1 spot + 1 Bybit linear + 1 spot + 2 OKX swaps + 1 spot)
    }

    [Fact]
    public void Events_come_in_time_order_and_books_start_with_a_snapshot_per_market()
    {
        var sim = new MarketSimulator(new SimulatorOptions { Seed = 7 });
        var sink = new Collect();
        sim.RunUntil(sim.Now + 10 * Second, sink);

        for (int i = 1; i < sink.Events.Count; i++)
        {
            Assert.True(sink.Events[i].ExchangeTime >= sink.Events[i - 1].ExchangeTime, $"event {i} goes back in time");
        }

        var firstBook = new Dictionary<Instrument, bool>();
        foreach (var e in sink.Events.Where(e => e.Kind == EventKind.BookUpdate))
        {
            var u = e.AsBookUpdate();
            if (!firstBook.ContainsKey(u.Instrument))
            {
                firstBook[u.Instrument] = u.IsSnapshot;
            }
            else
            {
                Assert.False(u.IsSnapshot);
            }
        }

        Assert.Equal(24, firstBook.Count);
        Assert.All(firstBook.Values, Assert.True);
    }

    [Fact]
    public void Over_a_simulated_hour_the_market_looks_like_a_market()
    {
        var sim = new MarketSimulator(new SimulatorOptions { Seed = 2026 });
        var tops = new Dictionary<Instrument, BookTop>();
        long trades = 0, whales = 0, megas = 0, crossed = 0, badTradePrices = 0, liquidations = 0;
        double minOi = double.MaxValue;
        double maxAbsFunding = 0;
        var fundingTimesOk = true;
        var sink = new Sink(e =>
        {
            switch (e.Kind)
            {
                case EventKind.BookTop:
                    var top = e.AsBookTop();
                    if (!(top.AskPrice > top.BidPrice))
                    {
                        crossed++;
                    }

                    tops[top.Instrument] = top;
                    break;
                case EventKind.Trade:
                    var t = e.AsTrade();
                    trades++;
                    double usd = t.Price * t.Quantity;
                    whales += usd >= 500_000 ? 1 : 0;
                    megas += usd >= 5_000_000 ? 1 : 0;
                    // Trades hit the book as published: buys at or above the best ask, sells at or below the best bid.
                    var last = tops[t.Instrument];
                    double tol = t.Instrument.TickSize * 0.01;
                    if (t.AggressorSide == Side.Buy ? t.Price < last.AskPrice - tol : t.Price > last.BidPrice + tol)
                    {
                        badTradePrices++;
                    }

                    break;
                case EventKind.OpenInterest:
                    minOi = Math.Min(minOi, e.AsOpenInterest().Quantity);
                    break;
                case EventKind.Funding:
                    var f = e.AsFunding();
                    maxAbsFunding = Math.Max(maxAbsFunding, Math.Abs(f.Rate));
                    fundingTimesOk &= f.NextFundingTime % (8 * 3600 * Second) == 0 && f.NextFundingTime > f.ExchangeTime;
                    break;
                case EventKind.Liquidation:
                    liquidations++;
                    break;
            }
        });

        // Sample BTC and ETH spot every 10 s for the correlation.
        var btc = new List<double>();
        var eth = new List<double>();
        long end = sim.Now + 60 * Minute;
        while (sim.Now < end)
        {
            sim.Step(sink);
            if (sim.Steps % 100 == 0)
            {
                btc.Add(Math.Log(sim.SpotPrice("BTC")));
                eth.Add(Math.Log(sim.SpotPrice("ETH")));
            }
        }

        Assert.Equal(0, crossed);
        Assert.Equal(0, badTradePrices);
        Assert.InRange(trades, 200 * 3600L, 2_000 * 3600L);           // a few hundred trade prints a second across 24 markets
        Assert.InRange(whales, 20, 5_000);                              // whales every hour …
        Assert.InRange(megas, 0, whales / 5);                           // … mega trades rarer by far
        Assert.True(minOi > 0, "open interest must stay positive");
        Assert.InRange(maxAbsFunding, 1e-6, 0.003);
        Assert.True(fundingTimesOk, "next funding time must be the next 00/08/16 UTC");
        Assert.True(liquidations > 0);
        double rho = CorrelationOfReturns(btc, eth);
        Assert.InRange(rho, 0.6, 0.95);                                 // configured 0.8
        Assert.InRange(sim.SpotPrice("BTC"), 92_000 * 0.85, 92_000 * 1.15);
    }

    [Fact]
    public void Perps_trade_at_a_small_premium_to_spot_and_usdc_perps_apart_from_usdt()
    {
        var sim = new MarketSimulator(new SimulatorOptions { Seed = 5, Assets = ["BTC"] });
        var mids = new Dictionary<string, List<double>>();
        var sink = new Sink(e =>
        {
            if (e.Kind == EventKind.BookTop)
            {
                var t = e.AsBookTop();
                if (!mids.TryGetValue(t.Instrument.Key, out var list))
                {
                    mids[t.Instrument.Key] = list = new List<double>();
                }

                list.Add(t.Mid);
            }
        });
        sim.RunUntil(sim.Now + 10 * Minute, sink);

        double perp = mids["binance-futures:BTCUSDT"].Average();
        double spot = mids["binance-spot:BTCUSDT"].Average();
        double basisBps = (perp / spot - 1) * 1e4;
        Assert.InRange(basisBps, -2, 12); // mean +3 bp, sd 4 bp
        double usdc = mids["binance-futures:BTCUSDC"].Average();
        Assert.NotEqual(perp, usdc);
    }

    [Fact]
    public void A_sharp_drop_sets_off_long_liquidations_on_every_perp_venue()
    {
        var sim = new MarketSimulator(new SimulatorOptions { Seed = 11, Assets = ["BTC"] });
        var liquidations = new List<Liquidation>();
        var sink = new Sink(e =>
        {
            if (e.Kind == EventKind.Liquidation)
            {
                liquidations.Add(e.AsLiquidation());
            }
        });
        sim.RunUntil(sim.Now + 2 * Minute, sink);
        long before = liquidations.Count;
        long shockTime = sim.Now;
        sim.Shock("BTC", -0.03);
        sim.RunUntil(sim.Now + 1 * Minute, sink);

        var after = liquidations.Where(l => l.ExchangeTime >= shockTime).ToList();
        Assert.True(after.Count > 10 * Math.Max(1, before / 2), $"{after.Count} liquidations in the minute after the drop vs {before} in the two minutes before");
        var venues = after.Select(l => l.Instrument.Venue).Distinct().ToList();
        Assert.Contains(VenueId.BinanceFutures, venues);
        Assert.Contains(VenueId.BybitLinear, venues);
        Assert.Contains(VenueId.OkxSwap, venues);
        double longShare = after.Count(l => l.LiquidatedSide == PositionSide.Long) / (double)after.Count;
        Assert.True(longShare > 0.8, $"longs were {longShare:P0} of the liquidations after a drop");
        Assert.True(sim.SpotPrice("BTC") < 92_000 * 0.985);
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_option()
    {
        Assert.Contains("Assets", Assert.Throws<ArgumentException>(() => new MarketSimulator(new SimulatorOptions { Assets = ["DOGE"] })).Message, StringComparison.Ordinal);
        Assert.Contains("StepMicros", Assert.Throws<ArgumentException>(() => new MarketSimulator(new SimulatorOptions { StepMicros = 7_000 })).Message, StringComparison.Ordinal);
        Assert.Contains("Venues", Assert.Throws<ArgumentException>(() => new MarketSimulator(new SimulatorOptions { Venues = [] })).Message, StringComparison.Ordinal);
    }

    private static double CorrelationOfReturns(List<double> x, List<double> y)
    {
        var rx = new List<double>();
        var ry = new List<double>();
        for (int i = 1; i < x.Count; i++)
        {
            rx.Add(x[i] - x[i - 1]);
            ry.Add(y[i] - y[i - 1]);
        }

        double mx = rx.Average(), my = ry.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Count; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }

    private sealed class Sink(Action<MarketEvent> onEvent) : IEventSink
    {
        public void Publish(in MarketEvent e) => onEvent(e);
    }
}
