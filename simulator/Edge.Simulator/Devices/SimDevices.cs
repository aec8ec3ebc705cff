using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Devices;

/// <summary>
/// What every family of a community's simulated devices acts with: the community's wiring, the bridge its wired devices
/// are on, the ground truth each act writes into before it touches a wire, and the simulated clock.
/// </summary>
public abstract class SimDevices(CommunityPlan plan, CommunityWiring wiring, BridgeServer bridge, GroundTruth truth, SimClock clock)
{
    /// <summary>How long an act waits after restoring a device before the next act may start.</summary>
    protected static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(400);

    public string Id { get; } = plan.Id;

    protected CommunityWiring Wiring { get; } = wiring;

    protected BridgeServer Bridge { get; } = bridge;

    protected GroundTruth Truth { get; } = truth;

    protected DateTimeOffset Now => clock.Time.GetUtcNow();

    /// <summary>Waits <paramref name="real"/> of real time (the simulated clock may run faster).</summary>
    protected Task Hold(TimeSpan real, CancellationToken ct) => clock.DelayReal(real, ct);
}
