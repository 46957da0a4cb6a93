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

    [Theory]
    [InlineData("binance-futures",
        """{"stream":"yfiusdt@aggTrade","data":{"e":"aggTrade","E":1618677448238,"a":52599685,"s":"YFIUSDT","p":"49966.7","q":"0.001","f":64902163,"l":64902163,"T":1618677448084,"m":false}}""",
        """{"v":1,"kind":"trade","venue":"binance-futures","symbol":"YFIUSDT","base":"YFI","quote":"USDT","exchange_time_us":1618677448084000,""",
        """"price":49966.7,"quantity":0.001,"side":"buy","trade_id":"52599685"""")]
    [InlineData("binance-spot",
        """{"stream":"swrvbusd@aggTrade","data":{"e":"aggTrade","E":1618677373913,"s":"SWRVBUSD","a":749094,"p":"2.27600000","q":"21.96300000","f":1135632,"l":1135632,"T":1618677373912,"m":false,"M":true}}""",
        """{"v":1,"kind":"trade","venue":"binance-spot","symbol":"SWRVBUSD","base":"SWRV","quote":"BUSD","exchange_time_us":1618677373912000,""",
        """"price":2.276,"quantity":21.963,"side":"buy","trade_id":"749094"""")]
    public void Recorded_Binance_frames_normalize_through_the_verb_with_the_venue_parser(string venue, string frame, string start, string fields)
    {
        // Frames: cryptofeed sample_data (2021-04-17), see tests/Barometer.Venues.Tests/TestData/binance/PROVENANCE.md.
        Assert.True(VenueIds.TryParse(venue, out var id));
        var normalizer = VenueNormalizers.TryCreate(id, new InstrumentRegistry());
        Assert.NotNull(normalizer);
        var input = new MemoryStream(Encoding.UTF8.GetBytes(frame + "\n{\"result\":null,\"id\":1}\nnot json\n"));
        var output = new MemoryStream();

        var summary = NormalizeVerb.Run(normalizer, input, output, TimeProvider.System);

        string line = Encoding.UTF8.GetString(output.ToArray()).TrimEnd('\n');
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.Contains(fields, line, StringComparison.Ordinal);
        Assert.Equal(3, summary.Frames);
        Assert.Equal(1, summary.Events);
        Assert.Equal(1, summary.Skipped["control message"]);
        Assert.Equal(1, summary.Skipped.Where(kv => kv.Key.StartsWith("malformed", StringComparison.Ordinal)).Sum(kv => kv.Value));
    }

    [Theory]
    [InlineData("okx-spot",
        """{"arg":{"channel":"trades","instId":"FUN-BTC"},"data":[{"instId":"FUN-BTC","tradeId":"3435655","px":"0.000000454","sz":"11.83","side":"sell","ts":"1626995753055"}]}""",
        """{"v":1,"kind":"trade","venue":"okx-spot","symbol":"FUN-BTC","base":"FUN","quote":"BTC","exchange_time_us":1626995753055000,""",
        """"quantity":11.83,"side":"sell","trade_id":"3435655"""")]
    [InlineData("okx-swap",
        """{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"7","px":"95000.5","sz":"3","side":"buy","ts":"1630048897897"}]}""",
        """{"v":1,"kind":"trade","venue":"okx-swap","symbol":"BTC-USDT-SWAP","base":"BTC","quote":"USDT","exchange_time_us":1630048897897000,""",
        """"price":95000.5,"quantity":0.03,"side":"buy","trade_id":"7"""")]
    public void Okx_frames_normalize_through_the_verb_and_unknown_contract_values_are_counted(string venue, string frame, string start, string fields)
    {
        // okx-spot frame: cryptofeed sample_data (2021-07-22), see tests/Barometer.Venues.Tests/TestData/okx/PROVENANCE.md;
        // okx-swap: 3 contracts of BTC-USDT-SWAP (bundled ctVal 0.01 BTC) = 0.03 BTC.
        Assert.True(VenueIds.TryParse(venue, out var id));
        var normalizer = VenueNormalizers.TryCreate(id, new InstrumentRegistry());
        Assert.NotNull(normalizer);
        const string unknownSwap = """{"arg":{"channel":"trades","instId":"ZZZ-USDT-SWAP"},"data":[{"instId":"ZZZ-USDT-SWAP","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1"}]}""";
        var input = new MemoryStream(Encoding.UTF8.GetBytes(frame + "\n{\"event\":\"subscribe\",\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}}\npong\nnot json\n" + unknownSwap + "\n"));
        var output = new MemoryStream();

        var summary = NormalizeVerb.Run(normalizer, input, output, TimeProvider.System);

        string line = Encoding.UTF8.GetString(output.ToArray()).TrimEnd('\n');
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.Contains(fields, line, StringComparison.Ordinal);
        Assert.Equal(5, summary.Frames);
        Assert.Equal(1, summary.Events);
        Assert.Equal(2, summary.Skipped["control message"]);
        Assert.Equal(1, summary.Skipped.Where(kv => kv.Key.StartsWith("malformed", StringComparison.Ordinal)).Sum(kv => kv.Value));
        Assert.Equal(1, summary.Skipped.Where(kv => kv.Key.StartsWith("unknown", StringComparison.Ordinal)).Sum(kv => kv.Value));
    }

    [Theory]
    [InlineData("bybit-linear",
        """{"topic":"orderbook.1.BANDUSDT","type":"snapshot","ts":1749833474773,"data":{"s":"BANDUSDT","b":[["0.6131","17.9"]],"a":[["0.6134","35.4"]],"u":24042997,"seq":209972815373},"cts":1749833474768}""",
        """{"success":true,"ret_msg":"","conn_id":"a38867ec-70b5-4044-a765-54b36bdd6fd9","req_id":"","op":"subscribe"}""",
        """{"v":1,"kind":"book_top","venue":"bybit-linear","symbol":"BANDUSDT","base":"BAND","quote":"USDT","exchange_time_us":1749833474773000,""")]
    [InlineData("bybit-spot",
        """{"topic":"orderbook.1.OPUSDC","ts":1749833472906,"type":"snapshot","data":{"s":"OPUSDC","b":[["0.579","3886.45"]],"a":[["0.58","4043.62"]],"u":1399781,"seq":122620616678},"cts":1749833472901}""",
        """{"success":true,"ret_msg":"subscribe","conn_id":"1764937c-c1f0-4e2b-969d-82fee8151f2c","op":"subscribe"}""",
        """{"v":1,"kind":"book_top","venue":"bybit-spot","symbol":"OPUSDC","base":"OP","quote":"USDC","exchange_time_us":1749833472906000,""")]
    public void Recorded_Bybit_frames_normalize_through_the_verb_with_the_venue_parser(string venue, string frame, string ack, string start)
    {
        // Frames: cryptofeed sample_data (2025-06-13), see tests/Barometer.Venues.Tests/TestData/bybit/PROVENANCE.md.
        Assert.True(VenueIds.TryParse(venue, out var id));
        var normalizer = VenueNormalizers.TryCreate(id, new InstrumentRegistry());
        Assert.NotNull(normalizer);
        var input = new MemoryStream(Encoding.UTF8.GetBytes(ack + "\n" + frame + "\nnot json\n"));
        var output = new MemoryStream();

        var summary = NormalizeVerb.Run(normalizer, input, output, TimeProvider.System);

        string line = Encoding.UTF8.GetString(output.ToArray()).TrimEnd('\n');
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.Equal(3, summary.Frames);
        Assert.Equal(1, summary.Events);
        Assert.Equal(1, summary.Skipped["control message"]);
        Assert.Equal(1, summary.Skipped.Where(kv => kv.Key.StartsWith("malformed", StringComparison.Ordinal)).Sum(kv => kv.Value));
    }
}
