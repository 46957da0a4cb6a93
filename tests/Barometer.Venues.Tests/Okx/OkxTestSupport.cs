using Barometer.Core.Events;

namespace Barometer.Venues.Tests.Okx;

internal sealed class OkxListSink : IEventSink
{
    public List<MarketEvent> Events { get; } = [];

    public void Publish(in MarketEvent e) => Events.Add(e);

    public IEnumerable<MarketEvent> OfKind(EventKind kind) => Events.Where(e => e.Kind == kind);
}

internal sealed class OkxCountingSink : IEventSink
{
    public int Count { get; private set; }

    public void Publish(in MarketEvent e) => Count++;
}

internal static class OkxTestData
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "okx", name);
}
