namespace Edge.Simulator.Station;

/// <summary>
/// The doors the desk opened for officers, against the locks the simulated access controllers released: each
/// <c>door.open</c> the desk sent must open its door within the command's life, and nothing else may open a lock (an
/// attacker's command, a replay). The time from the command to the lock is its effect at the hardware.
/// </summary>
public sealed class DoorOpens(ResponseCheck check)
{
    private readonly Lock _lock = new();
    private readonly List<Expected> _expected = [];

    /// <summary>The desk sent a door.open for <paramref name="door"/>, living from <paramref name="sent"/> to <paramref name="until"/>.</summary>
    public void Expect(string community, string door, DateTimeOffset sent, DateTimeOffset until)
    {
        lock (_lock)
        {
            _expected.Add(new Expected(community, door, sent, until));
        }
    }

    /// <summary>A controller's remote control released a door's lock.</summary>
    public void Opened(string community, string door, DateTimeOffset at)
    {
        Expected? match;
        lock (_lock)
        {
            match = _expected.FirstOrDefault(e => e.Community == community && e.Door == door && e.Sent <= at);
            if (match is not null)
            {
                _expected.Remove(match);
            }
        }

        if (match is null)
        {
            check.Problem($"{community} {door} opened by its controller's remote control, and the desk had sent no door.open for it");
            return;
        }

        check.Effect(match.Sent, at);
        if (at > match.Until)
        {
            check.Problem($"{community} {door} opened {(at - match.Until).TotalSeconds:0.0} s after its door.open expired");
        }
    }

    /// <summary>Reports every door.open whose door never opened; call once the commands are answered.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            foreach (var e in _expected)
            {
                check.Problem($"{e.Community} {e.Door} never opened for the door.open sent at {e.Sent:HH:mm:ss.fff}");
            }

            _expected.Clear();
        }
    }

    private sealed record Expected(string Community, string Door, DateTimeOffset Sent, DateTimeOffset Until);
}
