using System.Net.WebSockets;
using Barometer.Server.Broadcast;
using static Barometer.Server.Tests.Broadcast.Market;

namespace Barometer.Server.Tests.Broadcast;

public sealed class BroadcastBackpressureTests
{
    [Fact]
    public async Task A_slow_client_gets_a_lag_message_with_the_skipped_count_while_a_fast_client_gets_every_event_in_order()
    {
        await using var world = await HubWorld.StartAsync(new BroadcastOptions { ClientQueueCapacity = 4 });
        await using var fast = await world.ConnectAsync();
        await using var slow = await world.ConnectAsync();
        world.ServerSide(slow).HoldSends = true; // the slow client's sender sends nothing for now

        for (long id = 1; id <= 10; id++)
        {
            world.Hub.Publish(Trade(id));
            Assert.Equal(id, TradeIdOf(await fast.ReceiveJsonAsync())); // fast: every one, in order
        }

        world.ServerSide(slow).HoldSends = false;

        // 10 trades into a queue of 4: the oldest 6 (ids 1-6) were skipped, 7-10 remain.
        var lag = await slow.ReceiveJsonAsync();
        Assert.Equal("lag", lag.GetProperty("type").GetString());
        Assert.Equal(6, lag.GetProperty("skipped").GetInt64());
        Assert.Equal(6, lag.GetProperty("skipped_total").GetInt64());
        Assert.Equal("live", lag.GetProperty("data_source").GetString());
        for (long id = 7; id <= 10; id++)
        {
            Assert.Equal(id, TradeIdOf(await slow.ReceiveJsonAsync()));
        }

        Assert.Equal(6, Assert.Single(world.Hub.Clients(), c => c.Id == slow.Id).Skipped);
        Assert.Equal(0, Assert.Single(world.Hub.Clients(), c => c.Id == fast.Id).Skipped);
        Assert.Equal(6, world.Hub.Totals().Skipped);
        Assert.Equal(WebSocketState.Open, slow.State); // never disconnected for lagging
    }

    [Fact]
    public async Task Liquidations_are_never_skipped_for_a_slow_client_and_keep_their_place_in_publish_order()
    {
        await using var world = await HubWorld.StartAsync(new BroadcastOptions { ClientQueueCapacity = 2 });
        await using var fast = await world.ConnectAsync();
        await using var slow = await world.ConnectAsync();
        world.ServerSide(slow).HoldSends = true;

        // T1 L2 T3 T4 L5 T6 T7 T8 L9 T10 (number = event time offset = publish order)
        long[] liquidations = [2, 5, 9];
        for (long id = 1; id <= 10; id++)
        {
            world.Hub.Publish(liquidations.Contains(id) ? Liquidation(id) : Trade(id));
            Assert.Equal(T0 + id, Event(await fast.ReceiveJsonAsync()).GetProperty("exchange_time_us").GetInt64());
        }

        world.ServerSide(slow).HoldSends = false;

        // Ordinary queue of 2 keeps trades 8 and 10 (1, 3, 4, 6, 7 skipped = 5); the reliable lane
        // keeps 2, 5, 9. Merged by publish order, after one lag message: 2, 5, 8, 9, 10.
        var lag = await slow.ReceiveJsonAsync();
        Assert.Equal("lag", lag.GetProperty("type").GetString());
        Assert.Equal(5, lag.GetProperty("skipped").GetInt64());
        var received = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            var e = Event(await slow.ReceiveJsonAsync());
            received.Add($"{e.GetProperty("kind").GetString()}:{e.GetProperty("exchange_time_us").GetInt64() - T0}");
        }

        Assert.Equal(["liquidation:2", "liquidation:5", "trade:8", "liquidation:9", "trade:10"], received);
    }

    [Fact]
    public async Task A_client_that_reads_nothing_skips_only_ordinary_events_and_each_lag_message_counts_exactly_the_gap()
    {
        // Real sockets, no hold: the slow client does not read, so its TCP buffers fill, its sender
        // blocks and its small queue overflows. Book updates of 3,000 levels (~45 KB each) fill
        // the buffers quickly; every tenth event is a liquidation. The producer paces itself on
        // the fast client, which must get everything.
        await using var world = await HubWorld.StartAsync(new BroadcastOptions { ClientQueueCapacity = 8 });
        await using var fast = await world.ConnectAsync();
        await using var slow = await TestClient.ConnectAsync(world.Uri, read: false);
        await HubWorld.EventuallyAsync(() => world.Hub.ClientCount == 2, "both connected");
        long slowId = world.Hub.Clients().Max(c => c.Id);

        long id = 0;
        var liquidationIds = new List<long>();
        while (id < 3_000 && (id < 50 || world.Hub.Clients().Single(c => c.Id == slowId).Skipped < 100))
        {
            id++;
            if (id % 10 == 0)
            {
                world.Hub.Publish(Liquidation(id));
                liquidationIds.Add(id);
            }
            else
            {
                world.Hub.Publish(Book(id, 3_000));
            }

            Assert.Equal(T0 + id, Event(await fast.ReceiveJsonAsync()).GetProperty("exchange_time_us").GetInt64());
        }

        long last = id + 1;
        world.Hub.Publish(Liquidation(last)); // the end marker
        liquidationIds.Add(last);
        long skippedByServer = world.Hub.Clients().Single(c => c.Id == slowId).Skipped;
        Assert.True(skippedByServer >= 100, $"the slow client should have fallen behind (skipped {skippedByServer} of {id})");

        slow.StartReading();
        Assert.Equal("hello", (await slow.ReceiveJsonAsync()).GetProperty("type").GetString());
        long previous = 0;
        long previousOrdinary = 0;
        long pendingLag = 0;
        long lagTotal = 0;
        var gotLiquidations = new List<long>();
        while (true)
        {
            var m = await slow.ReceiveJsonAsync();
            string type = m.GetProperty("type").GetString()!;
            if (type == "lag")
            {
                pendingLag += m.GetProperty("skipped").GetInt64();
                lagTotal += m.GetProperty("skipped").GetInt64();
                continue;
            }

            var e = Event(m);
            long n = e.GetProperty("exchange_time_us").GetInt64() - T0;
            Assert.True(n > previous, $"event {n} after {previous}: publish order kept");
            if (e.GetProperty("kind").GetString() == "liquidation")
            {
                gotLiquidations.Add(n);
                if (n == last)
                {
                    break;
                }
            }
            else
            {
                // Book updates skipped since the previous book update: ids in (previousOrdinary, n) that are not liquidations.
                long missing = 0;
                for (long k = previousOrdinary + 1; k < n; k++)
                {
                    if (k % 10 != 0)
                    {
                        missing++;
                    }
                }

                Assert.Equal(missing, pendingLag);
                pendingLag = 0;
                previousOrdinary = n;
            }

            previous = n;
        }

        Assert.Equal(liquidationIds, gotLiquidations);
        Assert.Equal(skippedByServer, lagTotal);
    }

    [Fact]
    public async Task A_slow_client_gets_only_the_latest_snapshot_not_a_backlog()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.ConnectAsync();
        world.ServerSide(client).HoldSends = true;

        var latest = Snapshot(T0 + 3_000_000);
        world.Hub.PublishSnapshot(Snapshot(T0 + 1_000_000));
        world.Hub.PublishSnapshot(Snapshot(T0 + 2_000_000));
        world.Hub.PublishSnapshot(latest);
        world.ServerSide(client).HoldSends = false;

        var snapshot = await client.ReceiveJsonAsync();
        Assert.Equal("snapshot", snapshot.GetProperty("type").GetString());
        Assert.Equal(T0 + 3_000_000, snapshot.GetProperty("snapshot").GetProperty("time").GetInt64());
        // The payload is the snapshot as SnapshotJson writes it (snake_case, enums as strings, NaN as null).
        Assert.Equal(Barometer.Analytics.Snapshots.SnapshotJson.ToLine(latest), snapshot.GetProperty("snapshot").GetRawText());
        Assert.Null(await client.TryReceiveJsonAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(2, Assert.Single(world.Hub.Clients()).SnapshotsCoalesced);
    }

    [Fact]
    public async Task Snapshot_every_ms_keeps_snapshots_at_least_that_far_apart_in_event_time()
    {
        await using var world = await HubWorld.StartAsync();
        await using var client = await world.SubscribeAsync("""{"type":"subscribe","kinds":["snapshot"],"snapshot_every_ms":1000}""");
        const long Ms = 1_000;

        // 0 sent; 500 ms: too soon; 1000 ms: 1 s after 0, sent; 1700 ms: 0.7 s after 1000, too soon; 2000 ms: sent.
        world.Hub.PublishSnapshot(Snapshot(T0));
        Assert.Equal(T0, (await client.ReceiveJsonAsync()).GetProperty("snapshot").GetProperty("time").GetInt64());
        world.Hub.PublishSnapshot(Snapshot(T0 + (500 * Ms)));
        world.Hub.PublishSnapshot(Snapshot(T0 + (1000 * Ms)));
        Assert.Equal(T0 + (1000 * Ms), (await client.ReceiveJsonAsync()).GetProperty("snapshot").GetProperty("time").GetInt64());
        world.Hub.PublishSnapshot(Snapshot(T0 + (1700 * Ms)));
        world.Hub.PublishSnapshot(Snapshot(T0 + (2000 * Ms)));
        Assert.Equal(T0 + (2000 * Ms), (await client.ReceiveJsonAsync()).GetProperty("snapshot").GetProperty("time").GetInt64());
        Assert.Null(await client.TryReceiveJsonAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_client_whose_reliable_queue_overflows_is_disconnected_with_1008_and_a_reason()
    {
        await using var world = await HubWorld.StartAsync(new BroadcastOptions { ReliableQueueCapacity = 3 });
        await using var fast = await world.ConnectAsync();
        await using var slow = await world.ConnectAsync();
        world.ServerSide(slow).HoldSends = true;

        for (long id = 1; id <= 4; id++)
        {
            world.Hub.Publish(Liquidation(id)); // the slow client's 4th does not fit in 3
            Assert.Equal(T0 + id, Event(await fast.ReceiveJsonAsync()).GetProperty("exchange_time_us").GetInt64());
        }

        await slow.Closed;
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, slow.CloseStatus);
        Assert.Contains("reliable queue overflow", slow.CloseDescription, StringComparison.Ordinal);

        await HubWorld.EventuallyAsync(() => world.Hub.Totals().ReliableOverflows == 1, "overflow counted");
        Assert.Equal(1, world.Hub.ClientCount);
    }

    [Fact]
    public async Task Publishing_to_connected_clients_allocates_nothing_once_the_frame_pool_is_warm()
    {
        await using var world = await HubWorld.StartAsync();
        await using var a = await world.ConnectAsync();
        await using var b = await world.SubscribeAsync("""{"type":"subscribe","instruments":["BTC"],"kinds":["trade"]}""");
        var trade = Trade(1);

        // Warm-up: with sends held, 300 frames are created and queued (the rings grow too); then
        // both clients get them all and every frame comes back to the pool.
        world.ServerSide(a).HoldSends = true;
        world.ServerSide(b).HoldSends = true;
        for (int i = 0; i < 300; i++)
        {
            world.Hub.Publish(trade);
        }

        world.ServerSide(a).HoldSends = false;
        world.ServerSide(b).HoldSends = false;
        for (int i = 0; i < 300; i++)
        {
            await a.ReceiveAsync();
            await b.ReceiveAsync();
        }

        await HubWorld.EventuallyAsync(() => world.Hub.Pool.Idle == world.Hub.Pool.Created, "every frame back in the pool");
        Assert.True(world.Hub.Pool.Created >= 300);
        world.ServerSide(a).HoldSends = true;
        world.ServerSide(b).HoldSends = true;

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            world.Hub.Publish(trade);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
