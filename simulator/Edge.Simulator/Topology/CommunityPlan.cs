using Edge.Contracts.Events;

namespace Edge.Simulator.Topology;

/// <summary>One simulated device: id (unique within its community), kind, name, location, and the cameras that cover it.</summary>
public sealed record DevicePlan(string Id, string Kind, string Name, Location Location, IReadOnlyList<string> Cameras);

/// <summary>What a site of the district is. The contract calls every site a community (its topic level and gateway id).</summary>
public enum SiteKind
{
    /// <summary>A residential community (<c>c001</c>-<c>c1488</c>; the retrofitted 312 first).</summary>
    Community,

    /// <summary>A school or university campus (<c>u001</c>-<c>u377</c>).</summary>
    Campus,

    /// <summary>A hospital (<c>h01</c>-<c>h38</c>), with one-key alarms at its nurse stations.</summary>
    Hospital,
}

/// <summary>The hardware of one site (a community, a campus or a hospital).</summary>
public sealed record CommunityPlan(
    string Id,
    int Buildings,
    IReadOnlyList<DevicePlan> Cameras,
    IReadOnlyList<DevicePlan> UnitDoors,
    IReadOnlyList<DevicePlan> AccessControls,
    IReadOnlyList<DevicePlan> AlarmButtons,
    IReadOnlyList<DevicePlan> Zones,
    SiteKind Kind = SiteKind.Community);
