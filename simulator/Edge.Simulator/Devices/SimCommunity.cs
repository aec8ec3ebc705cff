using Edge.Contracts.Events;
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
/// One community's simulated hardware: its buttons and zones on the bridge, its unit doors' ISAPI controllers, and the
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
    private readonly Dictionary<string, SemaphoreSlim> _doors;
    private readonly IsapiServer? _isapi;
    private volatile bool _doorsClosed;
    private int _doorActs;
    private readonly BridgeServer _bridge;
    private readonly GroundTruth _truth;
    private readonly SimClock _clock;

    public SimCommunity(CommunityPlan plan, BridgeServer bridge, GroundTruth truth, SimClock clock, IsapiServer? isapi = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Plan = plan;
        Wiring = CommunityWiring.Of(plan);
        _bridge = bridge;
        _truth = truth;
        _clock = clock;
        _isapi = isapi;
        _doors = Wiring.Controllers.ToDictionary(c => c.Id, _ => new SemaphoreSlim(1, 1));
        foreach (var c in Wiring.Controllers)
        {
            isapi?.Add(plan.Id, c.Id, CommunityWiring.ControllerUser, CommunityWiring.ControllerPassword(plan.Id));
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
    }

    /// <summary>
    /// Holds the community for one act: waits up to <paramref name="wait"/> for the act before it to finish. Null when
    /// the community stayed busy (the caller skips or retries its act).
    /// </summary>
    /// <param name="exclusive">Also stop door traffic for the act (a gateway killed, its board unplugged): the acts
    /// under way at the doors finish first, and none starts until the act is over.</param>
    public async Task<IDisposable?> ReserveAsync(TimeSpan wait, CancellationToken ct, bool exclusive = false)
    {
        if (!await _busy.WaitAsync(wait, ct).ConfigureAwait(false))
        {
            return null;
        }

        if (!exclusive)
        {
            return new Lease(_busy);
        }

        _doorsClosed = true;
        while (Volatile.Read(ref _doorActs) > 0)
        {
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }

        return new Lease(_busy, () => _doorsClosed = false);
    }

    /// <summary>
    /// Holds one door for an act (a swipe and the door opening and closing): null when the door is busy or door traffic
    /// is stopped for an exclusive act. Door acts of different doors, and alarm acts, go on side by side.
    /// </summary>
    public IDisposable? ReserveDoor(ControllerWire controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        if (_isapi is null || _doorsClosed || !_doors[controller.Id].Wait(0))
        {
            return null;
        }

        Interlocked.Increment(ref _doorActs);
        if (_doorsClosed)
        {
            Interlocked.Decrement(ref _doorActs);
            _doors[controller.Id].Release();
            return null;
        }

        return new Lease(_doors[controller.Id], () => Interlocked.Decrement(ref _doorActs));
    }

    /// <summary>
    /// A resident presents a card. Granted: access.granted, the door opens a moment later and closes behind them (or,
    /// with <paramref name="heldOpen"/>, stays open until the controller reports it held open). Denied: access.denied.
    /// </summary>
    public async Task SwipeAsync(ControllerWire controller, string card, bool granted, bool heldOpen, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var sim = _isapi!.Controller(Id, controller.Id);
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

    /// <summary>A unit door is forced open and closed again a few seconds later.</summary>
    public async Task ForceDoorAsync(ControllerWire controller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var sim = _isapi!.Controller(Id, controller.Id);
        var door = controller.Door.Id;
        _truth.Expect(Id, door, EventTypes.DoorForced, EventState.Active, Now);
        sim.Send(5, 0x17, 1);
        await Hold(TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
        _truth.Expect(Id, door, EventTypes.DoorForced, EventState.Restored, Now);
        _truth.Expect(Id, door, EventTypes.DoorClosed, null, Now);
        sim.Send(5, 0x16, 1);
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
        foreach (var door in _doors.Values)
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
