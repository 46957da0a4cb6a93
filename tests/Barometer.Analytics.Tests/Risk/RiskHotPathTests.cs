using Barometer.Analytics.Book;
using Barometer.Analytics.Risk;
using Barometer.Core.Events;
using static Barometer.Analytics.Tests.Risk.RiskFixtures;

namespace Barometer.Analytics.Tests.Risk;

public sealed class RiskHotPathTests
{
    [Fact]
    public void Trades_tops_and_liquidity_sampling_allocate_nothing_once_the_markets_are_known()
    {
        var options = new AnalyticsOptions();
        var books = new BookMetrics(options with { StaleAfter = TimeSpan.FromDays(1) }); // one snapshot stays fresh: every sampling reads depth
        var regime = new RegimeMetrics(options, books);
        var correlation = new CorrelationMetrics(options);
        var events = new List<MarketEvent>();
        for (int t = 0; t < 20_000; t++)
        {
            long time = T0 + (t * 100_000L); // 10 per second: 200 liquidity samplings, 33 minutes
            var market = (t % 3) switch { 0 => BtcBinance, 1 => BtcBybit, _ => EthBinance };
            events.Add(t % 4 == 3
                ? Top(market, time, 99.95 + (t % 5), 100.05 + (t % 5))
                : Trade(market, time, 100 + (t % 7)));
        }

        var book = BookSnapshot(BtcBinance, T0, [L(BtcBinance, 99.9, 1), L(BtcBinance, 99.5, 2)], [L(BtcBinance, 100.1, 1), L(BtcBinance, 100.5, 2)]);
        books.OnEvent(book, T0);
        void Feed(int from, int to)
        {
            for (int k = from; k < to; k++)
            {
                long time = EventTime.Of(events[k]);
                regime.OnEvent(events[k], time);
                books.OnEvent(events[k], time);
                correlation.OnEvent(events[k], time);
            }
        }

        Feed(0, 1_000); // first sight of every market: its rings are allocated here
        long before = GC.GetAllocatedBytesForCurrentThread();
        Feed(1_000, events.Count);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(3, regime.Snapshot(EventTime.Of(events[^1])).Assets.Sum(a => a.Instruments.Count));
    }
}
