using BenchmarkDotNet.Attributes;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Venues.Okx;

namespace Barometer.Benchmarks;

/// <summary>
/// OKX frame → normalized events, one benchmark per channel (official payload shapes, BTC-USDT-SWAP
/// from the bundled instruments). One operation = one frame normalized and its events published
/// to a counting sink.
/// </summary>
[MemoryDiagnoser]
public class OkxParserBenchmarks
{
    private static readonly byte[] TradeFrame = """{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"130639474","px":"42219.9","sz":"12","side":"buy","ts":"1630048897897","count":"3","source":"0","seqId":1234}]}"""u8.ToArray();
    private static readonly byte[] BboFrame = """{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT-SWAP"},"data":[{"asks":[["42220.1","55154","0","2"]],"bids":[["42220","57745","0","2"]],"ts":"1670324386802","seqId":363996337}]}"""u8.ToArray();
    private static readonly byte[] BooksFrame = """{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"update","data":[{"asks":[["42220.1","415","0","13"],["42220.5","7","0","2"],["42221","12","0","3"],["42222.3","0","0","0"],["42223","9","0","1"]],"bids":[["42220","256","0","12"],["42219.5","101","0","1"],["42219","0","0","0"],["42218.8","33","0","4"],["42218","5","0","1"]],"ts":"1597026383085","checksum":0,"prevSeqId":123456,"seqId":123457}]}"""u8.ToArray();
    private static readonly byte[] LiquidationFrame = """{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkLoss":"0","bkPx":"42100.5","ccy":"","posSide":"short","side":"buy","sz":"13","ts":"1692266434010"}],"instFamily":"BTC-USDT","instId":"BTC-USDT-SWAP","instType":"SWAP","uly":"BTC-USDT"}]}"""u8.ToArray();
    private static readonly byte[] FundingFrame = """{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"formulaType":"noRate","fundingRate":"0.0001875391284828","fundingTime":"1700726400000","impactValue":"","instId":"BTC-USDT-SWAP","instType":"SWAP","interestRate":"","method":"current_period","maxFundingRate":"0.00375","minFundingRate":"-0.00375","nextFundingRate":"","nextFundingTime":"1700755200000","premium":"0.0001233824646391","settFundingRate":"0.0001699799259033","settState":"settled","ts":"1700724675402"}]}"""u8.ToArray();
    private static readonly byte[] MarkFrame = """{"arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","markPx":"42219.3","ts":"1597026383085"}]}"""u8.ToArray();
    private static readonly byte[] OpenInterestFrame = """{"arg":{"channel":"open-interest","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","instType":"SWAP","oi":"2216113.01000000309","oiCcy":"22161.1301000000309","oiUsd":"1939251795.54769270396321","ts":"1743041250440"}]}"""u8.ToArray();

    private readonly CountingSink _sink = new();
    private OkxNormalizer _normalizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _normalizer = new OkxNormalizer(VenueId.OkxSwap, new InstrumentRegistry());
        _normalizer.Normalize(TradeFrame, 0, _sink);
        _normalizer.Normalize(MarkFrame, 0, _sink);
    }

    [Benchmark]
    public int Trades() => _normalizer.Normalize(TradeFrame, 0, _sink).EventCount;

    [Benchmark]
    public int BboTbt() => _normalizer.Normalize(BboFrame, 0, _sink).EventCount;

    [Benchmark]
    public int BooksUpdate10Levels() => _normalizer.Normalize(BooksFrame, 0, _sink).EventCount;

    [Benchmark]
    public int LiquidationOrders() => _normalizer.Normalize(LiquidationFrame, 0, _sink).EventCount;

    [Benchmark]
    public int FundingRate() => _normalizer.Normalize(FundingFrame, 0, _sink).EventCount;

    [Benchmark]
    public int MarkPrice() => _normalizer.Normalize(MarkFrame, 0, _sink).EventCount;

    [Benchmark]
    public int OpenInterest() => _normalizer.Normalize(OpenInterestFrame, 0, _sink).EventCount;

    private sealed class CountingSink : IEventSink
    {
        public long Count;

        public void Publish(in MarketEvent e) => Count++;
    }
}
