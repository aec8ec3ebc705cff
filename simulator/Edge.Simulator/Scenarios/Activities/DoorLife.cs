using System.Globalization;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// Residents at the unit doors, whatever reads them (a network controller, OSDP or Wiegand readers): card swipes along
/// the <see cref="DailyCurve"/> (100 per door per day on average) at a random reader of the door, 3% of them with a
/// card the door does not open for (unknown or expired), one in 200 doors left open until it is held open, and now
/// and then a door forced (0.02 per door per day). Each resident carries a card of their own community.
/// </summary>
public sealed class DoorLife(double swipesPerDoorPerDay = 100, double forcedPerDoorPerDay = 0.02) : IScenarioActivity
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"door life: {swipesPerDoorPerDay} swipes per door per day");

    public Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var doors = context.Communities.SelectMany(c => c.Wiring.Doors.Select(d => (Community: c, Door: d))).ToList();
        if (doors.Count == 0)
        {
            return Task.CompletedTask;
        }

        return DailyPoisson.RunAsync(context, (swipesPerDoorPerDay + forcedPerDoorPerDay) * doors.Count, () =>
        {
            var (community, door) = doors[context.Random.Next(doors.Count)];
            if (context.Random.NextDouble() * (swipesPerDoorPerDay + forcedPerDoorPerDay) < forcedPerDoorPerDay)
            {
                context.TryDoorAct(community, door, token => community.Doors.ForceDoorAsync(door, token));
                return Task.CompletedTask;
            }

            var reader = context.Random.Next(door.Readers.Count);
            var card = context.Random.Next(1, 3000);
            var granted = context.Random.NextDouble() >= 0.03;
            var heldOpen = granted && context.Random.Next(200) == 0;
            context.TryDoorAct(community, door, token => community.Doors.SwipeAsync(door, reader, card, granted, heldOpen, token));
            return Task.CompletedTask;
        }, ct);
    }
}
