namespace Edge.Simulator.Scenarios;

/// <summary>
/// Events of everyday life at random moments: a Poisson process whose rate follows the <see cref="DailyCurve"/> of
/// the simulated time of day. Memoryless, so a long gap is waited in parts and drawn again as the curve moves.
/// </summary>
public static class DailyPoisson
{
    /// <summary>The longest simulated wait before the rate is looked at again.</summary>
    private static readonly TimeSpan Reconsider = TimeSpan.FromMinutes(10);

    /// <summary>Calls <paramref name="occur"/> at each event, <paramref name="perDay"/> a day on average, until cancelled.</summary>
    public static async Task RunAsync(ScenarioContext context, double perDay, Func<Task> occur, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(occur);
        while (!ct.IsCancellationRequested)
        {
            var rate = DailyCurve.PerSecond(perDay, context.Clock.TimeOfDay);
            var gap = TimeSpan.FromSeconds(-Math.Log(1 - context.Random.NextDouble()) / rate);
            if (gap > Reconsider)
            {
                await context.Clock.Delay(Reconsider, ct).ConfigureAwait(false);
                continue;
            }

            await context.Clock.Delay(gap, ct).ConfigureAwait(false);
            await occur().ConfigureAwait(false);
        }
    }
}
