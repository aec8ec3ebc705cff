using Edge.Contracts.Events;

namespace Edge.Simulator.Topology;

/// <summary>
/// Generates the district deterministically from a seed. Community sizes follow a skewed (log-normal) spread, from a
/// few old buildings to large new estates. The retrofit's totals of cameras, unit doors and access controls are
/// apportioned exactly over its 312 communities (largest remainder), with at least one of each per community. The rest
/// of the district's 1,903 sites are drawn from a stream of their own, so the 312 are the same whatever the number of
/// sites: the other 1,176 smart communities at the retrofit's average per community; campuses (gates, dormitory and
/// teaching building doors with two readers each, many cameras); hospitals (ward, pharmacy and ICU doors, more cameras
/// still, and one-key alarms at the nurse stations). Alarm devices are not in the report, so they follow a rule
/// documented in docs/simulator.md:
/// - one guard-room button, plus one alarm column per five buildings (at least one, at the main gate);
/// - two perimeter zones, plus one zone per four unit doors (garages, e-bike rooms, back gates).
/// </summary>
public static class DistrictTopology
{
    /// <summary>GPIO lines for alarm buttons (17-39; the column LEDs follow from 40).</summary>
    private const int MaxButtons = CommunityWiring.FirstLedPin - CommunityWiring.FirstButtonPin;

    /// <summary>The first <paramref name="communities"/> sites of the district (1 to 1,903; by default the retrofitted 312).</summary>
    public static IReadOnlyList<CommunityPlan> Generate(int seed, int communities = DistrictFigures.Communities)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(communities, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(communities, DistrictFigures.Sites);
        var random = new Random(seed);

        // Sizes of the whole retrofit are drawn first, so the first N communities are the same whatever N is.
        var weights = Enumerable.Range(0, DistrictFigures.Communities).Select(_ => LogNormal(random, 0, 0.6)).ToArray();
        var doors = Apportion(DistrictFigures.UnitDoors, weights);
        var controls = Apportion(DistrictFigures.AccessControls, doors.Select(d => (double)d).ToArray());
        var cameras = Apportion(DistrictFigures.Cameras, weights);
        var sites = Enumerable.Range(0, Math.Min(communities, DistrictFigures.Communities))
            .Select(i => Site($"c{i + 1:000}", SiteKind.Community, doors[i], controls[i], cameras[i], 0, random))
            .ToList();
        if (communities <= DistrictFigures.Communities)
        {
            return sites;
        }

        var rest = new Random(unchecked((seed * 7919) + DistrictFigures.Sites));
        for (var i = DistrictFigures.Communities; i < communities; i++)
        {
            sites.Add(i switch
            {
                < DistrictFigures.SmartCommunities => Community(i + 1, rest),
                < DistrictFigures.SmartCommunities + DistrictFigures.Campuses => Campus(i + 1 - DistrictFigures.SmartCommunities, rest),
                _ => Hospital(i + 1 - DistrictFigures.SmartCommunities - DistrictFigures.Campuses, rest),
            });
        }

        return sites;
    }

    /// <summary>A smart community beyond the retrofit, at the retrofit's average per community.</summary>
    private static CommunityPlan Community(int number, Random random)
    {
        // The draw's mean is exp(0.6² / 2): divided out, the communities average the retrofit's.
        var w = LogNormal(random, 0, 0.6) / Math.Exp(0.18);
        var doors = Math.Max(1, (int)Math.Round(w * DistrictFigures.UnitDoors / DistrictFigures.Communities));
        var controls = Math.Max(1, (int)Math.Round(doors * (double)DistrictFigures.AccessControls / DistrictFigures.UnitDoors));
        var cameras = Math.Max(1, (int)Math.Round(w * DistrictFigures.Cameras / DistrictFigures.Communities));
        return Site($"c{number:000}", SiteKind.Community, doors, controls, cameras, 0, random);
    }

    /// <summary>A campus: 3-60 doors (gates, dormitories, teaching buildings), two readers each, 10-250 cameras.</summary>
    private static CommunityPlan Campus(int number, Random random)
    {
        var w = LogNormal(random, 0, 0.5);
        var doors = Math.Clamp((int)Math.Round(12 * w), 3, 60);
        return Site($"u{number:000}", SiteKind.Campus, doors, 2 * doors, Math.Clamp((int)Math.Round(60 * w), 10, 250), 0, random);
    }

    /// <summary>A hospital: 6-80 doors (wards, pharmacy, ICU, records), two readers each, 40-400 cameras, nurse-station alarms.</summary>
    private static CommunityPlan Hospital(int number, Random random)
    {
        var w = LogNormal(random, 0, 0.4);
        var doors = Math.Clamp((int)Math.Round(20 * w), 6, 80);
        return Site($"h{number:00}", SiteKind.Hospital, doors, 2 * doors, Math.Clamp((int)Math.Round(150 * w), 40, 400), 4 + random.Next(9), random);
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

    /// <summary>
    /// A site's devices; <paramref name="nurseStations"/> one-key alarm buttons beside the guard room's and the columns,
    /// as many as the gateway's button lines leave.
    /// </summary>
    private static CommunityPlan Site(string id, SiteKind kind, int doors, int controls, int cameras, int nurseStations, Random random)
    {
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

        var columns = Math.Min(MaxButtons - 1, Math.Max(1, (int)Math.Ceiling(buildings / 5.0)));
        var buttons = new List<DevicePlan> { new("btn-guardroom", "alarm-button", "Guard room button", new Location(null, null, "1", "guard room"), [cams[0].Id]) };
        buttons.AddRange(Enumerable.Range(1, columns).Select(n => new DevicePlan($"btn-column-{n:00}", "alarm-button",
            n == 1 ? "Main gate alarm column" : $"Alarm column {n}", new Location(n == 1 ? null : Building(n * 5), null, "0", n == 1 ? "main gate" : "square"),
            [n == 1 ? cams[0].Id : CameraFor(Building(n * 5))])));
        buttons.AddRange(Enumerable.Range(1, Math.Min(nurseStations, MaxButtons - buttons.Count)).Select(n => new DevicePlan($"btn-nurse-{n:00}", "alarm-button",
            $"Nurse station {n}", new Location(Building(n), null, ((n % 6) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "nurse station"),
            [CameraFor(Building(n))])));

        var zoneCount = 2 + doors / 4;
        var zones = Enumerable.Range(1, zoneCount).Select(n => new DevicePlan($"zone-{n:00}", "zone",
            n <= 2 ? $"Perimeter fence {n}" : $"Garage door {n - 2}",
            new Location(n <= 2 ? null : Building(n), null, n <= 2 ? "0" : "-1", n <= 2 ? "perimeter" : "e-bike garage"),
            [n <= 2 ? cams[0].Id : CameraFor(Building(n))])).ToList();

        return new CommunityPlan(id, buildings, cams, unitDoors, accessControls, buttons, zones, kind);
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
