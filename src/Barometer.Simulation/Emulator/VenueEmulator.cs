using System.Collections.Concurrent;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// One emulated venue: speaks the venue's real public market-data protocol (paths, subscribe
/// messages, acks and errors, keepalive, REST) on loopback, and turns the simulator's "truth"
/// events (<see cref="Publish"/>) into frames shaped byte-for-byte like the venue's. Each venue
/// runs on its own Kestrel listener (see <see cref="EmulatorHost"/>), because Binance spot and
/// futures share paths such as /stream.
/// </summary>
public abstract class VenueEmulator
{
    private readonly ConcurrentDictionary<EmulatorSession, byte> _sessions = new();

    /// <summary>Creates the emulator for <paramref name="venue"/> serving <paramref name="instruments"/>.</summary>
    protected VenueEmulator(VenueId venue, IReadOnlyList<Instrument> instruments, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        Venue = venue;
        Instruments = instruments;
        Clock = clock ?? TimeProvider.System;
    }

    /// <summary>The venue.</summary>
    public VenueId Venue { get; }

    /// <summary>Instruments this venue lists (for its instruments endpoint and unknown-symbol errors).</summary>
    public IReadOnlyList<Instrument> Instruments { get; }

    /// <summary>Fault switches.</summary>
    public EmulatorFaults Faults { get; } = new();

    /// <summary>Clock for keepalive and forced-disconnect timers (a fake one in tests).</summary>
    public TimeProvider Clock { get; }

    /// <summary>Open sessions.</summary>
    public IReadOnlyCollection<EmulatorSession> Sessions => (IReadOnlyCollection<EmulatorSession>)_sessions.Keys;

    /// <summary>Number of open sessions.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Kestrel WebSocket accept options (server ping interval for Binance); null for defaults.</summary>
    public virtual WebSocketAcceptContext? AcceptContext => null;

    /// <summary>Maps the venue's WebSocket and REST endpoints.</summary>
    public abstract void MapEndpoints(IEndpointRouteBuilder endpoints);

    /// <summary>
    /// Encodes one truth event of this venue (trade, liquidation, book update, book top, funding,
    /// open interest) and sends it to the sessions subscribed to it. Called from the simulator's
    /// thread; must not block.
    /// </summary>
    public abstract void Publish(in MarketEvent e);

    /// <summary>The JSON body of a scripted REST failure (429, 5xx) in the venue's error shape.</summary>
    public virtual string RestErrorBody(int statusCode) =>
        statusCode == 429 ? "{\"error\":\"Too many requests\"}" : "{\"error\":\"Internal error\"}";

    /// <summary>
    /// The full reply to a scripted REST failure asked for as <paramref name="statusCode"/>. By
    /// default that status with <see cref="RestErrorBody"/> as JSON; a venue overrides it when its
    /// real reply uses another status or content type.
    /// </summary>
    public virtual RestFault RestError(int statusCode) => new(statusCode, "application/json", RestErrorBody(statusCode));

    /// <summary>
    /// Accepts a WebSocket request and runs a session until it ends. <paramref name="onOpen"/> runs
    /// once the session is registered (e.g. to subscribe streams named in the URL).
    /// </summary>
    protected async Task RunSessionAsync(HttpContext context, Func<EmulatorSession, string, ValueTask> onMessage,
        Action<EmulatorSession>? onOpen = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var socket = AcceptContext is { } accept
            ? await context.WebSockets.AcceptWebSocketAsync(accept).ConfigureAwait(false)
            : await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var session = new EmulatorSession(socket, Faults, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty);
        _sessions[session] = 0;
        try
        {
            onOpen?.Invoke(session);
            await session.RunAsync(onMessage, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _sessions.TryRemove(session, out _);
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }
}
