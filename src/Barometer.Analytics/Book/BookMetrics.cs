using System.Globalization;
using Barometer.Core.Books;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Book;

/// <summary>
/// Top of book and L2 depth per venue market, and depth per asset and market kind
/// (docs/metrics/book.md). One <see cref="LocalOrderBook"/> per market, fed by the connectors'
/// sequence-checked <see cref="BookUpdate"/>s; a delta before any snapshot is ignored, and a
/// resync, a disconnect or a data gap makes the book unavailable until the next snapshot.
/// <see cref="OnEvent"/> is O(levels in the update) and allocates only on the first sight of a
/// market (its state and book) or when a book grows; depth per band is computed at snapshot time.
/// </summary>
internal sealed class BookMetrics : IMetricFamily<BookSection>
{
    private readonly long _depthStaleAfter;
    private Market?[] _byId = new Market?[16];

    public BookMetrics(AnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _depthStaleAfter = options.StaleAfter.Ticks / TimeSpan.TicksPerMicrosecond;
    }

    public void OnEvent(in MarketEvent e, long time)
    {
        switch (e.Kind)
        {
            case EventKind.BookTop:
                OnTop(e.AsBookTop(), time);
                break;
            case EventKind.BookUpdate:
                OnUpdate(e.AsBookUpdate(), time);
                break;
            case EventKind.ConnectionStatus:
                OnStatus(e.AsConnectionStatus());
                break;
            case EventKind.DataGap:
                OnGap(e.AsDataGap());
                break;
        }
    }

    public BookSection Snapshot(long now)
    {
        int count = 0;
        foreach (var m in _byId)
        {
            if (m is not null)
            {
                count++;
            }
        }

        var markets = new Market[count];
        int k = 0;
        foreach (var m in _byId)
        {
            if (m is not null)
            {
                markets[k++] = m;
            }
        }

        Array.Sort(markets, static (a, b) => string.CompareOrdinal(a.Instrument.Key, b.Instrument.Key));
        var views = new BookMarket[count];
        for (int i = 0; i < count; i++)
        {
            views[i] = View(markets[i], now);
        }

        return new BookSection(views, Aggregate(views));
    }

    private void OnTop(in BookTop top, long time)
    {
        var m = MarketOf(top.Instrument);
        m.HasTop = true;
        m.TopTime = time;
        m.BidPrice = top.BidPrice;
        m.BidSize = top.BidSize;
        m.AskPrice = top.AskPrice;
        m.AskSize = top.AskSize;
        m.TopVoidDetail = null;
    }

    private void OnUpdate(in BookUpdate update, long time)
    {
        var m = MarketOf(update.Instrument);
        switch (m.Book.Apply(update))
        {
            case BookApplyResult.Applied:
                m.Block = BookBlock.None;
                m.BlockDetail = null;
                m.BookTime = time;
                break;
            case BookApplyResult.Crossed:
                m.Book.Reset();
                m.Block = BookBlock.Crossed;
                m.BlockDetail = null;
                break;
            case BookApplyResult.InvalidLevel:
                m.Book.Reset();
                m.Block = BookBlock.InvalidLevel;
                m.BlockDetail = null;
                break;
            case BookApplyResult.NotSynced:
                // Ignored: the book waits for a snapshot; the reason it is unavailable stays.
                break;
        }
    }

    private void OnStatus(in ConnectionStatus status)
    {
        if (status.State is not (ConnectionState.Resyncing or ConnectionState.Disconnected))
        {
            return;
        }

        var block = status.State == ConnectionState.Resyncing ? BookBlock.Resyncing : BookBlock.Disconnected;
        if (status.Instrument is { } instrument)
        {
            if (Find(instrument) is { } m)
            {
                Invalidate(m, block, status.Reason, status.State == ConnectionState.Disconnected);
            }

            return;
        }

        foreach (var m in _byId)
        {
            if (m is not null && m.Instrument.Venue == status.Venue)
            {
                Invalidate(m, block, status.Reason, status.State == ConnectionState.Disconnected);
            }
        }
    }

    private void OnGap(in DataGap gap)
    {
        if (gap.Instrument is { } instrument)
        {
            if (Find(instrument) is { } m)
            {
                m.GapCause = gap.Cause;
                Invalidate(m, BookBlock.DataGap, gap.Detail, voidTop: false);
            }

            return;
        }

        foreach (var m in _byId)
        {
            if (m is not null && m.Instrument.Venue == gap.Venue)
            {
                m.GapCause = gap.Cause;
                Invalidate(m, BookBlock.DataGap, gap.Detail, voidTop: false);
            }
        }
    }

    private static void Invalidate(Market m, BookBlock block, string? detail, bool voidTop)
    {
        m.Book.Reset();
        m.Block = block;
        m.BlockDetail = detail;
        if (voidTop && m.HasTop)
        {
            m.HasTop = false;
            m.TopVoidDetail = string.IsNullOrEmpty(detail) ? "disconnected" : "disconnected: " + detail;
        }
    }

    private Market? Find(Instrument instrument) =>
        instrument.Id >= 0 && instrument.Id < _byId.Length && ReferenceEquals(_byId[instrument.Id]?.Instrument, instrument)
            ? _byId[instrument.Id]
            : null;

    private Market MarketOf(Instrument instrument)
    {
        int id = instrument.Id;
        if (id >= _byId.Length)
        {
            Array.Resize(ref _byId, Math.Max(id + 1, _byId.Length * 2));
        }

        return _byId[id] ??= new Market(instrument);
    }

    private BookMarket View(Market m, long now)
    {
        var instrument = m.Instrument;
        return new BookMarket(instrument.Key, instrument.Venue, instrument.Base, instrument.Kind, TopView(m, now), DepthView(m, now));
    }

    private static BookTopView TopView(Market m, long now)
    {
        long limit = BookLimits.TopStaleAfterMicros;
        bool bookTopFresh = m.HasTop && now - m.TopTime <= limit;
        bool l2Usable = m.Book.IsSynced && m.Book.Bids.HasLevels && m.Book.Asks.HasLevels;
        bool l2Fresh = l2Usable && now - m.BookTime <= limit;

        TopSource source;
        long time;
        double bid, bidSize, ask, askSize;
        if (bookTopFresh)
        {
            (source, time, bid, bidSize, ask, askSize) = (TopSource.BookTop, m.TopTime, m.BidPrice, m.BidSize, m.AskPrice, m.AskSize);
        }
        else if (l2Fresh)
        {
            (source, time, bid, bidSize, ask, askSize) = (TopSource.L2Book, m.BookTime, m.Book.Bids.BestPrice, m.Book.Bids.BestQuantity,
                m.Book.Asks.BestPrice, m.Book.Asks.BestQuantity);
        }
        else
        {
            string reason;
            long newest = Math.Max(m.HasTop ? m.TopTime : long.MinValue, l2Usable ? m.BookTime : long.MinValue);
            if (m.HasTop || l2Usable)
            {
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"stale: newest top is {Seconds(now - newest):0.###} s old (limit {Seconds(limit):0.###} s)");
            }
            else if (m.TopVoidDetail is not null)
            {
                reason = "no top of book since " + m.TopVoidDetail;
            }
            else
            {
                reason = "no top of book yet (no book_top and no synced L2 book)";
            }

            return BookTopView.Unavailable(reason);
        }

        double age = Seconds(Math.Max(0, now - time));
        if (!(bid > 0) || !(ask > 0) || !double.IsFinite(bid) || !double.IsFinite(ask) || !(bidSize >= 0) || !(askSize >= 0)
            || !double.IsFinite(bidSize) || !double.IsFinite(askSize))
        {
            return BookTopView.Unavailable("invalid top: non-positive or non-finite price or size") with { Source = source, Time = time, AgeSeconds = age };
        }

        if (bid >= ask)
        {
            return BookTopView.Unavailable("invalid top: bid at or above ask") with { Source = source, Time = time, AgeSeconds = age };
        }

        double mid = (bid + ask) * 0.5;
        double spread = ask - bid;
        double sizes = bidSize + askSize;
        double imbalance = sizes > 0 ? (bidSize - askSize) / sizes : double.NaN;
        string? reason2 = null;
        if (!m.Instrument.QuoteIsUsd)
        {
            reason2 = $"quote {m.Instrument.Quote} is not a USD stablecoin: spread_usd unavailable";
        }

        if (!(sizes > 0))
        {
            reason2 = "both top sizes are zero: imbalance and pressure unavailable";
        }

        return new BookTopView(source, time, age, bid, bidSize, ask, askSize, mid,
            m.Instrument.UsdNotional(spread, 1.0), spread / mid * 10_000, imbalance,
            sizes > 0 ? bidSize / sizes * 100 : double.NaN, sizes > 0 ? askSize / sizes * 100 : double.NaN,
            sizes > 0 ? BookLimits.SignalOf(imbalance) : null, reason2);
    }

    private BookDepthView DepthView(Market m, long now)
    {
        var book = m.Book;
        if (!book.IsSynced)
        {
            return BookDepthView.Unavailable(BlockReason(m));
        }

        if (now - m.BookTime > _depthStaleAfter)
        {
            return BookDepthView.Unavailable(string.Create(CultureInfo.InvariantCulture,
                $"stale: last book update {Seconds(now - m.BookTime):0.###} s ago (limit {Seconds(_depthStaleAfter):0.###} s)")) with
            {
                Time = m.BookTime,
            };
        }

        if (!book.Bids.HasLevels || !book.Asks.HasLevels)
        {
            return BookDepthView.Unavailable("one-sided book: " + (book.Bids.HasLevels ? "no asks" : "no bids")) with
            {
                Time = m.BookTime,
                BidLevels = book.Bids.Count,
                AskLevels = book.Asks.Count,
            };
        }

        var instrument = m.Instrument;
        double mid = (book.Bids.BestPrice + book.Asks.BestPrice) * 0.5;
        var worstBid = book.Bids.Level(book.Bids.Count - 1);
        var worstAsk = book.Asks.Level(book.Asks.Count - 1);
        double bidReach = (mid - worstBid.Price) / mid * 100;
        double askReach = (worstAsk.Price - mid) / mid * 100;
        string? reason = instrument.QuoteIsUsd ? null : $"quote {instrument.Quote} is not a USD stablecoin: USD depth unavailable";

        var bands = new BookDepthBand[BookLimits.BandFractions.Length];
        for (int i = 0; i < bands.Length; i++)
        {
            double f = BookLimits.BandFractions[i];
            BandLimits(mid, f, instrument.TickSize, out long bidLimit, out long askLimit);
            double bidUsd = instrument.UsdNotional(book.Bids.NotionalWithin(bidLimit), 1.0);
            double askUsd = instrument.UsdNotional(book.Asks.NotionalWithin(askLimit), 1.0);
            bool partial = worstBid.Ticks > bidLimit || worstAsk.Ticks < askLimit;
            bands[i] = Band(f * 100, bidUsd, askUsd, partial);
        }

        return new BookDepthView(m.BookTime, mid, book.Bids.Count, book.Asks.Count, bidReach, askReach, bands, reason);
    }

    /// <summary>
    /// Resting USD within <paramref name="bandFraction"/> of the L2 mid of one market, computed
    /// exactly as the depth bands of <see cref="Snapshot"/> (band edges rounded to the tick
    /// inward). False, with NaN sums, when the market is unknown, its book is not synced, its last
    /// book message is older than <see cref="AnalyticsOptions.StaleAfter"/> at <paramref name="now"/>,
    /// a side is empty, or the quote is not a USD stablecoin. O(levels within the band); allocates nothing.
    /// </summary>
    internal bool TryDepthUsd(Instrument instrument, double bandFraction, long now, out double bidUsd, out double askUsd)
    {
        bidUsd = double.NaN;
        askUsd = double.NaN;
        var m = Find(instrument);
        if (m is null || !instrument.QuoteIsUsd || !m.Book.IsSynced || now - m.BookTime > _depthStaleAfter
            || !m.Book.Bids.HasLevels || !m.Book.Asks.HasLevels)
        {
            return false;
        }

        double mid = (m.Book.Bids.BestPrice + m.Book.Asks.BestPrice) * 0.5;
        BandLimits(mid, bandFraction, instrument.TickSize, out long bidLimit, out long askLimit);
        bidUsd = instrument.UsdNotional(m.Book.Bids.NotionalWithin(bidLimit), 1.0);
        askUsd = instrument.UsdNotional(m.Book.Asks.NotionalWithin(askLimit), 1.0);
        return true;
    }

    private static void BandLimits(double mid, double fraction, double tick, out long bidLimit, out long askLimit)
    {
        bidLimit = (long)Math.Ceiling(mid * (1 - fraction) / tick - 1e-9);
        askLimit = (long)Math.Floor(mid * (1 + fraction) / tick + 1e-9);
    }

    private static BookDepthBand Band(double bandPct, double bidUsd, double askUsd, bool partial)
    {
        if (double.IsNaN(bidUsd) || double.IsNaN(askUsd))
        {
            return new BookDepthBand(bandPct, bidUsd, askUsd, double.NaN, null, partial, "USD depth unavailable");
        }

        if (!(bidUsd > 0) || !(askUsd > 0))
        {
            string why = !(bidUsd > 0) && !(askUsd > 0) ? "no levels within band" : !(bidUsd > 0) ? "no bids within band" : "no asks within band";
            return new BookDepthBand(bandPct, bidUsd, askUsd, double.NaN, null, partial, why);
        }

        double ratio = bidUsd / askUsd;
        return new BookDepthBand(bandPct, bidUsd, askUsd, ratio, BookLimits.LabelOf(ratio), partial, null);
    }

    private static string BlockReason(Market m) => m.Block switch
    {
        BookBlock.NoSnapshot => "no book snapshot yet (deltas before a snapshot are ignored)",
        BookBlock.Resyncing => Detail("resyncing", m.BlockDetail) + ": waiting for a snapshot",
        BookBlock.Disconnected => Detail("disconnected", m.BlockDetail) + ": waiting for a snapshot",
        BookBlock.DataGap => Detail("data gap (" + GapName(m.GapCause) + ")", m.BlockDetail) + ": waiting for a snapshot",
        BookBlock.Crossed => "crossed book after an update (cleared): waiting for a snapshot",
        BookBlock.InvalidLevel => "invalid level in an update (cleared): waiting for a snapshot",
        _ => "book not synced",
    };

    private static string GapName(GapCause cause) => cause switch
    {
        GapCause.Disconnect => "disconnect",
        GapCause.SequenceGap => "sequence gap",
        GapCause.Stale => "stale",
        GapCause.ChecksumMismatch => "checksum mismatch",
        GapCause.Overflow => "overflow",
        _ => "unknown",
    };

    private static string Detail(string what, string? detail) => string.IsNullOrEmpty(detail) ? what : what + " (" + detail + ")";

    private static double Seconds(long micros) => micros / 1e6;

    private static BookAssetDepth[] Aggregate(BookMarket[] markets)
    {
        // Distinct (asset, kind) groups, sorted by asset (ordinal) then kind.
        var groups = new List<(string Asset, MarketKind Kind)>();
        foreach (var m in markets)
        {
            if (!groups.Contains((m.Asset, m.Kind)))
            {
                groups.Add((m.Asset, m.Kind));
            }
        }

        groups.Sort(static (a, b) =>
        {
            int c = string.CompareOrdinal(a.Asset, b.Asset);
            return c != 0 ? c : a.Kind.CompareTo(b.Kind);
        });

        var result = new BookAssetDepth[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            var (asset, kind) = groups[g];
            var included = new List<string>();
            var excluded = new List<string>();
            int n = BookLimits.BandFractions.Length;
            var bid = new double[n];
            var ask = new double[n];
            var partial = new bool[n];
            foreach (var m in markets)
            {
                if (m.Asset != asset || m.Kind != kind)
                {
                    continue;
                }

                var d = m.Depth;
                if (d.Bands.Count != n || double.IsNaN(d.Bands[0].BidUsd) || double.IsNaN(d.Bands[0].AskUsd))
                {
                    excluded.Add(m.Instrument);
                    continue;
                }

                included.Add(m.Instrument);
                for (int i = 0; i < n; i++)
                {
                    bid[i] += d.Bands[i].BidUsd;
                    ask[i] += d.Bands[i].AskUsd;
                    partial[i] |= d.Bands[i].Partial;
                }
            }

            var bands = new BookDepthBand[n];
            for (int i = 0; i < n; i++)
            {
                double pct = BookLimits.BandFractions[i] * 100;
                bands[i] = included.Count == 0
                    ? new BookDepthBand(pct, double.NaN, double.NaN, double.NaN, null, false, "no market with available depth")
                    : Band(pct, bid[i], ask[i], partial[i] || excluded.Count > 0);
            }

            result[g] = new BookAssetDepth(asset, kind, included.ToArray(), excluded.ToArray(), bands,
                included.Count == 0 ? "no market with available depth" : null);
        }

        return result;
    }

    private enum BookBlock : byte
    {
        None = 0,
        NoSnapshot = 1,
        Resyncing = 2,
        Disconnected = 3,
        DataGap = 4,
        Crossed = 5,
        InvalidLevel = 6,
    }

    private sealed class Market(Instrument instrument)
    {
        public Instrument Instrument { get; } = instrument;

        public LocalOrderBook Book { get; } = new(instrument, BookLimits.MaxLevelsPerSide);

        public bool HasTop;
        public long TopTime;
        public double BidPrice;
        public double BidSize;
        public double AskPrice;
        public double AskSize;
        public string? TopVoidDetail;

        public long BookTime;
        public BookBlock Block = BookBlock.NoSnapshot;
        public string? BlockDetail;
        public GapCause GapCause;
    }
}

/// <summary>Fixed limits and thresholds of the book metrics (docs/metrics/book.md).</summary>
public static class BookLimits
{
    /// <summary>A top of book older than this (event time) is stale: 10 s, in µs.</summary>
    public const long TopStaleAfterMicros = 10_000_000;

    /// <summary>Imbalance above this is a BUY signal, below its negative a SELL signal: 0.3.</summary>
    public const double SignalImbalance = 0.3;

    /// <summary>Levels kept per side of each local book (Binance serves 1000, Bybit 50–1000, OKX 400).</summary>
    public const int MaxLevelsPerSide = 5000;

    /// <summary>Depth bands as fractions of mid: 10 bps, 1%, 2%, 5%.</summary>
    public static ReadOnlySpan<double> BandFractions => [0.001, 0.01, 0.02, 0.05];

    /// <summary>The microstructure signal of a size imbalance.</summary>
    public static BookSignal SignalOf(double imbalance) =>
        imbalance > SignalImbalance ? BookSignal.Buy : imbalance < -SignalImbalance ? BookSignal.Sell : BookSignal.Neutral;

    /// <summary>The label of a bid/ask depth ratio.</summary>
    public static DepthLabel LabelOf(double ratio) =>
        ratio > 2.0 ? DepthLabel.BuyersDominant
        : ratio > 1.2 ? DepthLabel.BidHeavy
        : ratio < 0.5 ? DepthLabel.StrongAsk
        : ratio < 0.83 ? DepthLabel.AskHeavy
        : DepthLabel.Balanced;
}

/// <summary>Book metrics: one entry per venue market (sorted by instrument key) and depth per asset and market kind (sorted by asset, then kind).</summary>
/// <param name="Markets">Per venue market, sorted by <see cref="Instrument.Key"/> (ordinal).</param>
/// <param name="Assets">Per asset and market kind: depth summed across venue markets, sorted by asset (ordinal), then kind (spot first).</param>
public sealed record BookSection(IReadOnlyList<BookMarket> Markets, IReadOnlyList<BookAssetDepth> Assets)
{
    /// <summary>No markets.</summary>
    public BookSection()
        : this([], [])
    {
    }
}

/// <summary>Top of book and depth of one venue market.</summary>
/// <param name="Instrument">Instrument key, "venue:SYMBOL".</param>
/// <param name="Venue">Venue.</param>
/// <param name="Asset">Base asset (BTC).</param>
/// <param name="Kind">Spot or perpetual.</param>
/// <param name="Top">Top-of-book metrics.</param>
/// <param name="Depth">L2 depth metrics.</param>
public sealed record BookMarket(string Instrument, VenueId Venue, string Asset, MarketKind Kind, BookTopView Top, BookDepthView Depth);

/// <summary>Where a top of book came from.</summary>
public enum TopSource : byte
{
    /// <summary>The venue's best bid/offer stream (book_top).</summary>
    BookTop = 0,

    /// <summary>The best levels of the local L2 book (no fresh book_top).</summary>
    L2Book = 1,
}

/// <summary>Microstructure signal from the top-of-book size imbalance.</summary>
public enum BookSignal : byte
{
    /// <summary>|imbalance| ≤ 0.3.</summary>
    Neutral = 0,

    /// <summary>Imbalance &gt; +0.3 (bids outweigh asks at the top).</summary>
    Buy = 1,

    /// <summary>Imbalance &lt; −0.3.</summary>
    Sell = 2,
}

/// <summary>Label of a bid/ask depth ratio.</summary>
public enum DepthLabel : byte
{
    /// <summary>0.83 ≤ ratio ≤ 1.2.</summary>
    Balanced = 0,

    /// <summary>Ratio &gt; 2.0.</summary>
    BuyersDominant = 1,

    /// <summary>1.2 &lt; ratio ≤ 2.0.</summary>
    BidHeavy = 2,

    /// <summary>0.5 ≤ ratio &lt; 0.83.</summary>
    AskHeavy = 3,

    /// <summary>Ratio &lt; 0.5.</summary>
    StrongAsk = 4,
}

/// <summary>Top of book of one market. NaN / null values are unavailable; <see cref="UnavailableReason"/> says why.</summary>
/// <param name="Source">Where the top came from; null when no usable top.</param>
/// <param name="Time">Event time of the top used, UTC µs (0 when none).</param>
/// <param name="AgeSeconds">Snapshot time minus <paramref name="Time"/>, seconds.</param>
/// <param name="BidPrice">Best bid price (quote currency).</param>
/// <param name="BidSize">Best bid size (base asset).</param>
/// <param name="AskPrice">Best ask price.</param>
/// <param name="AskSize">Best ask size (base asset).</param>
/// <param name="Mid">(bid + ask) / 2.</param>
/// <param name="SpreadUsd">ask − bid in USD (NaN when the quote is not a USD stablecoin).</param>
/// <param name="SpreadBps">(ask − bid) / mid × 10 000.</param>
/// <param name="Imbalance">(bidSize − askSize) / (bidSize + askSize), −1 … +1.</param>
/// <param name="BidPressurePct">bidSize / (bidSize + askSize) × 100.</param>
/// <param name="AskPressurePct">askSize / (bidSize + askSize) × 100.</param>
/// <param name="Signal">BUY if imbalance &gt; +0.3, SELL if &lt; −0.3, else NEUTRAL; null when unavailable.</param>
/// <param name="UnavailableReason">Why values are missing; null when all are present.</param>
public sealed record BookTopView(
    TopSource? Source,
    long Time,
    double AgeSeconds,
    double BidPrice,
    double BidSize,
    double AskPrice,
    double AskSize,
    double Mid,
    double SpreadUsd,
    double SpreadBps,
    double Imbalance,
    double BidPressurePct,
    double AskPressurePct,
    BookSignal? Signal,
    string? UnavailableReason)
{
    internal static BookTopView Unavailable(string reason) => new(null, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, null, reason);
}

/// <summary>L2 depth of one market. NaN / null values are unavailable; <see cref="UnavailableReason"/> says why.</summary>
/// <param name="Time">Event time of the last book message applied, UTC µs (0 when none).</param>
/// <param name="Mid">Mid of the L2 book's best bid and ask.</param>
/// <param name="BidLevels">Bid levels held.</param>
/// <param name="AskLevels">Ask levels held.</param>
/// <param name="BidReachPct">How far below mid the farthest bid level is, % of mid.</param>
/// <param name="AskReachPct">How far above mid the farthest ask level is, % of mid.</param>
/// <param name="Bands">Depth within 0.1%, 1%, 2%, 5% of mid, in that order (always four; values NaN when unavailable).</param>
/// <param name="UnavailableReason">Why values are missing; null when all are present.</param>
public sealed record BookDepthView(
    long Time,
    double Mid,
    int BidLevels,
    int AskLevels,
    double BidReachPct,
    double AskReachPct,
    IReadOnlyList<BookDepthBand> Bands,
    string? UnavailableReason)
{
    internal static BookDepthView Unavailable(string reason)
    {
        var fractions = BookLimits.BandFractions;
        var bands = new BookDepthBand[fractions.Length];
        for (int i = 0; i < bands.Length; i++)
        {
            bands[i] = new BookDepthBand(fractions[i] * 100, double.NaN, double.NaN, double.NaN, null, false, reason);
        }

        return new BookDepthView(0, double.NaN, 0, 0, double.NaN, double.NaN, bands, reason);
    }
}

/// <summary>Resting USD within a band around mid.</summary>
/// <param name="BandPct">Band half-width, % of mid (0.1 = 10 bps).</param>
/// <param name="BidUsd">Σ price × size of bid levels at or above mid × (1 − band), USD.</param>
/// <param name="AskUsd">Σ price × size of ask levels at or below mid × (1 + band), USD.</param>
/// <param name="Ratio">BidUsd / AskUsd (NaN when a side has nothing in the band).</param>
/// <param name="Label">Label of <paramref name="Ratio"/>; null when the ratio is unavailable.</param>
/// <param name="Partial">True when the book does not reach the band's edge on a side (or, for an asset, when a market is partial or excluded): the sums cover only the levels held, never extrapolated.</param>
/// <param name="UnavailableReason">Why the ratio or sums are missing; null when present.</param>
public sealed record BookDepthBand(double BandPct, double BidUsd, double AskUsd, double Ratio, DepthLabel? Label, bool Partial, string? UnavailableReason);

/// <summary>Depth of one asset on one market kind, summed across venue markets.</summary>
/// <param name="Asset">Base asset.</param>
/// <param name="Kind">Spot or perpetual.</param>
/// <param name="Markets">Instrument keys summed (sorted).</param>
/// <param name="Excluded">Instrument keys of this asset and kind whose depth is unavailable (not summed; bands marked partial).</param>
/// <param name="Bands">Sums per band (same bands as per market); ratio and label of the sums.</param>
/// <param name="UnavailableReason">Set when no market has available depth.</param>
public sealed record BookAssetDepth(
    string Asset,
    MarketKind Kind,
    IReadOnlyList<string> Markets,
    IReadOnlyList<string> Excluded,
    IReadOnlyList<BookDepthBand> Bands,
    string? UnavailableReason);
