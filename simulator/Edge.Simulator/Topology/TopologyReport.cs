namespace Edge.Simulator.Topology;

/// <summary>Prints a district: totals, how site sizes are spread, and each kind of site beyond the communities.</summary>
public static class TopologyReport
{
    public static void Print(IReadOnlyList<CommunityPlan> district, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(district);
        ArgumentNullException.ThrowIfNull(o);
        var kinds = district.GroupBy(c => c.Kind).ToList();
        o.WriteLine(kinds.Count == 1
            ? $"{district.Count} communities, {district.Sum(c => c.Buildings)} buildings"
            : $"{district.Count} sites ({string.Join(", ", kinds.Select(k => $"{k.Count()} {(k.Count() == 1 ? k.Key.ToString().ToLowerInvariant() : Plural(k.Key))}"))}), {district.Sum(c => c.Buildings)} buildings");
        o.WriteLine($"  cameras          {district.Sum(c => c.Cameras.Count),6}");
        o.WriteLine($"  unit doors       {district.Sum(c => c.UnitDoors.Count),6}");
        o.WriteLine($"  access controls  {district.Sum(c => c.AccessControls.Count),6}");
        o.WriteLine($"  alarm buttons    {district.Sum(c => c.AlarmButtons.Count),6}  (guard room + one column per 5 buildings)");
        o.WriteLine($"  zones            {district.Sum(c => c.Zones.Count),6}  (2 perimeter + one per 4 unit doors)");
        var cameras = district.Select(c => c.Cameras.Count).Order().ToList();
        o.WriteLine($"  cameras per {(kinds.Count == 1 ? "community" : "site")}: min {cameras[0]}, median {cameras[cameras.Count / 2]}, max {cameras[^1]}");
        var largest = district.OrderByDescending(c => c.Cameras.Count).First();
        o.WriteLine($"  largest: {largest.Id} with {largest.Buildings} buildings, {largest.Cameras.Count} cameras, {largest.UnitDoors.Count} unit doors, {largest.AccessControls.Count} access controls");
        if (kinds.Count > 1)
        {
            foreach (var kind in kinds)
            {
                o.WriteLine($"  {Plural(kind.Key)}: {kind.Count()}, cameras {kind.Sum(c => c.Cameras.Count)}, unit doors {kind.Sum(c => c.UnitDoors.Count)}, " +
                            $"access controls {kind.Sum(c => c.AccessControls.Count)}, alarm buttons {kind.Sum(c => c.AlarmButtons.Count)}, zones {kind.Sum(c => c.Zones.Count)}");
            }
        }
    }

    private static string Plural(SiteKind kind) => kind switch
    {
        SiteKind.Community => "communities",
        SiteKind.Campus => "campuses",
        _ => "hospitals",
    };
}
