using Edge.Gateway.Alarms;
using Edge.Gateway.Cameras;
using Edge.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Edge.Tests.Cameras;

public sealed class CameraOptionsTests
{
    private static IReadOnlyList<string> Errors(CameraOptions cameras, AlarmOptions? alarms = null) =>
        (TestGateway.Settings("mqtt://127.0.0.1:1883", "/tmp/x") with { Cameras = cameras, Alarms = alarms }).Validate();

    [Fact]
    public void Every_problem_is_reported_at_once_naming_its_key()
    {
        var cameras = new CameraOptions
        {
            Devices =
            [
                new CameraDeviceOptions { Id = "btn-1", Url = "rtsp://10.0.0.5/", Channel = 0, SilenceTimeout = TimeSpan.FromSeconds(1) },
                new CameraDeviceOptions { Id = "cam-002", Protocol = CameraProtocol.Onvif, Url = "http://10.0.0.6/", User = "admin" },
            ],
            MotionMaxPerMinute = 0,
            SnapshotMaxBytes = 10,
            SnapshotQueue = 0,
        };

        var errors = Errors(cameras, new AlarmOptions { Buttons = [new AlarmButtonOptions { Id = "btn-1", Pin = 17 }] })
            .Where(e => !e.StartsWith("Edge:Hardware", StringComparison.Ordinal)).ToList();

        foreach (var key in new[]
        {
            "Edge:Cameras:Devices:0:Id 'btn-1' is already used by Edge:Alarms:Buttons:0", "Edge:Cameras:Devices:0:Url 'rtsp://10.0.0.5/'",
            "Edge:Cameras:Devices:0:User is required", "Edge:Cameras:Devices:0:Channel 0", "Edge:Cameras:Devices:0:SilenceTimeout",
            "Edge:Cameras:MotionMaxPerMinute 0", "Edge:Cameras:SnapshotMaxBytes 10", "Edge:Cameras:SnapshotQueue 0",
        })
        {
            Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
        }

        Assert.True(errors.Count == 8, string.Join("\n", errors));
    }

    [Fact]
    public void A_protocol_the_gateway_does_not_speak_is_refused_naming_the_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Edge:Gateway:Community"] = "c001", ["Edge:Gateway:Id"] = "gw1", ["Edge:Gateway:DataDirectory"] = "/tmp/x",
            ["Edge:Uplink:Broker"] = "mqtt://127.0.0.1:1883",
            ["Edge:Cameras:Devices:0:Id"] = "cam-001", ["Edge:Cameras:Devices:0:Protocol"] = "Rtsp",
        }).Build();

        // Left to itself the binder would drop the camera without a word.
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Edge.Gateway.Hosting.GatewayHostingExtensions.BindSettings(config));

        Assert.Contains(ex.Failures, f => f.Contains("Edge:Cameras:Devices:0:Protocol", StringComparison.Ordinal));
    }
}
