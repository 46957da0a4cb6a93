using Barometer.Core.Events;

namespace Barometer.Core.Bus;

/// <summary>
/// In-process, bounded, multi-consumer fan-out of <see cref="MarketEvent"/>s. Every consumer has
/// its own ring (<see cref="EventBusConsumer"/>); <see cref="Publish"/> copies the event into each
/// interested consumer's ring with one compare-and-swap and never waits for a lossy consumer, so a
/// slow consumer never blocks producers or other consumers. Liquidations, alerts, status and gap
/// events are never dropped (see <see cref="EventKinds.IsReliable"/>); other kinds are dropped
/// for the full consumer only, counted and reported as a gap marker. See docs/backpressure.md.
/// </summary>
/// <remarks>
/// Publishing is safe from any number of threads and allocation-free. Subscribing and
/// unsubscribing swap a copy-on-write consumer array under a lock that producers never take.
/// </remarks>
public sealed class EventBus : IEventSink, IDisposable
{
    /// <summary>Default ring capacity per consumer.</summary>
    public const int DefaultCapacity = 65_536;

    private readonly Lock _subscriptionGate = new();
    private EventBusConsumer[] _consumers = [];
    private bool _disposed;

    /// <summary>Current consumers.</summary>
    public IReadOnlyList<EventBusConsumer> Consumers => Volatile.Read(ref _consumers);

    /// <summary>
    /// Adds a consumer. <paramref name="capacity"/> is rounded up to a power of two.
    /// </summary>
    /// <param name="name">Name shown in health and in gap markers.</param>
    /// <param name="capacity">Ring size in events (≥ 2).</param>
    /// <param name="mode">Lossy (live) or lossless (offline replay only).</param>
    /// <param name="kinds">Kinds to deliver; null for all.</param>
    public EventBusConsumer Subscribe(string name, int capacity = DefaultCapacity, BusConsumerMode mode = BusConsumerMode.Lossy,
        EventKindSet? kinds = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (capacity < 2 || capacity > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be between 2 and 16,777,216 events");
        }

        var consumer = new EventBusConsumer(this, name, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity), mode,
            kinds ?? EventKindSet.All);
        lock (_subscriptionGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var old = _consumers;
            var next = new EventBusConsumer[old.Length + 1];
            old.CopyTo(next, 0);
            next[^1] = consumer;
            Volatile.Write(ref _consumers, next);
        }

        return consumer;
    }

    /// <summary>Publishes one event to every consumer that wants its kind.</summary>
    public void Publish(in MarketEvent e)
    {
        var consumers = Volatile.Read(ref _consumers);
        for (var i = 0; i < consumers.Length; i++)
        {
            consumers[i].Offer(in e);
        }
    }

    /// <summary>Health of every consumer.</summary>
    public IReadOnlyList<ConsumerHealth> GetHealth()
    {
        var consumers = Volatile.Read(ref _consumers);
        var result = new ConsumerHealth[consumers.Length];
        for (var i = 0; i < consumers.Length; i++)
        {
            result[i] = consumers[i].GetHealth();
        }

        return result;
    }

    internal void Unsubscribe(EventBusConsumer consumer)
    {
        lock (_subscriptionGate)
        {
            var old = _consumers;
            var index = Array.IndexOf(old, consumer);
            if (index < 0)
            {
                return;
            }

            var next = new EventBusConsumer[old.Length - 1];
            Array.Copy(old, 0, next, 0, index);
            Array.Copy(old, index + 1, next, index, old.Length - index - 1);
            Volatile.Write(ref _consumers, next);
        }
    }

    /// <summary>Completes every consumer (they can still drain what is queued) and refuses new subscriptions.</summary>
    public void Dispose()
    {
        EventBusConsumer[] consumers;
        lock (_subscriptionGate)
        {
            _disposed = true;
            consumers = _consumers;
            _consumers = [];
        }

        foreach (var c in consumers)
        {
            c.Complete();
        }
    }
}
