using System.Text;
using Barometer.Venues.Bybit;

namespace Barometer.Venues.Tests.Bybit;

public sealed class BybitControlTests
{
    private static string DataPath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "bybit", name);

    [Fact]
    public void Recorded_spot_ack_has_no_req_id_and_ret_msg_subscribe()
    {
        var line = File.ReadLines(DataPath("spot-control.ndjson")).First();

        Assert.True(BybitControl.TryParse(Encoding.UTF8.GetBytes(line), out var ack));
        Assert.Equal(new BybitAck(true, "subscribe", "", "subscribe", "1764937c-c1f0-4e2b-969d-82fee8151f2c"), ack);
        Assert.False(ack.IsPong);
    }

    [Fact]
    public void Official_pongs_and_a_failure_parse_with_their_fields()
    {
        Assert.True(BybitControl.TryParse("""{"success":true,"ret_msg":"pong","conn_id":"465772b1-7630-4fdc-a492-e003e6f0f260","req_id":"","op":"ping"}"""u8, out var linearPong));
        Assert.True(linearPong.IsPong);
        Assert.True(BybitControl.TryParse("""{"op":"pong","args":["1672916271846"],"conn_id":"c"}"""u8, out var barePong));
        Assert.True(barePong.IsPong);
        Assert.True(BybitControl.TryParse("""{"success":false,"ret_msg":"error:handler not found,topic:dcp.future","conn_id":"c","req_id":"7","op":"subscribe"}"""u8, out var failure));
        Assert.Equal(new BybitAck(false, "subscribe", "7", "error:handler not found,topic:dcp.future", "c"), failure);
    }

    [Fact]
    public void Data_frames_and_junk_are_not_acks()
    {
        Assert.False(BybitControl.TryParse("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[]}"""u8, out _));
        Assert.False(BybitControl.TryParse("not json"u8, out _));
        Assert.False(BybitControl.TryParse("""{"success":true}"""u8, out _));
    }

    [Fact]
    public void Requests_are_the_documented_json()
    {
        Assert.Equal("""{"req_id":"test","op":"subscribe","args":["orderbook.1.BTCUSDT","publicTrade.BTCUSDT"]}""",
            BybitControl.Subscribe("test", ["orderbook.1.BTCUSDT", "publicTrade.BTCUSDT"]));
        Assert.Equal("""{"req_id":"u1","op":"unsubscribe","args":["publicTrade.ETHUSD"]}""", BybitControl.Unsubscribe("u1", ["publicTrade.ETHUSD"]));
        Assert.Equal("""{"req_id":"100001","op":"ping"}""", BybitControl.Ping("100001"));
    }
}
