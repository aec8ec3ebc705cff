using System.Globalization;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// The station goes away at 20% of the run and comes back after 30 s (or half the run when it is shorter). While it
/// is away, a button is pressed in one community in ten, so every gateway holds a backlog with alarms in it; the
/// scenario's background load (device.test events) fills the lower lanes. The report shows how the backlog drained.
/// </summary>
public sealed class Outage(double startFraction = 0.2, double maxDownS = 30) : IScenarioActivity
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"outage: the station away for up to {maxDownS} s");

    public async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = context.Duration * startFraction;
        var down = TimeSpan.FromSeconds(Math.Min(maxDownS, context.Duration.TotalSeconds / 2));
        await context.Clock.DelayUntil(start, ct).ConfigureAwait(false);
        context.Note($"outage: {context.Station.Outage} for {down.TotalSeconds:0} s");
        context.Backlog.Down(context.Clock.Time.GetUtcNow());
        await context.Station.GoDownAsync().ConfigureAwait(false);
        try
        {
            var pressing = Math.Max(3, context.Communities.Count / 10);
            var presses = context.Communities.OrderBy(_ => context.Random.Next()).Take(pressing)
                .Select(c => (Community: c, At: start + (down * (0.1 + (0.7 * context.Random.NextDouble()))), Act: Acts.Press(c, context.Random)))
                .ToList();
            await Task.WhenAll(presses.Select(async p =>
            {
                await context.Clock.DelayUntil(p.At, CancellationToken.None).ConfigureAwait(false);
                await context.TryActAsync(p.Community, TimeSpan.FromSeconds(5), p.Act, CancellationToken.None).ConfigureAwait(false);
            })).ConfigureAwait(false);
            await context.Clock.DelayUntil(start + down, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await context.Station.ComeBackAsync(CancellationToken.None).ConfigureAwait(false);
            context.Backlog.Up(context.Clock.Time.GetUtcNow());
            context.Note("outage over: the station is back");
        }
    }
}
