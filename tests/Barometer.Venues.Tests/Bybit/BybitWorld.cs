using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Venues.Bybit;
using Barometer.Venues.Tests.EndToEnd;

namespace Barometer.Venues.Tests.Bybit;

/// <summary>The end-to-end rig with the Bybit emulator and a <see cref="BybitConnector"/>.</summary>
internal sealed class BybitWorld : ConnectorWorld<BybitEmulator, BybitConnector>
{
    private BybitWorld(VenueId venue, MarketSimulator simulator, EmulatorHost host, BybitEmulator emulator, Func<BybitConnectorOptions> options)
        : base(venue, simulator, host, emulator, context => new BybitConnector(venue, context, options()))
    {
    }

    /// <summary>Options of the next <see cref="ConnectorWorld{TEmulator,TConnector}.StartConnector"/>.</summary>
    public BybitConnectorOptions Options { get; set; } = Fast();

    public static async Task<BybitWorld> StartAsync(VenueId venue, BybitConnectorOptions? options = null, IReadOnlyList<string>? assets = null,
        Action<BybitEmulator>? configure = null, bool startConnector = true, bool simulate = true)
    {
        BybitWorld? made = null;
        var world = await StartAsync(venue, (v, instruments) => new BybitEmulator(v, instruments, TimeProvider.System),
            (simulator, host, emulator) => made = new BybitWorld(venue, simulator, host, emulator, () => made!.Options), configure, simulate);
        world.Options = options ?? Fast();
        if (startConnector)
        {
            world.StartConnector(assets);
        }

        return world;
    }

    /// <summary>Test timers: short silences and backoffs, real protocol otherwise.</summary>
    public static BybitConnectorOptions Fast() => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaximumBackoff = TimeSpan.FromMilliseconds(500),
        RestInitialBackoff = TimeSpan.FromMilliseconds(50),
        IdleTimeout = TimeSpan.FromSeconds(3),
        BookMaxSilence = TimeSpan.FromSeconds(5),
        TopMaxSilence = TimeSpan.FromSeconds(5),
        TickerMaxSilence = TimeSpan.FromSeconds(30),
        TradeMaxSilence = TimeSpan.FromSeconds(30),
        PingInterval = TimeSpan.FromSeconds(1),
        SubscribeMessagesPerSecond = 20,
    };
}
