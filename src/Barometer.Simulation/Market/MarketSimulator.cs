using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Simulation.Market;

/// <summary>
/// A seeded, deterministic market for every venue at once: correlated BTC/ETH/SOL prices with
/// volatility regimes and jumps; per-venue books on integer ticks that trades walk; self-exciting
/// (Hawkes) trade arrivals with heavy-tailed sizes (whales, rare mega trades); perp basis over spot
/// and USDC-vs-USDT offsets; funding with momentum; open interest moved by flow; liquidations that
/// cascade across venues on sharp moves and push the price further. Produces truth
/// <see cref="MarketEvent"/>s in time order, which the venue emulators turn into each venue's frames.
/// Model and calibration: docs/simulation.md. Only simulated time exists here — no wall clock.
/// </summary>
public sealed class MarketSimulator
{
    private const double SecondsPerYear = 365.25 * 24 * 3600;
    private const long Second = 1_000_000;
    private const double TradeBranching = 0.6;      // Hawkes α/β: each trade begets 0.6 more on average
    private const double TradeDecayPerSecond = 2.0; // β: excitation half-life ≈ 0.35 s
    private const double LiquidationHalfLifeSeconds = 20;
    // Each liquidation raises every perp venue's liquidation rate of the asset by 10 % of its base rate;
    // summed over the venues that is about half an extra liquidation per liquidation (subcritical).
    private const double LiquidationExcitation = 0.1;
    private const int MaxLiquidationsPerStep = 50;

    private static readonly double[,] Correlation = { { 1.0, 0.8, 0.7 }, { 0.8, 1.0, 0.7 }, { 0.7, 0.7, 1.0 } };

    private readonly SimulatorOptions _options;
    private readonly Asset[] _assets;
    private readonly Mkt[] _markets;
    private readonly double[,] _cholesky;
    private readonly double[] _z;
    private readonly double _dt;
    private readonly double[] _fillPrices = new double[SimulatedBook.Depth];
    private readonly double[] _fillQty = new double[SimulatedBook.Depth];
    private readonly double[] _times = new double[4096];
    private Prng _rng;
    private MarketEvent[] _events = new MarketEvent[4096];
    private long[] _keys = new long[4096];
    private int _count;
    private long _steps;

    /// <summary>Creates the simulator; instruments are registered in <paramref name="registry"/> (a new one when null).</summary>
    public MarketSimulator(SimulatorOptions options, InstrumentRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Registry = registry ?? new InstrumentRegistry();
        _rng = Prng.Derive(options.Seed, 0);
        _dt = options.StepMicros / 1e6;
        Now = options.StartTime;

        var assetNames = new List<string>();
        foreach (string a in options.Assets)
        {
            string upper = a.ToUpperInvariant();
            if (!assetNames.Contains(upper))
            {
                assetNames.Add(upper);
            }
        }

        int ringLength = (int)(60 * Second / options.StepMicros);
        _assets = new Asset[assetNames.Count];
        for (int i = 0; i < _assets.Length; i++)
        {
            var p = Calibration.Asset(assetNames[i])!;
            _assets[i] = new Asset(p, ringLength);
        }

        _cholesky = CholeskyOf(_assets);
        _z = new double[_assets.Length];

        var profiles = Calibration.Markets(assetNames, options.Venues);
        _markets = new Mkt[profiles.Count];
        var instruments = new List<Instrument>(profiles.Count);
        for (int i = 0; i < profiles.Count; i++)
        {
            var p = profiles[i];
            var instrument = Registry.GetOrAdd(p.Venue, p.Asset.Asset, p.Quote, p.Symbol, p.ContractValue, p.TickSize);
            int asset = Array.FindIndex(_assets, a => a.Profile == p.Asset);
            _markets[i] = new Mkt(p, instrument, asset, Prng.Derive(options.Seed, (ulong)i + 1));
            instruments.Add(instrument);
        }

        Instruments = instruments;
    }

    /// <summary>Registry holding the simulated instruments.</summary>
    public InstrumentRegistry Registry { get; }

    /// <summary>Every simulated instrument (asset, then venue order).</summary>
    public IReadOnlyList<Instrument> Instruments { get; }

    /// <summary>Simulated time of the next step, UTC µs.</summary>
    public long Now { get; private set; }

    /// <summary>Current volatility regime.</summary>
    public VolatilityRegime Regime { get; private set; } = VolatilityRegime.Normal;

    /// <summary>Steps run.</summary>
    public long Steps => _steps;

    /// <summary>The options.</summary>
    public SimulatorOptions Options => _options;

    /// <summary>Instruments of one venue.</summary>
    public List<Instrument> InstrumentsOf(VenueId venue)
    {
        var list = new List<Instrument>();
        foreach (var i in Instruments)
        {
            if (i.Venue == venue)
            {
                list.Add(i);
            }
        }

        return list;
    }

    /// <summary>The common spot price of <paramref name="asset"/> now (NaN if not simulated).</summary>
    public double SpotPrice(string asset)
    {
        foreach (var a in _assets)
        {
            if (string.Equals(a.Profile.Asset, asset, StringComparison.OrdinalIgnoreCase))
            {
                return Math.Exp(a.LogPrice);
            }
        }

        return double.NaN;
    }

    /// <summary>
    /// Moves <paramref name="asset"/>'s price by <paramref name="logReturn"/> at the next step (a
    /// scripted crash or squeeze for demos and tests: -0.03 ≈ -3 %). Everything else follows from
    /// the model: books re-centre, flow leans, liquidations cascade.
    /// </summary>
    public void Shock(string asset, double logReturn)
    {
        if (!double.IsFinite(logReturn))
        {
            throw new ArgumentOutOfRangeException(nameof(logReturn), logReturn, "must be a finite log return");
        }

        for (int i = 0; i < _assets.Length; i++)
        {
            if (string.Equals(_assets[i].Profile.Asset, asset, StringComparison.OrdinalIgnoreCase))
            {
                _assets[i].PendingImpact += logReturn;
                return;
            }
        }

        throw new ArgumentException($"'{asset}' is not simulated", nameof(asset));
    }

    /// <summary>Runs steps until <see cref="Now"/> reaches <paramref name="endTime"/>; returns the events published.</summary>
    public long RunUntil(long endTime, IEventSink sink)
    {
        long events = 0;
        while (Now < endTime)
        {
            events += Step(sink);
        }

        return events;
    }

    /// <summary>Simulates one step and publishes its events to <paramref name="sink"/> in time order.</summary>
    public int Step(IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        long t0 = Now;
        long tEnd = t0 + _options.StepMicros - 1;
        _count = 0;
        if (_steps == 0)
        {
            for (int i = 0; i < _markets.Length; i++)
            {
                var m = _markets[i];
                var snapshot = m.Book.Rebuild(FairPrice(m), t0, 0, ref m.Rng);
                Add(MarketEvent.From(snapshot!.Value), t0);
                AddTop(m, t0);
            }
        }

        AdvanceRegime();
        AdvancePrices();
        for (int i = 0; i < _markets.Length; i++)
        {
            SimulateTrades(_markets[i], t0);
        }

        for (int i = 0; i < _markets.Length; i++)
        {
            if (_markets[i].Profile.IsPerp)
            {
                SimulateLiquidations(_markets[i], t0);
            }
        }

        bool secondBoundary = (t0 + _options.StepMicros) % Second == 0;
        for (int i = 0; i < _markets.Length; i++)
        {
            var m = _markets[i];
            var update = m.Book.Rebuild(FairPrice(m), tEnd, 0.1, ref m.Rng);
            if (update is { } u)
            {
                Add(MarketEvent.From(u), tEnd);
                AddTop(m, tEnd);
            }

            if (secondBoundary && m.Profile.IsPerp)
            {
                UpdateFundingAndOpenInterest(m, tEnd);
            }
        }

        // Liquidation excitation decays with simulated time.
        double decay = Math.Pow(0.5, _dt / LiquidationHalfLifeSeconds);
        for (int a = 0; a < _assets.Length; a++)
        {
            _assets[a].LiquidationExcitation *= decay;
        }

        Array.Sort(_keys, _events, 0, _count);
        for (int i = 0; i < _count; i++)
        {
            sink.Publish(_events[i]);
        }

        int published = _count;
        _count = 0;
        Array.Clear(_events, 0, published); // drop references to instruments/arrays of this step
        _steps++;
        Now = t0 + _options.StepMicros;
        return published;
    }

    // ------------------------------------------------------------------ prices

    private void AdvanceRegime()
    {
        // Mean durations: calm 60 min, normal 90 min, stressed 15 min.
        double u = _rng.NextDouble();
        Regime = Regime switch
        {
            VolatilityRegime.Calm when u < _dt / 3600 => VolatilityRegime.Normal,
            VolatilityRegime.Normal when u < _dt / 5400 * 0.6 => VolatilityRegime.Calm,
            VolatilityRegime.Normal when u < _dt / 5400 => VolatilityRegime.Stressed,
            VolatilityRegime.Stressed when u < _dt / 900 => VolatilityRegime.Normal,
            _ => Regime,
        };
    }

    private double VolatilityMultiplier => Regime switch
    {
        VolatilityRegime.Calm => 0.6,
        VolatilityRegime.Stressed => 2.5,
        _ => 1.0,
    };

    private double ActivityMultiplier => Regime switch
    {
        VolatilityRegime.Calm => 0.7,
        VolatilityRegime.Stressed => 2.5,
        _ => 1.0,
    };

    private void AdvancePrices()
    {
        int n = _assets.Length;
        for (int i = 0; i < n; i++)
        {
            _z[i] = _rng.NextGaussian();
        }

        // Jumps: one every 4 h on average (×3 when stressed), common direction, asset-sized.
        double jumpRate = (Regime == VolatilityRegime.Stressed ? 3.0 : 1.0) / (4 * 3600);
        double jump = _rng.NextDouble() < jumpRate * _dt ? _rng.NextGaussian() : 0;

        double thetaBasis = Math.Log(2) / 600;     // half-life 10 min
        double thetaUsdc = Math.Log(2) / 1800;     // half-life 30 min
        for (int i = 0; i < n; i++)
        {
            ref var a = ref _assets[i];
            double shock = 0;
            for (int k = 0; k <= i; k++)
            {
                shock += _cholesky[i, k] * _z[k];
            }

            double sigma = a.Profile.AnnualVolatility * VolatilityMultiplier * Math.Sqrt(_dt / SecondsPerYear);
            double ret = sigma * shock - 0.5 * sigma * sigma + jump * a.Profile.JumpSigma + a.PendingImpact;
            a.PendingImpact = 0;
            a.StepReturn = ret;
            a.StepSigma = sigma;
            a.LogPrice += ret;
            a.History[a.HistoryIndex] = a.LogPrice;
            a.HistoryIndex = (a.HistoryIndex + 1) % a.History.Length;
            if (a.HistoryCount < a.History.Length)
            {
                a.HistoryCount++;
            }

            // Perp premium over spot: mean +3 bps, stationary sd 4 bps; USDC vs USDT: mean -1 bp, sd 2 bps.
            a.Basis += thetaBasis * (0.0003 - a.Basis) * _dt + 0.0004 * Math.Sqrt(2 * thetaBasis * _dt) * _rng.NextGaussian();
            a.UsdcOffset += thetaUsdc * (-0.0001 - a.UsdcOffset) * _dt + 0.0002 * Math.Sqrt(2 * thetaUsdc * _dt) * _rng.NextGaussian();
        }

        double thetaVenue = Math.Log(2) / 30;
        for (int i = 0; i < _markets.Length; i++)
        {
            var m = _markets[i];
            m.VenueOffset += thetaVenue * -m.VenueOffset * _dt + 0.00005 * Math.Sqrt(2 * thetaVenue * _dt) * m.Rng.NextGaussian();
        }
    }

    /// <summary>60-second log return of an asset (0 until a minute has passed).</summary>
    private static double Return60(in Asset a)
    {
        if (a.HistoryCount < a.History.Length)
        {
            return a.HistoryCount == 0 ? 0 : a.LogPrice - a.History[0];
        }

        // HistoryIndex points at the oldest entry once the ring is full.
        return a.LogPrice - a.History[a.HistoryIndex];
    }

    private double FairPrice(Mkt m)
    {
        ref var a = ref _assets[m.Asset];
        double premium = (m.Profile.IsPerp ? a.Basis : 0) + (m.Profile.Quote == "USDC" ? a.UsdcOffset : 0) + m.VenueOffset;
        return Math.Exp(a.LogPrice) * (1 + premium);
    }

    // ------------------------------------------------------------------ trades

    private void SimulateTrades(Mkt m, long t0)
    {
        ref var a = ref _assets[m.Asset];
        double baseRate = m.Profile.TradesPerSecond * (1 - TradeBranching) * ActivityMultiplier;
        double lambda = baseRate + m.Excitation;
        int n = Math.Min(m.Rng.NextPoisson(lambda * _dt), _times.Length);
        m.Excitation = m.Excitation * Math.Exp(-TradeDecayPerSecond * _dt) + n * TradeBranching * TradeDecayPerSecond;
        if (n == 0)
        {
            return;
        }

        for (int k = 0; k < n; k++)
        {
            _times[k] = m.Rng.NextDouble();
        }

        Array.Sort(_times, 0, n);
        double drift = a.StepSigma > 0 ? a.StepReturn / a.StepSigma : 0;
        double pBuy = 0.5 + Math.Clamp(0.15 * drift, -0.3, 0.3);
        double median = m.Profile.Asset.MedianTradeUsd * (m.Profile.IsPerp ? 1 : 0.5) * (m.Profile.Quote == "USDC" ? 0.6 : 1);
        for (int k = 0; k < n; k++)
        {
            long time = t0 + (long)(_times[k] * (_options.StepMicros - 1));
            var side = m.Rng.NextDouble() < pBuy ? Side.Buy : Side.Sell;
            double usd = m.Rng.NextDouble() < 0.02
                ? Math.Min(m.Rng.NextPareto(m.Profile.Asset.TailMinUsd, 1.3), 30_000_000)
                : median * Math.Exp(1.6 * m.Rng.NextGaussian());
            double filled = Execute(m, side, usd, time);
            if (m.Profile.IsPerp && filled > 0)
            {
                // Half the flow opens positions, half closes: open interest follows flow.
                m.OpenInterest += (m.Rng.NextDouble() < 0.5 ? 0.5 : -0.5) * filled;
            }
        }
    }

    /// <summary>Walks the book for <paramref name="usd"/> of <paramref name="side"/> flow; emits one trade per level; returns base quantity filled.</summary>
    private double Execute(Mkt m, Side side, double usd, long time)
    {
        double price = side == Side.Buy ? m.Book.BestAsk : m.Book.BestBid;
        if (!(price > 0))
        {
            return 0;
        }

        double lot = m.Profile.LotSize;
        double qty = Math.Max(lot, Math.Round(usd / price / lot) * lot);
        int fills = m.Book.Consume(side, qty, _fillPrices, _fillQty);
        double total = 0;
        for (int f = 0; f < fills; f++)
        {
            double q = Math.Round(_fillQty[f] / lot) * lot;
            if (q <= 0)
            {
                continue;
            }

            total += q;
            m.TradeId++;
            Add(MarketEvent.From(new Trade(m.Instrument, time, time, _fillPrices[f], q, side, TradeId.FromNumber(m.TradeId))), time);
        }

        return total;
    }

    // ------------------------------------------------------------------ liquidations

    private void SimulateLiquidations(Mkt m, long t0)
    {
        ref var a = ref _assets[m.Asset];
        double r60 = Return60(a);
        double move = Math.Abs(r60) / m.Profile.Asset.CascadeMove;
        double stress = Math.Max(0, move - 1);
        double baseRate = 0.03 * (m.Profile.OpenInterestUsd / 3e9);
        double regime = Regime == VolatilityRegime.Stressed ? 3 : 1;
        double lambda = baseRate * regime * (1 + 30 * stress + a.LiquidationExcitation);
        int n = Math.Min(m.Rng.NextPoisson(lambda * _dt), MaxLiquidationsPerStep);
        double oiScale = Math.Sqrt(m.Profile.OpenInterestUsd / 5e9);
        double pLong = 0.5 + (r60 < 0 ? 1 : -1) * 0.45 * Math.Min(1, move);
        for (int k = 0; k < n; k++)
        {
            long time = t0 + (long)(m.Rng.NextDouble() * (_options.StepMicros - 1));
            var liquidated = m.Rng.NextDouble() < pLong ? PositionSide.Long : PositionSide.Short;
            var orderSide = Liquidation.OrderSideFor(liquidated);
            double usd = (m.Rng.NextDouble() < 0.04
                ? Math.Min(m.Rng.NextPareto(100_000, 1.4), 20_000_000)
                : 8_000 * Math.Exp(1.3 * m.Rng.NextGaussian())) * oiScale;
            double filled = Execute(m, orderSide, usd, time);
            if (filled <= 0)
            {
                continue;
            }

            double avg = AverageLastFills(filled);
            Add(MarketEvent.From(new Liquidation(m.Instrument, time, time, avg, filled, liquidated, orderSide, FeedCompleteness.Complete)), time);
            m.OpenInterest = Math.Max(0, m.OpenInterest - filled);

            // Cross-venue cascade: every liquidation raises the liquidation rate on all venues of
            // the asset, and the forced flow moves the common price (longs sold → down).
            a.LiquidationExcitation += LiquidationExcitation;
            double notional = filled * avg;
            a.PendingImpact += (orderSide == Side.Sell ? -1 : 1) * notional / m.Profile.Asset.DepthUsdPerPercent * 0.01;
        }
    }

    private double AverageLastFills(double filled)
    {
        // The fills of the last Execute call are still in the scratch arrays.
        double notional = 0;
        double qty = 0;
        for (int f = 0; f < _fillPrices.Length && qty < filled - 1e-12; f++)
        {
            notional += _fillPrices[f] * _fillQty[f];
            qty += _fillQty[f];
        }

        return qty > 0 ? notional / qty : double.NaN;
    }

    // ------------------------------------------------------------------ funding, open interest

    private void UpdateFundingAndOpenInterest(Mkt m, long time)
    {
        ref var a = ref _assets[m.Asset];
        double premium = a.Basis + (m.Profile.Quote == "USDC" ? a.UsdcOffset : 0) + m.VenueOffset;
        // Funding ≈ interest (0.01 %/8 h) + premium beyond a 3 bp dead band, per interval; momentum via a
        // damped velocity, so the rate trends rather than jumps.
        double target = 0.0001 + 0.5 * Math.Clamp(premium - 0.0003, -0.0005, 0.003);
        m.FundingVelocity = 0.95 * m.FundingVelocity + 0.002 * (target - m.FundingRate);
        m.FundingRate = Math.Clamp(m.FundingRate + m.FundingVelocity, -0.003, 0.003);

        double mark = FairPrice(m);
        double index = Math.Exp(a.LogPrice);
        long interval = (long)(m.Profile.FundingIntervalHours * 3600) * Second;
        long next = (time / interval + 1) * interval;
        Add(MarketEvent.From(new Funding(m.Instrument, time, time, m.FundingRate, m.Profile.FundingIntervalHours, next, mark, index)), time);

        // Open interest drifts back to its calibrated notional (half-life ≈ 25 min) and never goes below a tenth of it.
        double target0 = m.Profile.OpenInterestUsd / mark;
        m.OpenInterest += (target0 - m.OpenInterest) * 0.0005;
        m.OpenInterest = Math.Max(m.OpenInterest, 0.1 * target0);
        double lotOi = Math.Round(m.OpenInterest / m.Profile.LotSize) * m.Profile.LotSize;
        Add(MarketEvent.From(new OpenInterest(m.Instrument, time, time, lotOi, lotOi * mark)), time);
    }

    // ------------------------------------------------------------------ plumbing

    private void AddTop(Mkt m, long time) =>
        Add(MarketEvent.From(new BookTop(m.Instrument, time, time, m.Book.BestBid, m.Book.BestBidQty, m.Book.BestAsk, m.Book.BestAskQty, m.Book.UpdateId)), time);

    private void Add(in MarketEvent e, long time)
    {
        if (_count == _events.Length)
        {
            Array.Resize(ref _events, _count * 2);
            Array.Resize(ref _keys, _count * 2);
        }

        // Time order; ties keep insertion order (the key is unique: offset in the step × 2^24 + index).
        _keys[_count] = ((time - Now) << 24) | (uint)_count;
        _events[_count++] = e;
    }

    private static double[,] CholeskyOf(Asset[] assets)
    {
        int n = assets.Length;
        var c = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                c[i, j] = Correlation[Index(assets[i]), Index(assets[j])];
            }
        }

        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = c[i, j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                l[i, j] = i == j ? Math.Sqrt(sum) : sum / l[j, j];
            }
        }

        return l;

        static int Index(Asset a) => a.Profile.Asset switch { "BTC" => 0, "ETH" => 1, _ => 2 };
    }

    private struct Asset
    {
        public readonly AssetProfile Profile;
        public readonly double[] History;
        public double LogPrice;
        public int HistoryIndex;
        public int HistoryCount;
        public double StepReturn;
        public double StepSigma;
        public double Basis;
        public double UsdcOffset;
        public double LiquidationExcitation;
        public double PendingImpact;

        public Asset(AssetProfile profile, int ring)
        {
            Profile = profile;
            History = new double[ring];
            LogPrice = Math.Log(profile.StartPrice);
            HistoryIndex = 0;
            HistoryCount = 0;
            StepReturn = 0;
            StepSigma = 0;
            Basis = 0.0003;
            UsdcOffset = -0.0001;
            LiquidationExcitation = 0;
            PendingImpact = 0;
        }
    }

    private sealed class Mkt(MarketProfile profile, Instrument instrument, int asset, Prng rng)
    {
        public readonly MarketProfile Profile = profile;
        public readonly Instrument Instrument = instrument;
        public readonly int Asset = asset;
        public readonly SimulatedBook Book = new(instrument, profile);
        public Prng Rng = rng;
        public double Excitation;
        public double VenueOffset;
        public long TradeId = 1_000_000;
        public double OpenInterest = profile.IsPerp ? profile.OpenInterestUsd / profile.Asset.StartPrice : 0;
        public double FundingRate = 0.0001;
        public double FundingVelocity;
    }
}
