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

    public void Dispose() => _dir.Dispose();
}
