using Edge.Contracts.Events;

namespace Edge.Simulator.Topology;

/// <summary>
/// Generates the district deterministically from a seed. Community sizes follow a skewed (log-normal) spread, from a
/// few old buildings to large new estates. The district totals of cameras, unit doors and access controls are
/// apportioned exactly (largest remainder), with at least one of each per community. Alarm devices are not in the
/// report, so they follow a rule documented in docs/simulator.md:
/// - one guard-room button, plus one alarm column per five buildings (at least one, at the main gate);
/// - two perimeter zones, plus one zone per four unit doors (garages, e-bike rooms, back gates).
/// </summary>
public static class DistrictTopology
{
    public static IReadOnlyList<CommunityPlan> Generate(int seed, int communities = DistrictFigures.Communities)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(communities, 1);
        var random = new Random(seed);

        // Sizes of the whole district are drawn first, so the first N communities are the same whatever N is.
        var weights = Enumerable.Range(0, DistrictFigures.Communities).Select(_ => LogNormal(random, 0, 0.6)).ToArray();
        var doors = Apportion(DistrictFigures.UnitDoors, weights);
        var controls = Apportion(DistrictFigures.AccessControls, doors.Select(d => (double)d).ToArray());
        var cameras = Apportion(DistrictFigures.Cameras, weights);
        return Enumerable.Range(0, Math.Min(communities, DistrictFigures.Communities))
            .Select(i => Community(i, doors[i], controls[i], cameras[i], random))
            .ToList();
    }

    /// <summary>
    /// Splits <paramref name="total"/> in proportion to <paramref name="weights"/>: one each first, then the largest
    /// remainders. The parts always add up to the total exactly.
    /// </summary>
    public static int[] Apportion(int total, double[] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (total < weights.Length)
        {
            throw new ArgumentException($"{total} cannot give at least one to each of {weights.Length}", nameof(total));
        }

        var parts = Enumerable.Repeat(1, weights.Length).ToArray();
        var rest = total - weights.Length;
        var sum = weights.Sum();
        var shares = weights.Select(w => w / sum * rest).ToArray();
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] += (int)Math.Floor(shares[i]);
        }

        var left = total - parts.Sum();
        foreach (var i in Enumerable.Range(0, parts.Length).OrderByDescending(i => shares[i] - Math.Floor(shares[i])).ThenBy(i => i).Take(left))
        {
            parts[i]++;
        }

        return parts;
    }

    private static CommunityPlan Community(int index, int doors, int controls, int cameras, Random random)
    {
        var id = $"c{index + 1:000}";
        var buildings = Math.Max(1, (int)Math.Ceiling(doors / (1.0 + random.NextDouble())));
        string Building(int n) => ((n % buildings) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var cams = Enumerable.Range(1, cameras).Select(n => n == 1
            ? new DevicePlan($"cam-{n:000}", "camera", "Main gate camera", new Location(null, null, "0", "main gate"), [])
            : new DevicePlan($"cam-{n:000}", "camera", $"Camera {n}", new Location(Building(n), "1", "0", n % 3 == 0 ? "lobby" : "outside"), []))
            .ToList();
        string CameraFor(string building) =>
            cams.FirstOrDefault(c => c.Location.Building == building)?.Id ?? cams[0].Id;

        var unitDoors = Enumerable.Range(1, doors)
            .Select(n => new DevicePlan($"door-{n:000}", "door", $"Building {Building(n)} unit door",
                new Location(Building(n), "1", "1", "unit entrance"), [CameraFor(Building(n))]))
            .ToList();
        var accessControls = Enumerable.Range(1, controls)
            .Select(n => unitDoors[(n - 1) % unitDoors.Count])
            .Select((door, n) => new DevicePlan($"reader-{n + 1:000}", "reader", $"{door.Name} reader", door.Location, door.Cameras))
            .ToList();

        var columns = Math.Max(1, (int)Math.Ceiling(buildings / 5.0));
        var buttons = new List<DevicePlan> { new("btn-guardroom", "alarm-button", "Guard room button", new Location(null, null, "1", "guard room"), [cams[0].Id]) };
        buttons.AddRange(Enumerable.Range(1, columns).Select(n => new DevicePlan($"btn-column-{n:00}", "alarm-button",
            n == 1 ? "Main gate alarm column" : $"Alarm column {n}", new Location(n == 1 ? null : Building(n * 5), null, "0", n == 1 ? "main gate" : "square"),
            [n == 1 ? cams[0].Id : CameraFor(Building(n * 5))])));

        var zoneCount = 2 + doors / 4;
        var zones = Enumerable.Range(1, zoneCount).Select(n => new DevicePlan($"zone-{n:00}", "zone",
            n <= 2 ? $"Perimeter fence {n}" : $"Garage door {n - 2}",
            new Location(n <= 2 ? null : Building(n), null, n <= 2 ? "0" : "-1", n <= 2 ? "perimeter" : "e-bike garage"),
            [n <= 2 ? cams[0].Id : CameraFor(Building(n))])).ToList();

        return new CommunityPlan(id, buildings, cams, unitDoors, accessControls, buttons, zones);
    }

    /// <summary>A log-normal draw (Box-Muller): a few large estates, many small communities.</summary>
    private static double LogNormal(Random random, double mu, double sigma)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Exp(mu + sigma * normal);
    }
}
