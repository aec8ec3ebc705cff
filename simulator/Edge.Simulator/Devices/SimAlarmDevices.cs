using Edge.Contracts.Events;
using Edge.Gateway.Alarms;
using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Devices;

/// <summary>
/// A community's alarm devices on the bridge: buttons pressed by guards, supervised zones opened, cut or shorted, the
/// gateway's I/O board unplugged, and the bad input a broken board sends (contact bounce, garbage lines).
/// </summary>
public sealed class SimAlarmDevices(CommunityPlan plan, CommunityWiring wiring, BridgeServer bridge, GroundTruth truth, SimClock clock)
    : SimDevices(plan, wiring, bridge, truth, clock)
{
    private static readonly LoopDivider Divider = new();
    private const double EndOfLineOhms = 4_700;
    private static readonly TimeSpan BouncePeriod = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan BounceWidth = TimeSpan.FromMilliseconds(2);

    /// <summary>Buttons released, zone loops at their end-of-line resistance.</summary>
    public void Rest()
    {
        foreach (var b in Wiring.Buttons)
        {
            Bridge.SetLevel(Id, b.Pin, true);
        }

        foreach (var z in Wiring.Zones)
        {
            Bridge.SetAdc(Id, z.Channel, Divider.Counts(EndOfLineOhms));
        }
    }

    /// <summary>A guard presses a button and holds it: alarm.panic active, then restored on release.</summary>
    public async Task PressAsync(ButtonWire button, TimeSpan hold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(button);
        Truth.Expect(Id, button.Device.Id, EventTypes.AlarmPanic, EventState.Active, Now);
        Bridge.SetLevel(Id, button.Pin, false);
        await Hold(hold, ct).ConfigureAwait(false);
        Truth.Expect(Id, button.Device.Id, EventTypes.AlarmPanic, EventState.Restored, Now);
        Bridge.SetLevel(Id, button.Pin, true);
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
        Truth.Expect(Id, zone.Device.Id, type, EventState.Active, Now);
        Bridge.SetAdc(Id, zone.Channel, Divider.Counts(ohms));
        await Hold(hold, ct).ConfigureAwait(false);
        Truth.Expect(Id, zone.Device.Id, type, EventState.Restored, Now);
        Bridge.SetAdc(Id, zone.Channel, Divider.Counts(EndOfLineOhms));
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
            Truth.Expect(Id, id, EventTypes.DeviceOffline, null, Now);
        }

        Bridge.Unplug(Id);
        await Hold(hold, ct).ConfigureAwait(false);
        foreach (var id in Wiring.DeviceIds)
        {
            Truth.Expect(Id, id, EventTypes.DeviceOnline, null, Now);
        }

        Bridge.Plug(Id);
        // The gateway retries with backoff (up to 5 s) before it sees the hardware again.
        await Hold(TimeSpan.FromSeconds(6), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Contact bounce shorter than the debounce time: pulses of a few milliseconds that must raise nothing.
    /// </summary>
    public async Task ChatterAsync(ButtonWire button, int pulses, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(button);

        // Pulses of 2 ms every 10 ms that have just happened: they go out in one write, each edge with its time, so
        // however late this busy process gets to send them they stay 2 ms long, as on a real contact.
        var start = Bridge.Now - (BouncePeriod * pulses);
        var train = new List<(bool High, DateTimeOffset At)>(pulses * 2);
        for (var i = 0; i < pulses; i++)
        {
            train.Add((false, start + (BouncePeriod * i)));
            train.Add((true, start + (BouncePeriod * i) + BounceWidth));
        }

        Bridge.Pulses(Id, button.Pin, train);
        await Hold(Settle, ct).ConfigureAwait(false);
    }

    /// <summary>Sends lines that are not bridge messages to the gateway; they must be counted and ignored.</summary>
    public void SendGarbage(Random random, int lines)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (var i = 0; i < lines; i++)
        {
            Bridge.SendRaw(Id, Garbage.Line(random));
        }
    }
}
