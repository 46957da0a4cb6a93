using Barometer.Core.Configuration;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Barometer.Core.Recording;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Barometer.Venues.Common;

/// <summary>What a connector needs from its host.</summary>
public sealed record VenueConnectorContext
{
    /// <summary>Shared instrument registry (the connector registers its venue's instruments).</summary>
    public required InstrumentRegistry Registry { get; init; }

    /// <summary>Where normalized events go (the event bus).</summary>
    public required IEventSink Sink { get; init; }

    /// <summary>Base assets to follow (BTC, ETH, SOL).</summary>
    public required IReadOnlyList<string> Assets { get; init; }

    /// <summary>Endpoint overrides; empty strings mean the venue's official addresses.</summary>
    public EndpointOptions Endpoint { get; init; } = new();

    /// <summary>Clock for timers, liveness and receive times.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Tap on raw frames and REST bodies as received (recording); null when nothing records.</summary>
    public IRawFrameSink? RawFrames { get; init; }

    /// <summary>Logging.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
