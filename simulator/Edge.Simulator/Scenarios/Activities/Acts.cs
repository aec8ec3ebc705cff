using Edge.Simulator.Devices;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>The physical acts the activities share, with realistic spreads.</summary>
internal static class Acts
{
    /// <summary>A guard's press: held 0.3-1.5 s.</summary>
    public static Func<CancellationToken, Task> Press(SimCommunity community, Random random) =>
        Press(community, community.Wiring.Buttons[random.Next(community.Wiring.Buttons.Count)], TimeSpan.FromMilliseconds(random.Next(300, 1500)));

    public static Func<CancellationToken, Task> Press(SimCommunity community, Topology.ButtonWire button, TimeSpan hold) =>
        ct => community.Alarms.PressAsync(button, hold, ct);

    /// <summary>A zone disturbed for 1-4 s: mostly a door or fence contact opening, now and then a cut or a short.</summary>
    public static Func<CancellationToken, Task>? Disturb(SimCommunity community, Random random, ZoneFault? fault = null)
    {
        if (community.Wiring.Zones.Count == 0)
        {
            return null;
        }

        var zone = community.Wiring.Zones[random.Next(community.Wiring.Zones.Count)];
        var kind = fault ?? random.Next(10) switch
        {
            0 => ZoneFault.Cut,
            1 => ZoneFault.Shorted,
            _ => ZoneFault.Open,
        };
        var hold = TimeSpan.FromMilliseconds(random.Next(1000, 4000));
        return ct => community.Alarms.DisturbAsync(zone, kind, hold, ct);
    }
}
