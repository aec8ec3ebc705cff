using Microsoft.Extensions.Configuration;
using Edge.Simulator.Topology;

namespace Edge.Tests.Simulator;

public sealed class DistrictTopologyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2026)]
    public void The_whole_district_has_exactly_the_reported_devices(int seed)
    {
        var district = DistrictTopology.Generate(seed);

        Assert.Equal(312, district.Count);
        Assert.Equal(6_111, district.Sum(c => c.Cameras.Count));
        Assert.Equal(1_358, district.Sum(c => c.UnitDoors.Count));
        Assert.Equal(3_344, district.Sum(c => c.AccessControls.Count));
        Assert.All(district, c =>
        {
            Assert.NotEmpty(c.Cameras);
            Assert.NotEmpty(c.UnitDoors);
            Assert.NotEmpty(c.AccessControls);
            Assert.NotEmpty(c.AlarmButtons);
            Assert.True(c.Zones.Count >= 2);
        });
    }

    [Fact]
    public void The_same_seed_gives_the_same_district_and_a_smaller_run_its_first_communities()
    {
        var a = DistrictTopology.Generate(42);
        var b = DistrictTopology.Generate(42);
        var first = DistrictTopology.Generate(42, communities: 10);

        Assert.Equal(a.Select(Shape), b.Select(Shape));
        Assert.Equal(a.Take(10).Select(Shape), first.Select(Shape));
        Assert.NotEqual(a.Select(Shape), DistrictTopology.Generate(43).Select(Shape));
    }

    [Fact]
    public void Sizes_are_spread_from_small_communities_to_large_estates()
    {
        var cameras = DistrictTopology.Generate(1).Select(c => c.Cameras.Count).Order().ToList();

        Assert.True(cameras[^1] >= 3 * cameras[cameras.Count / 2], $"largest {cameras[^1]}, median {cameras[cameras.Count / 2]}");
        Assert.True(cameras[0] * 2 <= cameras[cameras.Count / 2], $"smallest {cameras[0]}, median {cameras[cameras.Count / 2]}");
    }

    [Fact]
    public void Device_ids_are_unique_topic_segments_and_links_point_to_cameras_of_the_community()
    {
        foreach (var c in DistrictTopology.Generate(5))
        {
            var devices = c.Cameras.Concat(c.UnitDoors).Concat(c.AccessControls).Concat(c.AlarmButtons).Concat(c.Zones).ToList();
            Assert.Equal(devices.Count, devices.Select(d => d.Id).Distinct().Count());
            Assert.All(devices, d => Assert.True(Edge.Contracts.Topics.TopicSegment.IsValid(d.Id), d.Id));
            var cameraIds = c.Cameras.Select(x => x.Id).ToHashSet();
            Assert.All(devices.SelectMany(d => d.Cameras), id => Assert.Contains(id, cameraIds));
            Assert.All(c.AlarmButtons.Concat(c.Zones), d => Assert.NotEmpty(d.Cameras));
        }
    }

    [Theory]
    [InlineData(10, new[] { 1.0, 1.0, 1.0 })]
    [InlineData(100, new[] { 5.0, 1.0, 0.1, 0.1 })]
    [InlineData(7, new[] { 0.001, 1000.0 })]
    public void Apportioning_adds_up_exactly_and_gives_everyone_at_least_one(int total, double[] weights)
    {
        var parts = DistrictTopology.Apportion(total, weights);

        Assert.Equal(total, parts.Sum());
        Assert.All(parts, p => Assert.True(p >= 1));
    }

    [Fact]
    public void The_whole_district_adds_communities_campuses_and_hospitals_and_keeps_the_retrofit_as_it_is()
    {
        var sites = DistrictTopology.Generate(1, DistrictFigures.Sites);

        Assert.Equal(1_903, sites.Count);
        Assert.Equal(DistrictTopology.Generate(1).Select(Shape), sites.Take(312).Select(Shape));
        Assert.Equal((1_488, 377, 38), (sites.Count(c => c.Kind == SiteKind.Community), sites.Count(c => c.Kind == SiteKind.Campus), sites.Count(c => c.Kind == SiteKind.Hospital)));
        int[] boundaries = [0, 311, 312, 1487, 1488, 1864, 1865, 1902];
        Assert.Equal(["c001", "c312", "c313", "c1488", "u001", "u377", "h01", "h38"], boundaries.Select(i => sites[i].Id));

        // The same district on every machine and in every process (a seed of its own, not a per-process hash).
        Assert.Equal(59_608, sites.Sum(c => c.Cameras.Count));

        // The other communities at the retrofit's average per community (19.6 cameras, 4.4 unit doors).
        var others = sites.Skip(312).Where(c => c.Kind == SiteKind.Community).ToList();
        Assert.InRange(others.Average(c => c.Cameras.Count), 17.0, 23.0);
        Assert.InRange(others.Average(c => c.UnitDoors.Count), 3.8, 5.2);

        var campuses = sites.Where(c => c.Kind == SiteKind.Campus).ToList();
        Assert.All(campuses, c => Assert.InRange(c.UnitDoors.Count, 3, 60));
        Assert.All(campuses, c => Assert.Equal(2 * c.UnitDoors.Count, c.AccessControls.Count));
        Assert.All(campuses, c => Assert.InRange(c.Cameras.Count, 10, 250));
        Assert.True(campuses.Average(c => c.Cameras.Count) > 2 * others.Average(c => c.Cameras.Count));

        var hospitals = sites.Where(c => c.Kind == SiteKind.Hospital).ToList();
        Assert.All(hospitals, c => Assert.InRange(c.Cameras.Count, 40, 400));
        Assert.All(hospitals, c => Assert.Contains(c.AlarmButtons, b => b.Id.StartsWith("btn-nurse-", StringComparison.Ordinal)));

        // No site has more buttons than the gateway has button lines (17-39), and every site number is its own.
        Assert.All(sites, c => Assert.InRange(c.AlarmButtons.Count, 2, CommunityWiring.FirstLedPin - CommunityWiring.FirstButtonPin));
        Assert.Equal(Enumerable.Range(1, 1_903), sites.Select(c => CommunityWiring.Number(c.Id)));
    }

    private static string Shape(CommunityPlan c) =>
        $"{c.Id}:{c.Buildings}:{c.Cameras.Count}:{c.UnitDoors.Count}:{c.AccessControls.Count}:{c.AlarmButtons.Count}:{c.Zones.Count}";
}

/// <summary>The written gateway configurations are what the real gateway accepts.</summary>
public sealed class GatewayConfigWriterTests : IDisposable
{
    private readonly Edge.Tests.Support.TempDirectory _dir = new();

    [Fact]
    public void Every_written_configuration_binds_and_validates_as_the_gateway_reads_it()
    {
        var district = DistrictTopology.Generate(1, communities: 40);

        var files = GatewayConfigWriter.Write(district, _dir.Path, new Uri("mqtt://127.0.0.1:1883"),
            new DeviceEndpoints(new Uri("tcp://127.0.0.1:7100"), new Uri("http://127.0.0.1:7200/"), new Uri("tcp://127.0.0.1:7300")));

        Assert.Equal(40, files.Count);
        var (osdp, wiegand, doors) = (0, 0, 0);
        foreach (var (file, plan) in files.Zip(district))
        {
            var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddJsonFile(file).Build();
            // The gateway's own binder: unknown keys and bad values are refused as the gateway process refuses them.
            var settings = Edge.Gateway.Hosting.GatewayHostingExtensions.BindSettings(config);
            Assert.Empty(settings.Validate());
            Assert.NotEmpty(settings.AlarmsOrDefault.Buttons);
            Assert.All(settings.AlarmsOrDefault.Buttons, b => Assert.NotEmpty(b.Cameras));

            // Every unit door is read one way, and every access control is a reader at its door.
            var access = settings.AccessOrDefault;
            var wiring = CommunityWiring.Of(plan);
            Assert.Equal(plan.UnitDoors.Count, access.Controllers.Count + access.Doors.Count + access.OsdpReaders.Count(r => r.DoorContactInput is not null));
            Assert.Equal(plan.AccessControls.Count, wiring.Doors.Sum(d => d.Readers.Count));
            Assert.All(access.OsdpReaders, r => Assert.Equal(new Uri($"tcp://127.0.0.1:{7300 + int.Parse(plan.Id[1..], System.Globalization.CultureInfo.InvariantCulture)}"), new Uri(r.Endpoint)));
            osdp += access.OsdpReaders.Count;
            wiegand += access.WiegandReaders.Count;
            doors += plan.UnitDoors.Count;
        }

        // Some communities have all three kinds of door.
        Assert.True(osdp > 0 && wiegand > 0, $"{osdp} OSDP and {wiegand} Wiegand readers at {doors} doors");
    }

    /// <summary>Every site of the 1,903, wired and written, is a configuration the gateway accepts: no line used twice, no clash of ids.</summary>
    [Fact]
    public void Every_site_of_the_whole_district_is_a_configuration_the_gateway_accepts()
    {
        var district = DistrictTopology.Generate(1, DistrictFigures.Sites);

        var files = GatewayConfigWriter.Write(district, _dir.Path, new Uri("mqtt://127.0.0.1:1883"),
            new DeviceEndpoints(new Uri("tcp://127.0.0.1:7100"), new Uri("http://127.0.0.1:7200/"), new Uri("tcp://127.0.0.1:7300")));

        Assert.Equal(1_903, files.Count);
        var ports = new HashSet<int>();
        foreach (var (file, plan) in files.Zip(district))
        {
            var settings = Edge.Gateway.Hosting.GatewayHostingExtensions.BindSettings(new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddJsonFile(file).Build());
            Assert.True(settings.Validate().Count == 0, $"{plan.Id}: {string.Join("; ", settings.Validate())}");
            Assert.Equal(plan.AlarmButtons.Count, settings.AlarmsOrDefault.Buttons.Count);
            foreach (var endpoint in settings.AccessOrDefault.OsdpReaders.Select(r => new Uri(r.Endpoint).Port).Distinct())
            {
                Assert.True(ports.Add(endpoint), $"{plan.Id}'s OSDP line shares port {endpoint} with another site's");
            }
        }
    }

    public void Dispose() => _dir.Dispose();
}
