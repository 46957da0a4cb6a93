using System.Text;
using Barometer.Core.Events;

namespace Barometer.Core.Tests;

public sealed class TradeIdTests
{
    [Fact]
    public void A_numeric_id_round_trips_as_text()
    {
        var id = TradeId.Parse("130639474"u8);
        Assert.Equal(TradeIdFormat.Number, id.Format);
        Assert.Equal("130639474", id.ToString());
    }

    [Fact]
    public void A_bybit_uuid_round_trips_as_text()
    {
        const string text = "20f43950-d8dd-5b31-9112-a178eb6023af";
        var id = TradeId.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Equal(TradeIdFormat.Uuid, id.Format);
        Assert.Equal(text, id.ToString());
    }

    [Fact]
    public void Other_text_is_hashed_stably()
    {
        Assert.Equal(TradeId.Parse("abc"u8), TradeId.Parse("abc"u8));
        Assert.NotEqual(TradeId.Parse("abc"u8), TradeId.Parse("abd"u8));
        Assert.Equal(TradeIdFormat.Hash, TradeId.Parse("abc"u8).Format);
    }

    [Theory]
    [InlineData("130639474")]
    [InlineData("-42")]
    [InlineData("20f43950-d8dd-5b31-9112-a178eb6023af")]
    [InlineData("abc")]
    [InlineData("")]
    public void Utf8_formatting_writes_the_same_text_as_ToString(string text)
    {
        var id = TradeId.Parse(Encoding.UTF8.GetBytes(text));
        Span<byte> buffer = stackalloc byte[TradeId.MaxUtf8Length];

        Assert.True(id.TryFormatUtf8(buffer, out int written));

        Assert.Equal(id.ToString(), Encoding.UTF8.GetString(buffer[..written]));
    }

    [Fact]
    public void Utf8_formatting_into_a_short_buffer_fails_instead_of_truncating()
    {
        var uuid = TradeId.Parse("20f43950-d8dd-5b31-9112-a178eb6023af"u8);
        var hash = TradeId.Parse("abc"u8);
        Span<byte> buffer = stackalloc byte[16]; // UUID text is 36 bytes, hash text 17 ("h" + 16 hex)

        Assert.False(uuid.TryFormatUtf8(buffer, out _));
        Assert.False(hash.TryFormatUtf8(buffer, out _));
    }
}
