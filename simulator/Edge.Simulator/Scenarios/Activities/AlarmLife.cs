namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// Everyday alarm traffic: button presses (guards testing, residents pressing a column) and zone alarms (garage and
/// e-bike room doors, fence contacts), as a Poisson process whose rate follows the <see cref="DailyCurve"/>.
/// The means per community and day are 1.5 presses and 3 zone alarms (docs/simulator.md).
/// </summary>
public sealed class AlarmLife(double pressesPerDay = 1.5, double zonesPerDay = 3) : IScenarioActivity
{
    /// <summary>The longest simulated wait before the rate is looked at again (the curve moves).</summary>
    private static readonly TimeSpan Reconsider = TimeSpan.FromMinutes(10);

    public string Name => $"alarm life: {pressesPerDay} presses and {zonesPerDay} zone alarms per community per day";

    public async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var perDay = (pressesPerDay + zonesPerDay) * context.Communities.Count;
        while (!ct.IsCancellationRequested)
        {
            var rate = DailyCurve.PerSecond(perDay, context.Clock.TimeOfDay);
            var gap = TimeSpan.FromSeconds(-Math.Log(1 - context.Random.NextDouble()) / rate);
            if (gap > Reconsider)
            {
                // Memoryless: waiting part of the way and drawing again is the same process.
                await context.Clock.Delay(Reconsider, ct).ConfigureAwait(false);
                continue;
            }

            await context.Clock.Delay(gap, ct).ConfigureAwait(false);
            var community = context.AnyCommunity();
            var act = context.Random.NextDouble() * (pressesPerDay + zonesPerDay) < pressesPerDay
                ? Acts.Press(community, context.Random)
                : Acts.Disturb(community, context.Random);
            if (act is not null)
            {
                // A community busy with the act before is skipped: its devices are not at rest.
                await context.TryActAsync(community, TimeSpan.Zero, act, ct).ConfigureAwait(false);
            }
        }
    }
}
