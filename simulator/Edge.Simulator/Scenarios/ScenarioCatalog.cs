using Edge.Simulator.Scenarios.Activities;

namespace Edge.Simulator.Scenarios;

/// <summary>
/// The named scenarios of <c>edge-sim run --scenario</c>. Each lists its activities; the door and camera issues add
/// their own activities (card swipes, motion, a camera blinded) to these lists.
/// </summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("normal", "daily life from 18:00: card swipes at the unit doors, button presses, zone alarms and camera motion at realistic rates along the daily curve",
            TimeSpan.FromHours(18), 60, [() => new AlarmLife(), () => new DoorLife(), () => new CameraLife()]),
        new("rush", "the morning peak from 07:00, when residents leave: the busiest hours of the daily curve at the doors",
            TimeSpan.FromHours(7), 60, [() => new AlarmLife(), () => new DoorLife(), () => new CameraLife()]),
        new("storm", "an alarm in every community within 5 seconds",
            TimeSpan.FromHours(21), 1, [() => new Storm()]),
        new("outage", "the station broker goes down at 20% of the run for up to 30 s and comes back; alarms and a background load queue meanwhile",
            TimeSpan.FromHours(10), 1, [() => new AlarmLife(), () => new Outage()], LoadPerGateway: 1),
        new("faults", "wires cut, I/O boards unplugged, uplinks cut, gateways killed and restarted, door readers and cameras unplugged, cameras blinded",
            TimeSpan.FromHours(14), 1, [() => new AlarmLife(), () => new DoorLife(), () => new CameraLife(), () => new Faults()]),
        new("fuzz", "devices send bad data: garbage on the bridge and contact bounce, with real presses in between",
            TimeSpan.FromHours(14), 1, [() => new Fuzz()]),
        new("response", "the police desk answers the alarm columns: acknowledges (most within a minute), dispatches, opens doors, asks for pictures, resolves; an attacker sends bad commands",
            TimeSpan.FromHours(22), 10, [() => new Response(), () => new Attacker()], Desk: true),
    ];

    public static IEnumerable<string> Names => All.Select(s => s.Name);

    public static Scenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
