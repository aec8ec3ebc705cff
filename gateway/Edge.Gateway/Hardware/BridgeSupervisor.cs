using System.Threading.Channels;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware.Bridge;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Hardware;

/// <summary>
/// Reports the devices behind the hardware bridge offline (<c>device.offline</c>) when the bridge is lost and online
/// again when it returns. Nothing is reported for the first connect.
/// </summary>
public sealed class BridgeSupervisor : BackgroundService
{
    private readonly IReadOnlyList<DeviceRef> _devices;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly Channel<bool> _changes = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
    private bool _offline;

    public BridgeSupervisor(BridgeClient bridge, IReadOnlyList<DeviceRef> devices, IEventSink sink, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        _devices = devices;
        _sink = sink;
        _time = time;
        bridge.ConnectionChanged += up => _changes.Writer.TryWrite(up);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var up in _changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (up == !_offline)
                {
                    continue;
                }

                _offline = !up;
                var type = up ? EventTypes.DeviceOnline : EventTypes.DeviceOffline;
                foreach (var device in _devices)
                {
                    await _sink.SubmitAsync(new EventDraft(type, Priority.High, device, null, _time.GetUtcNow(),
                        new System.Text.Json.Nodes.JsonObject { ["via"] = "hardware-bridge" }), stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
