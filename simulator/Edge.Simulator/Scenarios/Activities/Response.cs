using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Simulator.Devices;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// The police answer the alarm columns: a resident presses a column, and the desk acknowledges the alarm after a
/// realistic delay (most within the minute of the 1-3-5 rule, some late), dispatches officers, now and then opens a
/// unit door for them (behind an access controller, on the gateway's GPIO, behind OSDP readers) and asks a camera for a picture, and resolves the alarm. After each step the column's LED at the
/// simulated hardware must show it (<see cref="ColumnLeds"/>), and the gateway must tell the station so
/// (<c>device.indicator</c>). One incident at a time per community: it holds the community until it is resolved.
/// </summary>
public sealed class Response : IScenarioActivity
{
    /// <summary>How long the station watches the dark LED after a resolve.</summary>
    private static readonly TimeSpan WatchResolved = TimeSpan.FromSeconds(1.5);

    /// <summary>The life of the desk's alarm steps (the contract's default).</summary>
    private static readonly TimeSpan StepLife = TimeSpan.FromSeconds(30);

    public string Name => "response: the police desk acknowledges, dispatches and resolves every column alarm, opens doors and asks for pictures";

    public async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var desk = context.Desk ?? throw new InvalidOperationException("the response scenario needs the police desk");
        var withColumns = context.Communities.Where(c => c.Wiring.Buttons.Any(b => b.LedPin is not null)).ToList();
        context.Note(string.Create(CultureInfo.InvariantCulture, $"response: {withColumns.Count} communities have alarm columns; the police desk answers their alarms"));
        while (!ct.IsCancellationRequested && withColumns.Count > 0)
        {
            var community = withColumns[context.Random.Next(withColumns.Count)];
            var incident = Incident(context, desk, community, context.Random.Next());
            await context.TryActAsync(community, TimeSpan.Zero, incident, ct).ConfigureAwait(false);
            await context.Clock.DelayReal(TimeSpan.FromMilliseconds(context.Random.Next(200, 700)), ct).ConfigureAwait(false);
        }
    }

    /// <summary>One alarm from press to resolve, in the desk's own random stream.</summary>
    private static Func<CancellationToken, Task> Incident(ScenarioContext context, PoliceDesk desk, SimCommunity community, int seed) => async ct =>
    {
        var random = new Random(seed);
        var columns = community.Wiring.Buttons.Where(b => b.LedPin is not null).ToList();
        var column = columns[random.Next(columns.Count)];
        var raised = desk.NextAlarmAsync(community.Id, column.Device.Id);
        await community.Alarms.PressAsync(column, TimeSpan.FromMilliseconds(random.Next(300, 1200)), ct).ConfigureAwait(false);
        EdgeEvent alarm;
        try
        {
            alarm = await raised.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The ground truth reports the alarm lost; there is nothing to acknowledge.
            return;
        }

        desk.Check.AlarmRaised();
        // Most within the minute of the 1-3-5 rule, one in seven late.
        var acknowledgeAfter = random.Next(7) == 0 ? TimeSpan.FromSeconds(random.Next(61, 110)) : TimeSpan.FromSeconds(random.Next(5, 56));
        await context.Clock.Delay(acknowledgeAfter, ct).ConfigureAwait(false);
        var acknowledged = await StepAsync(desk, community, column, alarm, CommandTypes.AlarmAcknowledge).ConfigureAwait(false);
        await context.Clock.Delay(TimeSpan.FromSeconds(random.Next(20, 50)), ct).ConfigureAwait(false);
        Shown(desk, community, column, ColumnShows.Acknowledged, acknowledged);

        var dispatched = await StepAsync(desk, community, column, alarm, CommandTypes.AlarmDispatch).ConfigureAwait(false);
        var doors = community.Wiring.Doors.Where(community.Doors.Simulated).ToList();
        if (random.Next(3) == 0 && doors.Count > 0)
        {
            await OpenDoorAsync(desk, community, doors[random.Next(doors.Count)]).ConfigureAwait(false);
        }

        if (random.Next(3) == 0 && community.Wiring.Cameras.Count > 0)
        {
            var camera = community.Wiring.Cameras[random.Next(community.Wiring.Cameras.Count)].Camera.Id;
            var command = desk.Command(community.Id, CommandTypes.CameraSnapshot, new JsonObject { ["camera"] = camera }, StepLife);
            desk.Snapshots.ExpectCommanded(command.Id, camera, command.IssuedAt);
            await desk.SendAsync(command).ConfigureAwait(false);
        }

        await context.Clock.Delay(TimeSpan.FromSeconds(random.Next(25, 60)), ct).ConfigureAwait(false);
        Shown(desk, community, column, ColumnShows.Dispatched, dispatched);

        var resolved = await StepAsync(desk, community, column, alarm, CommandTypes.AlarmResolve).ConfigureAwait(false);
        await context.Clock.DelayReal(WatchResolved, ct).ConfigureAwait(false);
        Shown(desk, community, column, ColumnShows.Resolved, resolved);
    };

    /// <summary>Takes a step on the alarm (at the real desk when the run has one). The column's change is a device.indicator event the station must get.</summary>
    /// <returns>When the step was sent, the LED's level then, and when the gateway's answer came: the column shows
    /// the step by then (the gateway writes the LED as it applies the step, before it answers).</returns>
    private static async Task<Step> StepAsync(PoliceDesk desk, SimCommunity community, ButtonWire column, EdgeEvent alarm, string type)
    {
        var now = desk.Now;
        var before = desk.Leds.LevelAt(community.Id, column.LedPin!.Value, now);
        desk.Truth.Expect(community.Id, column.Device.Id, EventTypes.DeviceIndicator, null, now);
        var (sent, _) = await desk.StepAsync(community.Id, type, alarm.Id, CancellationToken.None).ConfigureAwait(false);
        return new Step(sent, before, desk.Now);
    }

    private sealed record Step(DateTimeOffset Sent, bool? Before, DateTimeOffset Answered);

    /// <summary>
    /// Checks what the column's LED showed since the step was sent; when the step's pattern begins at another level
    /// than the LED showed, the time to that change is the step's effect at the hardware. (One that begins at the level
    /// already shown changes it only at its pattern's first edge, 150-500 ms on: that is the pattern, not a delay.)
    /// </summary>
    private static void Shown(PoliceDesk desk, SimCommunity community, ButtonWire column, ColumnShows shows, Step step)
    {
        var led = column.LedPin!.Value;
        var now = desk.Now;
        if (step.Before is { } level && level != ColumnLeds.FirstLevel(shows) && desk.Leds.FirstWriteAfter(community.Id, led, step.Sent) is { } changed && changed <= now)
        {
            desk.Check.Effect(step.Sent, changed);
        }

        // From the answer on: before it, on a busy gateway, the LED may still show the step before.
        if (desk.Leds.Check(community.Id, led, shows, step.Answered, now) is { } wrong)
        {
            desk.Check.Problem($"{community.Id} {column.Device.Id} after {shows.ToString().ToLowerInvariant()}: the LED showed {wrong}");
        }
    }

    /// <summary>
    /// Opens a unit door for the officers: its lock (a controller's, a GPIO door's relay, an OSDP reader's output) must be
    /// released within the command's life, and no other. A controller logs the opening itself; the others are the
    /// gateway's to report.
    /// </summary>
    private static async Task OpenDoorAsync(PoliceDesk desk, SimCommunity community, DoorWire door)
    {
        var command = desk.Command(community.Id, CommandTypes.DoorOpen, new JsonObject { ["door"] = door.Door.Id }, TimeSpan.FromSeconds(10));
        desk.Doors.Expect(community.Id, door.Door.Id, command.IssuedAt, command.ExpiresAt);
        if (door is not ControllerWire)
        {
            desk.Truth.Expect(community.Id, door.Door.Id, EventTypes.AccessGranted, null, command.IssuedAt);
        }

        await desk.SendAsync(command).ConfigureAwait(false);
    }
}
