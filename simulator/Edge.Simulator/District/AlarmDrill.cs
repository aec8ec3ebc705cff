using System.Collections.Concurrent;
using Edge.Contracts.Events;
using Edge.Gateway.Alarms;
using Edge.Gateway.Hardware;
using Edge.Simulator.Hardware;
using Edge.Simulator.Station;

namespace Edge.Simulator.District;

/// <summary>
/// The alarm hardware of each simulated community (a guard-room button, a gate column, two supervised zones) and a
/// drill that presses a random community's button now and then. It keeps the ground truth of every press, and matches
/// the station's arrivals to it for the latency from the physical act.
/// </summary>
public sealed class AlarmDrill(BridgeServer hardware, IReadOnlyList<string> communities, int seed)
{
    public const int GuardRoomPin = 17;
    public const int GatePin = 18;
    public const int GuardRoomLed = 27;
    public const int GateLed = 28;
    private static readonly LoopDivider Divider = new();
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(1500);
    private readonly Random _random = new(seed);
    private readonly ConcurrentDictionary<(string Community, string Device), ConcurrentQueue<DateTimeOffset>> _presses = new();
    private readonly ConcurrentBag<double> _latenciesMs = [];
    private readonly ConcurrentDictionary<(string Community, int Pin), byte> _held = new();
    private readonly ConcurrentDictionary<(string Community, string Zone, string Type), ConcurrentQueue<DateTimeOffset>> _zoneEvents = new();
    private readonly ConcurrentDictionary<(string Community, int Channel), byte> _disturbed = new();
    private int _zonesDisturbed;
    private int _zoneAlarms;
    private int _pressed;
    private int _arrived;

    public int Pressed => Volatile.Read(ref _pressed);

    public int Arrived => Volatile.Read(ref _arrived);

    public IReadOnlyCollection<double> LatenciesMs => _latenciesMs;

    /// <summary>Zones opened, cut or shorted in the simulator.</summary>
    public int ZonesDisturbed => Volatile.Read(ref _zonesDisturbed);

    /// <summary>The matching zone alarms (alarm.zone, alarm.cut, alarm.tamper) that reached the station.</summary>
    public int ZoneAlarms => Volatile.Read(ref _zoneAlarms);

    /// <summary>The alarm devices every simulated community's gateway is configured with.</summary>
    public static (HardwareOptions Hardware, AlarmOptions Alarms) Configuration(Uri bridge) => (
        new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = bridge.ToString() },
        new AlarmOptions
        {
            Buttons =
            [
                new AlarmButtonOptions { Id = "btn-guardroom", Name = "Guard room button", Pin = GuardRoomPin, LedPin = GuardRoomLed, Location = new Location(null, null, "1", "guard room") },
                new AlarmButtonOptions { Id = "btn-gate", Name = "Gate alarm column", Pin = GatePin, LedPin = GateLed, DuressAfter = TimeSpan.FromSeconds(5), Location = new Location(null, null, "0", "main gate") },
            ],
            Zones =
            [
                new ZoneOptions { Id = "zone-perimeter", Name = "Perimeter fence", Channel = 0, Location = new Location(null, null, "0", "perimeter") },
                new ZoneOptions { Id = "zone-garage", Name = "Bicycle garage door", Channel = 1, Location = new Location(null, null, "-1", "e-bike garage") },
            ],
        });

    /// <summary>Buttons at rest and zone loops at their end-of-line resistance, before the gateways connect.</summary>
    public void Rest()
    {
        foreach (var c in communities)
        {
            hardware.SetLevel(c, GuardRoomPin, true);
            hardware.SetLevel(c, GatePin, true);
            hardware.SetAdc(c, 0, Divider.Counts(4_700));
            hardware.SetAdc(c, 1, Divider.Counts(4_700));
        }
    }

    /// <summary>Every <paramref name="every"/>, presses a random button or disturbs a random zone, until cancelled.</summary>
    public async Task RunAsync(TimeSpan every, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(every, ct).ConfigureAwait(false);
                var community = communities[_random.Next(communities.Count)];
                if (_random.Next(3) == 0)
                {
                    Disturb(community);
                    continue;
                }

                var (device, pin) = _random.Next(2) == 0 ? ("btn-guardroom", GuardRoomPin) : ("btn-gate", GatePin);
                if (!_held.TryAdd((community, pin), 0))
                {
                    // Still held from the last press: pressing it again changes nothing at the pin.
                    continue;
                }

                _presses.GetOrAdd((community, device), _ => new()).Enqueue(DateTimeOffset.UtcNow);
                Interlocked.Increment(ref _pressed);
                hardware.SetLevel(community, pin, false);
                _ = ReleaseLaterAsync(community, pin);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Opens a zone's contact, cuts its wire or shorts it, for a second, then restores the loop.</summary>
    private void Disturb(string community)
    {
        var channel = _random.Next(2);
        if (!_disturbed.TryAdd((community, channel), 0))
        {
            return;
        }

        var (ohms, type) = _random.Next(3) switch
        {
            0 => (double.PositiveInfinity, EventTypes.AlarmCut),
            1 => (100.0, EventTypes.AlarmTamper),
            _ => (9_400.0, EventTypes.AlarmZone),
        };
        var zone = channel == 0 ? "zone-perimeter" : "zone-garage";
        _zoneEvents.GetOrAdd((community, zone, type), _ => new()).Enqueue(DateTimeOffset.UtcNow);
        Interlocked.Increment(ref _zonesDisturbed);
        hardware.SetAdc(community, channel, Divider.Counts(ohms));
        _ = RestoreLaterAsync(community, channel);
    }

    private async Task RestoreLaterAsync(string community, int channel)
    {
        await Task.Delay(Hold).ConfigureAwait(false);
        hardware.SetAdc(community, channel, Divider.Counts(4_700));
        await Task.Delay(Hold).ConfigureAwait(false);
        _disturbed.TryRemove((community, channel), out _);
    }

    private async Task ReleaseLaterAsync(string community, int pin)
    {
        await Task.Delay(Hold).ConfigureAwait(false);
        hardware.SetLevel(community, pin, true);
        _held.TryRemove((community, pin), out _);
    }

    /// <summary>Matches an alarm arriving at the station to its press.</summary>
    public void OnArrived(ProbeMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m is { Event: { Type: EventTypes.AlarmPanic, State: EventState.Active } e, Duplicate: false }
            && _presses.TryGetValue((e.Community, e.Device.Id), out var queue) && queue.TryDequeue(out var pressedAt))
        {
            Interlocked.Increment(ref _arrived);
            _latenciesMs.Add((m.ReceivedAt - pressedAt).TotalMilliseconds);
        }
        else if (m is { Event: { State: EventState.Active } z, Duplicate: false }
                 && _zoneEvents.TryGetValue((z.Community, z.Device.Id, z.Type), out var zq) && zq.TryDequeue(out _))
        {
            Interlocked.Increment(ref _zoneAlarms);
        }
    }
}
