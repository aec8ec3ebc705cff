namespace Edge.Simulator.Scenarios;

/// <summary>
/// One part of a scenario: a loop that performs physical acts (presses, cut wires), operates the station or the
/// gateways, until the scenario's time is up. Door and camera activities plug into the scenarios the same way.
/// </summary>
public interface IScenarioActivity
{
    /// <summary>What it does, for the journal and the docs.</summary>
    string Name { get; }

    /// <summary>Runs until <paramref name="ct"/> is cancelled at the end of the scenario's time.</summary>
    Task RunAsync(ScenarioContext context, CancellationToken ct);
}

/// <summary>
/// A named, documented, repeatable script: its activities, the simulated time of day it starts at, its default time
/// acceleration, the background load (device.test events per gateway per second) it wants, if any, and whether the
/// police desk answers the alarms (its gateways are then configured with the desk's signing key).
/// </summary>
public sealed record Scenario(
    string Name,
    string Summary,
    TimeSpan StartOfDay,
    double DefaultSpeed,
    IReadOnlyList<Func<IScenarioActivity>> Activities,
    double LoadPerGateway = 0,
    bool Desk = false)
{
    /// <summary>
    /// Runs every activity until <paramref name="duration"/> of real time has passed, then waits for the acts under way
    /// to finish (a camera's motion holds it up to 16 s, an unplugged camera 45 s): no act is cut off in the middle,
    /// which would leave the station an event without its end. <paramref name="onTimeUp"/> hears how many are still under
    /// way when the time is up.
    /// </summary>
    public async Task RunAsync(ScenarioContext context, TimeSpan duration, CancellationToken ct, Action<int>? onTimeUp = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var timeUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeUp.CancelAfter(duration);
        var running = Activities.Select((make, i) => RunOneAsync(make(), context.ForActivity(i), timeUp.Token)).ToList();
        await Task.WhenAll(running).ConfigureAwait(false);
        try
        {
            // Activities that end early (a storm is over) leave the district running to the end of the time.
            await Task.Delay(Timeout.InfiniteTimeSpan, timeUp.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        onTimeUp?.Invoke(context.ActsUnderWay);
        await context.ActsFinishedAsync().ConfigureAwait(false);
    }

    private static async Task RunOneAsync(IScenarioActivity activity, ScenarioContext context, CancellationToken ct)
    {
        try
        {
            await activity.RunAsync(context, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
