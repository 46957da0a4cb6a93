using System.Collections.Concurrent;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Time;

namespace Barometer.Venues.Bybit;

/// <summary>
/// One parsed linear <c>tickers.{symbol}</c> frame: only the fields the frame carried. A number
/// that was absent (or the empty string) is NaN, an absent time is <see cref="Missing"/>. Bybit
/// sends a snapshot, then deltas with only the changed fields ("if a response param is not
/// found in the message, then its value has not changed").
/// </summary>
public readonly record struct BybitTicker
{
    /// <summary>Marks an absent time.</summary>
    public const long Missing = long.MinValue;

    /// <summary>True for <c>type:"snapshot"</c> (replace the state), false for a delta.</summary>
    public bool IsSnapshot { get; init; }

    /// <summary>Message time <c>ts</c>, UTC µs.</summary>
    public long Time { get; init; }

    /// <summary>Cross sequence <c>cs</c> (<see cref="Missing"/> when absent).</summary>
    public long CrossSequence { get; init; }

    /// <summary><c>markPrice</c>.</summary>
    public double MarkPrice { get; init; }

    /// <summary><c>indexPrice</c>.</summary>
    public double IndexPrice { get; init; }

    /// <summary><c>fundingRate</c> per interval, as a fraction.</summary>
    public double FundingRate { get; init; }

    /// <summary><c>nextFundingTime</c>, UTC µs (<see cref="Missing"/> when absent).</summary>
    public long NextFundingTime { get; init; }

    /// <summary><c>fundingIntervalHour</c>.</summary>
    public double FundingIntervalHours { get; init; }

    /// <summary><c>openInterest</c>: documented by Bybit as <b>both sides</b>, base coin.</summary>
    public double OpenInterest { get; init; }

    /// <summary><c>openInterestValue</c>: both sides, quote coin.</summary>
    public double OpenInterestValue { get; init; }

    /// <summary><c>singleOpenInterest</c> (single side, added 2026-06-11), base coin.</summary>
    public double SingleOpenInterest { get; init; }

    /// <summary><c>singleOpenInterestValue</c> (single side), quote coin.</summary>
    public double SingleOpenInterestValue { get; init; }

    /// <summary>A frame with no fields (all absent).</summary>
    public static BybitTicker Empty => new()
    {
        Time = Missing, CrossSequence = Missing, NextFundingTime = Missing,
        MarkPrice = double.NaN, IndexPrice = double.NaN, FundingRate = double.NaN, FundingIntervalHours = double.NaN,
        OpenInterest = double.NaN, OpenInterestValue = double.NaN, SingleOpenInterest = double.NaN, SingleOpenInterestValue = double.NaN,
    };

    /// <summary>
    /// The single-sided open interest this frame states: <see cref="SingleOpenInterest"/> when
    /// present, else half of the two-sided <see cref="OpenInterest"/>, else NaN.
    /// </summary>
    public double SingleSidedOpenInterest =>
        !double.IsNaN(SingleOpenInterest) ? SingleOpenInterest : OpenInterest * 0.5;

    /// <summary>The single-sided open interest value this frame states (same rule), quote coin.</summary>
    public double SingleSidedOpenInterestValue =>
        !double.IsNaN(SingleOpenInterestValue) ? SingleOpenInterestValue : OpenInterestValue * 0.5;
}

/// <summary>
/// The merged ticker state of one Bybit linear instrument, and the events a frame produces.
/// Pure: no clock, no I/O; not thread-safe (one per connection's parsing thread).
/// Merge rule: a snapshot replaces every field (fields it lacks become unknown); a delta changes
/// only the fields it carries. Open interest is kept single-sided: per frame, the single-sided
/// field wins, a frame with only the two-sided field is halved; a frame that changes the quantity
/// without a value field drops the value (the notional then falls back to quantity × mark).
/// After the merge, a <see cref="Funding"/> is emitted when the funding rate is known and any of
/// funding rate, next funding time, mark price or index price changed; an
/// <see cref="OpenInterest"/> when the single-sided quantity is known and changed.
/// </summary>
public sealed class BybitTickerState
{
    /// <summary>Funding interval assumed until the stream states one (fundingIntervalHour).</summary>
    public const double DefaultFundingIntervalHours = 8;

    /// <summary>Creates the empty state of <paramref name="instrument"/>.</summary>
    public BybitTickerState(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        Instrument = instrument;
        Reset();
    }

    /// <summary>The instrument.</summary>
    public Instrument Instrument { get; }

    /// <summary>Funding rate per interval (NaN when unknown).</summary>
    public double FundingRate { get; private set; }

    /// <summary>Next funding time, UTC µs (0 when unknown).</summary>
    public long NextFundingTime { get; private set; }

    /// <summary>Funding interval in hours (NaN when the stream has not said).</summary>
    public double FundingIntervalHours { get; private set; }

    /// <summary>Mark price (NaN when unknown).</summary>
    public double MarkPrice { get; private set; }

    /// <summary>Index price (NaN when unknown).</summary>
    public double IndexPrice { get; private set; }

    /// <summary>Single-sided open interest, base coin (NaN when unknown).</summary>
    public double OpenInterest { get; private set; }

    /// <summary>Single-sided open interest value, quote coin (NaN when unknown).</summary>
    public double OpenInterestValue { get; private set; }

    /// <summary>Time of the last merged frame, UTC µs (0 before the first).</summary>
    public long LastUpdateTime { get; private set; }

    /// <summary>True once a snapshot has been merged (since construction or <see cref="Reset"/>).</summary>
    public bool HasSnapshot { get; private set; }

    /// <summary>Forgets everything (e.g. on reconnect, before the new snapshot).</summary>
    public void Reset()
    {
        FundingRate = double.NaN;
        NextFundingTime = 0;
        FundingIntervalHours = double.NaN;
        MarkPrice = double.NaN;
        IndexPrice = double.NaN;
        OpenInterest = double.NaN;
        OpenInterestValue = double.NaN;
        LastUpdateTime = 0;
        HasSnapshot = false;
    }

    /// <summary>
    /// Merges one frame and publishes the resulting events (at most one <see cref="Funding"/>
    /// and one <see cref="OpenInterest"/>, exchange time = the frame's <c>ts</c>). Returns the
    /// number published.
    /// </summary>
    public int Merge(in BybitTicker ticker, long receiveTime, IEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        double rate = FundingRate, mark = MarkPrice, index = IndexPrice, oi = OpenInterest;
        long next = NextFundingTime;
        if (ticker.IsSnapshot)
        {
            Reset();
            HasSnapshot = true;
        }

        if (!double.IsNaN(ticker.FundingRate))
        {
            FundingRate = ticker.FundingRate;
        }

        if (ticker.NextFundingTime != BybitTicker.Missing)
        {
            NextFundingTime = ticker.NextFundingTime;
        }

        if (!double.IsNaN(ticker.FundingIntervalHours) && ticker.FundingIntervalHours > 0)
        {
            FundingIntervalHours = ticker.FundingIntervalHours;
        }

        if (!double.IsNaN(ticker.MarkPrice))
        {
            MarkPrice = ticker.MarkPrice;
        }

        if (!double.IsNaN(ticker.IndexPrice))
        {
            IndexPrice = ticker.IndexPrice;
        }

        double single = ticker.SingleSidedOpenInterest;
        double singleValue = ticker.SingleSidedOpenInterestValue;
        if (!double.IsNaN(single))
        {
            OpenInterest = single;
            if (double.IsNaN(singleValue))
            {
                // A new quantity without its value: the old value would be stale; fall back to quantity × mark.
                OpenInterestValue = double.NaN;
            }
        }

        if (!double.IsNaN(singleValue))
        {
            OpenInterestValue = singleValue;
        }

        if (ticker.Time != BybitTicker.Missing)
        {
            LastUpdateTime = ticker.Time;
        }

        long time = ticker.Time != BybitTicker.Missing ? ticker.Time : receiveTime;
        int events = 0;
        bool fundingChanged = !Same(rate, FundingRate) || next != NextFundingTime || !Same(mark, MarkPrice) || !Same(index, IndexPrice);
        if (fundingChanged && !double.IsNaN(FundingRate))
        {
            sink.Publish(MarketEvent.From(new Funding(Instrument, time, receiveTime, FundingRate,
                double.IsNaN(FundingIntervalHours) ? DefaultFundingIntervalHours : FundingIntervalHours,
                NextFundingTime, MarkPrice, IndexPrice)));
            events++;
        }

        if (!Same(oi, OpenInterest) && !double.IsNaN(OpenInterest))
        {
            double usd = !double.IsNaN(OpenInterestValue) ? Instrument.UsdNotional(OpenInterestValue, 1.0)
                : Instrument.UsdNotional(MarkPrice, OpenInterest);
            sink.Publish(MarketEvent.From(new OpenInterest(Instrument, time, receiveTime, OpenInterest, usd)));
            events++;
        }

        return events;
    }

    private static bool Same(double a, double b) => a == b || (double.IsNaN(a) && double.IsNaN(b));
}

/// <summary>
/// The ticker states of many instruments, by instrument id. Lookups are lock-free and
/// allocation-free once an instrument has been seen; several connections may share one registry
/// as long as each instrument's frames arrive on one thread (a single state is not thread-safe).
/// </summary>
public sealed class BybitTickerStates
{
    private readonly ConcurrentDictionary<int, BybitTickerState> _states = new();

    /// <summary>Number of instruments with state.</summary>
    public int Count => _states.Count;

    /// <summary>The state of <paramref name="instrument"/>, created empty on first use.</summary>
    public BybitTickerState GetOrCreate(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return _states.TryGetValue(instrument.Id, out var state) ? state
            : _states.GetOrAdd(instrument.Id, static (_, i) => new BybitTickerState(i), instrument);
    }

    /// <summary>The state of <paramref name="instrument"/> if any frame was merged for it.</summary>
    public bool TryGet(Instrument instrument, out BybitTickerState state)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return _states.TryGetValue(instrument.Id, out state!);
    }

    /// <summary>Resets every state (e.g. after a reconnect; the new snapshots rebuild them).</summary>
    public void ResetAll()
    {
        foreach (var state in _states.Values)
        {
            state.Reset();
        }
    }
}
