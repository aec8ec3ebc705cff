using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware;
using Edge.Gateway.Heartbeats;
using Edge.Gateway.Outbox;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Hosting;

/// <summary>
/// One gateway: its outbox, writer, uplink, heartbeat and event sources, with its own settings, data directory and
/// MQTT connection. Holds no static state, so one process can host many side by side (the district simulator does).
/// Starts the writer before the uplink before the sources; stops in the reverse order, committing whatever the
/// sources handed over.
/// </summary>
public sealed class GatewayInstance : IHostedService, IDisposable
{
    private readonly List<BackgroundService> _sources = [];
    private readonly BackgroundService[] _core;
    private int _started;
    private readonly Edge.Gateway.Access.CardPrivacy? _privacy;

    private GatewayInstance(GatewaySettings settings, OutboxStore store, ILoggerFactory loggers, TimeProvider time)
    {
        Settings = settings;
        Store = store;
        Writer = new OutboxWriter(store, settings.Gateway, settings.Outbox, time, loggers.CreateLogger<OutboxWriter>());
        Uplink = new UplinkService(settings.Gateway, settings.Uplink, store, Writer, new UplinkState(), time, loggers.CreateLogger<UplinkService>());
        Heartbeat = new HeartbeatService(settings.Gateway, settings.Uplink, store, Uplink, time, () => Snapshots?.Counters, () => Access?.LogCounters);
        _core = [Writer, Uplink, Heartbeat];
        if (settings.TestEvents.Rate > 0)
        {
            TestEvents = new TestEventSource(settings.TestEvents, Writer, time);
            _sources.Add(TestEvents);
        }

        // Events that begin an alarm pass through the snapshot service on their way to the outbox, when there are cameras.
        IEventSink sink = Writer;
        if (settings.CamerasOrDefault.Devices.Count > 0)
        {
            var cameras = settings.CamerasOrDefault;
            Snapshots = new Cameras.SnapshotService(Writer, cameras, Links(settings),
                (id, camera, at, jpeg, ct) => Uplink.PublishMediaAsync(id, camera, at, jpeg, cameras.SnapshotExpireAfter, ct),
                () => store.Pending(Contracts.Events.Priority.Critical) + store.Pending(Contracts.Events.Priority.High) > 0,
                time, loggers.CreateLogger<Cameras.SnapshotService>());
            sink = Snapshots;
        }

        // One card privacy for every reader and controller of the community: the same card, the same hash.
        var access = settings.AccessOrDefault;
        _privacy = access.Any
            ? new Edge.Gateway.Access.CardPrivacy(Edge.Gateway.Access.AccessOptionsValidator.Secret(access.CardSecret), access.RevealCardNumbers)
            : null;
        Hardware = GatewayHardware.Create(settings.HardwareOrDefault, settings.AlarmsOrDefault, settings.Gateway.Community, sink, Uplink.State, time, loggers, access, _privacy, store);
        _sources.AddRange(Hardware.Sources);
        if (access.Controllers.Count > 0)
        {
            Access = new Access.AccessControllerAdapter(access, sink, _privacy!, time, loggers, store);
            _sources.Add(Access);
        }

        _sources.AddRange(Edge.Gateway.Access.Osdp.OsdpControlPanel.ForLines(access.OsdpReaders, sink, _privacy!, time, loggers, store));
        if (Snapshots is not null)
        {
            Cameras = new Cameras.CameraAdapter(settings.CamerasOrDefault, sink, time, loggers);
            Snapshots.Attach(Cameras);
            _sources.Add(Cameras);
            _sources.Add(Snapshots);
        }
    }

    /// <summary>The cameras that cover each device, by device id: alarm buttons, zones and doors.</summary>
    private static Dictionary<string, IReadOnlyList<string>> Links(GatewaySettings settings)
    {
        var alarms = settings.AlarmsOrDefault;
        var access = settings.AccessOrDefault;
        return alarms.Buttons.Select(b => (b.Id, b.Cameras))
            .Concat(alarms.Zones.Select(z => (z.Id, z.Cameras)))
            .Concat(access.Doors.Select(d => (d.Id, d.Cameras)))
            .Concat(access.Controllers.SelectMany(c => c.Doors).Select(d => (d.Id, d.Cameras)))
            .Concat(access.OsdpReaders.Where(r => r.Door is not null && r.DoorContactInput is not null).Select(r => (r.Door!, r.Cameras)))
            .GroupBy(l => l.Item1, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.SelectMany(l => l.Item2).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The snapshot service, when <c>Edge:Cameras</c> configures any camera.</summary>
    public Cameras.SnapshotService? Snapshots { get; }

    /// <summary>The cameras' adapter, when <c>Edge:Cameras</c> configures any.</summary>
    public Cameras.CameraAdapter? Cameras { get; }

    /// <summary>The access controllers' adapter, when <c>Edge:Access</c> configures any.</summary>
    public Access.AccessControllerAdapter? Access { get; }

    /// <summary>The gateway's hardware and its device adapters (none without alarm devices).</summary>
    public GatewayHardware Hardware { get; }

    /// <summary>
    /// Validates the settings and opens the outbox in the data directory. Throws
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming each bad key, or
    /// <see cref="OutboxCorruptException"/>; nothing is started either way.
    /// </summary>
    public static GatewayInstance Create(GatewaySettings settings, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid();
        Directory.CreateDirectory(settings.Gateway.DataDirectory);
        var store = OutboxStore.Open(OutboxPath(settings.Gateway), $"{settings.Gateway.Community}/{settings.Gateway.Id}", settings.Outbox);
        return new GatewayInstance(settings, store, loggers, time);
    }

    /// <summary>Where the outbox of a gateway lives.</summary>
    public static string OutboxPath(GatewayOptions gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return Path.Combine(gateway.DataDirectory, "outbox.db");
    }

    public GatewaySettings Settings { get; }

    /// <summary>Where device adapters hand their events.</summary>
    public IEventSink Events => Writer;

    public OutboxStore Store { get; }

    public OutboxWriter Writer { get; }

    public UplinkService Uplink { get; }

    public HeartbeatService Heartbeat { get; }

    /// <summary>The test-event generator, when <c>Edge:TestEvents:Rate</c> is above 0.</summary>
    public TestEventSource? TestEvents { get; }

    /// <summary>False once any loop of this gateway has died; the systemd watchdog stops being fed then.</summary>
    public bool IsHealthy =>
        _core.All(s => s.ExecuteTask is not { IsCompleted: true }) && _sources.All(s => s.ExecuteTask is not { IsFaulted: true });

    /// <summary>Adds an event source (a device adapter) before the instance starts.</summary>
    public void AddSource(BackgroundService source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Volatile.Read(ref _started) != 0)
        {
            throw new InvalidOperationException("sources must be added before the gateway starts");
        }

        _sources.Add(source);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _started, 1);
        Hardware.Start();
        foreach (var service in _core.Concat(_sources))
        {
            await service.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var service in _sources.AsEnumerable().Reverse().Concat(_core.Reverse()))
        {
            await service.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        foreach (var service in _core.Concat(_sources))
        {
            service.Dispose();
        }

        Hardware.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _privacy?.Dispose();
        Store.Dispose();
    }
}
