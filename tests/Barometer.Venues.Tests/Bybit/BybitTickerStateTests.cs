using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Bybit;

namespace Barometer.Venues.Tests.Bybit;

public sealed class BybitTickerStateTests
{
    private const long ReceiveTime = 1_700_000_000_500_000;

    private readonly Instrument _btc = new InstrumentRegistry().GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, 0.1);
    private readonly ListSink _sink = new();

    private static BybitTicker Delta(long ms) => BybitTicker.Empty with { Time = ms * 1000 };

    private static BybitTicker Snapshot() => BybitTicker.Empty with
    {
        IsSnapshot = true,
        Time = 1_700_000_000_000_000,
        MarkPrice = 100,
        IndexPrice = 99,
        FundingRate = 0.0001,
        NextFundingTime = 1_700_006_400_000_000,
        FundingIntervalHours = 8,
        OpenInterest = 1000,            // both sides
        OpenInterestValue = 100_000,
        SingleOpenInterest = 500,
        SingleOpenInterestValue = 50_000,
    };

    [Fact]
    public void Snapshot_sets_every_field_and_emits_funding_and_single_sided_open_interest()
    {
        var state = new BybitTickerState(_btc);

        Assert.Equal(2, state.Merge(Snapshot(), ReceiveTime, _sink));

        Assert.True(state.HasSnapshot);
        Assert.Equal(0.0001, state.FundingRate);
        Assert.Equal(1_700_006_400_000_000, state.NextFundingTime);
        Assert.Equal(100, state.MarkPrice);
        Assert.Equal(99, state.IndexPrice);
        Assert.Equal(500, state.OpenInterest);
        Assert.Equal(50_000, state.OpenInterestValue);
        Assert.Equal(1_700_000_000_000_000, state.LastUpdateTime);
        Assert.Equal(new Funding(_btc, 1_700_000_000_000_000, ReceiveTime, 0.0001, 8, 1_700_006_400_000_000, 100, 99), _sink.Events[0].AsFunding());
        Assert.Equal(new OpenInterest(_btc, 1_700_000_000_000_000, ReceiveTime, 500, 50_000), _sink.Events[1].AsOpenInterest());
    }

    [Fact]
    public void Deltas_update_only_the_fields_they_carry_and_emit_only_on_change()
    {
        var state = new BybitTickerState(_btc);
        state.Merge(Snapshot(), ReceiveTime, _sink);
        _sink.Events.Clear();

        // 1. No tracked field (lastPrice, volume only): nothing.
        Assert.Equal(0, state.Merge(Delta(1_700_000_000_100), ReceiveTime, _sink));
        Assert.Equal(1_700_000_000_100_000, state.LastUpdateTime);

        // 2. Mark only: Funding with the new mark, rate / index / next time kept.
        Assert.Equal(1, state.Merge(Delta(1_700_000_000_200) with { MarkPrice = 101 }, ReceiveTime, _sink));
        Assert.Equal(new Funding(_btc, 1_700_000_000_200_000, ReceiveTime, 0.0001, 8, 1_700_006_400_000_000, 101, 99), _sink.Events[^1].AsFunding());

        // 3. Open interest (both fields): OpenInterest only, single side wins.
        Assert.Equal(1, state.Merge(Delta(1_700_000_000_300) with { OpenInterest = 1010, SingleOpenInterest = 505, SingleOpenInterestValue = 51_005 }, ReceiveTime, _sink));
        Assert.Equal(new OpenInterest(_btc, 1_700_000_000_300_000, ReceiveTime, 505, 51_005), _sink.Events[^1].AsOpenInterest());

        // 4. Only the two-sided quantity: halved (1020 / 2 = 510); no value in the frame ⇒ 510 × mark 101 = 51 510.
        Assert.Equal(1, state.Merge(Delta(1_700_000_000_400) with { OpenInterest = 1020 }, ReceiveTime, _sink));
        Assert.Equal(new OpenInterest(_btc, 1_700_000_000_400_000, ReceiveTime, 510, 51_510), _sink.Events[^1].AsOpenInterest());

        // 5. Funding rate changes: Funding.
        Assert.Equal(1, state.Merge(Delta(1_700_000_000_500) with { FundingRate = 0.0002 }, ReceiveTime, _sink));
        Assert.Equal(0.0002, _sink.Events[^1].AsFunding().Rate);
        Assert.Equal(101, _sink.Events[^1].AsFunding().MarkPrice);

        // 6. The same values again (fields present, unchanged): nothing.
        Assert.Equal(0, state.Merge(Delta(1_700_000_000_600) with { FundingRate = 0.0002, MarkPrice = 101, OpenInterest = 1020 }, ReceiveTime, _sink));

        // 7. Next funding time rolls over: Funding.
        Assert.Equal(1, state.Merge(Delta(1_700_006_400_100) with { NextFundingTime = 1_700_035_200_000_000 }, ReceiveTime, _sink));
        Assert.Equal(1_700_035_200_000_000, _sink.Events[^1].AsFunding().NextFundingTime);

        Assert.Equal(5, _sink.Events.Count);
    }

    [Fact]
    public void A_new_snapshot_replaces_the_state_and_forgets_fields_it_lacks()
    {
        var state = new BybitTickerState(_btc);
        state.Merge(Snapshot(), ReceiveTime, _sink);
        _sink.Events.Clear();

        var second = BybitTicker.Empty with { IsSnapshot = true, Time = 1_700_000_001_000_000, MarkPrice = 100, FundingRate = 0.0001, OpenInterest = 800 };
        Assert.Equal(2, state.Merge(second, ReceiveTime, _sink));

        Assert.True(double.IsNaN(state.IndexPrice));       // not in the new snapshot
        Assert.Equal(0, state.NextFundingTime);           // unknown
        Assert.Equal(400, state.OpenInterest);            // 800 both sides / 2
        var funding = _sink.Events[0].AsFunding();
        Assert.True(double.IsNaN(funding.IndexPrice));
        Assert.Equal(0, funding.NextFundingTime);
        Assert.Equal(8, funding.IntervalHours);           // default when the stream does not say
        Assert.Equal(40_000, _sink.Events[1].AsOpenInterest().NotionalUsd); // no value field: 400 × mark 100
    }

    [Fact]
    public void Without_a_funding_rate_no_funding_is_emitted()
    {
        // USDT futures (BTCUSDT-21FEB25) tickers carry no funding.
        var state = new BybitTickerState(_btc);
        var ticker = BybitTicker.Empty with { IsSnapshot = true, Time = 1_000, MarkPrice = 100, IndexPrice = 99 };

        Assert.Equal(0, state.Merge(ticker, ReceiveTime, _sink));
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void Registry_keeps_one_state_per_instrument_and_resets_all()
    {
        var registry = new InstrumentRegistry();
        var btc = registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT");
        var eth = registry.GetOrAdd(VenueId.BybitLinear, "ETH", "USDT", "ETHUSDT");
        var states = new BybitTickerStates();

        states.GetOrCreate(btc).Merge(Snapshot(), ReceiveTime, _sink);
        Assert.Same(states.GetOrCreate(btc), states.GetOrCreate(btc));
        Assert.NotSame(states.GetOrCreate(btc), states.GetOrCreate(eth));
        Assert.Equal(2, states.Count);
        Assert.True(states.TryGet(btc, out var s) && s.HasSnapshot);

        states.ResetAll();
        Assert.False(states.GetOrCreate(btc).HasSnapshot);
        Assert.True(double.IsNaN(states.GetOrCreate(btc).FundingRate));
    }
}
