using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Devices;

/// <summary>
/// One community's simulated hardware, by device family (<see cref="Alarms"/>, <see cref="Doors"/>,
/// <see cref="Cameras"/>), and who may act on it when. Every act writes what the station must see into the
/// <see cref="GroundTruth"/> before it touches a wire. Alarm acts hold the community and door acts their door until
/// the device is back at rest, so each event the gateway reports has exactly one cause.
/// </summary>
public sealed class SimCommunity : IDisposable
{
    private readonly SemaphoreSlim _busy = new(1, 1);
    /// <summary>One gate per device that acts hold on their own: doors and cameras.</summary>
    private readonly Dictionary<string, SemaphoreSlim> _gates;
    private volatile DeviceTraffic _traffic = DeviceTraffic.Continues;
    /// <summary>Door and camera acts under way, but those at access controllers' doors (counted apart: they go on through a killing).</summary>
    private int _deviceActs;
    private int _controllerActs;
    private readonly BridgeServer _bridge;
    private long _actsWhileAway;
    private int _awayNoted;

    public SimCommunity(CommunityPlan plan, BridgeServer bridge, GroundTruth truth, SimClock clock, HttpDeviceServer? http = null, SimOsdpLine? osdp = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(bridge);
        Plan = plan;
        _bridge = bridge;
        Wiring = CommunityWiring.Of(plan);
        Alarms = new SimAlarmDevices(plan, Wiring, bridge, truth, clock);
        Doors = new SimDoors(plan, Wiring, bridge, truth, clock, http, osdp);
        Cameras = new SimCameras(plan, Wiring, bridge, truth, clock, http);
        _gates = Wiring.Doors.Select(d => d.Door.Id).Concat(Wiring.Cameras.Select(c => c.Camera.Id)).ToDictionary(id => id, _ => new SemaphoreSlim(1, 1));
    }

    public CommunityPlan Plan { get; }

    public string Id => Plan.Id;

    public CommunityWiring Wiring { get; }

    /// <summary>Buttons, zones and alarm boards: presses, disturbed loops, an unplugged board, bad input.</summary>
    public SimAlarmDevices Alarms { get; }

    /// <summary>Unit doors at controllers, OSDP readers and Wiegand readers: swipes, forced doors, unplugged readers.</summary>
    public SimDoors Doors { get; }

    /// <summary>Cameras: motion, blinding, unplugging.</summary>
    public SimCameras Cameras { get; }

    /// <summary>
    /// True when the community's gateway can see its hardware (<see cref="BridgeServer.GatewayPresent"/>). While it is
    /// away (killed, restarting, run elsewhere and stopped) no act starts but those at access controllers' doors, whose
    /// events wait in the controllers' logs: an act nobody could see is not a loss.
    /// </summary>
    public bool GatewayPresent => _bridge.GatewayPresent(Id);

    /// <summary>Acts not performed because the gateway was away.</summary>
    public long ActsWhileAway => Interlocked.Read(ref _actsWhileAway);

    /// <summary>
    /// Whether an act may start as far as the gateway's presence goes (acts at access controllers' doors always may).
    /// <paramref name="firstWhileAway"/> is true for the first act an absence stops, for the caller to note.
    /// </summary>
    public bool AllowsAct(bool controller, out bool firstWhileAway)
    {
        firstWhileAway = false;
        if (controller)
        {
            return true;
        }

        if (GatewayPresent)
        {
            Volatile.Write(ref _awayNoted, 0);
            return true;
        }

        Interlocked.Increment(ref _actsWhileAway);
        firstWhileAway = Interlocked.Exchange(ref _awayNoted, 1) == 0;
        return false;
    }

    /// <summary>Every wired device at rest: before any gateway connects.</summary>
    public void Rest()
    {
        Alarms.Rest();
        Doors.Rest();
    }

    /// <summary>
    /// Holds the community for one act: waits up to <paramref name="wait"/> for the act before it to finish. Null when
    /// the community stayed busy (the caller skips or retries its act).
    /// </summary>
    /// <param name="traffic">Whether the doors' and cameras' acts go on meanwhile. When they stop (a gateway killed, its
    /// board unplugged), the acts under way finish first, and none starts until the act is over.</param>
    public async Task<IDisposable?> ReserveAsync(TimeSpan wait, CancellationToken ct, DeviceTraffic traffic = DeviceTraffic.Continues)
    {
        if (!await _busy.WaitAsync(wait, ct).ConfigureAwait(false))
        {
            return null;
        }

        if (!GatewayPresent)
        {
            _busy.Release();
            return null;
        }

        if (traffic == DeviceTraffic.Continues)
        {
            return new Lease(_busy);
        }

        _traffic = traffic;
        // The acts that stop finish first; the controllers' doors may go on (a busy door would otherwise never let go).
        while (Volatile.Read(ref _deviceActs) > 0 || (traffic == DeviceTraffic.Stopped && Volatile.Read(ref _controllerActs) > 0))
        {
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }

        return new Lease(_busy, () => _traffic = DeviceTraffic.Continues);
    }

    /// <summary>
    /// Holds one door for an act (a swipe and the door opening and closing): null when the door is busy, its devices
    /// are not simulated, or its traffic is stopped meanwhile (<see cref="DeviceTraffic"/>). Door acts of different doors, and alarm
    /// acts, go on side by side.
    /// </summary>
    public IDisposable? ReserveDoor(DoorWire door)
    {
        ArgumentNullException.ThrowIfNull(door);
        return Doors.Simulated(door) ? Reserve(door.Door.Id, door is ControllerWire) : null;
    }

    /// <summary>Holds one camera for an act (motion and its end, a blinding, an unplugging), as <see cref="ReserveDoor"/> does a door.</summary>
    public IDisposable? ReserveCamera(CameraWire camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        return Cameras.Simulated ? Reserve(camera.Camera.Id, controller: false) : null;
    }

    private Lease? Reserve(string device, bool controller)
    {
        bool Stopped() => _traffic == DeviceTraffic.Stopped || (!controller && (_traffic == DeviceTraffic.ControllersOnly || !GatewayPresent));
        var gate = _gates[device];
        if (Stopped() || !gate.Wait(0))
        {
            return null;
        }

        ref var acts = ref controller ? ref _controllerActs : ref _deviceActs;
        Interlocked.Increment(ref acts);
        if (Stopped())
        {
            Interlocked.Decrement(ref acts);
            gate.Release();
            return null;
        }

        return controller
            ? new Lease(gate, () => Interlocked.Decrement(ref _controllerActs))
            : new Lease(gate, () => Interlocked.Decrement(ref _deviceActs));
    }

    public void Dispose()
    {
        _busy.Dispose();
        foreach (var door in _gates.Values)
        {
            door.Dispose();
        }
    }

    private sealed class Lease(SemaphoreSlim busy, Action? also = null) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                also?.Invoke();
                busy.Release();
            }
        }
    }
}
