using Edge.Gateway.Configuration;

namespace Edge.Gateway.Cameras;

/// <summary>Validates <c>Edge:Cameras</c>; every message names its key, for example <c>Edge:Cameras:Devices:0:Url</c>.</summary>
public static class CameraOptionsValidator
{
    /// <param name="check">Checks under <c>Edge:Cameras</c>.</param>
    /// <param name="keys">Device ids already claimed by the gateway's other devices.</param>
    public static void Validate(CameraOptions cameras, ConfigCheck check, DeviceKeys keys)
    {
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(keys);
        for (var i = 0; i < cameras.Devices.Count; i++)
        {
            var c = cameras.Devices[i];
            var camera = check.At(nameof(cameras.Devices), i);
            keys.Id(camera, c.Id);
            camera.That(Uri.TryCreate(c.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https", nameof(c.Url),
                $"'{c.Url}' must be an absolute http:// or https:// address");
            camera.Required(nameof(c.User), c.User, "cameras authenticate every request");
            camera.Range(nameof(c.Channel), c.Channel, 1, 512);
            camera.Defined(nameof(c.Protocol), c.Protocol);
            camera.Range(nameof(c.SilenceTimeout), c.SilenceTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));
        }

        check.Range(nameof(cameras.MotionMinHold), cameras.MotionMinHold, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        check.Range(nameof(cameras.MotionIdleRestore), cameras.MotionIdleRestore, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        check.Range(nameof(cameras.MotionMaxPerMinute), cameras.MotionMaxPerMinute, 1, 60);
        check.Range(nameof(cameras.MotionExpireAfter), cameras.MotionExpireAfter, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        check.Range(nameof(cameras.SnapshotsPerEvent), cameras.SnapshotsPerEvent, 0, 16);
        check.That(cameras.SnapshotMaxBytes is >= 16 * 1024 and <= 16 * 1024 * 1024, nameof(cameras.SnapshotMaxBytes),
            FormattableString.Invariant($"{cameras.SnapshotMaxBytes} must be 16 KiB-16 MiB"));
        check.Range(nameof(cameras.SnapshotTimeout), cameras.SnapshotTimeout, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1));
        check.Range(nameof(cameras.SnapshotQueue), cameras.SnapshotQueue, 1, 1024);
        check.Range(nameof(cameras.SnapshotExpireAfter), cameras.SnapshotExpireAfter, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
    }
}
