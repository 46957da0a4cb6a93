using System.Globalization;
using System.Numerics;
using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Liquidations;

/// <summary>
/// Liquidation family (docs/metrics.md, "Liquidations"). Hot path: a liquidation is validated,
/// appended to one ring (last hour, hard cap, oldest dropped and counted) and fed to its asset's
/// cascade detector (the last N liquidations and the running cascade); a trade sets its asset's
/// price; any event's time may close an expired cascade. All O(1), no allocation once an
/// instrument is known, except the alert objects of a cascade's phases. Snapshots sum the ring:
/// rolling totals, clusters, risk, levels and the heatmap. Event time only.
/// </summary>
internal sealed class LiquidationMetrics : IMetricFamily<LiquidationSection>
{
    internal const long Second = 1_000_000;
    internal const long OneMinute = 60 * Second;
    internal const long FiveMinutes = 300 * Second;

    private readonly IEventSink? _alerts;
    private readonly ThresholdOptions _thresholds;
    private readonly LiquidationOptions _options;
    private readonly long _staleAfter;
    private readonly long _retention;
    private readonly long _ringWindow;
    private readonly long _cascadeWindow;
    private readonly long _updateInterval;
    private readonly long _heatmapWindow;
    private readonly int _minCount;
    private readonly int _ringCapacity;

    private LiquidationInstrumentState?[] _byId = new LiquidationInstrumentState?[16];
    private readonly List<LiquidationInstrumentState> _instruments = new(16);
    private readonly List<LiquidationAssetState> _assets = new(8);
    private readonly Dictionary<string, LiquidationAssetState> _assetsByName = new(StringComparer.Ordinal);

    private LiquidationEntry[] _ring;
    private int _head;
    private int _count;
    private long _dropped;
    private long _droppedNewest = long.MinValue;

    private long _accepted;
    private long _badPrice;
    private long _badQuantity;
    private long _badSide;
    private long _tooLate;
    private long _badTrades;

    private long _start = long.MinValue;
    private long _now = long.MinValue;
    private long _nextDeadline = long.MaxValue;

    private readonly CascadeState[] _closed;
    private int _closedNext;
    private int _closedCount;

    public LiquidationMetrics(AnalyticsOptions options, IEventSink? alerts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<OptionsProblem>(new BarometerOptions { Thresholds = options.Thresholds }.Validate());
        problems.AddRange(options.Liquidations.Validate());
        if (options.StaleAfter <= TimeSpan.Zero)
        {
            problems.Add(new("Analytics:StaleAfter", $"{options.StaleAfter} must be positive"));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid analytics options: " + string.Join("; ", problems), nameof(options));
        }

        _alerts = alerts;
        _thresholds = options.Thresholds;
        _options = options.Liquidations;
        _staleAfter = options.StaleAfter.Ticks / TimeSpan.TicksPerMicrosecond;
        _retention = _thresholds.LiquidationClusterRetentionMinutes * OneMinute;
        _heatmapWindow = _options.HeatmapWindow.Ticks / TimeSpan.TicksPerMicrosecond;
        _ringWindow = Math.Max(Math.Max(_retention, _heatmapWindow), FiveMinutes);
        _cascadeWindow = _thresholds.CascadeWindowSeconds * Second;
        _updateInterval = _options.CascadeUpdateInterval.Ticks / TimeSpan.TicksPerMicrosecond;
        _minCount = _thresholds.CascadeMinLiquidations;
        _ringCapacity = _options.RingCapacity;
        _ring = new LiquidationEntry[Math.Min(1024, _ringCapacity)];
        _closed = new CascadeState[_options.RecentCascades];
        for (int i = 0; i < _closed.Length; i++)
        {
            _closed[i] = new CascadeState();
        }
    }

    public void OnEvent(in MarketEvent e, long time)
    {
        if (_start == long.MinValue)
        {
            _start = time;
        }

        if (time > _now)
        {
            _now = time;
        }

        if (_now > _nextDeadline)
        {
            CloseExpired();
        }

        if (e.Instrument is null)
        {
            return;
        }

        if (e.Kind == EventKind.Trade)
        {
            OnTrade(e, time);
        }
        else if (e.Kind == EventKind.Liquidation)
        {
            OnLiquidation(e, time);
        }
    }

    public LiquidationSection Snapshot(long now) => new LiquidationSnapshotBuilder(this, now).Build();

    private void OnTrade(in MarketEvent e, long time)
    {
        var trade = e.AsTrade();
        if (!(trade.Price > 0) || !double.IsFinite(trade.Price))
        {
            _badTrades++;
            return;
        }

        var asset = StateOf(trade.Instrument).Asset;
        if (asset is not null && time >= asset.PriceTime)
        {
            asset.Price = trade.Price;
            asset.PriceTime = time;
            asset.PriceInstrument = trade.Instrument;
        }
    }

    private void OnLiquidation(in MarketEvent e, long time)
    {
        var liq = e.AsLiquidation();
        if (!(liq.Price > 0) || !double.IsFinite(liq.Price))
        {
            _badPrice++;
            return;
        }

        if (!(liq.Quantity > 0) || !double.IsFinite(liq.Quantity))
        {
            _badQuantity++;
            return;
        }

        var side = liq.LiquidatedSide;
        if (side == PositionSide.Unknown)
        {
            side = Liquidation.LiquidatedSideFor(liq.OrderSide);
        }

        if (side is not (PositionSide.Long or PositionSide.Short)
            || (liq.OrderSide != Side.Unknown && liq.OrderSide != Liquidation.OrderSideFor(side)))
        {
            _badSide++;
            return;
        }

        if (time < _now - _ringWindow)
        {
            _tooLate++;
            return;
        }

        var state = StateOf(liq.Instrument);
        var asset = state.Asset;
        var entry = new LiquidationEntry
        {
            Time = time,
            Price = liq.Price,
            Usd = liq.NotionalUsd,
            Instrument = state.Index,
            Asset = asset?.Index ?? -1,
            Venue = (byte)liq.Instrument.Venue,
            Long = side == PositionSide.Long,
            Sampled = liq.Completeness != FeedCompleteness.Complete,
        };
        state.HasLiquidations = true;
        state.Feed = liq.Completeness;
        if (time >= state.LastTime)
        {
            state.LastTime = time;
        }

        Append(entry);
        _accepted++;
        if (asset is not null)
        {
            if (time >= asset.LastLiquidationTime)
            {
                asset.LastLiquidationTime = time;
                asset.LastLiquidationPrice = liq.Price;
            }

            Detect(asset, entry, liq.Instrument.Venue);
        }
    }

    private void Append(in LiquidationEntry entry)
    {
        long cutoff = _now - _ringWindow;
        while (_count > 0 && _ring[_head].Time < cutoff)
        {
            _head = _head + 1 == _ring.Length ? 0 : _head + 1;
            _count--;
        }

        if (_count == _ring.Length)
        {
            if (_ring.Length < _ringCapacity)
            {
                Grow();
            }
            else
            {
                _dropped++;
                _droppedNewest = Math.Max(_droppedNewest, _ring[_head].Time);
                _head = _head + 1 == _ring.Length ? 0 : _head + 1;
                _count--;
            }
        }

        int tail = _head + _count;
        if (tail >= _ring.Length)
        {
            tail -= _ring.Length;
        }

        _ring[tail] = entry;
        _count++;
    }

    private void Grow()
    {
        var bigger = new LiquidationEntry[(int)Math.Min(_ringCapacity, 2L * _ring.Length)];
        for (int k = 0; k < _count; k++)
        {
            bigger[k] = _ring[(_head + k) % _ring.Length];
        }

        _ring = bigger;
        _head = 0;
    }

    /// <summary>Cascade detector of one asset: join the active cascade, or open one when the last N liquidations lie within the window.</summary>
    private void Detect(LiquidationAssetState asset, in LiquidationEntry entry, VenueId venue)
    {
        var c = asset.Cascade;
        if (c.Active)
        {
            c.Add(entry);
            c.LastVenue = venue;
            c.Grown = true;
            if (entry.Time - c.PublishedAt >= _updateInterval)
            {
                c.PublishedAt = entry.Time;
                Publish(asset, AlertPhase.Updated, entry.Time);
            }

            return;
        }

        var recent = asset.Recent;
        recent[asset.RecentNext] = entry;
        asset.RecentNext = asset.RecentNext + 1 == recent.Length ? 0 : asset.RecentNext + 1;
        if (asset.RecentCount < recent.Length)
        {
            asset.RecentCount++;
        }

        if (asset.RecentCount < recent.Length)
        {
            return;
        }

        long first = long.MaxValue, last = long.MinValue;
        for (int i = 0; i < recent.Length; i++)
        {
            first = Math.Min(first, recent[i].Time);
            last = Math.Max(last, recent[i].Time);
        }

        if (last - first > _cascadeWindow)
        {
            return;
        }

        c.Open(recent);
        c.LastVenue = venue;
        c.PublishedAt = entry.Time;
        asset.RecentCount = 0;
        _nextDeadline = Math.Min(_nextDeadline, c.Last + _cascadeWindow);
        Publish(asset, AlertPhase.Opened, entry.Time);
    }

    /// <summary>Closes every cascade whose newest liquidation is more than the window before the newest event time.</summary>
    private void CloseExpired()
    {
        long now = _now;
        _nextDeadline = long.MaxValue;
        foreach (var asset in _assets)
        {
            var c = asset.Cascade;
            if (!c.Active)
            {
                continue;
            }

            long deadline = c.Last + _cascadeWindow;
            if (now <= deadline)
            {
                _nextDeadline = Math.Min(_nextDeadline, deadline);
                continue;
            }

            RefreshWindow(asset, c);
            c.Active = false;
            c.Asset = asset;
            c.ClosedAt = now;
            if (_closed.Length > 0)
            {
                _closed[_closedNext].CopyFrom(c);
                _closedNext = _closedNext + 1 == _closed.Length ? 0 : _closedNext + 1;
                _closedCount = Math.Min(_closedCount + 1, _closed.Length);
            }

            if (_alerts is not null)
            {
                _alerts.Publish(MarketEvent.From(BuildAlert(asset, c, AlertPhase.Closed, now), c.LastVenue));
            }
        }
    }

    private void Publish(LiquidationAssetState asset, AlertPhase phase, long time)
    {
        if (_alerts is not null)
        {
            RefreshWindow(asset, asset.Cascade);
            _alerts.Publish(MarketEvent.From(BuildAlert(asset, asset.Cascade, phase, time), asset.Cascade.LastVenue));
        }
    }

    /// <summary>
    /// Recomputes the cascade's trailing-window figures: its liquidations (this asset, not before the
    /// cascade's start) with time in [newest − window, newest], read from the ring newest first. The scan
    /// stops at the first entry more than two windows before the newest, so a liquidation that arrives
    /// over a window out of order may be left out of the score (never out of the cascade's totals).
    /// </summary>
    internal void RefreshWindow(LiquidationAssetState asset, CascadeState c)
    {
        c.Window = CascadeTally.Empty;
        long from = Math.Max(c.Start, c.Last - _cascadeWindow);
        long stop = c.Last - (2 * _cascadeWindow);
        int index = asset.Index;
        for (int k = _count - 1; k >= 0; k--)
        {
            ref readonly var e = ref Entry(k);
            if (e.Time < stop)
            {
                break;
            }

            if (e.Asset == index && e.Time >= from && e.Time <= c.Last)
            {
                c.Window.Add(e);
            }
        }

        if (c.Window.Count == 0)
        {
            c.Window = c.Total; // the ring lost them (capacity): score on the totals rather than on nothing
        }
    }

    internal static CascadeAlert BuildAlert(LiquidationAssetState asset, CascadeState c, AlertPhase phase, long time)
    {
        c.Id ??= string.Create(CultureInfo.InvariantCulture, $"{CascadeAlert.AlertType}:{asset.Name}:{c.IdStart}");
        int venues = BitOperations.PopCount((uint)c.VenueMask);
        // The score measures the cascade's intensity now: its last window of liquidations, not its lifetime.
        ref readonly var w = ref c.Window;
        var factors = CascadeScoring.Factors(w.Count, w.Usd, c.Last - w.Start, BitOperations.PopCount((uint)w.VenueMask), w.LongUsd, w.ShortUsd, w.Low, w.High);
        double score = CascadeScoring.Score(factors);
        string severity = CascadeScoring.Severity(score);
        var side = LiquidationText.SideOf(c.LongUsd, c.ShortUsd);
        bool cross = LiquidationText.ExchangeCount(c.VenueMask) >= 2;
        bool lower = c.SampledMask != 0;
        string word = phase switch { AlertPhase.Opened => "opened", AlertPhase.Updated => "updated", _ => "closed" };
        string message = string.Create(CultureInfo.InvariantCulture,
            $"{asset.Name} liquidation cascade {word}{(cross ? " (CROSS-EXCHANGE)" : "")}: {c.Count} liquidations, {(lower ? "≥ " : "")}{LiquidationText.Usd(c.Usd)}, {LiquidationText.SideWord(side)}, {venues} venue{(venues == 1 ? "" : "s")}, {(c.Last - c.Start) / 1e6:0.#} s, score {score:0.00} {severity}");
        return new CascadeAlert
        {
            Id = c.Id,
            Type = CascadeAlert.AlertType,
            Asset = asset.Name,
            Phase = phase,
            Severity = severity,
            Time = time,
            Message = message,
            Count = c.Count,
            LongCount = c.LongCount,
            ShortCount = c.ShortCount,
            Usd = c.Usd,
            LongUsd = c.LongUsd,
            ShortUsd = c.ShortUsd,
            IsLowerBound = lower,
            Venues = LiquidationText.VenueNames(c.VenueMask),
            SampledVenues = LiquidationText.VenueNames(c.SampledMask),
            CrossExchange = cross,
            Side = side,
            Score = score,
            Factors = factors,
            StartTime = c.Start,
            EndTime = c.Last,
            DurationSeconds = (c.Last - c.Start) / 1e6,
            LowPrice = c.Low,
            HighPrice = c.High,
        };
    }

    private LiquidationInstrumentState StateOf(Instrument instrument)
    {
        int id = instrument.Id;
        if ((uint)id >= (uint)_byId.Length)
        {
            Array.Resize(ref _byId, Math.Max(_byId.Length * 2, id + 1));
        }

        var state = _byId[id];
        if (state is not null && ReferenceEquals(state.Instrument, instrument))
        {
            return state;
        }

        LiquidationAssetState? asset = null;
        if (instrument.QuoteIsUsd && !_assetsByName.TryGetValue(instrument.Base, out asset))
        {
            asset = new LiquidationAssetState(instrument.Base, _assets.Count, _minCount);
            _assets.Add(asset);
            _assetsByName.Add(instrument.Base, asset);
        }

        state = new LiquidationInstrumentState(instrument, _instruments.Count, asset);
        _instruments.Add(state);
        _byId[id] = state;
        return state;
    }

    // Read by the snapshot builder.
    internal ThresholdOptions Thresholds => _thresholds;

    internal LiquidationOptions Options => _options;

    internal long StaleAfter => _staleAfter;

    internal long Retention => _retention;

    internal long RingWindow => _ringWindow;

    internal long HeatmapWindow => _heatmapWindow;

    internal long StartTime => _start;

    internal long DroppedNewest => _droppedNewest;

    internal IReadOnlyList<LiquidationInstrumentState> Instruments => _instruments;

    internal IReadOnlyList<LiquidationAssetState> Assets => _assets;

    internal LiquidationInput Input => new(_accepted, _badPrice, _badQuantity, _badSide, _tooLate, _badTrades, _count, _ringCapacity,
        _ringWindow / Second, _dropped);

    /// <summary>The ring's entries, oldest first (by arrival).</summary>
    internal ref readonly LiquidationEntry Entry(int k) => ref _ring[(_head + k) % _ring.Length];

    internal int Count => _count;

    /// <summary>Closed cascades, newest first.</summary>
    internal CascadeAlert[] RecentClosed()
    {
        var list = new CascadeAlert[_closedCount];
        for (int i = 0; i < _closedCount; i++)
        {
            int slot = _closedNext - 1 - i;
            var c = _closed[slot < 0 ? slot + _closed.Length : slot];
            list[i] = BuildAlert(c.Asset!, c, AlertPhase.Closed, c.ClosedAt);
        }

        return list;
    }
}
