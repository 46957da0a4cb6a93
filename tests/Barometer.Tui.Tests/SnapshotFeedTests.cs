using Barometer.Analytics.Snapshots;
using Barometer.Core.Events;
using static Barometer.Tui.Tests.TuiFixtures;

namespace Barometer.Tui.Tests;

public class SnapshotFeedTests
{
    [Fact]
    public void Hello_sets_the_data_source_and_a_snapshot_message_becomes_the_latest_snapshot()
    {
        var feed = new SnapshotFeed("ws://127.0.0.1:9001");
        Assert.True(feed.HandleMessage("""{"type":"hello","data_source":"replay","schema_version":1,"server_time":1,"client_id":7}"""));
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1));
        Assert.True(feed.HandleMessage("""{"type":"snapshot","data_source":"replay","seq":44,"snapshot":""" + SnapshotJson.ToLine(s) + "}"));
        var view = feed.Apply(new ViewState());
        Assert.Equal("replay", view.DataSource);
        Assert.Equal(FeedState.Connected, view.Feed);
        Assert.NotNull(feed.Latest);
        Assert.Equal(SnapshotJson.ToLine(s), SnapshotJson.ToLine(feed.Latest));
    }

    [Fact]
    public void Liquidation_and_alert_messages_fill_the_tape_and_the_alert_list_newest_first()
    {
        var feed = new SnapshotFeed("ws://x");
        feed.HandleMessage("""{"type":"event","data_source":"live","seq":1,"event":{"v":1,"kind":"liquidation","venue":"bybit-linear","symbol":"BTCUSDT","base":"BTC","quote":"USDT","exchange_time_us":10,"receive_time_us":11,"price":95000,"quantity":2,"liquidated_side":"long","order_side":"sell","completeness":"complete","notional_usd":190000}}""");
        feed.HandleMessage("""{"type":"event","data_source":"live","seq":2,"event":{"v":1,"kind":"liquidation","venue":"okx-swap","symbol":"BTC-USDT-SWAP","base":"BTC","quote":"USDT","exchange_time_us":20,"receive_time_us":21,"price":95100,"quantity":1,"liquidated_side":"short","order_side":"buy","completeness":"sampled","notional_usd":95100}}""");
        feed.HandleMessage("""{"type":"alert","data_source":"live","seq":3,"alert":{"id":"a","type":"liquidation_cascade","asset":"BTC","phase":"opened","severity":"High","time":30,"message":"BTC cascade opened"}}""");
        var view = feed.Apply(new ViewState());
        Assert.Equal(2, view.Tape.Count);
        Assert.Equal(new LiquidationPrint(20, "okx-swap", "BTC", false, 95100, 95100), view.Tape[0]);
        Assert.Equal(new LiquidationPrint(10, "bybit-linear", "BTC", true, 95000, 190000), view.Tape[1]);
        Assert.Equal(new AlertLine(30, "BTC", "liquidation_cascade", "opened", "High", "BTC cascade opened"), Assert.Single(view.Alerts));
    }

    [Fact]
    public void Malformed_messages_are_ignored_and_counted()
    {
        var feed = new SnapshotFeed("ws://x");
        Assert.False(feed.HandleMessage("not json"));
        Assert.False(feed.HandleMessage("""{"no_type":1}"""));
        Assert.False(feed.HandleMessage("""{"type":"event","event":{"kind":"liquidation","price":-5,"liquidated_side":"long"}}"""));
        Assert.False(feed.HandleMessage("""{"type":"snapshot","snapshot":{"schema_version":"x"}}"""));
        Assert.Equal(4, feed.BadMessages);
        Assert.Null(feed.Latest);
        Assert.Empty(feed.Apply(new ViewState()).Tape);
    }

    [Fact]
    public void A_venue_shows_its_worst_stream_and_connecting_only_until_something_is_subscribed()
    {
        var feed = new SnapshotFeed("embedded");
        feed.OnConnectionStatus("binance-futures", "ws-1|", ConnectionState.Connecting, 1);
        Assert.Equal(ConnectionState.Connecting, Assert.Single(feed.Apply(new ViewState()).Venues).State);
        feed.OnConnectionStatus("binance-futures", "btcusdt@aggTrade|binance-futures:BTCUSDT", ConnectionState.Subscribed, 2);
        Assert.Equal(ConnectionState.Subscribed, Assert.Single(feed.Apply(new ViewState()).Venues).State);
        feed.OnConnectionStatus("binance-futures", "btcusdt@depth|binance-futures:BTCUSDT", ConnectionState.Stale, 3);
        Assert.Equal(ConnectionState.Stale, Assert.Single(feed.Apply(new ViewState()).Venues).State);
        feed.OnConnectionStatus("binance-futures", "btcusdt@depth|binance-futures:BTCUSDT", ConnectionState.Subscribed, 4);
        Assert.Equal(ConnectionState.Subscribed, Assert.Single(feed.Apply(new ViewState()).Venues).State);
    }

    [Fact]
    public void The_tape_keeps_only_the_newest_prints()
    {
        var feed = new SnapshotFeed("embedded");
        for (int i = 0; i < SnapshotFeed.TapeCapacity + 5; i++)
        {
            feed.OnLiquidation(new LiquidationPrint(i, "bybit-linear", "BTC", true, 1, 1));
        }

        var tape = feed.Apply(new ViewState()).Tape;
        Assert.Equal(SnapshotFeed.TapeCapacity, tape.Count);
        Assert.Equal(SnapshotFeed.TapeCapacity + 4, tape[0].Time); // newest first; the five oldest (0 … 4) are gone
        Assert.Equal(5, tape[^1].Time);
    }
}

public class KeyMapTests
{
    [Fact]
    public void Keys_switch_dashboards_pause_help_and_quit()
    {
        var v = new ViewState();
        v = KeyMap.Apply(v, '3', null, out bool quit);
        Assert.Equal(DashboardKind.Risk, v.Dashboard);
        Assert.False(quit);
        v = KeyMap.Apply(v, 'p', null, out _);
        Assert.True(v.Paused);
        v = KeyMap.Apply(v, '?', null, out _);
        Assert.True(v.Help);
        v = KeyMap.Apply(v, '1', null, out _); // any key closes the help first
        Assert.False(v.Help);
        Assert.Equal(DashboardKind.Risk, v.Dashboard);
        KeyMap.Apply(v, 'q', null, out quit);
        Assert.True(quit);
    }

    [Fact]
    public void A_cycles_through_the_snapshot_assets()
    {
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1), Trade(EthPerp, T0, 3_000, 1)); // assets BTC, ETH
        var v = KeyMap.Apply(new ViewState(), 'a', s, out _);
        Assert.Equal("ETH", v.SelectedAsset);
        v = KeyMap.Apply(v, 'a', s, out _);
        Assert.Equal("BTC", v.SelectedAsset);
    }
}

public class FrameWriterTests
{
    [Fact]
    public void A_frame_is_cropped_to_the_terminal_height_and_starts_at_home()
    {
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1));
        string text = FrameWriter.ToTerminal(DashboardRenderer.Render(s, new ViewState { Width = 80, Height = 10 }), 80, 10, colors: false);
        Assert.StartsWith("\u001b[H", text, StringComparison.Ordinal);
        Assert.EndsWith("\u001b[J", text, StringComparison.Ordinal);
        Assert.Equal(10, text.Split("\r\n").Length);
    }
}

public class CropTests
{
    [Fact]
    public void Markup_is_cut_to_the_cells_with_an_ellipsis_and_balanced_tags()
    {
        // "abcdef" is 6 cells; 4 cells = "abc" + "…", and the open [red] is closed.
        Assert.Equal("[red]abc…[/]", DashboardRenderer.CropMarkup("[red]abcdef[/]", 4));
        // Escaped brackets count as one cell each: "[[x]]" shows "[x]" (3 cells) and fits in 3.
        Assert.Equal("[[x]]", DashboardRenderer.CropMarkup("[[x]]", 3));
        Assert.Equal("short", DashboardRenderer.CropMarkup("short", 10));
    }

    [Fact]
    public void At_80_columns_a_long_reason_is_cut_instead_of_wrapping()
    {
        // Regime reasons are long; at 80 columns each panel line stays one line (ends with "…").
        var s = Snapshot(Trade(BinancePerp, T0, 100_000, 1));
        string line = LineWith(Frame(s, DashboardKind.Risk, width: 80, height: 24), "State:");
        Assert.Contains("…", line, StringComparison.Ordinal);
        Assert.Equal(80, line.TrimEnd('\r').Length);
    }
}
