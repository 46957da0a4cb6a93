using Barometer.Core.Instruments;
using Barometer.Simulation.Emulator;
using Barometer.Simulation.Market;
using Barometer.Venues.Binance;
using Barometer.Venues.Tests.EndToEnd;

namespace Barometer.Venues.Tests.Binance;

/// <summary>The end-to-end rig with the Binance emulator and a <see cref="BinanceConnector"/>.</summary>
internal sealed class BinanceWorld : ConnectorWorld<BinanceEmulator, BinanceConnector>
{
    private BinanceWorld(VenueId venue, MarketSimulator simulator, EmulatorHost host, BinanceEmulator emulator, Func<BinanceConnectorOptions> options)
        : base(venue, simulator, host, emulator, context => new BinanceConnector(venue, context, options()))
    {
    }

    /// <summary>Options of the next <see cref="ConnectorWorld{TEmulator,TConnector}.StartConnector"/>.</summary>
    public BinanceConnectorOptions Options { get; set; } = Fast();

    public static async Task<BinanceWorld> StartAsync(VenueId venue, BinanceConnectorOptions? options = null, IReadOnlyList<string>? assets = null,
        Action<BinanceEmulator>? configure = null, bool startConnector = true, bool simulate = true)
    {
        BinanceWorld? made = null;
        var world = await StartAsync(venue, (v, instruments) => new BinanceEmulator(v, instruments, TimeProvider.System),
            (simulator, host, emulator) => made = new BinanceWorld(venue, simulator, host, emulator, () => made!.Options), configure, simulate);
        world.Options = options ?? Fast();
        if (startConnector)
        {
            world.StartConnector(assets);
        }

        return world;
    }

    /// <summary>Test timers: short silences and backoffs, real protocol otherwise.</summary>
    public static BinanceConnectorOptions Fast() => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaximumBackoff = TimeSpan.FromMilliseconds(500),
        RestInitialBackoff = TimeSpan.FromMilliseconds(50),
        OpenInterestInterval = TimeSpan.FromSeconds(1),
        IdleTimeout = TimeSpan.FromSeconds(3),
        MarkPriceMaxSilence = TimeSpan.FromSeconds(4),
        BookMaxSilence = TimeSpan.FromSeconds(4),
        TradeMaxSilence = TimeSpan.FromSeconds(30),
        SubscribeMessagesPerSecond = 10,
    };
}
