using Edge.Gateway.Access;
using Edge.Gateway.Alarms;
using Edge.Gateway.Cameras;
using Edge.Gateway.Commands;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware;
using Edge.Gateway.Heartbeats;
using Edge.Gateway.Metrics;
using Edge.Gateway.Outbox;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Hosting;

/// <summary>
/// One gateway: the pipeline (outbox writer, SQLite outbox, uplink, heartbeat) and its features (alarm devices, door
/// access, cameras), each wired by its own <c>Create</c>; started pipeline first, stopped in reverse. Wired by hand,
/// not by a container per instance: the simulator runs 312 side by side in one process (docs/architecture.md).
/// </summary>
public sealed class GatewayInstance : IHostedService, IDisposable
{
    private readonly BackgroundService[] _pipeline;
    private readonly CommandLedger? _ledger;
    private readonly IGatewayFeature[] _features;
    private readonly List<BackgroundService> _sources = [];
    private int _started;
    private int _disposed;

    private GatewayInstance(GatewaySettings settings, OutboxStore store, ILoggerFactory loggers, TimeProvider time)
    {
        Settings = settings;
        Store = store;

        // The pipeline: intake, outbox writer and SQLite outbox, then the uplink that drains it, and the heartbeat.
        Writer = new OutboxWriter(store, settings.Gateway, settings.Outbox, time, loggers.CreateLogger<OutboxWriter>());
        UplinkService = new UplinkService(settings.Gateway, settings.Uplink, store, Writer, new UplinkState(), time, loggers.CreateLogger<UplinkService>());

        // The features. Cameras come first: every feature's events pass through their snapshot service.
        GatewayHardware = new GatewayHardware(settings.HardwareOrDefault, settings.Gateway.Community, time, loggers);
        CamerasFeature = CamerasFeature.Create(settings.CamerasOrDefault, settings.CameraLinks(), Writer, UplinkService, store, time, loggers);
        Events = CamerasFeature.Events;
        AlarmsFeature = AlarmsFeature.Create(settings.AlarmsOrDefault, GatewayHardware, Events, UplinkService.State, store, time, loggers);
        AccessFeature = AccessFeature.Create(settings.AccessOrDefault, GatewayHardware, Events, store, time, loggers);
        _features = [AlarmsFeature, AccessFeature, CamerasFeature];

        HeartbeatService = new HeartbeatService(settings.Gateway, settings.Uplink, store, UplinkService, time,
            () => CamerasFeature.Counters, () => AccessFeature.LogCounters);
        Metrics = new GatewayMetrics(store, Writer, UplinkService.State,
            ConfiguredDevices.Of(settings).GroupBy(d => d.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            () => CamerasFeature.Counters, () => UplinkService.ClientCertificate?.Status(), time);
        _pipeline = [Writer, UplinkService, HeartbeatService];

        // The station's commands, when the gateway holds a station key: verified, then applied by the feature they are for.
        if (settings.CommandsOrDefault.StationKeys.Count > 0)
        {
            _ledger = new CommandLedger(OutboxPath(settings.Gateway), time);
            var verifier = new CommandVerifier(settings.Gateway.Community, settings.Gateway.Id, settings.CommandsOrDefault.LoadKeys(), _ledger, time);
            var handlers = new List<ICommandHandler> { new DeadLetterCommands(Writer) };
            if (AlarmsFeature.Columns is { } columns)
            {
                handlers.Add(new AlarmColumnCommands(columns, Events, settings.AlarmsOrDefault.Buttons.ToDictionary(b => b.Id, b => b.Device, StringComparer.Ordinal), time));
            }

            if (settings.AccessOrDefault.Any)
            {
                handlers.Add(new AccessDoorCommands(settings.AccessOrDefault, AccessFeature.Controllers, AccessFeature.GpioDoors,
                    [.. AccessFeature.OsdpLines.SelectMany(l => l.Readers)], Events, time));
            }

            if (CamerasFeature.Snapshots is { } snapshots)
            {
                handlers.Add(new CameraSnapshotCommands(snapshots, settings.Gateway.Community, settings.Gateway.Id));
            }

            CommandService = new CommandService(settings.Gateway.Community, settings.Gateway.Id, verifier, handlers, UplinkService, _ledger, UplinkService.State, time, loggers.CreateLogger<CommandService>());
            UplinkService.Commands = CommandService;
            _pipeline = [.. _pipeline, CommandService];
        }

        // The devices on the simulator's bridge are offline together when it is lost.
        if (GatewayHardware.Bridge is { } bridge)
        {
            _sources.Add(new BridgeSupervisor(bridge, settings.WiredDevices(), Events, time));
        }

        _sources.AddRange(_features.SelectMany(f => f.Sources));
        if (settings.TestEvents.Rate > 0)
        {
            TestEventSource = new TestEventSource(settings.TestEvents, Writer, time);
            _sources.Add(TestEventSource);
        }
    }

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
        if (store.Restarted is { } restart)
        {
            OutboxRestartLog.StartedAfresh(loggers.CreateLogger<OutboxStore>(), store.Path, restart.Reason, restart.SetAsideAs, store.SeqEpoch);
        }

        return new GatewayInstance(settings, store, loggers, time);
    }

    /// <summary>Where the outbox of a gateway lives.</summary>
    public static string OutboxPath(GatewayOptions gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return Path.Combine(gateway.DataDirectory, "outbox.db");
    }

    public GatewaySettings Settings { get; }

    /// <summary>Where device adapters hand their events: the snapshot service when there are cameras, else the outbox writer.</summary>
    public IEventSink Events { get; }

    public OutboxStore Store { get; }

    public OutboxWriter Writer { get; }

    public UplinkService UplinkService { get; }

    public HeartbeatService HeartbeatService { get; }

    /// <summary>The gateway's figures on the meter <c>Edge.Gateway</c>.</summary>
    public GatewayMetrics Metrics { get; }

    /// <summary>The gateway's GPIO, ADC and bridge, opened as its features need them.</summary>
    public GatewayHardware GatewayHardware { get; }

    /// <summary>Alarm buttons, their columns and supervised zones.</summary>
    public AlarmsFeature AlarmsFeature { get; }

    /// <summary>Access controllers, readers and doors.</summary>
    public AccessFeature AccessFeature { get; }

    /// <summary>Cameras and their snapshots.</summary>
    public CamerasFeature CamerasFeature { get; }

    /// <summary>The station's commands, when <c>Edge:Commands:StationKeys</c> holds a key.</summary>
    public CommandService? CommandService { get; }

    /// <summary>The test-event generator, when <c>Edge:TestEvents:Rate</c> is above 0.</summary>
    public TestEventSource? TestEventSource { get; }

    /// <summary>False once any loop of this gateway has died; the systemd watchdog stops being fed then.</summary>
    public bool IsHealthy =>
        _pipeline.All(s => s.ExecuteTask is not { IsCompleted: true }) && _sources.All(s => s.ExecuteTask is not { IsFaulted: true });

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
        GatewayHardware.Start();
        foreach (var service in _pipeline.Concat(_sources))
        {
            await service.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var service in _sources.AsEnumerable().Reverse().Concat(_pipeline.Reverse()))
        {
            await service.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        // The host's container disposes the instance twice: once as itself and once as the hosted service the same
        // factory returned. A second pass would unhook adapters from a GPIO controller already closed.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var service in _pipeline.Concat(_sources))
        {
            service.Dispose();
        }

        foreach (var feature in _features)
        {
            feature.Dispose();
        }

        GatewayHardware.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Metrics.Dispose();
        _ledger?.Dispose();
        Store.Dispose();
    }
}
