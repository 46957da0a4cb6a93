using System.Net;
using System.Text.Json;
using Barometer.Core.Instruments;
using Barometer.Server.Api;
using Barometer.Storage.Sqlite;

namespace Barometer.Server.Tests.Api;

public sealed class HistoryEndpointsTests : IDisposable
{
    private const long Second = 1_000_000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;

    // 2026-12-01T00:00:00Z; the clock stands at T0 + 2 h.
    private const long T0 = 1_796_083_200_000_000;
    private const string T0Iso = "2026-12-01T00:00:00Z";
    private const long T0Ms = 1_796_083_200_000;

    private readonly TempDatabase _db = new();
    private readonly ManualClock _clock = new(DateTimeOffset.UnixEpoch.AddTicks((T0 + (2 * Hour)) * 10));

    public void Dispose() => _db.Dispose();

    private static readonly object[] Rows =
    [
        new OpenInterestRow("binance-futures", "BTCUSDT", "BTC", T0 + (10 * Minute), 100, 9.0e6),
        new OpenInterestRow("binance-futures", "BTCUSDT", "BTC", T0 + (50 * Minute), 110, 9.9e6),
        new OpenInterestRow("okx-swap", "BTC-USDT-SWAP", "BTC", T0 + (20 * Minute), 50, 4.5e6),
        new OpenInterestRow("binance-futures", "BTCUSDT", "BTC", T0 + Hour + (5 * Minute), 120, 1.08e7),
        new OpenInterestRow("okx-swap", "BTC-USDT-SWAP", "BTC", T0 + Hour + (59 * Minute), 55, 4.95e6),
        new OpenInterestRow("binance-futures", "ETHUSDT", "ETH", T0 + Hour, 1_000, 3.5e6),
        new FundingRow("binance-futures", "BTCUSDT", "BTC", T0 + Minute, 0.0001, 8, T0 + (8 * Hour), 90_000),
        new FundingRow("binance-futures", "BTCUSDT", "BTC", T0 + Hour + Minute, 0.0002, 8, T0 + (8 * Hour), 91_000),
        new LiquidationRow("binance-futures", "BTCUSDT", "BTC", T0 + Hour + Minute, 90_000, 1, 90_000, "long", true),
        new LiquidationRow("binance-futures", "BTCUSDT", "BTC", T0 + Hour + (2 * Minute), 91_000, 2, 182_000, "short", true),
        new LiquidationRow("okx-swap", "BTC-USDT-SWAP", "BTC", T0 + Hour + (40 * Minute), 92_000, 0.5, 46_000, "long", false),
        new LiquidationRow("binance-futures", "ETHUSDT", "ETH", T0 + Hour + (3 * Minute), 3_000, 10, 30_000, "long", true),
        new LiquidationRow("binance-futures", "BTCUSDT", "BTC", T0 - Minute, 80_000, 1, 80_000, "long", true),
        new BarRow("binance-futures", "BTCUSDT", "BTC", T0, 100, 110, 90, 105, 1_000, 400, 600, 101, 7),
        new BarRow("binance-futures", "BTCUSDT", "BTC", T0 + Minute, 105, 106, 104, 104, 200, 300, -100, 105, 2),
        new BarRow("bybit-linear", "BTCUSDT", "BTC", T0 + Minute, 205, 206, 204, 204, 10, 10, 0, 205, 1),
        new GapRow("okx-swap", "connection", null, T0 + (30 * Minute), T0 + (31 * Minute), "disconnect", "socket closed"),
        new GapRow("binance-futures", "btcusdt@depth", "BTCUSDT", T0 + Hour + (10 * Minute), T0 + Hour + (11 * Minute), "sequence_gap", "pu 5 != 4"),
        new GapRow("bybit-linear", "connection", null, T0 - (2 * Hour), T0 - Hour, "stale", "long ago"),
    ];

    private async Task<(TestApi Api, FakeMarketState State)> StartAsync(bool seed = true)
    {
        if (seed)
        {
            _db.Write(Rows);
        }
        else
        {
            _db.Write();
        }

        var state = new FakeMarketState { History = new SqliteHistory(_db.Path) };
        state.Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT");
        state.Registry.GetOrAdd(VenueId.BinanceFutures, "ETH", "USDT", "ETHUSDT");
        state.Registry.GetOrAdd(VenueId.OkxSwap, "BTC", "USDT", "BTC-USDT-SWAP", 0.01);
        state.Registry.GetOrAdd(VenueId.BybitLinear, "BTC", "USDT", "BTCUSDT");
        var api = await TestApi.StartAsync(state, new ApiServerOptions { Clock = _clock, DataSource = "simulated" });
        return (api, state);
    }

    private static List<string?> Details(JsonElement body) =>
        body.GetProperty("data_gaps").EnumerateArray().Select(g => g.GetProperty("detail").GetString()).ToList();

    [Fact]
    public async Task Oi_history_gives_hourly_buckets_per_market_and_total_with_the_gaps_of_the_range()
    {
        var (api, state) = await StartAsync();
        await using (api)
        using (state.History)
        {
            var (status, body, _) = await api.GetJsonAsync("/api/market/oi_history?hours=2&instrument=BTC");

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("simulated", body.GetProperty("data_source").GetString());
            Assert.Equal((T0, T0 + (2 * Hour)), (body.GetProperty("from").GetInt64(), body.GetProperty("to").GetInt64()));
            Assert.Equal("BTC", body.GetProperty("instrument").GetString());
            Assert.False(body.GetProperty("truncated").GetBoolean());
            var hours = body.GetProperty("rows");
            Assert.Equal(2, hours.GetArrayLength());
            Assert.Equal(T0, hours[0].GetProperty("hour_start").GetInt64());
            // Hour 0: Binance's last sample 110 (9.9M) + OKX 50 (4.5M) = 160 BTC, 14.4M USD.
            Assert.Equal([110.0, 50.0], hours[0].GetProperty("markets").EnumerateArray().Select(m => m.GetProperty("quantity").GetDouble()));
            var total0 = hours[0].GetProperty("totals")[0];
            Assert.Equal(160, total0.GetProperty("quantity").GetDouble());
            Assert.Equal(1.44e7, total0.GetProperty("notional_usd").GetDouble(), 3);
            // Hour 1: 120 + 55 = 175 BTC; 10.8M + 4.95M = 15.75M USD. (ETH is filtered out.)
            var total1 = Assert.Single(hours[1].GetProperty("totals").EnumerateArray());
            Assert.Equal(("BTC", 175.0, 2), (total1.GetProperty("asset").GetString(), total1.GetProperty("quantity").GetDouble(), total1.GetProperty("markets").GetInt32()));
            Assert.Equal(1.575e7, total1.GetProperty("notional_usd").GetDouble(), 3);
            // Both gaps inside [T0, T0+2h); the one that ended an hour before T0 is not listed.
            Assert.Equal(["socket closed", "pu 5 != 4"], Details(body));
            Assert.False(body.GetProperty("data_gaps_truncated").GetBoolean());
        }
    }

    [Fact]
    public async Task History_ranges_end_now_by_default_and_at_to_when_given()
    {
        var (api, state) = await StartAsync();
        await using (api)
        using (state.History)
        {
            var (_, byDefault, _) = await api.GetJsonAsync("/api/market/oi_history");
            Assert.Equal((T0 - (22 * Hour), T0 + (2 * Hour)), (byDefault.GetProperty("from").GetInt64(), byDefault.GetProperty("to").GetInt64()));   // 24 h ending now

            var (_, half, _) = await api.GetJsonAsync("/api/market/oi_history?hours=0.5&to=" + Uri.EscapeDataString("2026-12-01T01:00:00Z"));
            Assert.Equal((T0 + (30 * Minute), T0 + Hour), (half.GetProperty("from").GetInt64(), half.GetProperty("to").GetInt64()));
            // Only Binance's 50-minute sample lies in [00:30, 01:00).
            var only = Assert.Single(half.GetProperty("rows").EnumerateArray());
            Assert.Equal(110, Assert.Single(only.GetProperty("markets").EnumerateArray()).GetProperty("quantity").GetDouble());
        }
    }

    [Fact]
    public async Task Funding_history_gives_the_last_rate_of_each_hour()
    {
        var (api, state) = await StartAsync();
        await using (api)
        using (state.History)
        {
            var (status, body, _) = await api.GetJsonAsync("/api/market/funding_history?hours=2&instrument=binance-futures:BTCUSDT");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("binance-futures:BTCUSDT", body.GetProperty("instrument").GetString());
            var hours = body.GetProperty("rows");
            Assert.Equal([0.0001, 0.0002], hours.EnumerateArray().Select(h => Assert.Single(h.GetProperty("markets").EnumerateArray()).GetProperty("rate").GetDouble()));
            Assert.Equal(0.0002, hours[1].GetProperty("markets")[0].GetProperty("rate8h").GetDouble(), 12);   // 8 h interval: the same rate
            // An instrument's history lists only its venue's gaps.
            Assert.Equal(["pu 5 != 4"], Details(body));
        }
    }

    [Fact]
    public async Task The_liquidation_heatmap_bins_price_and_time_per_asset()
    {
        var (api, state) = await StartAsync();
        await using (api)
        using (state.History)
        {
            var (status, body, _) = await api.GetJsonAsync("/api/market/liq_heatmap?hours=1&price_bins=2&time_bins=2");
            Assert.Equal(HttpStatusCode.OK, status);
            var maps = body.GetProperty("rows");
            Assert.Equal(["BTC", "ETH"], maps.EnumerateArray().Select(m => m.GetProperty("asset").GetString()));
            var btc = maps[0];
            // [T0+1h, T0+2h) in two 30-min bins; BTC prices 90,000 … 92,000 in two bins of 1,000.
            Assert.Equal((30 * Minute, 1_000.0), (btc.GetProperty("time_bin_micros").GetInt64(), btc.GetProperty("price_bin_size").GetDouble()));
            // 1 min, 90,000 → (0,0); 2 min, 91,000 → (0,1); 40 min, 92,000 (the max) → (1,1).
            var cells = btc.GetProperty("cells").EnumerateArray()
                .Select(c => (c.GetProperty("time_bin").GetInt32(), c.GetProperty("price_bin").GetInt32(), c.GetProperty("count").GetInt64(), c.GetProperty("notional_usd").GetDouble()))
                .ToList();
            Assert.Equal([(0, 0, 1L, 90_000.0), (0, 1, 1L, 182_000.0), (1, 1, 1L, 46_000.0)], cells);
            Assert.Equal((3L, 318_000.0, 2L), (btc.GetProperty("count").GetInt64(), btc.GetProperty("notional_usd").GetDouble(), btc.GetProperty("sampled").GetInt64()));
            Assert.Equal(["pu 5 != 4"], Details(body));
        }
    }

    [Fact]
    public async Task Bars_are_served_for_a_key_for_a_symbol_with_its_venue_and_for_an_asset()
    {
        var (api, state) = await StartAsync();
        await using (api)
        using (state.History)
        {
            string range = $"&from={T0Ms}&to=" + Uri.EscapeDataString("2026-12-01T00:02:00Z");
            var (status, byKey, _) = await api.GetJsonAsync("/api/market/bars?instrument=binance-futures:BTCUSDT" + range);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal([105.0, 104.0], byKey.GetProperty("rows").EnumerateArray().Select(b => b.GetProperty("close").GetDouble()));
            var first = byKey.GetProperty("rows")[0];
            Assert.Equal((T0, 1_000.0, 400.0, 7L), (first.GetProperty("minute_start").GetInt64(), first.GetProperty("buy_volume_usd").GetDouble(),
                first.GetProperty("sell_volume_usd").GetDouble(), first.GetProperty("trade_count").GetInt64()));

            var (_, bySymbol, _) = await api.GetJsonAsync("/api/market/bars?instrument=BTCUSDT&venue=bybit-linear" + range);
            Assert.Equal([204.0], bySymbol.GetProperty("rows").EnumerateArray().Select(b => b.GetProperty("close").GetDouble()));
            Assert.Equal("bybit-linear:BTCUSDT", bySymbol.GetProperty("instrument").GetString());

            var (_, byAsset, _) = await api.GetJsonAsync("/api/market/bars?instrument=BTC" + range);
            Assert.Equal([105.0, 104.0, 204.0], byAsset.GetProperty("rows").EnumerateArray().Select(b => b.GetProperty("close").GetDouble()));

            var (_, limited, _) = await api.GetJsonAsync("/api/market/bars?instrument=BTC&limit=2" + range);
            Assert.True(limited.GetProperty("truncated").GetBoolean());
            Assert.Equal(2, limited.GetProperty("rows").GetArrayLength());
        }
    }

    [Fact]
    public async Task Liquidations_since_an_iso_time_or_unix_ms_are_the_same_oldest_first()
    {
        var (api, state) = await StartAsync();
        await using (api)
        using (state.History)
        {
            var (status, iso, _) = await api.GetJsonAsync("/api/liquidations?since=" + Uri.EscapeDataString(T0Iso));
            var (_, ms, _) = await api.GetJsonAsync($"/api/liquidations?since={T0Ms}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(iso.GetProperty("rows").GetRawText(), ms.GetProperty("rows").GetRawText());
            // From T0 on (not the one a minute before), by time: BTC 90,000 (1h01), BTC 91,000 (1h02), ETH 3,000 (1h03), OKX BTC 92,000 (1h40).
            Assert.Equal([90_000.0, 91_000.0, 3_000.0, 92_000.0], iso.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("price").GetDouble()));
            Assert.Equal(JsonValueKind.Null, iso.GetProperty("next_since").ValueKind);

            var (_, btc, _) = await api.GetJsonAsync($"/api/liquidations?since={T0Ms}&instrument=BTC&limit=2");
            Assert.Equal([90_000.0, 91_000.0], btc.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("price").GetDouble()));
            Assert.True(btc.GetProperty("truncated").GetBoolean());
            Assert.Equal(T0 + Hour + (2 * Minute), btc.GetProperty("next_since").GetInt64());
            var row = btc.GetProperty("rows")[0];
            Assert.Equal(("long", true, 90_000.0), (row.GetProperty("liquidated_side").GetString(), row.GetProperty("sampled").GetBoolean(), row.GetProperty("notional_usd").GetDouble()));
        }
    }

    [Fact]
    public async Task Liquidations_default_to_the_last_hour()
    {
        var (api, state) = await StartAsync();
        await using (api)
        using (state.History)
        {
            // Now is T0+2h: the last hour is [T0+1h, T0+2h] — the four liquidations after T0+1h.
            var (_, body, _) = await api.GetJsonAsync("/api/liquidations");
            Assert.Equal(T0 + Hour + 1, body.GetProperty("from").GetInt64());
            Assert.Equal(4, body.GetProperty("rows").GetArrayLength());
        }
    }

    public static TheoryData<string, string> BadParameters() => new()
    {
        { "/api/market/oi_history?hours=0", "hours" },
        { "/api/market/oi_history?hours=-1", "hours" },
        { "/api/market/oi_history?hours=721", "hours" },
        { "/api/market/oi_history?hours=abc", "hours" },
        { "/api/market/oi_history?hours=NaN", "hours" },
        { "/api/market/funding_history?hours=1e2", "hours" },
        { "/api/market/funding_history?hours=", "hours" },
        { "/api/market/oi_history?hours=1&hours=2", "hours" },
        { "/api/market/oi_history?to=yesterday", "to" },
        { "/api/market/oi_history?hourz=1", "hourz" },
        { "/api/market/liq_heatmap?price_bins=0", "price_bins" },
        { "/api/market/liq_heatmap?time_bins=100000", "time_bins" },
        { "/api/market/liq_heatmap?time_bins=2.5", "time_bins" },
        { "/api/market/liq_heatmap?hours=1000", "hours" },
        { "/api/market/bars", "instrument" },
        { "/api/market/bars?instrument=BTC&venue=kraken", "venue" },
        { "/api/market/bars?instrument=BTC&from=2026-13-01T00:00:00Z", "from" },
        { "/api/market/bars?instrument=BTC&from=2026-12-01%2000:00", "from" },
        { "/api/market/bars?instrument=BTC&to=-5", "to" },
        { "/api/market/bars?instrument=BTC&from=1796083300000&to=1796083200000", "from" },
        { "/api/market/bars?instrument=BTC&from=1796083200000&to=1796083200000", "from" },
        { "/api/market/bars?instrument=binance-futures:BTCUSDT&venue=okx-swap", "venue" },
        { "/api/market/bars?instrument=BTC&limit=0", "limit" },
        { "/api/liquidations?since=soon", "since" },
        { "/api/liquidations?limit=10001", "limit" },
        { "/api/liquidations?instrument=", "instrument" },
        { "/api/market/snapshot?instrumnet=BTC", "instrumnet" },
        { "/api/health?verbose=1", "verbose" },
        { "/api/engine/guards?x=1", "x" },
        { "/metrics?format=json", "format" },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task A_bad_parameter_is_a_400_problem_naming_it(string path, string parameter)
    {
        var (api, state) = await StartAsync(seed: false);
        await using (api)
        using (state.History)
        {
            await api.AssertProblemAsync(path, HttpStatusCode.BadRequest, parameter);
        }
    }

    [Theory]
    [InlineData("/api/market/oi_history?instrument=DOGE")]
    [InlineData("/api/market/funding_history?instrument=okx-swap:DOGE-USDT-SWAP")]
    [InlineData("/api/market/liq_heatmap?instrument=XRP")]
    [InlineData("/api/market/bars?instrument=DOGEUSDT&venue=binance-futures")]
    [InlineData("/api/liquidations?instrument=binance-spot:BTCUSDT")]
    public async Task An_unknown_instrument_is_a_404_problem_naming_it(string path)
    {
        var (api, state) = await StartAsync(seed: false);
        await using (api)
        using (state.History)
        {
            await api.AssertProblemAsync(path, HttpStatusCode.NotFound, "instrument");
        }
    }

    [Fact]
    public async Task Without_a_history_store_history_endpoints_are_unavailable()
    {
        await using var api = await TestApi.StartAsync(new FakeMarketState());
        foreach (string path in new[] { "/api/market/oi_history", "/api/market/funding_history", "/api/market/liq_heatmap", "/api/market/bars?instrument=BTC", "/api/liquidations" })
        {
            await api.AssertProblemAsync(path, HttpStatusCode.ServiceUnavailable, null);
        }
    }

    [Fact]
    public async Task History_survives_a_restart_of_the_store_and_the_server()
    {
        _db.Write(Rows);
        string before;
        var state = new FakeMarketState { History = new SqliteHistory(_db.Path) };
        state.Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT");
        await using (var api = await TestApi.StartAsync(state, new ApiServerOptions { Clock = _clock }))
        {
            before = (await api.GetJsonAsync("/api/market/oi_history?hours=2")).Body.GetProperty("rows").GetRawText();
        }

        state.History.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // A new process: the store opens the same file (schema and indexes are created only if missing), then a new server.
        using (var store = new SqliteStore(_db.Path))
        {
            Assert.Equal(6, store.Count("open_interest"));
        }

        var restarted = new FakeMarketState { History = new SqliteHistory(_db.Path) };
        restarted.Registry.GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT");
        await using (var api = await TestApi.StartAsync(restarted, new ApiServerOptions { Clock = _clock }))
        using (restarted.History)
        {
            string after = (await api.GetJsonAsync("/api/market/oi_history?hours=2")).Body.GetProperty("rows").GetRawText();
            Assert.Equal(before, after);
            Assert.Contains("\"hour_start\":" + T0, after, StringComparison.Ordinal);
        }
    }
}
