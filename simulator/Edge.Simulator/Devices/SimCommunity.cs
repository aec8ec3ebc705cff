using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Gateway.Alarms;
using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Devices;

/// <summary>How a supervised zone is disturbed.</summary>
public enum ZoneFault
{
    /// <summary>The contact opens: the loop reads twice its end-of-line resistance (alarm.zone).</summary>
    Open,

    /// <summary>The wire is cut: an open loop (alarm.cut).</summary>
    Cut,

    /// <summary>The loop is shorted, as a burglar bridging it would (alarm.tamper).</summary>
    Shorted,
}

/// <summary>
/// One community's simulated hardware: its buttons, zones, Wiegand readers and GPIO doors on the bridge, its unit
/// doors' ISAPI controllers and OSDP readers, and the
/// physical acts a scenario performs on them. Every act writes what the station must see into the
/// <see cref="GroundTruth"/> before it touches a wire. Alarm acts hold the community and door acts their door until
/// the device is back at rest, so each event the gateway reports has exactly one cause.
/// </summary>
public sealed class SimCommunity : IDisposable
{
    /// <summary>How long an act waits after restoring a device before the next act on the community may start.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(400);
    private static readonly LoopDivider Divider = new();
    private const double EndOfLineOhms = 4_700;
    private readonly SemaphoreSlim _busy = new(1, 1);
    /// <summary>One gate per device that acts hold on their own: doors and cameras.</summary>
    private readonly Dictionary<string, SemaphoreSlim> _gates;
    private readonly HttpDeviceServer? _http;
    private readonly Dictionary<string, SimOsdpReader> _osdpReaders = [];
    private readonly int _facility;
    private volatile DeviceTraffic _traffic = DeviceTraffic.Continues;
    /// <summary>Door and camera acts under way, but those at access controllers' doors (counted apart: they go on through a killing).</summary>
    private int _deviceActs;
    private int _controllerActs;
    private readonly BridgeServer _bridge;
    private readonly GroundTruth _truth;
    private readonly SimClock _clock;

    public SimCommunity(CommunityPlan plan, BridgeServer bridge, GroundTruth truth, SimClock clock, HttpDeviceServer? http = null, SimOsdpLine? osdp = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Plan = plan;
        Wiring = CommunityWiring.Of(plan);
        _bridge = bridge;
        _truth = truth;
        _clock = clock;
        _http = http;
        _facility = CommunityWiring.CardFacility(plan.Id);
        _gates = Wiring.Doors.Select(d => d.Door.Id).Concat(Wiring.Cameras.Select(c => c.Camera.Id)).ToDictionary(id => id, _ => new SemaphoreSlim(1, 1));
        foreach (var c in Wiring.Controllers)
        {
            http?.Add(plan.Id, c.Id, CommunityWiring.ControllerUser, CommunityWiring.ControllerPassword(plan.Id));
        }

        foreach (var c in http is null ? [] : Wiring.Cameras)
        {
            _ = c.Protocol == Edge.Gateway.Cameras.CameraProtocol.Onvif
                ? (SimHttpDevice)http!.AddOnvifCamera(plan.Id, c.Camera.Id, CommunityWiring.CameraUser, CommunityWiring.CameraPassword(plan.Id))
                : http!.AddCamera(plan.Id, c.Camera.Id, CommunityWiring.CameraUser, CommunityWiring.CameraPassword(plan.Id));
        }

        foreach (var r in osdp is null ? [] : Wiring.OsdpDoors.SelectMany(d => d.OsdpReaders))
        {
            _osdpReaders[r.Reader.Id] = osdp!.Add((byte)r.Address, CommunityWiring.OsdpKey(plan.Id, r.Reader.Id));
        }
    }

    public CommunityPlan Plan { get; }

    public string Id => Plan.Id;

    public CommunityWiring Wiring { get; }

    /// <summary>Buttons released, zone loops at their end-of-line resistance: before any gateway connects.</summary>
    public void Rest()
    {
        foreach (var b in Wiring.Buttons)
        {
            _bridge.SetLevel(Id, b.Pin, true);
        }

        foreach (var z in Wiring.Zones)
        {
            _bridge.SetAdc(Id, z.Channel, Divider.Counts(EndOfLineOhms));
        }

        // Wiegand lines idle high; door contacts closed (low), release and exit button not active (high).
        foreach (var d in Wiring.WiegandDoors)
        {
            _bridge.SetLevel(Id, d.ContactPin, false);
            _bridge.SetLevel(Id, d.ReleasePin, true);
            _bridge.SetLevel(Id, d.ExitPin, true);
            foreach (var r in d.WiegandReaders)
            {
                _bridge.SetLevel(Id, r.D0, true);
                _bridge.SetLevel(Id, r.D1, true);
            }
        }
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
        var simulated = door switch
        {
            ControllerWire => _http is not null,
            OsdpDoorWire => _osdpReaders.Count > 0,
            _ => true,
        };
        return simulated ? Reserve(door.Door.Id, door is ControllerWire) : null;
    }

    /// <summary>Holds one camera for an act (motion and its end, a blinding, an unplugging), as <see cref="ReserveDoor"/> does a door.</summary>
    public IDisposable? ReserveCamera(CameraWire camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        return _http is null ? null : Reserve(camera.Camera.Id, controller: false);
    }

    private Lease? Reserve(string device, bool controller)
    {
        bool Stopped() => _traffic == DeviceTraffic.Stopped || (_traffic == DeviceTraffic.ControllersOnly && !controller);
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

    /// <summary>
    /// A resident presents card <paramref name="card"/> at the door's reader number <paramref name="reader"/>.
    /// At a controller's door: access.granted, or access.denied for a card it does not know (<paramref name="granted"/>
    /// false). At a door the gateway runs (OSDP, Wiegand): access.card from the reader, and, when the lock controller
    /// knows the card, its release. Then the door opens a moment later and closes behind them or, with
    /// <paramref name="heldOpen"/>, stays open until it is held open.
    /// </summary>
    public Task SwipeAsync(DoorWire door, int reader, int card, bool granted, bool heldOpen, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(door);
        return door is ControllerWire controller
            ? SwipeAtControllerAsync(controller, card.ToString(System.Globalization.CultureInfo.InvariantCulture), granted, heldOpen, ct)
            : SwipeAtReaderAsync(door, reader % door.Readers.Count, card, granted, heldOpen, ct);
    }

    private async Task SwipeAtControllerAsync(ControllerWire controller, string card, bool granted, bool heldOpen, CancellationToken ct)
    {
        var sim = _http!.Controller(Id, controller.Id);
        var door = controller.Door.Id;
        if (!granted)
        {
            _truth.Expect(Id, door, EventTypes.AccessDenied, null, Now);
            sim.Send(5, 0x09, 1, card);
            return;
        }

        _truth.Expect(Id, door, EventTypes.AccessGranted, null, Now);
        sim.Send(5, 0x01, 1, card);
        await Hold(TimeSpan.FromMilliseconds(600), ct).ConfigureAwait(false);
        _truth.Expect(Id, door, EventTypes.DoorOpened, null, Now);
        sim.Send(5, 0x15, 1);
        await Hold(TimeSpan.FromMilliseconds(heldOpen ? 1500 : 2500), ct).ConfigureAwait(false);
        if (heldOpen)
        {
            _truth.Expect(Id, door, EventTypes.DoorHeldOpen, EventState.Active, Now);
            sim.Send(5, 0x18, 1);
            await Hold(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
            _truth.Expect(Id, door, EventTypes.DoorHeldOpen, EventState.Restored, Now);
        }

        _truth.Expect(Id, door, EventTypes.DoorClosed, null, Now);
        sim.Send(5, 0x16, 1);
    }

    private async Task SwipeAtReaderAsync(DoorWire door, int reader, int card, bool granted, bool heldOpen, CancellationToken ct)
    {
        var bits = WiegandDecoder.Encode(WiegandFormat.H10301, _facility, card);
        _truth.Expect(Id, door.Readers[reader].Id, EventTypes.AccessCard, null, Now);
        if (door is OsdpDoorWire osdp)
        {
            _osdpReaders[osdp.OsdpReaders[reader].Reader.Id].Present(bits);
        }
        else
        {
            var wire = ((WiegandDoorWire)door).WiegandReaders[reader];
            _bridge.Wiegand(Id, wire.D0, wire.D1, bits);
        }

        if (!granted)
        {
            return;
        }

        // The lock controller decides, releases the lock, and the resident pulls the door open.
        await Hold(TimeSpan.FromMilliseconds(300), ct).ConfigureAwait(false);
        Release(door, true);
        await Hold(TimeSpan.FromMilliseconds(300), ct).ConfigureAwait(false);
        var opened = Now;
        _truth.Expect(Id, door.Door.Id, EventTypes.DoorOpened, null, opened);
        if (heldOpen)
        {
            _truth.Expect(Id, door.Door.Id, EventTypes.DoorHeldOpen, EventState.Active, opened + CommunityWiring.HeldOpenAfter);
        }

        Contact(door, true);
        await Hold(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
        Release(door, false);
        // A resident walks through in a second; a door left open stays past the time it may be open.
        await Hold(heldOpen ? CommunityWiring.HeldOpenAfter + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(0.8), ct).ConfigureAwait(false);
        if (heldOpen)
        {
            _truth.Expect(Id, door.Door.Id, EventTypes.DoorHeldOpen, EventState.Restored, Now);
        }

        _truth.Expect(Id, door.Door.Id, EventTypes.DoorClosed, null, Now);
        Contact(door, false);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>A unit door is forced open and closed again a few seconds later.</summary>
    public async Task ForceDoorAsync(DoorWire door, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(door);
        var id = door.Door.Id;
        _truth.Expect(Id, id, EventTypes.DoorForced, EventState.Active, Now);
        if (door is ControllerWire controller)
        {
            var sim = _http!.Controller(Id, controller.Id);
            sim.Send(5, 0x17, 1);
            await Hold(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
            _truth.Expect(Id, id, EventTypes.DoorForced, EventState.Restored, Now);
            _truth.Expect(Id, id, EventTypes.DoorClosed, null, Now);
            sim.Send(5, 0x16, 1);
            return;
        }

        Contact(door, true);
        await Hold(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
        _truth.Expect(Id, id, EventTypes.DoorForced, EventState.Restored, Now);
        _truth.Expect(Id, id, EventTypes.DoorClosed, null, Now);
        Contact(door, false);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// An OSDP reader is unplugged for a while (device.offline after the 8 s OSDP allows, device.online on its return),
    /// and its case opened on the way back (device.tamper).
    /// </summary>
    public async Task UnplugReaderAsync(OsdpDoorWire door, int reader, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(door);
        var wire = door.OsdpReaders[reader % door.OsdpReaders.Count];
        var sim = _osdpReaders[wire.Reader.Id];
        _truth.Expect(Id, wire.Reader.Id, EventTypes.DeviceOffline, null, Now);
        sim.Silent = true;
        await Hold(hold, ct).ConfigureAwait(false);
        _truth.Expect(Id, wire.Reader.Id, EventTypes.DeviceOnline, null, Now);
        _truth.Expect(Id, wire.Reader.Id, EventTypes.DeviceTamper, null, Now);
        sim.Tamper = true;
        sim.Silent = false;
        // The gateway retries with backoff (up to 5 s) before the reader answers again.
        await Hold(TimeSpan.FromSeconds(6), ct).ConfigureAwait(false);
        sim.Tamper = false;
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>The lock controller's release signal: an OSDP door's first reader's input, or a GPIO line (low while released).</summary>
    private void Release(DoorWire door, bool released)
    {
        if (door is OsdpDoorWire osdp)
        {
            _osdpReaders[osdp.OsdpReaders[0].Reader.Id].SetInput(CommunityWiring.ReleaseInput, released);
        }
        else
        {
            _bridge.SetLevel(Id, ((WiegandDoorWire)door).ReleasePin, !released);
        }
    }

    /// <summary>The door contact: an OSDP door's first reader's input, or a GPIO line (high while open).</summary>
    private void Contact(DoorWire door, bool open)
    {
        if (door is OsdpDoorWire osdp)
        {
            _osdpReaders[osdp.OsdpReaders[0].Reader.Id].SetInput(CommunityWiring.ContactInput, open);
        }
        else
        {
            _bridge.SetLevel(Id, ((WiegandDoorWire)door).ContactPin, open);
        }
    }

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
        var options = new Edge.Gateway.Cameras.CameraOptions();
        var id = camera.Camera.Id;
        var since = Now;
        _truth.Expect(Id, id, EventTypes.CameraMotion, EventState.Active, since);
        var lastActive = since;
        if (camera.Protocol == Edge.Gateway.Cameras.CameraProtocol.Onvif)
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
        _truth.Expect(Id, id, EventTypes.CameraMotion, EventState.Restored, restore);
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

    /// <summary>A camera is blinded (covered, sprayed) for a while: camera.tamper, with its own picture, then restored.</summary>
    public async Task BlindAsync(CameraWire camera, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(camera);
        _truth.Expect(Id, camera.Camera.Id, EventTypes.CameraTamper, EventState.Active, Now);
        SendCamera(camera, EventTypes.CameraTamper, "shelteralarm", true);
        await Hold(hold, ct).ConfigureAwait(false);
        _truth.Expect(Id, camera.Camera.Id, EventTypes.CameraTamper, EventState.Restored, Now);
        SendCamera(camera, EventTypes.CameraTamper, "shelteralarm", false);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>A camera loses power or its cable: offline once it has been silent past the gateway's 30 s, online on its return.</summary>
    public async Task UnplugCameraAsync(CameraWire camera, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var sim = Device(camera);
        _truth.Expect(Id, camera.Camera.Id, EventTypes.DeviceOffline, null, Now);
        sim.Silent = true;
        await Hold(hold, ct).ConfigureAwait(false);
        _truth.Expect(Id, camera.Camera.Id, EventTypes.DeviceOnline, null, Now);
        sim.Silent = false;
        // The gateway reconnects with backoff before it hears the camera again.
        await Hold(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
    }

    /// <summary>How many pull-point subscriptions each ONVIF camera has had: taken before a gateway restarts.</summary>
    public IReadOnlyDictionary<string, int> OnvifSubscriptions() => _http is null
        ? new Dictionary<string, int>()
        : Wiring.Cameras.Where(c => c.Protocol == Edge.Gateway.Cameras.CameraProtocol.Onvif)
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

    private SimHttpDevice Device(CameraWire camera) => camera.Protocol == Edge.Gateway.Cameras.CameraProtocol.Onvif
        ? _http!.OnvifCamera(Id, camera.Camera.Id)
        : _http!.Camera(Id, camera.Camera.Id);

    /// <summary>Sends a camera condition: by its contract type to an ONVIF camera, by its ISAPI name to an ISAPI camera.</summary>
    private void SendCamera(CameraWire camera, string type, string isapiType, bool active)
    {
        if (camera.Protocol == Edge.Gateway.Cameras.CameraProtocol.Onvif)
        {
            _http!.OnvifCamera(Id, camera.Camera.Id).Send(type, active);
        }
        else
        {
            _http!.Camera(Id, camera.Camera.Id).Send(isapiType, active);
        }
    }

    /// <summary>A guard presses a button and holds it: alarm.panic active, then restored on release.</summary>
    public async Task PressAsync(ButtonWire button, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(button);
        _truth.Expect(Id, button.Device.Id, EventTypes.AlarmPanic, EventState.Active, Now);
        _bridge.SetLevel(Id, button.Pin, false);
        await Hold(hold, ct).ConfigureAwait(false);
        _truth.Expect(Id, button.Device.Id, EventTypes.AlarmPanic, EventState.Restored, Now);
        _bridge.SetLevel(Id, button.Pin, true);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>A zone is opened, cut or shorted for a while, then restored.</summary>
    public async Task DisturbAsync(ZoneWire zone, ZoneFault fault, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var (ohms, type) = fault switch
        {
            ZoneFault.Cut => (double.PositiveInfinity, EventTypes.AlarmCut),
            ZoneFault.Shorted => (100.0, EventTypes.AlarmTamper),
            _ => (2 * EndOfLineOhms, EventTypes.AlarmZone),
        };
        _truth.Expect(Id, zone.Device.Id, type, EventState.Active, Now);
        _bridge.SetAdc(Id, zone.Channel, Divider.Counts(ohms));
        await Hold(hold, ct).ConfigureAwait(false);
        _truth.Expect(Id, zone.Device.Id, type, EventState.Restored, Now);
        _bridge.SetAdc(Id, zone.Channel, Divider.Counts(EndOfLineOhms));
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The gateway's I/O board is unplugged for a while: every wired device goes device.offline, and device.online when
    /// it is plugged back in.
    /// </summary>
    public async Task UnplugAsync(TimeSpan hold, CancellationToken ct)
    {
        foreach (var id in Wiring.DeviceIds)
        {
            _truth.Expect(Id, id, EventTypes.DeviceOffline, null, Now);
        }

        _bridge.Unplug(Id);
        await Hold(hold, ct).ConfigureAwait(false);
        foreach (var id in Wiring.DeviceIds)
        {
            _truth.Expect(Id, id, EventTypes.DeviceOnline, null, Now);
        }

        _bridge.Plug(Id);
        // The gateway retries with backoff (up to 5 s) before it sees the hardware again.
        await Hold(TimeSpan.FromSeconds(6), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Contact bounce shorter than the debounce time: pulses of a few milliseconds that must raise nothing.
    /// </summary>
    public async Task ChatterAsync(ButtonWire button, int pulses, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(button);
        for (var i = 0; i < pulses; i++)
        {
            _bridge.SetLevel(Id, button.Pin, false);
            await Hold(TimeSpan.FromMilliseconds(2), ct).ConfigureAwait(false);
            _bridge.SetLevel(Id, button.Pin, true);
            await Hold(TimeSpan.FromMilliseconds(8), ct).ConfigureAwait(false);
        }

        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>Sends lines that are not bridge messages to the gateway; they must be counted and ignored.</summary>
    public void SendGarbage(Random random, int lines)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (var i = 0; i < lines; i++)
        {
            _bridge.SendRaw(Id, Garbage.Line(random));
        }
    }

    public void Dispose()
    {
        _busy.Dispose();
        foreach (var door in _gates.Values)
        {
            door.Dispose();
        }
    }

    private DateTimeOffset Now => _clock.Time.GetUtcNow();

    private Task Hold(TimeSpan real, CancellationToken ct) => _clock.DelayReal(real, ct);

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

/// <summary>What becomes of a community's door and camera acts while another act holds it.</summary>
public enum DeviceTraffic
{
    /// <summary>They go on.</summary>
    Continues,

    /// <summary>They stop: what the devices say meanwhile could not reach the station (the gateway is dead or blind to them).</summary>
    Stopped,

    /// <summary>Only the access controllers' doors go on: the gateway reads what it missed from their event logs.</summary>
    ControllersOnly,
}
