namespace Edge.Simulator.Topology;

/// <summary>
/// The Zhengdong New District the simulator reproduces (../shared/reference/field-facts.md). The retrofit: 312
/// residential communities with 6,111 cameras, 1,358 unit doors and 3,344 unit access control devices, their counts
/// exact. The whole district: 1,488 smart communities (the 312 among them), 377 campuses and 38 hospitals, 1,903 sites.
/// </summary>
public static class DistrictFigures
{
    public const int Communities = 312;
    public const int Cameras = 6_111;
    public const int UnitDoors = 1_358;
    public const int AccessControls = 3_344;

    public const int SmartCommunities = 1_488;
    public const int Campuses = 377;
    public const int Hospitals = 38;

    /// <summary>Every site of the district: communities first (the retrofitted 312 leading), then campuses, then hospitals.</summary>
    public const int Sites = SmartCommunities + Campuses + Hospitals;
}
