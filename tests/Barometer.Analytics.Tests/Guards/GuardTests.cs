using Barometer.Analytics.Guards;
using Barometer.Analytics.Snapshots;
using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;

namespace Barometer.Analytics.Tests.Guards;

public sealed class GuardTests
{
    private const long Second = 1_000_000;
    private const long T0 = 1_796_083_200_000_000;

    private static readonly InstrumentRegistry Registry = new();
    private static readonly Instrument Perp = Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    private static readonly Instrument Spot = Registry.GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);
    private static readonly Instrument Bybit = Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.01);

    private static BookLevel L(Instrument i, double price, double quantity) => new(i.ToTicks(price), price, quantity);

    private static MarketEvent Top(Instrument i, double bid, double ask, long t = T0) => MarketEvent.From(new BookTop(i, t, t, bid, 5, ask, 5, 0));

    private static MarketEvent Book(Instrument i, double bid, double ask, double size) =>
        MarketEvent.From(new BookUpdate(i, T0, T0, true, 1, 1, -1, [L(i, bid, size), L(i, bid - 1, size)], [L(i, ask, size), L(i, ask + 1, size)]));

    private static MarketEvent Funding(Instrument i, double rate) => MarketEvent.From(new Funding(i, T0, T0, rate, 8, T0 + (3600 * Second), 100, 100));

    private static MarketEvent Trade(Instrument i, double qty) => MarketEvent.From(new Trade(i, T0, T0, 100, qty, Side.Buy, TradeId.FromNumber(1)));

    private static MarketEvent Liquidation(int k) =>
        MarketEvent.From(new Liquidation(Perp, T0 + (k * Second), T0 + (k * Second), 100, 1, PositionSide.Long, Side.Sell, FeedCompleteness.Complete));

    // Perp: top 99.96 / 100.04 (mid 100, spread 8 bps), L2 99.96 × 1000 and 100.04 × 1000 inside 10 bps
    // ($99,960 bid, $100,040 ask); spot top 99.90 / 100.00 (mid 99.95: basis 100 / 99.95 − 1 = 5.0 bps);
    // funding 0.01 % per 8 h (APR 0.0001 × 3 × 365 × 100 = 10.95 %); OI 1,000 BTC = $100,000.
    private static List<MarketEvent> Calm(double rate = 0.0001, double bid = 99.96, double ask = 100.04) =>
    [
        Book(Perp, 99.96, 100.04, 1000),
        Top(Perp, bid, ask),
        Top(Spot, 99.90, 100.00),
        Funding(Perp, rate),
        MarketEvent.From(new OpenInterest(Perp, T0, T0, 1000, 100_000)),
        Trade(Perp, 1),
    ];

    private static AssetGuard Evaluate(IEnumerable<MarketEvent> events, GuardOptions? guards = null)
    {
        var engine = new AnalyticsEngine(new AnalyticsOptions { Assets = ["BTC"], DataSource = "simulated", Guards = guards ?? new GuardOptions() });
        foreach (var e in events)
        {
            engine.Publish(e);
        }

        var section = engine.Snapshot().Guards;
        Assert.Equal("simulated", section.DataSource);
        return Assert.Single(section.Assets);
    }

    [Fact]
    public void A_calm_market_passes_with_the_hand_computed_values()
    {
        var g = Evaluate(Calm());

        Assert.Equal(GuardStatus.Passing, g.Status);
        Assert.Empty(g.Reasons);
        Assert.Equal(Perp.Key, g.Instrument);
        Assert.Equal(8, g.SpreadBps, 6);
        Assert.Equal(99_960, g.Depth10BpsBidUsd, 6);
        Assert.Equal(100_040, g.Depth10BpsAskUsd, 6);
        Assert.Equal(10.95, g.FundingApr, 6);
        Assert.Equal(10_000 * ((100 / 99.95) - 1), g.BasisBps, 6);
        Assert.Equal(100_000, g.OiNotionalUsd, 6);
        Assert.Equal(0, g.LiqEvents5m);
        Assert.Equal("simulated", g.DataSource);
        string json = SnapshotJson.ToLineOf(g);
        Assert.Contains("\"depth_10bps_bid_usd\":99960", json, StringComparison.Ordinal);
        Assert.Contains("\"liq_events_5m\":0", json, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"passing\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wide_spread_and_extreme_funding_warn_with_their_reasons()
    {
        // spread (100.10 − 99.90) / 100 = 20 bps; APR 0.003 × 3 × 365 × 100 = 328.5 %
        var g = Evaluate(Calm(rate: 0.003, bid: 99.90, ask: 100.10));

        Assert.Equal(GuardStatus.Warning, g.Status);
        Assert.Equal(["spread_bps 20 > 10 (warning)", "funding_apr 328.5% beyond ±300% (warning)"], g.Reasons);
    }

    [Fact]
    public void Negative_funding_beyond_the_threshold_warns_too()
    {
        var g = Evaluate(Calm(rate: -0.003));
        Assert.Equal(["funding_apr -328.5% beyond ±300% (warning)"], g.Reasons);
    }

    [Fact]
    public void Thin_depth_warns_per_side()
    {
        var events = Calm();
        events[0] = Book(Perp, 99.96, 100.04, 400); // $39,984 bid, $40,016 ask
        var g = Evaluate(events);

        Assert.Equal(["depth_10bps bid $39,984 < $50,000 (warning)", "depth_10bps ask $40,016 < $50,000 (warning)"], g.Reasons);
    }

    [Fact]
    public void More_than_ten_liquidations_in_five_minutes_breach_and_ten_do_not()
    {
        var ten = Evaluate(Calm().Concat(Enumerable.Range(1, 10).Select(Liquidation)));
        Assert.Equal(GuardStatus.Passing, ten.Status);
        Assert.Equal(10, ten.LiqEvents5m);

        var eleven = Evaluate(Calm().Concat(Enumerable.Range(1, 11).Select(Liquidation)));
        Assert.Equal(GuardStatus.Breach, eleven.Status);
        Assert.Equal(11, eleven.LiqEvents5m);
        Assert.False(eleven.LiqEventsLowerBound);
        Assert.Contains("liq_events_5m 11 > 10 (breach)", eleven.Reasons);
    }

    [Fact]
    public void A_missing_input_is_a_warning_that_names_it()
    {
        var events = Calm();
        events.RemoveAt(2); // no spot top: no basis
        var g = Evaluate(events);

        Assert.Equal(GuardStatus.Warning, g.Status);
        Assert.True(double.IsNaN(g.BasisBps));
        var reason = Assert.Single(g.Reasons);
        Assert.StartsWith("basis_bps unavailable: ", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stale_book_top_is_a_warning()
    {
        // The last event comes 11 s later: the perp top (stale after 10 s) no longer counts.
        var g = Evaluate(Calm().Append(Top(Spot, 99.90, 100.00, T0 + (11 * Second))));

        Assert.Equal(GuardStatus.Warning, g.Status);
        Assert.Contains(g.Reasons, r => r.StartsWith("spread_bps unavailable: ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_reference_market_is_the_perpetual_with_the_most_volume()
    {
        var g = Evaluate(Calm().Concat([Top(Bybit, 99.5, 100.5), Trade(Bybit, 5)]));

        Assert.Equal(Bybit.Key, g.Instrument);
        Assert.Equal(100, g.SpreadBps, 6); // (100.5 − 99.5) / 100
    }

    [Fact]
    public void Without_any_data_every_input_is_named_missing()
    {
        var engine = new AnalyticsEngine(new AnalyticsOptions { Assets = ["BTC"] });
        var g = Assert.Single(engine.Snapshot().Guards.Assets);

        Assert.Equal(GuardStatus.Warning, g.Status);
        Assert.Null(g.Instrument);
        Assert.Equal("live", g.DataSource);
        Assert.Contains("no perpetual market of this asset has data yet", g.Reasons);
        Assert.Contains(g.Reasons, r => r.StartsWith("liq_events_5m unavailable", StringComparison.Ordinal));
        Assert.Contains("\"status\":\"warning\"", SnapshotJson.ToLineOf(g), StringComparison.Ordinal);
    }
}
