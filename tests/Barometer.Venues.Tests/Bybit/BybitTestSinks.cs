using Barometer.Core.Events;

namespace Barometer.Venues.Tests.Bybit;

internal sealed class ListSink : IEventSink
{
    public List<MarketEvent> Events { get; } = [];

    public void Publish(in MarketEvent e) => Events.Add(e);
}

internal sealed class CountingSink : IEventSink
{
    public int Count { get; private set; }

    public void Publish(in MarketEvent e) => Count++;
}
