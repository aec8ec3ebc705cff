namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// Devices send bad data: every 300 ms a community's gateway gets garbage lines on its hardware bridge (random bytes,
/// near-miss messages, overlong lines), contact bounce shorter than the debounce time on a button, and then a real
/// press with more garbage around it. The garbage and the bounce must raise nothing; the press must arrive.
/// </summary>
public sealed class Fuzz : IScenarioActivity
{
    public string Name => "fuzz: garbage on the bridge, contact bounce, real presses in between";

    public async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        while (!ct.IsCancellationRequested)
        {
            await context.Clock.Delay(TimeSpan.FromMilliseconds(300), ct).ConfigureAwait(false);
            var community = context.AnyCommunity();
            var random = new Random(context.Random.Next());
            var button = community.Wiring.Buttons[random.Next(community.Wiring.Buttons.Count)];
            await context.TryActAsync(community, TimeSpan.Zero, async token =>
            {
                community.Alarms.SendGarbage(random, 20);
                await community.Alarms.ChatterAsync(button, 3, token).ConfigureAwait(false);
                community.Alarms.SendGarbage(random, 5);
                var press = Acts.Press(community, button, TimeSpan.FromMilliseconds(random.Next(200, 800)));
                var pressing = press(token);
                community.Alarms.SendGarbage(random, 5);
                await pressing.ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
    }
}
