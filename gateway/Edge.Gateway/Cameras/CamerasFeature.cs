using Edge.Contracts.Status;
using Edge.Gateway.Events;
using Edge.Gateway.Hosting;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Cameras;

/// <summary>
/// The community's cameras (<c>Edge:Cameras</c>): their sources (ISAPI or ONVIF), the adapter that turns their signals
/// into camera events, and the snapshot service that every feature's events pass through on their way to the outbox.
/// Without cameras, events go straight to the outbox.
/// </summary>
public sealed class CamerasFeature : IGatewayFeature
{
    private readonly CameraSources? _sources;

    private CamerasFeature(IEventSink events, CameraSources? sources, CameraAdapter? adapter, SnapshotService? snapshots)
    {
        Events = events;
        _sources = sources;
        Adapter = adapter;
        Snapshots = snapshots;
        Sources = adapter is null || snapshots is null ? [] : [adapter, snapshots];
    }

    /// <summary>Where every feature hands its events: the snapshot service when there are cameras, else the outbox.</summary>
    public IEventSink Events { get; }

    /// <summary>The cameras' adapter, when any camera is configured.</summary>
    public CameraAdapter? Adapter { get; }

    /// <summary>The snapshot service, when any camera is configured.</summary>
    public SnapshotService? Snapshots { get; }

    /// <summary>The snapshot counters for the heartbeat; null without cameras.</summary>
    public SnapshotCounters? Counters => Snapshots?.Counters;

    public IReadOnlyList<BackgroundService> Sources { get; }

    /// <param name="links">The cameras that cover each device, by device id (<c>GatewaySettings.CameraLinks</c>).</param>
    /// <param name="outbox">Where events go on to: the outbox writer.</param>
    /// <param name="publisher">Publishes snapshots: the uplink.</param>
    /// <param name="pressure">What waits in the outbox: snapshots give way to alarms.</param>
    public static CamerasFeature Create(CameraOptions options, IReadOnlyDictionary<string, IReadOnlyList<string>> links, IEventSink outbox,
        ISnapshotPublisher publisher, IOutboxPressure pressure, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        if (options.Devices.Count == 0)
        {
            return new CamerasFeature(outbox, null, null, null);
        }

        // The sources come first: the snapshot service asks them for snapshots, and the adapter's events (a camera's
        // own tamper) pass through the snapshot service.
        var sources = CameraSources.Connect(options, time, loggers);
        var snapshots = new SnapshotService(outbox, sources, options, links, publisher, pressure, time, loggers.CreateLogger<SnapshotService>());
        var adapter = new CameraAdapter(options, sources, snapshots, time);
        return new CamerasFeature(snapshots, sources, adapter, snapshots);
    }

    public void Dispose() => _sources?.Dispose();
}
