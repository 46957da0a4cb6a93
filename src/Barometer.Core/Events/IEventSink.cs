namespace Barometer.Core.Events;

/// <summary>
/// Where producers (connectors, analytics alerts) put events. Implementations never block the
/// caller and never throw for a full consumer: overflow is the consumer's, counted.
/// </summary>
public interface IEventSink
{
    /// <summary>Publishes one event.</summary>
    void Publish(in MarketEvent e);
}
