using Edge.Contracts.Events;
using Edge.Gateway.Cameras;
using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Devices;

/// <summary>A community's cameras (ISAPI and ONVIF, behind the HTTP device server) and what happens in front of them.</summary>
public sealed class SimCameras : SimDevices
{
    private readonly HttpDeviceServer? _http;

    public SimCameras(CommunityPlan plan, CommunityWiring wiring, BridgeServer bridge, GroundTruth truth, SimClock clock, HttpDeviceServer? http)
        : base(plan, wiring, bridge, truth, clock)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(wiring);
        _http = http;
        foreach (var c in wiring.Cameras)
        {
            if (http is null)
            {
                break;
            }

            _ = c.Protocol == CameraProtocol.Onvif
                ? (SimHttpDevice)http.AddOnvifCamera(Id, c.Camera.Id, CommunityWiring.CameraUser, CommunityWiring.CameraPassword(Id))
                : http.AddCamera(Id, c.Camera.Id, CommunityWiring.CameraUser, CommunityWiring.CameraPassword(Id));
        }
    }

    /// <summary>True when the cameras are simulated in this run (they need the HTTP server).</summary>
    public bool Simulated => _http is not null;

    /// <summary>
    /// Someone walks past a camera: motion for <paramref name="duration"/>. An ISAPI camera repeats its active event
    /// every second and, as many firmwares do, says nothing at the end when <paramref name="silentEnd"/>; an ONVIF camera
    /// says once that motion began and once that it ended. The station hears one camera.motion and its restore: at the
    /// end, no sooner than the gateway's minimum hold, and without an end, after the gateway's idle time. The camera is
    /// held long enough after it that the next act is an event of its own (never merged, never over the rate cap).
    /// </summary>
    public async Task MotionAsync(CameraWire camera, TimeSpan duration, bool silentEnd, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var options = new CameraOptions();
        var id = camera.Camera.Id;
        var since = Now;
        Truth.Expect(Id, id, EventTypes.CameraMotion, EventState.Active, since);
        var lastActive = since;
        if (camera.Protocol == CameraProtocol.Onvif)
        {
            _http!.OnvifCamera(Id, id).Send(EventTypes.CameraMotion, true);
            await Hold(duration, ct).ConfigureAwait(false);
            silentEnd = false;
        }
        else
        {
            var sim = _http!.Camera(Id, id);
            for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromSeconds(1))
            {
                lastActive = Now;
                sim.Send("VMD", active: true);
                await Hold(duration - t < TimeSpan.FromSeconds(1) ? duration - t : TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
        }

        var ended = silentEnd ? lastActive + options.MotionIdleRestore : Now;
        var restore = ended > since + options.MotionMinHold ? ended : since + options.MotionMinHold;
        Truth.Expect(Id, id, EventTypes.CameraMotion, EventState.Restored, restore);
        if (!silentEnd)
        {
            SendCamera(camera, EventTypes.CameraMotion, "VMD", false);
        }

        // Past the restore (the gateway ticks once a second) and far enough from the next start: at most 4 a minute.
        var free = since + TimeSpan.FromSeconds(16) > restore + TimeSpan.FromSeconds(2) ? since + TimeSpan.FromSeconds(16) : restore + TimeSpan.FromSeconds(2);
        if (free > Now)
        {
            await Hold(free - Now, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A camera is blinded (covered, sprayed) for a while: camera.tamper, with its own snapshot, then restored.</summary>
    public async Task BlindAsync(CameraWire camera, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(camera);
        Truth.Expect(Id, camera.Camera.Id, EventTypes.CameraTamper, EventState.Active, Now);
        SendCamera(camera, EventTypes.CameraTamper, "shelteralarm", true);
        await Hold(hold, ct).ConfigureAwait(false);
        Truth.Expect(Id, camera.Camera.Id, EventTypes.CameraTamper, EventState.Restored, Now);
        SendCamera(camera, EventTypes.CameraTamper, "shelteralarm", false);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>A camera loses power or its cable: offline once it has been silent past the gateway's 30 s, online on its return.</summary>
    public async Task UnplugCameraAsync(CameraWire camera, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var sim = Device(camera);
        var subscribed = sim is SimOnvifCamera onvif ? onvif.Subscriptions : 0;
        Truth.Expect(Id, camera.Camera.Id, EventTypes.DeviceOffline, null, Now);
        sim.Silent = true;
        await Hold(hold, ct).ConfigureAwait(false);
        Truth.Expect(Id, camera.Camera.Id, EventTypes.DeviceOnline, null, Now);
        sim.Silent = false;
        // The gateway reconnects with backoff before it hears the camera again. An ONVIF camera's pull point only has
        // what happens after it is made, so the camera is not used again before the gateway has subscribed anew.
        await Hold(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        if (sim is SimOnvifCamera)
        {
            await OnvifResubscribedAsync(new Dictionary<string, int> { [camera.Camera.Id] = subscribed }, TimeSpan.FromSeconds(50), ct).ConfigureAwait(false);
        }
    }

    /// <summary>How many pull-point subscriptions each ONVIF camera has had: taken before a gateway restarts.</summary>
    public IReadOnlyDictionary<string, int> OnvifSubscriptions() => _http is null
        ? new Dictionary<string, int>()
        : Wiring.Cameras.Where(c => c.Protocol == CameraProtocol.Onvif)
            .ToDictionary(c => c.Camera.Id, c => _http.OnvifCamera(Id, c.Camera.Id).Subscriptions);

    /// <summary>
    /// Waits, at most <paramref name="max"/>, until every ONVIF camera has been subscribed to again since
    /// <paramref name="before"/>: a pull point only has the events that happen after it is made, so until then the
    /// restarted gateway cannot hear those cameras. False when some were not.
    /// </summary>
    public async Task<bool> OnvifResubscribedAsync(IReadOnlyDictionary<string, int> before, TimeSpan max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        var deadline = DateTimeOffset.UtcNow + max;
        while (before.Any(b => _http!.OnvifCamera(Id, b.Key).Subscriptions <= b.Value))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        return true;
    }

    private SimHttpDevice Device(CameraWire camera) => camera.Protocol == CameraProtocol.Onvif
        ? _http!.OnvifCamera(Id, camera.Camera.Id)
        : _http!.Camera(Id, camera.Camera.Id);

    /// <summary>Sends a camera condition: by its contract type to an ONVIF camera, by its ISAPI name to an ISAPI camera.</summary>
    private void SendCamera(CameraWire camera, string type, string isapiType, bool active)
    {
        if (camera.Protocol == CameraProtocol.Onvif)
        {
            _http!.OnvifCamera(Id, camera.Camera.Id).Send(type, active);
        }
        else
        {
            _http!.Camera(Id, camera.Camera.Id).Send(isapiType, active);
        }
    }
}
