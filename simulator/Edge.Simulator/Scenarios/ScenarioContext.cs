using System.Collections.Concurrent;
using Edge.Simulator.Devices;
using Edge.Simulator.Gateways;
using Edge.Simulator.Station;

namespace Edge.Simulator.Scenarios;

/// <summary>
/// What a scenario's activities work with: simulated time, the communities' hardware, the gateways (none when they
/// run elsewhere), the station, and the journal of notable moments. Each activity gets its own random stream from the
/// run's seed, so a run is repeatable.
/// </summary>
public sealed class ScenarioContext
{
    private readonly ConcurrentDictionary<Task, byte> _acts;
    private readonly Journal _journal;

    public ScenarioContext(SimClock clock, TimeSpan duration, IReadOnlyList<SimCommunity> communities, GatewayFleet? gateways, StationControl station, BacklogTracker backlog, Journal journal, int seed, PoliceDesk? desk = null)
        : this(clock, duration, communities, gateways, station, backlog, journal, seed, new Random(seed), new ConcurrentDictionary<Task, byte>(), desk)
    {
    }

    private ScenarioContext(SimClock clock, TimeSpan duration, IReadOnlyList<SimCommunity> communities, GatewayFleet? gateways, StationControl station, BacklogTracker backlog, Journal journal, int seed, Random random, ConcurrentDictionary<Task, byte> acts, PoliceDesk? desk)
    {
        Desk = desk;
        Clock = clock;
        Duration = duration;
        Backlog = backlog;
        Communities = communities;
        Gateways = gateways;
        Station = station;
        _journal = journal;
        Seed = seed;
        Random = random;
        _acts = acts;
    }

    public SimClock Clock { get; }

    /// <summary>How long the scenario runs, in simulated time.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Watches the backlog of a station outage drain.</summary>
    public BacklogTracker Backlog { get; }

    public IReadOnlyList<SimCommunity> Communities { get; }

    /// <summary>The gateways, when the simulator runs them (not in <c>hardware</c> mode).</summary>
    public GatewayFleet? Gateways { get; }

    public StationControl Station { get; }

    /// <summary>The simulated police desk, in scenarios that answer alarms (<see cref="Scenario.Desk"/>).</summary>
    public PoliceDesk? Desk { get; }

    public int Seed { get; }

    /// <summary>This activity's random stream.</summary>
    public Random Random { get; }

    /// <summary>The context for the activity at <paramref name="index"/>: the same run, its own random stream.</summary>
    internal ScenarioContext ForActivity(int index) =>
        new(Clock, Duration, Communities, Gateways, Station, Backlog, _journal, Seed, new Random((Seed * 7919) + index), _acts, Desk);

    /// <summary>Notes a notable moment (a broker stopped, a gateway killed) in the console and the report.</summary>
    public void Note(string text) => _journal.Note(text);

    /// <summary>A random community.</summary>
    public SimCommunity AnyCommunity() => Communities[Random.Next(Communities.Count)];

    /// <summary>
    /// Performs an act on a community in the background, if the community is free within <paramref name="wait"/>.
    /// The act runs to its end (a pressed button is always released) even when the scenario's time is up.
    /// </summary>
    public async Task<bool> TryActAsync(SimCommunity community, TimeSpan wait, Func<CancellationToken, Task> act, CancellationToken ct, DeviceTraffic traffic = DeviceTraffic.Continues)
    {
        ArgumentNullException.ThrowIfNull(community);
        ArgumentNullException.ThrowIfNull(act);
        if (!Allowed(community, controller: false))
        {
            return false;
        }

        var lease = await community.ReserveAsync(wait, ct, traffic).ConfigureAwait(false);
        return lease is not null && Run(lease, act);
    }

    /// <summary>Performs a door act in the background, if the door is free (see <see cref="SimCommunity.ReserveDoor"/>).</summary>
    public bool TryDoorAct(SimCommunity community, Topology.DoorWire door, Func<CancellationToken, Task> act)
    {
        ArgumentNullException.ThrowIfNull(community);
        if (!Allowed(community, door is Topology.ControllerWire))
        {
            return false;
        }

        var lease = community.ReserveDoor(door);
        return lease is not null && Run(lease, act);
    }

    /// <summary>Performs a camera act in the background, if the camera is free (see <see cref="SimCommunity.ReserveCamera"/>).</summary>
    public bool TryCameraAct(SimCommunity community, Topology.CameraWire camera, Func<CancellationToken, Task> act)
    {
        ArgumentNullException.ThrowIfNull(community);
        if (!Allowed(community, controller: false))
        {
            return false;
        }

        var lease = community.ReserveCamera(camera);
        return lease is not null && Run(lease, act);
    }

    /// <summary>False when the community's gateway is away (see <see cref="SimCommunity.GatewayPresent"/>); the first such act of an absence is noted.</summary>
    private bool Allowed(SimCommunity community, bool controller)
    {
        if (community.AllowsAct(controller, out var first))
        {
            return true;
        }

        if (first)
        {
            Note($"{community.Id}'s gateway is not on the hardware bridge: acts at its alarm devices, readers, GPIO doors and cameras wait until it is back (its access controllers' doors go on, their logs keep the events)");
        }

        return false;
    }

    private bool Run(IDisposable lease, Func<CancellationToken, Task> act)
    {
        var task = Task.Run(async () =>
        {
            using (lease)
            {
                await act(CancellationToken.None).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        _acts[task] = 0;
        _ = task.ContinueWith(t => _acts.TryRemove(t, out _), TaskScheduler.Default);
        return true;
    }

    /// <summary>Waits for every act under way.</summary>
    public Task ActsFinishedAsync() => Task.WhenAll(_acts.Keys.ToList());

    /// <summary>Acts under way (a door being used, a camera's motion, a board unplugged).</summary>
    public int ActsUnderWay => _acts.Count;
}
