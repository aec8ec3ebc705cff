using System.Globalization;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// An alarm in every community within a few seconds: the guard-room button of each community is pressed once, at a
/// random moment of a <paramref name="windowS"/>-second window that opens <paramref name="afterS"/> seconds in.
/// </summary>
public sealed class Storm(double afterS = 2, double windowS = 5) : IScenarioActivity
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"storm: every community's guard-room button within {windowS} s");

    public async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Clock.Delay(TimeSpan.FromSeconds(afterS), ct).ConfigureAwait(false);
        context.Note($"storm: pressing the guard-room button of all {context.Communities.Count} communities within {windowS} s");
        var presses = context.Communities.Select(c => (Community: c, At: TimeSpan.FromSeconds(afterS + (context.Random.NextDouble() * windowS)))).ToList();
        await Task.WhenAll(presses.Select(async p =>
        {
            await context.Clock.DelayUntil(p.At, ct).ConfigureAwait(false);
            var button = p.Community.Wiring.Buttons[0];
            await context.TryActAsync(p.Community, TimeSpan.FromSeconds(10), Acts.Press(p.Community, button, TimeSpan.FromSeconds(1)), ct).ConfigureAwait(false);
        })).ConfigureAwait(false);
    }
}
