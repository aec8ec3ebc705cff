namespace Edge.Simulator.Topology;

/// <summary>
/// The Zhengdong New District retrofit the simulator reproduces (../shared/reference/field-facts.md): 312 residential
/// communities with 6,111 cameras, 1,358 unit doors and 3,344 unit access control devices.
/// </summary>
public static class DistrictFigures
{
    public const int Communities = 312;
    public const int Cameras = 6_111;
    public const int UnitDoors = 1_358;
    public const int AccessControls = 3_344;
}
