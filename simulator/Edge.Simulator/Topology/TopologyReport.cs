namespace Edge.Simulator.Topology;

/// <summary>Prints a district: totals, and how community sizes are spread.</summary>
public static class TopologyReport
{
    public static void Print(IReadOnlyList<CommunityPlan> district, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(district);
        ArgumentNullException.ThrowIfNull(o);
        o.WriteLine($"{district.Count} communities, {district.Sum(c => c.Buildings)} buildings");
        o.WriteLine($"  cameras          {district.Sum(c => c.Cameras.Count),6}");
        o.WriteLine($"  unit doors       {district.Sum(c => c.UnitDoors.Count),6}");
        o.WriteLine($"  access controls  {district.Sum(c => c.AccessControls.Count),6}");
        o.WriteLine($"  alarm buttons    {district.Sum(c => c.AlarmButtons.Count),6}  (guard room + one column per 5 buildings)");
        o.WriteLine($"  zones            {district.Sum(c => c.Zones.Count),6}  (2 perimeter + one per 4 unit doors)");
        var cameras = district.Select(c => c.Cameras.Count).Order().ToList();
        o.WriteLine($"  cameras per community: min {cameras[0]}, median {cameras[cameras.Count / 2]}, max {cameras[^1]}");
        var largest = district.OrderByDescending(c => c.Cameras.Count).First();
        o.WriteLine($"  largest: {largest.Id} with {largest.Buildings} buildings, {largest.Cameras.Count} cameras, {largest.UnitDoors.Count} unit doors, {largest.AccessControls.Count} access controls");
    }
}
