using System.Globalization;
using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Devices;

// Over 300 lines: one community's doors of all three kinds (controllers, OSDP, Wiegand on GPIO) and their locks, acted on under the same door gates.
/// <summary>
/// A community's unit doors as residents and burglars use them: at ISAPI controllers (their events over HTTP), OSDP
/// readers on the community's line (the door on the first reader's inputs), and Wiegand readers with a door on the
/// bridge's GPIO.
/// </summary>
public sealed class SimDoors : SimDevices
{
    private readonly HttpDeviceServer? _http;
    private readonly Dictionary<string, SimOsdpReader> _osdpReaders = [];
    private readonly int _facility;

    public SimDoors(CommunityPlan plan, CommunityWiring wiring, BridgeServer bridge, GroundTruth truth, SimClock clock, HttpDeviceServer? http, SimOsdpLine? osdp)
        : base(plan, wiring, bridge, truth, clock)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(wiring);
        ArgumentNullException.ThrowIfNull(bridge);
        _http = http;
        _facility = CommunityWiring.CardFacility(Id);
        foreach (var c in wiring.Controllers)
        {
            if (http?.Add(Id, c.Id, CommunityWiring.ControllerUser, CommunityWiring.ControllerPassword(Id)) is SimController controller)
            {
                var door = c.Door.Id;
                controller.RemoteOpened += _ =>
                {
                    // The controller logs a remote opening: the station must see it as access granted at that door.
                    Truth.Expect(Id, door, EventTypes.AccessGranted, null, Now);
                    RemoteOpened?.Invoke(door, Now);
                };
            }
        }

        // The GPIO doors' lock relays: while the gateway drives one, the lock is released and its controller says so on the
        // release line (low), as a lock controller wired to the gateway does.
        var locks = wiring.WiegandDoors.ToDictionary(d => d.LockPin);
        bridge.OutputWritten += (community, pin, high) =>
        {
            if (community == Id && locks.TryGetValue(pin, out var door))
            {
                LockRelay(door, high);
            }
        };

        foreach (var r in wiring.OsdpDoors.SelectMany(d => d.OsdpReaders))
        {
            if (osdp is null)
            {
                break;
            }

            _osdpReaders[r.Reader.Id] = osdp.Add((byte)r.Address, CommunityWiring.OsdpKey(Id, r.Reader.Id));
        }

        // An OSDP door's lock relay is on its first reader's output 0: switched on by the reader's timer, the lock
        // controller says so on the release input, as for a GPIO door.
        foreach (var door in wiring.OsdpDoors.Where(d => _osdpReaders.ContainsKey(d.OsdpReaders[0].Reader.Id)))
        {
            var reader = _osdpReaders[door.OsdpReaders[0].Reader.Id];
            reader.OutputSwitched += (output, on, onFor) =>
            {
                if (output == CommunityWiring.LockOutput && on)
                {
                    _ = Task.Run(() => OsdpLockReleasedAsync(door, reader, onFor ?? TimeSpan.FromSeconds(5)));
                }
            };
        }
    }

    /// <summary>Raised when a door's lock was released from afar (its device id), with when: a controller's remote control, a GPIO door's relay.</summary>
    public event Action<string, DateTimeOffset>? RemoteOpened;

    private readonly HashSet<string> _released = [];

    private async Task OsdpLockReleasedAsync(OsdpDoorWire door, SimOsdpReader reader, TimeSpan onFor)
    {
        void Signal(bool released) => reader.SetInput(CommunityWiring.ReleaseInput, released);
        if (LockSwitched(door.Door.Id, released: true, Signal))
        {
            await Hold(onFor, CancellationToken.None).ConfigureAwait(false);
            LockSwitched(door.Door.Id, released: false, Signal);
        }
    }

    private void LockRelay(WiegandDoorWire door, bool released) =>
        LockSwitched(door.Door.Id, released, r => Bridge.SetLevel(Id, door.ReleasePin, !r));

    /// <summary>
    /// A door's lock relay switched: the lock controller signals the release on its line while it lasts, and a release
    /// is a remote opening. Only changes count (the gateway writes the relay's resting level when it starts); false
    /// when nothing changed.
    /// </summary>
    private bool LockSwitched(string door, bool released, Action<bool> signal)
    {
        lock (_released)
        {
            if (!(released ? _released.Add(door) : _released.Remove(door)))
            {
                return false;
            }
        }

        signal(released);
        if (released)
        {
            RemoteOpened?.Invoke(door, Now);
        }

        return true;
    }

    /// <summary>True when the door's devices are simulated in this run (controllers need the HTTP server, OSDP doors a line).</summary>
    public bool Simulated(DoorWire door) => door switch
    {
        ControllerWire => _http is not null,
        OsdpDoorWire => _osdpReaders.Count > 0,
        _ => true,
    };

    /// <summary>Door contacts closed (low), release and exit button not active (high), Wiegand lines idle high.</summary>
    public void Rest()
    {
        foreach (var d in Wiring.WiegandDoors)
        {
            Bridge.SetLevel(Id, d.ContactPin, false);
            Bridge.SetLevel(Id, d.ReleasePin, true);
            Bridge.SetLevel(Id, d.ExitPin, true);
            foreach (var r in d.WiegandReaders)
            {
                Bridge.SetLevel(Id, r.D0, true);
                Bridge.SetLevel(Id, r.D1, true);
            }
        }
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
            ? SwipeAtControllerAsync(controller, card.ToString(CultureInfo.InvariantCulture), granted, heldOpen, ct)
            : SwipeAtReaderAsync(door, reader % door.Readers.Count, card, granted, heldOpen, ct);
    }

    private async Task SwipeAtControllerAsync(ControllerWire controller, string card, bool granted, bool heldOpen, CancellationToken ct)
    {
        var sim = _http!.Controller(Id, controller.Id);
        var door = controller.Door.Id;
        if (!granted)
        {
            Truth.Expect(Id, door, EventTypes.AccessDenied, null, Now);
            sim.Send(5, 0x09, 1, card);
            return;
        }

        Truth.Expect(Id, door, EventTypes.AccessGranted, null, Now);
        sim.Send(5, 0x01, 1, card);
        await Hold(TimeSpan.FromMilliseconds(600), ct).ConfigureAwait(false);
        Truth.Expect(Id, door, EventTypes.DoorOpened, null, Now);
        sim.Send(5, 0x15, 1);
        await Hold(TimeSpan.FromMilliseconds(heldOpen ? 1500 : 2500), ct).ConfigureAwait(false);
        if (heldOpen)
        {
            Truth.Expect(Id, door, EventTypes.DoorHeldOpen, EventState.Active, Now);
            sim.Send(5, 0x18, 1);
            await Hold(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
            Truth.Expect(Id, door, EventTypes.DoorHeldOpen, EventState.Restored, Now);
        }

        Truth.Expect(Id, door, EventTypes.DoorClosed, null, Now);
        sim.Send(5, 0x16, 1);
    }

    private async Task SwipeAtReaderAsync(DoorWire door, int reader, int card, bool granted, bool heldOpen, CancellationToken ct)
    {
        var bits = WiegandDecoder.Encode(WiegandFormat.H10301, _facility, card);
        Truth.Expect(Id, door.Readers[reader].Id, EventTypes.AccessCard, null, Now);
        if (door is OsdpDoorWire osdp)
        {
            _osdpReaders[osdp.OsdpReaders[reader].Reader.Id].Present(bits);
        }
        else
        {
            var wire = ((WiegandDoorWire)door).WiegandReaders[reader];
            Bridge.Wiegand(Id, wire.D0, wire.D1, bits);
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
        Truth.Expect(Id, door.Door.Id, EventTypes.DoorOpened, null, opened);
        if (heldOpen)
        {
            Truth.Expect(Id, door.Door.Id, EventTypes.DoorHeldOpen, EventState.Active, opened + CommunityWiring.HeldOpenAfter);
        }

        Contact(door, true);
        await Hold(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
        Release(door, false);
        // A resident walks through in a second; a door left open stays past the time it may be open.
        await Hold(heldOpen ? CommunityWiring.HeldOpenAfter + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(0.8), ct).ConfigureAwait(false);
        if (heldOpen)
        {
            Truth.Expect(Id, door.Door.Id, EventTypes.DoorHeldOpen, EventState.Restored, Now);
        }

        Truth.Expect(Id, door.Door.Id, EventTypes.DoorClosed, null, Now);
        Contact(door, false);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>A unit door is forced open and closed again a few seconds later.</summary>
    public async Task ForceDoorAsync(DoorWire door, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(door);
        var id = door.Door.Id;
        Truth.Expect(Id, id, EventTypes.DoorForced, EventState.Active, Now);
        if (door is ControllerWire controller)
        {
            var sim = _http!.Controller(Id, controller.Id);
            sim.Send(5, 0x17, 1);
            await Hold(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
            Truth.Expect(Id, id, EventTypes.DoorForced, EventState.Restored, Now);
            Truth.Expect(Id, id, EventTypes.DoorClosed, null, Now);
            sim.Send(5, 0x16, 1);
            return;
        }

        Contact(door, true);
        await Hold(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
        Truth.Expect(Id, id, EventTypes.DoorForced, EventState.Restored, Now);
        Truth.Expect(Id, id, EventTypes.DoorClosed, null, Now);
        Contact(door, false);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// An OSDP reader is unplugged for a while (device.offline after the 8 s OSDP allows, device.online on its return),
    /// and its case opened on the way back (device.tamper), closed again a few seconds later (restored).
    /// </summary>
    public async Task UnplugReaderAsync(OsdpDoorWire door, int reader, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(door);
        var wire = door.OsdpReaders[reader % door.OsdpReaders.Count];
        var sim = _osdpReaders[wire.Reader.Id];
        Truth.Expect(Id, wire.Reader.Id, EventTypes.DeviceOffline, null, Now);
        sim.Silent = true;
        await Hold(hold, ct).ConfigureAwait(false);
        Truth.Expect(Id, wire.Reader.Id, EventTypes.DeviceOnline, null, Now);
        Truth.Expect(Id, wire.Reader.Id, EventTypes.DeviceTamper, EventState.Active, Now);
        sim.Tamper = true;
        sim.Silent = false;
        // The gateway retries with backoff (up to 5 s) before the reader answers again.
        await Hold(TimeSpan.FromSeconds(6), ct).ConfigureAwait(false);
        Truth.Expect(Id, wire.Reader.Id, EventTypes.DeviceTamper, EventState.Restored, Now);
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
            Bridge.SetLevel(Id, ((WiegandDoorWire)door).ReleasePin, !released);
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
            Bridge.SetLevel(Id, ((WiegandDoorWire)door).ContactPin, open);
        }
    }
}
