using Edge.Contracts.Events;

namespace Edge.Simulator.Topology;

/// <summary>One simulated device: id (unique within its community), kind, name, location, and the cameras that cover it.</summary>
public sealed record DevicePlan(string Id, string Kind, string Name, Location Location, IReadOnlyList<string> Cameras);

/// <summary>The hardware of one community.</summary>
public sealed record CommunityPlan(
    string Id,
    int Buildings,
    IReadOnlyList<DevicePlan> Cameras,
    IReadOnlyList<DevicePlan> UnitDoors,
    IReadOnlyList<DevicePlan> AccessControls,
    IReadOnlyList<DevicePlan> AlarmButtons,
    IReadOnlyList<DevicePlan> Zones);
