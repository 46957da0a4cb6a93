using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Venues.Okx;
using Barometer.Venues.Tests.EndToEnd;

namespace Barometer.Venues.Tests.Okx;

/// <summary>The end-to-end rig with the OKX emulator and an <see cref="OkxConnector"/>.</summary>
internal sealed class OkxWorld : ConnectorWorld<OkxEmulator, OkxConnector>
{
    private OkxWorld(VenueId venue, MarketSimulator simulator, EmulatorHost host, OkxEmulator emulator, Func<OkxConnectorOptions> options)
        : base(venue, simulator, host, emulator, context => new OkxConnector(venue, context, options()))
    {
    }

    /// <summary>Options of the next <see cref="ConnectorWorld{TEmulator,TConnector}.StartConnector"/>.</summary>
    public OkxConnectorOptions Options { get; set; } = Fast();

    public static async Task<OkxWorld> StartAsync(VenueId venue, OkxConnectorOptions? options = null, IReadOnlyList<string>? assets = null,
        Action<OkxEmulator>? configure = null, bool startConnector = true, bool simulate = true)
    {
        OkxWorld? made = null;
        var world = await StartAsync(venue, (v, instruments) => new OkxEmulator(v, instruments, TimeProvider.System),
            (simulator, host, emulator) => made = new OkxWorld(venue, simulator, host, emulator, () => made!.Options), configure, simulate);
        world.Options = options ?? Fast();
        if (startConnector)
        {
            world.StartConnector(assets);
        }

        return world;
    }

    /// <summary>Test timers: short silences and backoffs, real protocol otherwise.</summary>
    public static OkxConnectorOptions Fast() => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaximumBackoff = TimeSpan.FromMilliseconds(500),
        RestInitialBackoff = TimeSpan.FromMilliseconds(50),
        PingWhenIdle = TimeSpan.FromSeconds(1),
        IdleTimeout = TimeSpan.FromSeconds(3),
        BookMaxSilence = TimeSpan.FromSeconds(5),
        MarkPriceMaxSilence = TimeSpan.FromSeconds(5),
        TradeMaxSilence = TimeSpan.FromSeconds(30),
        SubscribeMessagesPerSecond = 10,
    };
}
