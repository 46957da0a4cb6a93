using Barometer.Venues.Common;

namespace Barometer.Venues.Tests;

public sealed class StreamLivenessTests
{
    private const long Second = 1_000_000;

    [Fact]
    public void A_stream_that_delivers_within_its_cadence_never_goes_stale()
    {
        var liveness = new StreamLiveness();
        int trades = liveness.Track("btcusdt@aggTrade", TimeSpan.FromSeconds(5), subscribedAt: 0);
        var stale = new List<int>();
        for (long t = 4 * Second; t <= 60 * Second; t += 4 * Second)
        {
            liveness.OnMessage(trades, t, out _);
            liveness.Check(t + (Second / 2), stale);
        }

        Assert.Empty(stale);
    }

    [Fact]
    public void An_acknowledged_stream_that_never_delivers_goes_stale_after_its_limit()
    {
        var liveness = new StreamLiveness();
        int busy = liveness.Track("btcusdt@depth@100ms", TimeSpan.FromSeconds(5), 0);
        int silent = liveness.Track("btcusdt@aggTrade", TimeSpan.FromSeconds(5), 0);
        var stale = new List<int>();
        for (long t = Second; t <= 5 * Second; t += Second)
        {
            liveness.OnMessage(busy, t, out _);
        }

        liveness.Check(5 * Second, stale);
        Assert.Empty(stale);
        liveness.OnMessage(busy, 6 * Second, out _);
        liveness.Check(6 * Second, stale);
        Assert.Equal([silent], stale);
        Assert.True(liveness.IsStale(silent));
        Assert.False(liveness.IsStale(busy));
    }

    [Fact]
    public void A_stale_stream_is_reported_once_and_its_resumption_gives_the_silence_start()
    {
        var liveness = new StreamLiveness();
        int s = liveness.Track("trades", TimeSpan.FromSeconds(2), 0);
        liveness.OnMessage(s, 1 * Second, out _);
        var stale = new List<int>();
        liveness.Check(4 * Second, stale);
        liveness.Check(5 * Second, stale);
        Assert.Single(stale);
        Assert.True(liveness.OnMessage(s, 9 * Second, out long since));
        Assert.Equal(1 * Second, since);
        Assert.False(liveness.OnMessage(s, 10 * Second, out _));
    }
}
