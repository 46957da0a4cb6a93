using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Server.Broadcast;

namespace Barometer.Benchmarks;

/// <summary>
/// Load tool for the broadcast WebSocket (a console mode, not BenchmarkDotNet: it needs a live
/// server and many sockets). Runs a <see cref="BroadcastServer"/> on a loopback ephemeral port in
/// this process and connects loopback clients to it:
/// <list type="bullet">
/// <item><c>throughput</c>: 10 clients; the producer publishes trades as fast as the slowest client
/// takes them (it pauses while any client queue is over 8,000), so nothing is skipped; events/s =
/// events / time until every client received every event.</item>
/// <item><c>latency</c>: 10 clients at a fixed rate (default 20,000 events/s for 10 s); each trade
/// carries its Publish timestamp in receive_time_us; the client computes now − that on receipt.</item>
/// <item><c>clients</c>: 1,000 clients held while events flow at a low rate (default 200/s, 10 s).</item>
/// </list>
/// Clients are "raw" by default — a minimal WebSocket reader on a plain socket that parses frame
/// headers out of large reads, so the measurement is the server's, not the client library's — or
/// "managed" (<see cref="ClientWebSocket"/>, one ReceiveAsync per message).
/// </summary>
/// <example>dotnet run -c Release --project bench/Barometer.Benchmarks -- broadcast throughput --clients 10 --events 2000000</example>
internal static class BroadcastLoad
{
    private const int WarmUpSeconds = 2;

    private static readonly byte[] ReceiveTimeKey = "\"receive_time_us\":"u8.ToArray();

    /// <summary>Latency samples are taken only for events published from this Stopwatch timestamp on (after the warm-up).</summary>
    private static long s_recordFrom = long.MaxValue;

    public static async Task<int> RunAsync(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "all";
        var options = Args(args);
        string clientKind = options.GetValueOrDefault("client", "raw");
        Console.WriteLine($"broadcast load: {mode}, clients {clientKind}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
        if (mode is "throughput" or "all")
        {
            await ThroughputAsync(Int(options, "clients", 10), Int(options, "events", 2_000_000), clientKind);
        }

        if (mode is "latency" or "all")
        {
            await LatencyAsync(Int(options, "clients", 10), Int(options, "rate", 20_000), Int(options, "seconds", 10), clientKind);
        }

        if (mode is "clients" or "all")
        {
            await ManyClientsAsync(Int(options, mode == "all" ? "many" : "clients", 1_000), Int(options, mode == "all" ? "many-rate" : "rate", 200),
                Int(options, "seconds", 10), clientKind);
        }

        return 0;
    }

    private static async Task ThroughputAsync(int clientCount, int events, string clientKind)
    {
        await using var server = await BroadcastServer.StartAsync(new BroadcastHub(new BroadcastOptions { Port = 0 }));
        var hub = server.Hub;
        var counters = new long[clientCount * 16];
        var clients = await ConnectAsync(server.Port, clientCount, clientKind, (i, _) => counters[i * 16]++);
        await WaitForAsync(() => hub.ClientCount == clientCount);
        var trade = Trade(0);

        // Warm-up (not measured): JIT tiers, the frame pool and the client rings fill up.
        int warmUp = Math.Min(200_000, events);
        await OnProducerThread(() => Publish(hub, trade, warmUp));
        await WaitForAsync(() => Min(counters, clientCount) >= warmUp + 1, TimeSpan.FromMinutes(2)); // + hello
        for (int i = 0; i < clientCount; i++)
        {
            counters[i * 16] -= warmUp;
        }

        int gen0 = GC.CollectionCount(0);
        var watch = Stopwatch.StartNew();
        var (pauses, allocated) = await OnProducerThread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            long p = Publish(hub, trade, events);
            return (p, GC.GetAllocatedBytesForCurrentThread() - before);
        });

        double publishSeconds = watch.Elapsed.TotalSeconds;
        await WaitForAsync(() => Min(counters, clientCount) >= events + 1, TimeSpan.FromMinutes(5)); // + hello
        double seconds = watch.Elapsed.TotalSeconds;
        var totals = hub.Totals();
        Console.WriteLine($"throughput | {clientCount} clients ({clientKind}) | {events:N0} trades | publish {publishSeconds:F2} s | all delivered {seconds:F2} s | "
            + $"{events / seconds:N0} events/s | {events * (double)clientCount / seconds:N0} deliveries/s | skipped {totals.Skipped:N0} | "
            + $"producer allocated {allocated / (double)events:F2} B/event | gen0 GCs {GC.CollectionCount(0) - gen0} | producer pauses {pauses:N0}");
        await DisposeAllAsync(clients);
    }

    /// <summary>Runs the producer on a thread of its own, as the serve pipeline's consumer task does (not on a pool thread the senders need).</summary>
    private static Task<T> OnProducerThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task OnProducerThread(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Publishes in chunks of 1,000, pausing while any client queue is over 8,000 (so nothing is skipped); returns the pauses.</summary>
    private static long Publish(BroadcastHub hub, MarketEvent trade, int events)
    {
        long pauses = 0;
        for (int published = 0; published < events;)
        {
            int chunk = Math.Min(1_000, events - published);
            for (int i = 0; i < chunk; i++)
            {
                hub.Publish(trade);
            }

            published += chunk;
            while (hub.MaxQueueDepth() > 8_000)
            {
                pauses++;
                Thread.Sleep(1);
            }
        }

        return pauses;
    }

    /// <summary>Publishes <paramref name="count"/> trades at <paramref name="rate"/> per second (due ones every ~1 ms), each stamped with its Publish time.</summary>
    private static void PublishAtRate(BroadcastHub hub, int rate, long count)
    {
        var watch = Stopwatch.StartNew();
        long published = 0;
        while (published < count)
        {
            long due = Math.Min(count, (long)(watch.Elapsed.TotalSeconds * rate));
            while (published < due)
            {
                published++;
                hub.Publish(Trade(Stopwatch.GetTimestamp()));
            }

            Thread.Sleep(1);
        }
    }

    private static async Task LatencyAsync(int clientCount, int rate, int durationSeconds, string clientKind)
    {
        await using var server = await BroadcastServer.StartAsync(new BroadcastHub(new BroadcastOptions { Port = 0 }));
        var hub = server.Hub;
        long expected = (long)rate * durationSeconds;
        var samples = new long[clientCount][];
        var counts = new int[clientCount * 16];
        for (int i = 0; i < clientCount; i++)
        {
            samples[i] = new long[expected + 16];
        }

        var clients = await ConnectAsync(server.Port, clientCount, clientKind, (i, payload) =>
        {
            long now = Stopwatch.GetTimestamp();
            if (TryReceiveTime(payload, out long sent) && sent >= Volatile.Read(ref s_recordFrom))
            {
                samples[i][counts[i * 16]++] = now - sent;
            }
        });
        await WaitForAsync(() => hub.ClientCount == clientCount);

        Volatile.Write(ref s_recordFrom, long.MaxValue);
        await OnProducerThread(() => PublishAtRate(hub, rate, WarmUpSeconds * (long)rate)); // warm-up, not recorded
        await Task.Delay(500);
        Volatile.Write(ref s_recordFrom, Stopwatch.GetTimestamp());
        var watch = Stopwatch.StartNew();
        await OnProducerThread(() => PublishAtRate(hub, rate, expected));

        await WaitForAsync(() => MinInt(counts, clientCount) >= expected || (hub.Totals().Skipped > 0 && watch.Elapsed.TotalSeconds > durationSeconds + 5),
            TimeSpan.FromSeconds(durationSeconds + 30));
        Report("latency", clientCount, clientKind, rate, durationSeconds, samples, counts, hub.Totals());
        await DisposeAllAsync(clients);
    }

    private static async Task ManyClientsAsync(int clientCount, int rate, int durationSeconds, string clientKind)
    {
        long memoryBefore = Process.GetCurrentProcess().WorkingSet64;
        await using var server = await BroadcastServer.StartAsync(new BroadcastHub(new BroadcastOptions { Port = 0 }));
        var hub = server.Hub;
        long expected = (long)rate * durationSeconds;
        var samples = new long[clientCount][];
        var counts = new int[clientCount * 16];
        for (int i = 0; i < clientCount; i++)
        {
            samples[i] = new long[expected + 16];
        }

        var connectWatch = Stopwatch.StartNew();
        var clients = await ConnectAsync(server.Port, clientCount, clientKind, (i, payload) =>
        {
            long now = Stopwatch.GetTimestamp();
            if (TryReceiveTime(payload, out long sent) && sent >= Volatile.Read(ref s_recordFrom))
            {
                samples[i][counts[i * 16]++] = now - sent;
            }
        });
        await WaitForAsync(() => hub.ClientCount == clientCount, TimeSpan.FromMinutes(2));
        double connectSeconds = connectWatch.Elapsed.TotalSeconds;
        GC.Collect();
        long memoryHeld = Process.GetCurrentProcess().WorkingSet64;

        Volatile.Write(ref s_recordFrom, long.MaxValue);
        await OnProducerThread(() => PublishAtRate(hub, rate, WarmUpSeconds * (long)rate)); // warm-up, not recorded
        await Task.Delay(500);
        Volatile.Write(ref s_recordFrom, Stopwatch.GetTimestamp());
        await OnProducerThread(() => PublishAtRate(hub, rate, expected));

        await WaitForAsync(() => MinInt(counts, clientCount) >= expected, TimeSpan.FromSeconds(durationSeconds + 60));
        Console.WriteLine($"clients | {hub.ClientCount:N0} of {clientCount:N0} connected at the end | connected in {connectSeconds:F1} s | "
            + $"working set {memoryBefore / 1048576.0:F0} → {memoryHeld / 1048576.0:F0} MiB held (clients and server in one process)");
        Report("clients", clientCount, clientKind, rate, durationSeconds, samples, counts, hub.Totals());
        await DisposeAllAsync(clients);
    }

    private static void Report(string name, int clientCount, string clientKind, int rate, int seconds, long[][] samples, int[] counts, BroadcastTotals totals)
    {
        long received = 0;
        for (int i = 0; i < clientCount; i++)
        {
            received += counts[i * 16];
        }

        var all = new long[received];
        long k = 0;
        for (int i = 0; i < clientCount; i++)
        {
            Array.Copy(samples[i], 0, all, k, counts[i * 16]);
            k += counts[i * 16];
        }

        Array.Sort(all);
        double Us(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (long)(q * all.Length))] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine($"{name} | {clientCount:N0} clients ({clientKind}) | {rate:N0} events/s × {seconds} s | received {received:N0} of {(long)rate * seconds * clientCount:N0} | "
            + $"skipped {totals.Skipped:N0} | p50 {Us(0.50):F0} µs | p90 {Us(0.90):F0} µs | p99 {Us(0.99):F0} µs | p99.9 {Us(0.999):F0} µs | max {Us(1.0):F0} µs");
    }

    private static long Min(long[] counters, int n)
    {
        long min = long.MaxValue;
        for (int i = 0; i < n; i++)
        {
            min = Math.Min(min, Volatile.Read(ref counters[i * 16]));
        }

        return min;
    }

    private static int MinInt(int[] counters, int n)
    {
        int min = int.MaxValue;
        for (int i = 0; i < n; i++)
        {
            min = Math.Min(min, Volatile.Read(ref counters[i * 16]));
        }

        return min;
    }

    private static MarketEvent Trade(long stamp) => MarketEvent.From(new Trade(Btc, 1_796_083_200_000_000, stamp, 95_000.5, 0.012, Side.Buy, TradeId.FromNumber(123_456_789)));

    private static readonly Instrument Btc = new InstrumentRegistry().GetOrAdd(VenueId.BinanceFutures, "BTC", "USDT", "BTCUSDT", 1, 0.1);

    private static bool TryReceiveTime(ReadOnlySpan<byte> payload, out long value)
    {
        int at = payload.IndexOf(ReceiveTimeKey);
        value = 0;
        return at >= 0 && Utf8Parser.TryParse(payload[(at + ReceiveTimeKey.Length)..], out value, out _);
    }

    private static async Task<List<ILoadClient>> ConnectAsync(int port, int count, string kind, IndexedHandler onMessage)
    {
        var clients = new ILoadClient[count];
        const int Parallel = 50;
        for (int start = 0; start < count; start += Parallel)
        {
            var batch = new List<Task>();
            for (int i = start; i < Math.Min(count, start + Parallel); i++)
            {
                int index = i;
                batch.Add(Task.Run(async () =>
                {
                    clients[index] = kind == "managed" ? await ManagedClient.ConnectAsync(port) : await RawClient.ConnectAsync(port);
                    clients[index].Start(payload => onMessage(index, payload));
                }));
            }

            await Task.WhenAll(batch);
        }

        return [.. clients];
    }

    private static async Task DisposeAllAsync(List<ILoadClient> clients)
    {
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > (limit ?? TimeSpan.FromSeconds(30)))
            {
                Console.WriteLine("  (gave up waiting)");
                return;
            }

            await Task.Delay(2);
        }
    }

    private static Dictionary<string, string> Args(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            result[args[i].TrimStart('-')] = args[i + 1];
        }

        return result;
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out string? text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private delegate void MessageHandler(ReadOnlySpan<byte> payload);

    private delegate void IndexedHandler(int index, ReadOnlySpan<byte> payload);

    private interface ILoadClient : IAsyncDisposable
    {
        void Start(MessageHandler onMessage);
    }

    /// <summary>A minimal WebSocket client: plain socket, handshake by hand, frame headers parsed out of 1 MiB reads; answers Pings.</summary>
    private sealed class RawClient : ILoadClient
    {
        private readonly Socket _socket;
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _start;
        private int _end;
        private Task _loop = Task.CompletedTask;

        private RawClient(Socket socket) => _socket = socket;

        public static async Task<ILoadClient> ConnectAsync(int port)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            var client = new RawClient(socket);
            string request = $"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request));
            while (true)
            {
                int n = await socket.ReceiveAsync(client._buffer.AsMemory(client._end));
                if (n == 0)
                {
                    throw new IOException("closed during handshake");
                }

                client._end += n;
                int headerEnd = client._buffer.AsSpan(0, client._end).IndexOf("\r\n\r\n"u8);
                if (headerEnd >= 0)
                {
                    if (!client._buffer.AsSpan(0, headerEnd).StartsWith("HTTP/1.1 101"u8))
                    {
                        throw new IOException("upgrade refused: " + Encoding.ASCII.GetString(client._buffer, 0, headerEnd));
                    }

                    client._start = headerEnd + 4;
                    return client;
                }
            }
        }

        public void Start(MessageHandler onMessage) => _loop = Task.Run(() => LoopAsync(onMessage));

        public async ValueTask DisposeAsync()
        {
            _socket.Dispose();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
            }
        }

        private async Task LoopAsync(MessageHandler onMessage)
        {
            try
            {
                while (true)
                {
                    if (!Parse(onMessage))
                    {
                        return;
                    }

                    if (_start > 0)
                    {
                        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                        _end -= _start;
                        _start = 0;
                    }

                    int n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
                    if (n == 0)
                    {
                        return;
                    }

                    _end += n;
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        /// <summary>Handles every complete frame buffered; false on a close frame.</summary>
        private bool Parse(MessageHandler onMessage)
        {
            while (_end - _start >= 2)
            {
                var span = _buffer.AsSpan(_start, _end - _start);
                int opcode = span[0] & 0x0F;
                long length = span[1] & 0x7F;
                int header = 2;
                if (length == 126)
                {
                    if (span.Length < 4)
                    {
                        return true;
                    }

                    length = (span[2] << 8) | span[3];
                    header = 4;
                }
                else if (length == 127)
                {
                    if (span.Length < 10)
                    {
                        return true;
                    }

                    length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(span[2..]);
                    header = 10;
                }

                if (span.Length < header + length)
                {
                    return true;
                }

                var payload = span.Slice(header, (int)length);
                switch (opcode)
                {
                    case 1:
                        onMessage(payload);
                        break;
                    case 8:
                        return false;
                    case 9:
                        Pong(payload);
                        break;
                }

                _start += header + (int)length;
            }

            return true;
        }

        private void Pong(ReadOnlySpan<byte> payload)
        {
            // Client frames are masked; a zero mask leaves the payload as is.
            var frame = new byte[6 + payload.Length];
            frame[0] = 0x8A;
            frame[1] = (byte)(0x80 | payload.Length);
            payload.CopyTo(frame.AsSpan(6));
            _socket.Send(frame);
        }
    }

    /// <summary>The .NET ClientWebSocket, one ReceiveAsync per message.</summary>
    private sealed class ManagedClient : ILoadClient
    {
        private readonly ClientWebSocket _socket = new();
        private Task _loop = Task.CompletedTask;

        public static async Task<ILoadClient> ConnectAsync(int port)
        {
            var client = new ManagedClient();
            await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), CancellationToken.None);
            return client;
        }

        public void Start(MessageHandler onMessage) => _loop = Task.Run(() => LoopAsync(onMessage));

        public async ValueTask DisposeAsync()
        {
            _socket.Abort();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
            }

            _socket.Dispose();
        }

        private async Task LoopAsync(MessageHandler onMessage)
        {
            var buffer = new byte[1 << 16];
            int length = 0;
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    length += result.Count;
                    if (result.EndOfMessage)
                    {
                        onMessage(buffer.AsSpan(0, length));
                        length = 0;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }
}
