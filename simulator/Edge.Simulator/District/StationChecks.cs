using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;

namespace Edge.Simulator.District;

/// <summary>Everything the station probe's messages are checked against during a run, attached to the probe together.</summary>
internal sealed class StationChecks
{
    public StationChecks(SimClock clock)
    {
        Timeline = new Timeline(clock);
        Truth.Met += Timeline.OnMet;
    }

    /// <summary>Every event the simulator caused, and what arrived of it.</summary>
    public GroundTruth Truth { get; } = new();

    /// <summary>Events per second and latency over the run.</summary>
    public Timeline Timeline { get; }

    /// <summary>Killed gateways and how fast the station saw them offline.</summary>
    public Supervision Supervision { get; } = new();

    /// <summary>What queued while the station was away, and how it drained.</summary>
    public BacklogTracker Backlog { get; } = new();

    /// <summary>The snapshots events announced, and what arrived of them.</summary>
    public SnapshotCheck Snapshots { get; } = new();

    public void Attach(StationProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        probe.Received += Truth.Observe;
        probe.Received += Timeline.OnArrived;
        probe.Received += Supervision.Observe;
        probe.Received += Backlog.Observe;
        probe.Received += Snapshots.Observe;
    }
}
