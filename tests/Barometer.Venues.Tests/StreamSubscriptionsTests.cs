using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests;

public sealed class StreamSubscriptionsTests
{
    private const long Second = 1_000_000;

    private sealed class ListSink : IEventSink
    {
        public List<MarketEvent> Events { get; } = [];

        public void Publish(in MarketEvent e) => Events.Add(e);
    }

    [Fact]
    public void An_acknowledged_stream_that_stays_silent_is_reported_stale_once_then_a_gap_when_it_resumes()
    {
        var sink = new ListSink();
        var subs = new StreamSubscriptions(VenueId.BinanceFutures, sink);
        int trades = subs.Add("btcusdt@aggTrade", null, TimeSpan.FromSeconds(10));
        subs.OnConnected(0);
        subs.Confirm(trades, 1 * Second);
        Assert.Equal(0, subs.Check(10 * Second));
        Assert.Equal(1, subs.Check(11 * Second));
        Assert.Equal("btcusdt@aggTrade", subs.FirstStaleTopic());
        Assert.Equal(0, subs.Check(12 * Second));
        subs.OnData(trades, 100, 30 * Second);
        var statuses = sink.Events.Where(e => e.Kind == EventKind.ConnectionStatus).Select(e => e.AsConnectionStatus()).ToList();
        Assert.Equal([ConnectionState.Subscribed, ConnectionState.Stale, ConnectionState.Subscribed], statuses.Select(s => s.State));
        Assert.Contains("although acknowledged", statuses[1].Reason, StringComparison.Ordinal);
        var gap = Assert.Single(sink.Events, e => e.Kind == EventKind.DataGap).AsDataGap();
        Assert.Equal(GapCause.Stale, gap.Cause);
        Assert.Equal(0, gap.Start);
        Assert.Equal(30 * Second, gap.End);
    }

    [Fact]
    public void A_rejected_stream_keeps_the_venue_reason_and_is_never_stale()
    {
        var sink = new ListSink();
        var subs = new StreamSubscriptions(VenueId.BybitLinear, sink);
        int bad = subs.Add("publicTrade.NOPEUSDT", null, TimeSpan.FromSeconds(5));
        subs.OnConnected(0);
        subs.Reject(bad, Second, "error:handler not found,topic:publicTrade.NOPEUSDT");
        Assert.Equal(0, subs.Check(60 * Second));
        Assert.Equal(SubscriptionState.Rejected, subs.State(bad));
        var status = sink.Events.Single().AsConnectionStatus();
        Assert.Contains("handler not found", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reconnect_puts_every_stream_back_to_pending_and_data_confirms_it()
    {
        var subs = new StreamSubscriptions(VenueId.OkxSwap, new ListSink());
        int a = subs.Add("trades:BTC-USDT-SWAP", null, TimeSpan.FromSeconds(5));
        int b = subs.Add("books:BTC-USDT-SWAP", null, TimeSpan.FromSeconds(5));
        Assert.Equal(a, subs.Add("trades:BTC-USDT-SWAP", null, TimeSpan.FromSeconds(5)));
        subs.OnConnected(0);
        subs.Confirm(a, 1);
        subs.Confirm(b, 1);
        subs.OnConnected(100 * Second);
        Assert.Equal(SubscriptionState.Pending, subs.State(a));
        Assert.Equal(0, subs.Check(104 * Second));
        subs.OnData(b, 10, 104 * Second);
        Assert.Equal(SubscriptionState.Confirmed, subs.State(b));
        Assert.Equal(1, subs.Counters(b).Frames);
    }
}
