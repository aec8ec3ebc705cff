using Edge.Contracts.Status;
using Edge.Gateway.Access.Osdp;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware;
using Edge.Gateway.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access;

/// <summary>
/// The community's door access devices (<c>Edge:Access</c>): ISAPI access controllers, Wiegand readers and doors on the
/// gateway's GPIO, and OSDP readers, one control panel per line. One <see cref="CardPrivacy"/> serves them all, so the
/// same card gives the same hash at every door of the community.
/// </summary>
public sealed class AccessFeature : IGatewayFeature
{
    private readonly CardPrivacy? _privacy;

    private AccessFeature(CardPrivacy? privacy, AccessControllerAdapter? controllers, IReadOnlyList<BackgroundService> gpio, IReadOnlyList<OsdpControlPanel> osdp)
    {
        _privacy = privacy;
        Controllers = controllers;
        OsdpLines = osdp;
        Sources = [.. gpio, .. controllers is null ? Array.Empty<BackgroundService>() : [controllers], .. osdp];
    }

    /// <summary>The ISAPI access controllers' adapter, when any controller is configured.</summary>
    public AccessControllerAdapter? Controllers { get; }

    /// <summary>One OSDP control panel per line the readers are on, in the order of their first reader.</summary>
    public IReadOnlyList<OsdpControlPanel> OsdpLines { get; }

    /// <summary>The doors the gateway watches on GPIO, by door id (those with a lock output it can also open).</summary>
    public IReadOnlyDictionary<string, GpioDoorAdapter> GpioDoors { get; private init; } = new Dictionary<string, GpioDoorAdapter>();

    /// <summary>What the controllers' event logs gave, for the heartbeat; null without controllers.</summary>
    public AccessLogCounters? LogCounters => Controllers?.LogCounters;

    public IReadOnlyList<BackgroundService> Sources { get; }

    /// <param name="events">Where the access and door events go (the snapshot service or the outbox writer).</param>
    /// <param name="cursors">Where each controller and door stood when the gateway last stopped (the outbox).</param>
    public static AccessFeature Create(AccessOptions options, GatewayHardware hardware, IEventSink events, ISourceCursors cursors, TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hardware);
        if (!options.Any)
        {
            return new AccessFeature(null, null, [], []);
        }

        var privacy = new CardPrivacy(AccessOptionsValidator.Secret(options.CardSecret), options.RevealCardNumbers);
        List<BackgroundService> gpio = [];
        List<GpioDoorAdapter> doors = [];
        if (options.UsesGpio)
        {
            var controller = hardware.OpenGpio();
            gpio.AddRange(options.WiegandReaders.Select(r => new WiegandReaderAdapter(r, controller, events, privacy, time, hardware.Inputs)));
            doors.AddRange(options.Doors.Select(d => new GpioDoorAdapter(d, controller, events, time, hardware.InputsPresent, cursors, hardware.Inputs)));
            gpio.AddRange(doors);
        }

        var controllers = options.Controllers.Count == 0 ? null : new AccessControllerAdapter(options, events, privacy, time, loggers, cursors);
        var osdp = options.OsdpReaders.GroupBy(r => r.Endpoint, StringComparer.Ordinal)
            .Select(line => new OsdpControlPanel(line.ToList(), events, privacy, time, loggers.CreateLogger<OsdpControlPanel>(), cursors))
            .ToList();
        return new AccessFeature(privacy, controllers, gpio, osdp) { GpioDoors = doors.ToDictionary(d => d.Device.Id, StringComparer.Ordinal) };
    }

    public void Dispose() => _privacy?.Dispose();
}
