using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Bybit;
using Barometer.Venues.Common;

namespace Barometer.Venues.Tests.Bybit;

public sealed class BybitRestTests
{
    private const long ReceiveTime = 1_700_000_000_000_000;

    private readonly InstrumentRegistry _registry = new();
    private readonly ListSink _sink = new();

    private NormalizeResult Rest(VenueId venue, string pathAndQuery, string body) =>
        new BybitNormalizer(venue, _registry).NormalizeRest(pathAndQuery, Encoding.UTF8.GetBytes(body), ReceiveTime, _sink);

    [Fact]
    public void Official_funding_history_example_is_a_settled_funding_of_a_usdc_perpetual()
    {
        // docs/v5/market/history-fund-rate.mdx response example.
        var result = Rest(VenueId.BybitLinear, "/v5/market/funding/history?category=linear&symbol=ETHPERP&limit=1",
            """{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"ETHPERP","fundingRate":"0.0001","fundingRateTimestamp":"1672041600000"}]},"retExtInfo":{},"time":1672051897447}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var funding = _sink.Events[0].AsFunding();
        Assert.Equal("ETHPERP", funding.Instrument.VenueSymbol);
        Assert.Equal("ETH", funding.Instrument.Base);
        Assert.Equal("USDC", funding.Instrument.Quote);
        Assert.Equal(0.0001, funding.Rate);
        Assert.Equal(1_672_041_600_000_000, funding.ExchangeTime);
        Assert.Equal(0, funding.NextFundingTime); // settled
        Assert.Equal(8, funding.IntervalHours);   // one record: default
        Assert.True(double.IsNaN(funding.MarkPrice));
    }

    [Fact]
    public void Funding_history_newest_first_is_emitted_oldest_first_with_the_interval_from_the_spacing()
    {
        var result = Rest(VenueId.BybitLinear, "/v5/market/funding/history?category=linear&symbol=BTCUSDT",
            """{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"BTCUSDT","fundingRate":"0.0003","fundingRateTimestamp":"1700028800000"},{"symbol":"BTCUSDT","fundingRate":"-0.0001","fundingRateTimestamp":"1700014400000"}]},"retExtInfo":{},"time":1}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        Assert.Equal(-0.0001, _sink.Events[0].AsFunding().Rate);
        Assert.Equal(0.0003, _sink.Events[1].AsFunding().Rate);
        Assert.All(_sink.Events, e => Assert.Equal(4, e.AsFunding().IntervalHours)); // 4 h apart
    }

    [Fact]
    public void Open_interest_history_uses_single_open_interest_or_half_the_two_sided_value()
    {
        // bybit.md §3.5 example row (with singleOpenInterest) and the older doc example row (without), in the documented envelope.
        var result = Rest(VenueId.BybitLinear, "/v5/market/open-interest?category=linear&symbol=BTCUSDT&intervalTime=5min",
            """{"retCode":0,"retMsg":"OK","result":{"symbol":"BTCUSDT","category":"linear","list":[{"openInterest":"63910691.00000000","singleOpenInterest":"31955346","timestamp":"1780963200000"},{"openInterest":"461134384.00000000","timestamp":"1669571400000"}],"nextPageCursor":""},"retExtInfo":{},"time":1672053548579}""");

        Assert.Equal(NormalizeResult.Data(2), result);
        var older = _sink.Events[0].AsOpenInterest();
        var newer = _sink.Events[1].AsOpenInterest();
        Assert.Equal(1_669_571_400_000_000, older.ExchangeTime);
        Assert.Equal(230_567_192, older.Quantity); // 461 134 384 / 2
        Assert.Equal(1_780_963_200_000_000, newer.ExchangeTime);
        Assert.Equal(31_955_346, newer.Quantity);
        Assert.True(double.IsNaN(newer.NotionalUsd));

        Assert.True(BybitRest.TryParseOpenInterestHistory(Encoding.UTF8.GetBytes(
            """{"retCode":0,"retMsg":"OK","result":{"symbol":"BTCUSDT","category":"linear","list":[],"nextPageCursor":"abc"},"time":1}"""), out var page));
        Assert.Equal("abc", page.NextPageCursor);
        Assert.Empty(page.Records);
    }

    [Fact]
    public void Official_orderbook_rest_example_is_a_snapshot_keyed_by_the_query_symbol()
    {
        _registry.GetOrAdd(VenueId.BybitSpot, "BTC", "USDT", "BTCUSDT", 1, 0.01);
        var result = Rest(VenueId.BybitSpot, "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=1",
            """{"retCode":0,"retMsg":"OK","result":{"s":"BTCUSDT","a":[["65557.7","16.606555"]],"b":[["65485.47","47.081829"]],"ts":1716863719031,"u":230704,"seq":1432604333,"cts":1716863718905},"retExtInfo":{},"time":1716863719382}""");

        Assert.Equal(NormalizeResult.Data(1), result);
        var book = _sink.Events[0].AsBookUpdate();
        Assert.True(book.IsSnapshot);
        Assert.Equal(230704, book.LastUpdateId);
        Assert.Equal(230704, book.FirstUpdateId);
        Assert.Equal(1_716_863_719_031_000, book.ExchangeTime);
        Assert.Equal(new BookLevel(6548547, 65485.47, 47.081829), Assert.Single(book.Bids));
        Assert.Equal(new BookLevel(6555770, 65557.7, 16.606555), Assert.Single(book.Asks));
    }

    [Fact]
    public void Instruments_info_registers_symbols_with_their_tick_size()
    {
        const string body = """{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"BTCUSDT","contractType":"LinearPerpetual","status":"Trading","baseCoin":"BTC","quoteCoin":"USDT","launchTime":"1585526400000","deliveryTime":"0","deliveryFeeRate":"","priceScale":"2","leverageFilter":{"minLeverage":"1","maxLeverage":"100.00","leverageStep":"0.01"},"priceFilter":{"minPrice":"0.10","maxPrice":"1999999.80","tickSize":"0.10"},"lotSizeFilter":{"maxOrderQty":"1190.000","minOrderQty":"0.001","qtyStep":"0.001","postOnlyMaxOrderQty":"1190.000","maxMktOrderQty":"500.000","minNotionalValue":"5"},"unifiedMarginTrade":true,"fundingInterval":480,"settleCoin":"USDT","copyTrading":"both","upperFundingRate":"0.00375","lowerFundingRate":"-0.00375","isPreListing":false,"preListingInfo":null}],"nextPageCursor":"first%3DBTCUSDT"},"retExtInfo":{},"time":1707186451514}""";

        Assert.True(BybitRest.TryParseInstruments(Encoding.UTF8.GetBytes(body), out var page));
        var info = Assert.Single(page.Instruments);
        Assert.Equal(new BybitInstrumentInfo("linear", "BTCUSDT", "Trading", "BTC", "USDT", "USDT", "LinearPerpetual", 0.1, 0.001, 0.001, 480), info);
        Assert.Equal("first%3DBTCUSDT", page.NextPageCursor);

        Assert.Equal(NormalizeResult.Control, Rest(VenueId.BybitLinear, "/v5/market/instruments-info?category=linear", body));
        Assert.True(_registry.TryGet(VenueId.BybitLinear, "BTCUSDT", out var instrument));
        Assert.Equal(0.1, instrument.TickSize);
        Assert.False(_registry.TryGet(VenueId.BybitSpot, "BTCUSDT", out _)); // a linear list never registers spot
    }

    [Fact]
    public void Spot_instruments_use_base_precision_as_quantity_step()
    {
        const string body = """{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","baseCoin":"BTC","quoteCoin":"USDT","innovation":"0","status":"Trading","marginTrading":"utaOnly","stTag":"0","lotSizeFilter":{"basePrecision":"0.000001","quotePrecision":"0.00000001","minOrderQty":"0.000048","maxOrderQty":"71.73956243","minOrderAmt":"1","maxOrderAmt":"2000000"},"priceFilter":{"tickSize":"0.01"},"riskParameters":{"priceLimitRatioX":"0.01","priceLimitRatioY":"0.02"}}]},"retExtInfo":{},"time":1}""";

        Assert.True(BybitRest.TryParseInstruments(Encoding.UTF8.GetBytes(body), out var page));
        var info = Assert.Single(page.Instruments);
        Assert.Equal(0.01, info.TickSize);
        Assert.Equal(0.000001, info.QtyStep);
        var registered = BybitRest.Register(_registry, VenueId.BybitSpot, page.Instruments);
        Assert.Equal(0.01, Assert.Single(registered).TickSize);
    }

    [Fact]
    public void Rest_error_envelope_is_a_venue_error_and_readable()
    {
        const string body = """{"retCode":10001,"retMsg":"Illegal category","result":{},"retExtInfo":{},"time":1}""";

        Assert.Equal(NormalizeOutcome.VenueError, Rest(VenueId.BybitLinear, "/v5/market/funding/history?category=x&symbol=BTCUSDT", body).Outcome);
        Assert.True(BybitRest.TryParseError(Encoding.UTF8.GetBytes(body), out int code, out string message));
        Assert.Equal(10001, code);
        Assert.Equal("Illegal category", message);
        Assert.False(BybitRest.TryParseFundingHistory(Encoding.UTF8.GetBytes(body), out _));
    }

    [Theory]
    [InlineData("/v5/market/funding/history", """{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"BTCUSDT","fundingRate":"x","fundingRateTimestamp":"1"}]}}""")]
    [InlineData("/v5/market/open-interest", """{"retCode":0,"retMsg":"OK","result":{"symbol":"BTCUSDT","list":[{"openInterest":"-1","timestamp":"1"}]}}""")]
    [InlineData("/v5/market/open-interest", """{"retCode":0,"retMsg":"OK","result":{"symbol":"BTCUSDT","list":[{"openInterest":"1","timestamp":"1"}""")]
    [InlineData("/v5/market/instruments-info", """{"retCode":0,"retMsg":"OK","result":{"category":"linear"}}""")]
    public void Bad_rest_bodies_are_malformed(string path, string body)
    {
        Assert.Equal(NormalizeOutcome.Malformed, Rest(VenueId.BybitLinear, path, body).Outcome);
        Assert.Empty(_sink.Events);
    }
}
