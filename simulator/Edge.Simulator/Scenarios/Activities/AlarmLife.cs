namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// Everyday alarm traffic: button presses (guards testing, residents pressing a column) and zone alarms (garage and
/// e-bike room doors, fence contacts), at moments drawn by <see cref="DailyPoisson"/>. The means per community and
/// day are 1.5 presses and 3 zone alarms (docs/simulator.md).
/// </summary>
public sealed class AlarmLife(double pressesPerDay = 1.5, double zonesPerDay = 3) : IScenarioActivity
{
    public string Name => $"alarm life: {pressesPerDay} presses and {zonesPerDay} zone alarms per community per day";

    public Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        return DailyPoisson.RunAsync(context, (pressesPerDay + zonesPerDay) * context.Communities.Count, async () =>
        {
            var community = context.AnyCommunity();
            var act = context.Random.NextDouble() * (pressesPerDay + zonesPerDay) < pressesPerDay
                ? Acts.Press(community, context.Random)
                : Acts.Disturb(community, context.Random);
            if (act is not null)
            {
                // A community busy with the act before is skipped: its devices are not at rest.
                await context.TryActAsync(community, TimeSpan.Zero, act, ct).ConfigureAwait(false);
            }
        }, ct);
    }
}
