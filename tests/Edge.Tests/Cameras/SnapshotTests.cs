using System.Buffers;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Cameras;
using Edge.Gateway.Events;
using Edge.Simulator.Broker;
using Edge.Simulator.Devices;
using Edge.Tests.Support;
using SkiaSharp;

namespace Edge.Tests.Cameras;

/// <summary>Snapshots attached to the events that matter: linked in the event, fetched after it, published below alarms.</summary>
public sealed class SnapshotTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private StationBroker _broker = null!;
    private HttpDeviceServer _devices = null!;

    public async ValueTask InitializeAsync()
    {
        _broker = await StationBroker.StartAsync();
        _devices = await HttpDeviceServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _devices.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private CameraDeviceOptions Camera(string id, CameraProtocol protocol) => new()
    {
        Id = id, Protocol = protocol, Url = _devices.Url("c001", id).ToString(), User = "admin", Password = "pw", SilenceTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task A_camera_tamper_lists_its_snapshot_and_the_jpeg_follows_linked_to_the_event_and_a_broken_camera_only_costs_its_snapshot()
    {
        var isapi = _devices.AddCamera("c001", "cam-001", "admin", "pw");
        var onvif = _devices.AddOnvifCamera("c001", "cam-002", "admin", "pw");
        var broken = _devices.AddCamera("c001", "cam-003", "admin", "pw");
        broken.BrokenSnapshot = "<html>Login</html>"u8.ToArray();
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri));
        var settings = TestGateway.Settings(_broker.Uri, _dir.Combine("gw")) with
        {
            Cameras = new CameraOptions { Devices = [Camera("cam-001", CameraProtocol.Isapi), Camera("cam-002", CameraProtocol.Onvif), Camera("cam-003", CameraProtocol.Isapi)] },
        };
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        await Eventually.True(() => onvif.Subscriptions >= 1, "ONVIF subscribed");

        isapi.Send("shelteralarm", active: true);
        onvif.Send(EventTypes.CameraTamper, active: true);
        broken.Send("tamperdetection", active: true);
        await Eventually.True(() => station.Messages.Count(m => m.Topic.Contains("/media/", StringComparison.Ordinal)) == 2, "two snapshots");
        await Eventually.True(() => gw.CamerasFeature.Snapshots!.Failures.GetValueOrDefault("not-jpeg") == 1, "the broken camera's snapshot refused");

        var events = station.Messages.Where(m => m.Topic.Contains("/events/", StringComparison.Ordinal)).Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).ToList();
        Assert.Equal(3, events.Count(e => e.Type == EventTypes.CameraTamper));
        foreach (var media in station.Messages.Where(m => m.Topic.Contains("/media/", StringComparison.Ordinal)))
        {
            Assert.True(Topic.TryParse(media.Topic, out var parts) && parts.Kind == TopicKind.Media);
            var e = events.Single(x => x.Id.ToString("D") == parts.EventId);
            var camera = RecordingSubscriber.Property(media, UserProperties.Camera);
            Assert.Equal(e.Device.Id, camera);
            Assert.Equal(parts.EventId, RecordingSubscriber.Property(media, UserProperties.EventId));
            Assert.Equal([camera], e.Data!["snapshots"]!.AsArray().Select(n => (string?)n));
            Assert.Equal("image/jpeg", media.ContentType);
            using var bitmap = SKBitmap.Decode(media.Payload.ToArray());
            Assert.Equal(SnapshotPainter.Width, bitmap.Width);
        }

        Assert.Equal(1, isapi.Snapshots);
        Assert.Equal(1, onvif.Snapshots);
        Assert.Equal(new Edge.Contracts.Status.SnapshotCounters(2, 0, 1), gw.HeartbeatService.Current().Snapshots);
        await gw.StopAsync(default);
    }
}

/// <summary>Snapshots that are not snapshots.</summary>
public sealed class SnapshotFetchTests
{
    [Theory]
    [InlineData(2 * 1024 * 1024, "too-large")]
    [InlineData(0, "not-jpeg")]
    public async Task A_snapshot_far_too_large_or_not_a_jpeg_is_refused_with_its_reason(int size, string reason)
    {
        await using var devices = await HttpDeviceServer.StartAsync();
        var camera = devices.AddCamera("c001", "cam-009", "admin", "pw");
        camera.BrokenSnapshot = size > 0 ? [0xFF, 0xD8, 0xFF, .. new byte[size]] : "{\"error\":\"busy\"}"u8.ToArray();
        using var handler = new HttpClientHandler { Credentials = new System.Net.NetworkCredential("admin", "pw") };
        using var http = new HttpClient(handler);

        var ex = await Assert.ThrowsAsync<SnapshotException>(() => SnapshotHttp.GetJpegAsync(http, new Uri(devices.Url("c001", "cam-009"), "ISAPI/Streaming/channels/101/picture"), 1024 * 1024, TestContext.Current.CancellationToken));

        Assert.Equal(reason, ex.Reason);
    }
}

/// <summary>The snapshot service alone, with cameras and an uplink the test controls.</summary>
public sealed class SnapshotServiceTests
{
    private sealed class SlowCamera : ICameraSource
    {
        public TaskCompletionSource<byte[]> Snapshot { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan SinceLastSign => TimeSpan.Zero;

        public Task RunAsync(Func<CameraSignal, CancellationToken, Task> onSignal, CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);

        public Task<byte[]> SnapshotAsync(int maxBytes, CancellationToken ct) => Snapshot.Task.WaitAsync(ct);

        public void Dispose()
        {
        }
    }

    private sealed class RecordingPublisher(List<(Guid, string)> published) : ISnapshotPublisher
    {
        public Task<bool> PublishSnapshotAsync(Snapshot snapshot, TimeSpan expireAfter, CancellationToken ct)
        {
            lock (published)
            {
                published.Add((snapshot.EventId, snapshot.Camera));
            }

            return Task.FromResult(true);
        }
    }

    /// <summary>An outbox where alarms wait as long as the test says.</summary>
    private sealed class HeldOutbox(Func<bool> alarmsWaiting) : Edge.Gateway.Outbox.IOutboxPressure
    {
        public long Pending(Priority priority) => priority == Priority.Critical && alarmsWaiting() ? 1 : 0;
    }

    [Fact]
    public async Task The_alarm_goes_on_at_once_and_its_snapshot_waits_until_no_alarm_waits_in_the_outbox()
    {
        var sink = new RecordingSink();
        var camera = new SlowCamera();
        var options = new CameraOptions { Devices = [new CameraDeviceOptions { Id = "cam-001", Url = "http://127.0.0.1:9/", User = "admin" }] };
        var published = new List<(Guid, string)>();
        var alarmsWaiting = true;
        var asked = 0;
        using var cameras = new CameraSources(options, _ => camera);
        var uplink = new RecordingPublisher(published);
        var outbox = new HeldOutbox(() =>
        {
            Interlocked.Increment(ref asked);
            return Volatile.Read(ref alarmsWaiting);
        });
        using var service = new SnapshotService(sink, cameras, options, new Dictionary<string, IReadOnlyList<string>> { ["btn-1"] = ["cam-001", "cam-404"] },
            uplink, outbox, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SnapshotService>.Instance);
        await service.StartAsync(CancellationToken.None);

        var result = await service.SubmitAsync(new EventDraft(EventTypes.AlarmPanic, Priority.Critical, new DeviceRef("btn-1", "alarm-button", null, null), EventState.Active, DateTimeOffset.UtcNow))
            .WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var restore = await service.SubmitAsync(new EventDraft(EventTypes.AlarmPanic, Priority.Critical, new DeviceRef("btn-1", "alarm-button", null, null), EventState.Restored, DateTimeOffset.UtcNow));

        // The camera has not answered yet; the alarm lists the camera the gateway has, and the restore lists none.
        Assert.Equal(["cam-001"], sink.Drafts.First().Data!["snapshots"]!.AsArray().Select(n => (string?)n));
        Assert.Null(sink.Drafts.Last().Data);
        camera.Snapshot.SetResult([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);

        // The publisher holds the snapshot and keeps asking whether alarms wait; it publishes nothing meanwhile.
        await Eventually.True(() => Volatile.Read(ref asked) >= 3, "the snapshot waits for the alarms");
        Assert.Empty(published);

        Volatile.Write(ref alarmsWaiting, false);
        await Eventually.True(() => service.Published == 1, "published once no alarm waits");
        Assert.Equal((result.Event!.Id, "cam-001"), published.Single());
        Assert.NotNull(restore.Event);
        await service.StopAsync(CancellationToken.None);
    }
}
