using System.Net;
using Barometer.Core.Events;
using Barometer.Core.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Barometer.Simulation.Emulator;

/// <summary>
/// Runs venue emulators on loopback, one Kestrel listener per venue, and routes truth events to
/// them. REST fault switches (scripted failures, delay) apply to every non-WebSocket request;
/// WebSocket transports are wrapped so that <see cref="EmulatorFaults.Stalled"/> freezes them.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable, IEventSink
{
    private readonly Dictionary<VenueId, (VenueEmulator Venue, WebApplication App, Uri Http)> _venues;

    private EmulatorHost(Dictionary<VenueId, (VenueEmulator, WebApplication, Uri)> venues) => _venues = venues;

    /// <summary>The running venues.</summary>
    public IEnumerable<VenueEmulator> Venues
    {
        get
        {
            foreach (var entry in _venues.Values)
            {
                yield return entry.Venue;
            }
        }
    }

    /// <summary>The emulator of one venue.</summary>
    public VenueEmulator this[VenueId venue] => _venues[venue].Venue;

    /// <summary>True when the venue is emulated.</summary>
    public bool Has(VenueId venue) => _venues.ContainsKey(venue);

    /// <summary>Base HTTP address of a venue, e.g. http://127.0.0.1:40123.</summary>
    public Uri HttpBase(VenueId venue) => _venues[venue].Http;

    /// <summary>Base WebSocket address of a venue, e.g. ws://127.0.0.1:40123.</summary>
    public Uri WebSocketBase(VenueId venue) => new UriBuilder(_venues[venue].Http) { Scheme = "ws" }.Uri;

    /// <summary>Starts every venue on <paramref name="bindAddress"/> with a free port (or the given one).</summary>
    public static async Task<EmulatorHost> StartAsync(IEnumerable<VenueEmulator> venues, IPAddress? bindAddress = null,
        IReadOnlyDictionary<VenueId, int>? ports = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(venues);
        bindAddress ??= IPAddress.Loopback;
        var started = new Dictionary<VenueId, (VenueEmulator, WebApplication, Uri)>();
        try
        {
            foreach (var venue in venues)
            {
                int port = ports is not null && ports.TryGetValue(venue.Venue, out int p) ? p : 0;
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.WebHost.UseKestrel(options => options.Listen(bindAddress, port));
                var app = builder.Build();
                // A stalled venue stops reading and writing its WebSockets (see StallableStream), so
                // the upgraded transport is wrapped before the WebSocket middleware takes it.
                app.Use((context, next) =>
                {
                    if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
                    {
                        context.Features.Set<IHttpUpgradeFeature>(new StallableUpgradeFeature(upgrade, venue.Faults));
                    }

                    return next(context);
                });
                app.UseWebSockets();
                app.Use(async (context, next) =>
                {
                    if (!context.WebSockets.IsWebSocketRequest)
                    {
                        var delay = venue.Faults.RestDelay;
                        if (delay > TimeSpan.Zero)
                        {
                            await Task.Delay(delay, venue.Clock, context.RequestAborted).ConfigureAwait(false);
                        }

                        if (venue.Faults.TryTakeRestFailure(out int status))
                        {
                            var fault = venue.RestError(status);
                            context.Response.StatusCode = fault.StatusCode;
                            context.Response.ContentType = fault.ContentType;
                            await context.Response.WriteAsync(fault.Body, context.RequestAborted).ConfigureAwait(false);
                            return;
                        }
                    }

                    await next(context).ConfigureAwait(false);
                });
                venue.MapEndpoints(app);
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                started[venue.Venue] = (venue, app, new Uri(address));
            }
        }
        catch
        {
            foreach (var (_, app, _) in started.Values)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new EmulatorHost(started);
    }

    /// <summary>Routes a truth event to its venue's emulator (ignored when the venue is not emulated).</summary>
    public void Publish(in MarketEvent e)
    {
        if (_venues.TryGetValue(e.Venue, out var entry))
        {
            entry.Venue.Publish(e);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var (venue, app, _) in _venues.Values)
        {
            foreach (var session in venue.Sessions)
            {
                session.Abort();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
