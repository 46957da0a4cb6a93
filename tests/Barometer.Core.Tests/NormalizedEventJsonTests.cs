using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Serialization;

namespace Barometer.Core.Tests;

public sealed class NormalizedEventJsonTests
{
    private static (MarketEvent Back, string Line) RoundTrip(MarketEvent e)
    {
        string line = NormalizedEventJson.ToLine(e);
        var registry = new InstrumentRegistry();
        Assert.True(NormalizedEventJson.TryParse(Encoding.UTF8.GetBytes(line.TrimEnd('\n')), registry, out var back, out string reason), reason);
        return (back, line);
    }

    private static Instrument Btc(double tick = 0.1) =>
        new InstrumentRegistry().GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT", 1, tick);

    [Fact]
    public void A_trade_line_has_the_documented_fields_and_reads_back_equal()
    {
        var trade = new Trade(Btc(), 1_672_304_486_865_000, 1_672_304_486_900_000, 16578.5, 0.5, Side.Buy,
            TradeId.Parse("20f43950-d8dd-5b31-9112-a178eb6023af"u8));
        var (back, line) = RoundTrip(MarketEvent.From(trade));
        Assert.Equal(
            """{"v":1,"kind":"trade","venue":"bybit-linear","symbol":"BTCUSDT","base":"BTC","quote":"USDT","exchange_time_us":1672304486865000,"receive_time_us":1672304486900000,"price":16578.5,"quantity":0.5,"side":"buy","trade_id":"20f43950-d8dd-5b31-9112-a178eb6023af","notional_usd":8289.25}""" + "\n",
            line);
        var t = back.AsTrade();
        Assert.Equal(trade.Price, t.Price);
        Assert.Equal(trade.Quantity, t.Quantity);
        Assert.Equal(trade.AggressorSide, t.AggressorSide);
        Assert.Equal(trade.Id, t.Id);
        Assert.Equal(trade.ExchangeTime, t.ExchangeTime);
    }

    [Fact]
    public void Writing_a_trade_allocates_nothing_after_warm_up()
    {
        var trade = MarketEvent.From(new Trade(Btc(), 1, 2, 16578.5, 0.5, Side.Buy, TradeId.Parse("20f43950-d8dd-5b31-9112-a178eb6023af"u8)));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using var writer = new System.Text.Json.Utf8JsonWriter(buffer);
        NormalizedEventJson.Write(writer, trade);
        writer.Flush();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            NormalizedEventJson.Write(writer, trade);
            writer.Flush();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_book_update_reads_back_with_integer_tick_keys()
    {
        var instrument = Btc(0.1);
        var update = new BookUpdate(instrument, 5, 6, true, 10, 12, -1,
            [new BookLevel(instrument.ToTicks(95000.1), 95000.1, 1.25)], [new BookLevel(instrument.ToTicks(95000.2), 95000.2, 0)]);
        var (back, _) = RoundTrip(MarketEvent.From(update));
        var b = back.AsBookUpdate();
        Assert.True(b.IsSnapshot);
        Assert.Equal(950001, b.Bids[0].PriceTicks);
        Assert.Equal(950002, b.Asks[0].PriceTicks);
        Assert.Equal(1.25, b.Bids[0].Quantity);
        Assert.Equal(-1, b.PreviousUpdateId);
    }

    [Fact]
    public void Missing_mark_price_is_written_as_null_and_read_back_as_nan()
    {
        var funding = new Funding(Btc(), 1, 2, 0.0001, 8, 28_800_000_000, double.NaN, 95000);
        var (back, line) = RoundTrip(MarketEvent.From(funding));
        Assert.Contains("\"mark_price\":null", line, StringComparison.Ordinal);
        Assert.True(double.IsNaN(back.AsFunding().MarkPrice));
        Assert.Equal(0.0001, back.AsFunding().Rate);
    }

    [Fact]
    public void Liquidations_status_and_gaps_read_back_equal()
    {
        var instrument = Btc();
        var liquidation = new Liquidation(instrument, 1, 2, 94000, 0.5, PositionSide.Long, Side.Sell, FeedCompleteness.Sampled);
        var l = RoundTrip(MarketEvent.From(liquidation)).Back.AsLiquidation();
        Assert.Equal((liquidation.Price, liquidation.Quantity, liquidation.LiquidatedSide, liquidation.OrderSide, liquidation.Completeness),
            (l.Price, l.Quantity, l.LiquidatedSide, l.OrderSide, l.Completeness));

        var status = new ConnectionStatus(VenueId.OkxSwap, null, "connection", 9, ConnectionState.Resyncing, "seqId gap");
        Assert.Equal(status, RoundTrip(MarketEvent.From(status)).Back.AsConnectionStatus());

        var gap = new DataGap(VenueId.OkxSwap, null, "books:BTC-USDT-SWAP", 1, 9, GapCause.ChecksumMismatch, "crc");
        Assert.Equal(gap, RoundTrip(MarketEvent.From(gap)).Back.AsDataGap());
    }

    [Theory]
    [InlineData("not json", "malformed")]
    [InlineData("""{"v":2,"kind":"trade"}""", "version")]
    [InlineData("""{"v":1,"kind":"candle","venue":"okx-swap"}""", "unknown kind")]
    [InlineData("""{"v":1,"kind":"trade","venue":"kraken"}""", "unknown venue")]
    [InlineData("""{"v":1,"kind":"trade","venue":"okx-swap","exchange_time_us":1,"receive_time_us":1}""", "missing symbol")]
    [InlineData("""{"v":1,"kind":"trade","venue":"okx-swap","symbol":"X","exchange_time_us":"x"}""", "malformed")]
    public void A_bad_line_is_rejected_with_a_reason(string line, string expected)
    {
        Assert.False(NormalizedEventJson.TryParse(Encoding.UTF8.GetBytes(line), new InstrumentRegistry(), out _, out string reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }
}
