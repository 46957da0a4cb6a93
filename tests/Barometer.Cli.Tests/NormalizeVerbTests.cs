using System.Text;
using Barometer.Cli.Verbs;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Common;

namespace Barometer.Cli.Tests;

public sealed class NormalizeVerbTests
{
    /// <summary>A stand-in parser for the verb's plumbing: "T" lines are trades, "C" control, others malformed.</summary>
    private sealed class LetterNormalizer : IFrameNormalizer
    {
        private readonly Instrument _instrument = new InstrumentRegistry().GetOrAdd(VenueId.BinanceSpot, "BTC", "USDT", "BTCUSDT");

        public VenueId Venue => VenueId.BinanceSpot;

        public NormalizeResult Normalize(ReadOnlySpan<byte> frame, long receiveTime, IEventSink sink)
        {
            if (frame[0] == (byte)'T')
            {
                sink.Publish(MarketEvent.From(new Trade(_instrument, 1000, receiveTime, 100, 2, Side.Buy, TradeId.FromNumber(frame.Length))));
                return NormalizeResult.Data(1);
            }

            return frame[0] == (byte)'C' ? NormalizeResult.Control : NormalizeResult.Malformed("not a frame");
        }
    }

    [Fact]
    public void Every_line_is_counted_and_events_are_written_one_per_line()
    {
        var input = new MemoryStream(Encoding.UTF8.GetBytes("T1\nC\n\nxx\nT22\n"));
        var output = new MemoryStream();
        var summary = NormalizeVerb.Run(new LetterNormalizer(), input, output, TimeProvider.System);
        string[] lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("""{"v":1,"kind":"trade","venue":"binance-spot","symbol":"BTCUSDT""", l, StringComparison.Ordinal));
        Assert.Equal(4, summary.Frames);
        Assert.Equal(2, summary.Events);
        Assert.Equal(2, summary.EventsByKind["trade"]);
        Assert.Equal(1, summary.Skipped["control message"]);
        Assert.Equal(1, summary.Skipped["malformed: not a frame"]);
        Assert.Contains("4 frames read, 2 events written", summary.Format(VenueId.BinanceSpot), StringComparison.Ordinal);
    }
}
