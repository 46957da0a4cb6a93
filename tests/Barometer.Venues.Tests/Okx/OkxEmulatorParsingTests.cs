using System.Net.WebSockets;
using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Venues.Common;
using Barometer.Venues.Okx;

namespace Barometer.Venues.Tests.Okx;

/// <summary>
/// The parsers and the book sequencer against the OKX emulator (no initial WebSocket snapshot,
/// REST-seeded, real CRC32 checksums switched on): a minimal hand-rolled client, not the connector.
/// </summary>
public sealed class OkxEmulatorParsingTests
{
    [Fact]
    public async Task Emulator_frames_parse_and_the_book_seeds_from_rest_and_verifies_checksums()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var simulator = new MarketSimulator(new SimulatorOptions { Seed = 7, Assets = ["BTC"], Venues = [VenueId.OkxSwap] });
        var emulator = new OkxEmulator(VenueId.OkxSwap, simulator.InstrumentsOf(VenueId.OkxSwap), TimeProvider.System) { EmitRealChecksum = true };
        await using var host = await EmulatorHost.StartAsync([emulator]);
        using var simStop = new CancellationTokenSource();
        var simTask = Task.Run(() => SimulationRunner.RunAsync(simulator, host, new SimulationRunOptions { Speed = 1 }, simStop.Token));
        try
        {
            using var http = new HttpClient { BaseAddress = host.HttpBase(VenueId.OkxSwap), Timeout = TimeSpan.FromSeconds(10) };
            var registry = new InstrumentRegistry();
            var instrumentsBody = await http.GetByteArrayAsync(new Uri("/api/v5/public/instruments?instType=SWAP", UriKind.Relative), stop.Token);
            Assert.True(OkxRest.TryParseInstruments(instrumentsBody, out var infos));
            var info = infos.Single(i => i.InstId == "BTC-USDT-SWAP");
            Assert.True(OkxInstruments.TryRegister(registry, VenueId.OkxSwap, info, out var btc));
            Assert.Equal(simulator.InstrumentsOf(VenueId.OkxSwap).Single(i => i.VenueSymbol == "BTC-USDT-SWAP").ContractMultiplier, btc.ContractMultiplier, 12);

            var normalizer = new OkxNormalizer(VenueId.OkxSwap, registry, OkxInstruments.Empty, registerUnknownSymbols: false);
            var sink = new OkxListSink();
            var counters = new StreamCounters("books:BTC-USDT-SWAP");
            var sync = new OkxBookSync(btc, "books:BTC-USDT-SWAP", sink, counters);
            using var ws = new ClientWebSocket();
            await ws.ConnectAsync(new Uri(host.WebSocketBase(VenueId.OkxSwap), "/ws/v5/public"), stop.Token);
            await ws.SendAsync("""{"id":"1","op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT-SWAP"},{"channel":"trades","instId":"BTC-USDT-SWAP"},{"channel":"bbo-tbt","instId":"BTC-USDT-SWAP"}]}"""u8.ToArray(),
                WebSocketMessageType.Text, true, stop.Token);

            var outcomes = new Dictionary<NormalizeOutcome, int>();
            int booksApplied = 0, checksummed = 0, trades = 0;
            var buffer = new byte[1 << 20];
            while ((booksApplied < 30 || trades < 1) && !stop.IsCancellationRequested)
            {
                int length = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await ws.ReceiveAsync(buffer.AsMemory(length), stop.Token);
                    length += r.Count;
                }
                while (!r.EndOfMessage);

                var frame = buffer.AsSpan(0, length);
                if (normalizer.TryParseBookMessage(frame, 1, out var message, out var bookResult))
                {
                    checksummed += message.Checksum != 0 ? 1 : 0;
                    int before = sink.OfKind(EventKind.BookUpdate).Count();
                    sync.OnMessage(message);
                    if (sync.SeedWanted)
                    {
                        sync.OnSeedRequested();
                        var body = await http.GetByteArrayAsync(new Uri("/api/v5/market/books?instId=BTC-USDT-SWAP&sz=400", UriKind.Relative), stop.Token);
                        Assert.True(OkxRest.TryParseBooks(body, btc, 2, keepText: true, out var snapshot));
                        sync.OnRestSnapshot(snapshot, 2);
                    }

                    booksApplied += sink.OfKind(EventKind.BookUpdate).Count() - before;
                    continue;
                }

                var result = normalizer.Normalize(buffer.AsSpan(0, length), 1, sink);
                outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
                Assert.True(result.Outcome is NormalizeOutcome.Data or NormalizeOutcome.Control, $"{result}: {Encoding.UTF8.GetString(buffer, 0, length)}");
                trades = sink.OfKind(EventKind.Trade).Count();
            }

            Assert.True(sync.IsSynced);
            Assert.True(booksApplied >= 30, $"{booksApplied} book events");
            Assert.True(checksummed > 0);
            Assert.Equal(0, counters.BookResyncs);
            Assert.Empty(sink.OfKind(EventKind.DataGap));
            Assert.True(sink.OfKind(EventKind.BookTop).Any());
            Assert.All(sink.OfKind(EventKind.Trade), e => Assert.True(e.AsTrade().Quantity > 0));

            // A corrupted checksum is caught and the book is rebuilt from REST.
            emulator.Faults.CorruptNextChecksum();
            bool mismatched = false;
            while (!stop.IsCancellationRequested && !(mismatched && sync.IsSynced))
            {
                int length = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await ws.ReceiveAsync(buffer.AsMemory(length), stop.Token);
                    length += r.Count;
                }
                while (!r.EndOfMessage);

                if (!normalizer.TryParseBookMessage(buffer.AsSpan(0, length), 3, out var message, out _))
                {
                    continue;
                }

                sync.OnMessage(message);
                mismatched |= !sync.IsSynced;
                if (sync.SeedWanted)
                {
                    sync.OnSeedRequested();
                    var body = await http.GetByteArrayAsync(new Uri("/api/v5/market/books?instId=BTC-USDT-SWAP&sz=400", UriKind.Relative), stop.Token);
                    Assert.True(OkxRest.TryParseBooks(body, btc, 4, keepText: true, out var snapshot));
                    sync.OnRestSnapshot(snapshot, 4);
                }
            }

            Assert.True(mismatched);
            Assert.True(sync.IsSynced);
            Assert.Equal(GapCause.ChecksumMismatch, sink.OfKind(EventKind.DataGap).Single().AsDataGap().Cause);
        }
        finally
        {
            await simStop.CancelAsync();
            try
            {
                await simTask;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
