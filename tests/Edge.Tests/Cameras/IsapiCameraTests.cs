using System.Text;
using Edge.Contracts.Events;
using Edge.Gateway.Isapi;
using Edge.Gateway.Cameras;
using Edge.Simulator.Devices;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace Edge.Tests.Cameras;

/// <summary>Hikvision ISAPI cameras: real-world alert samples, and a gateway reading a simulated camera over HTTP digest.</summary>
public sealed class IsapiCameraTests : IAsyncLifetime
{
    private HttpDeviceServer _isapi = null!;

    public async ValueTask InitializeAsync() => _isapi = await HttpDeviceServer.StartAsync();

    public async ValueTask DisposeAsync() => await _isapi.DisposeAsync();

    // The layout Hikvision cameras send (firmware 5.x), with the namespace, a region list and CRLF line ends.
    private const string LineDetection =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\r\n" +
        "<ipAddress>192.168.1.64</ipAddress>\r\n<ipv6Address>::ffff:192.168.1.64</ipv6Address>\r\n<portNo>80</portNo>\r\n<protocol>HTTP</protocol>\r\n" +
        "<macAddress>44:19:b6:6d:24:85</macAddress>\r\n<channelID>1</channelID>\r\n<dateTime>2026-11-28T08:15:03+08:00</dateTime>\r\n" +
        "<activePostCount>1</activePostCount>\r\n<eventType>linedetection</eventType>\r\n<eventState>active</eventState>\r\n" +
        "<eventDescription>linedetection alarm</eventDescription>\r\n<channelName>Gate east</channelName>\r\n<DetectionRegionList>\r\n<DetectionRegionEntry>\r\n" +
        "<regionID>1</regionID>\r\n<sensitivityLevel>50</sensitivityLevel>\r\n<RegionCoordinatesList>\r\n<RegionCoordinates>\r\n<positionX>318</positionX>\r\n" +
        "<positionY>246</positionY>\r\n</RegionCoordinates>\r\n</RegionCoordinatesList>\r\n</DetectionRegionEntry>\r\n</DetectionRegionList>\r\n</EventNotificationAlert>\r\n";

    private const string VideoLossEnded =
        "<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><ipAddress>10.0.0.8</ipAddress><portNo>8000</portNo>" +
        "<protocol>HTTP</protocol><macAddress>bc:ad:28:00:00:01</macAddress><dynChannelID>3</dynChannelID><dateTime>2026-11-28T08:15:03+08:00</dateTime>" +
        "<activePostCount>0</activePostCount><eventType>videoloss</eventType><eventState>inactive</eventState><eventDescription>videoloss alarm</eventDescription></EventNotificationAlert>";

    [Theory]
    [InlineData(LineDetection, EventTypes.CameraLineCrossing, true, 1)]
    [InlineData(VideoLossEnded, EventTypes.CameraVideoLoss, false, 3)]
    [InlineData("{\"ipAddress\":\"10.0.0.9\",\"channelID\":2,\"dateTime\":\"2026-11-28T08:15:03+08:00\",\"activePostCount\":1,\"eventType\":\"VMD\",\"eventState\":\"active\",\"eventDescription\":\"Motion alarm\"}", EventTypes.CameraMotion, true, 2)]
    [InlineData("<EventNotificationAlert><channelID>1</channelID><eventType>shelteralarm</eventType><eventState>active</eventState></EventNotificationAlert>", EventTypes.CameraTamper, true, 1)]
    [InlineData("<EventNotificationAlert><channelID>1</channelID><eventType>fielddetection</eventType><eventState>active</eventState></EventNotificationAlert>", EventTypes.CameraIntrusion, true, 1)]
    public void Real_world_alerts_map_to_camera_conditions(string body, string type, bool active, int channel)
    {
        Assert.True(IsapiAlert.TryParse(Encoding.UTF8.GetBytes(body), null, out var alert, out var error), error);

        Assert.Equal((type, active, channel), (CameraEvents.OfIsapi(alert!.EventType), alert.Active, alert.Channel));
    }

    [Fact]
    public async Task A_camera_s_events_are_coalesced_a_garbage_part_and_another_channel_change_nothing_and_silence_is_offline()
    {
        var camera = _isapi.AddCamera("c001", "cam-001", "admin", "pw-1");
        var sink = new RecordingSink();
        var options = new CameraOptions
        {
            Devices = [new CameraDeviceOptions { Id = "cam-001", Url = _isapi.Url("c001", "cam-001").ToString(), User = "admin", Password = "pw-1", SilenceTimeout = TimeSpan.FromSeconds(3) }],
        };
        using var sources = CameraSources.Connect(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var adapter = new CameraAdapter(options, sources, sink, TimeProvider.System);
        await adapter.StartAsync(CancellationToken.None);

        for (var i = 0; i < 5; i++)
        {
            camera.Send("VMD", active: true);
        }

        camera.SendGarbage("--MIME_boundary\r\nContent-Type: application/xml\r\nContent-Length: 12\r\n\r\n<notxml<<<<\r\n"u8.ToArray());
        camera.Send("shelteralarm", active: true);
        camera.Send("shelteralarm", active: false);
        await Eventually.True(() => sink.Drafts.Count == 3, "motion once, tamper and its restore");

        var drafts = sink.Drafts.ToList();
        Assert.Equal((EventTypes.CameraMotion, EventState.Active, Priority.Low), (drafts[0].Type, drafts[0].State, drafts[0].Priority));
        Assert.NotNull(drafts[0].ExpireAfter);
        Assert.Equal((EventTypes.CameraTamper, EventState.Active, Priority.High), (drafts[1].Type, drafts[1].State, drafts[1].Priority));
        Assert.Equal((EventTypes.CameraTamper, EventState.Restored), (drafts[2].Type, drafts[2].State));
        Assert.All(drafts, d => Assert.Equal(("cam-001", "camera"), (d.Device.Id, d.Device.Kind)));

        camera.Silent = true;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOffline), "offline after 3 s of silence", TimeSpan.FromSeconds(20));
        camera.Silent = false;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOnline), "online again", TimeSpan.FromSeconds(60));
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void A_simulated_camera_s_snapshot_is_a_real_jpeg_with_its_size()
    {
        var camera = _isapi.AddCamera("c001", "cam-002", "admin", "pw-2");

        var (jpeg, contentType) = camera.Snapshot();
        Assert.Equal("image/jpeg", contentType);

        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);
        using var bitmap = SKBitmap.Decode(jpeg);
        Assert.Equal((SnapshotPainter.Width, SnapshotPainter.Height), (bitmap.Width, bitmap.Height));
    }
}
