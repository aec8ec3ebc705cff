namespace Edge.Gateway.Cameras;

/// <summary>Validates <c>Edge:Cameras</c>; every message names its key, for example <c>Edge:Cameras:Devices:0:Url</c>.</summary>
public static class CameraOptionsValidator
{
    /// <param name="keys">Device ids already claimed by the gateway's other devices.</param>
    public static IReadOnlyList<string> Validate(CameraOptions cameras, Configuration.DeviceKeys keys)
    {
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentNullException.ThrowIfNull(keys);
        var errors = new List<string>();
        const string s = CameraOptions.Section;
        for (var i = 0; i < cameras.Devices.Count; i++)
        {
            var c = cameras.Devices[i];
            var key = $"{s}:Devices:{i}";
            keys.Id(errors, key, c.Id);
            if (!Uri.TryCreate(c.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                errors.Add($"{key}:Url '{c.Url}' must be an absolute http:// or https:// address");
            }

            if (string.IsNullOrEmpty(c.User))
            {
                errors.Add($"{key}:User is required (cameras authenticate every request)");
            }

            if (c.Channel is < 1 or > 512)
            {
                errors.Add($"{key}:Channel {c.Channel} must be 1-512");
            }

            if (c.SilenceTimeout < TimeSpan.FromSeconds(5) || c.SilenceTimeout > TimeSpan.FromMinutes(10))
            {
                errors.Add($"{key}:SilenceTimeout {c.SilenceTimeout} must be 5 s-10 min");
            }
        }

        if (cameras.MotionMinHold < TimeSpan.Zero || cameras.MotionMinHold > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{s}:MotionMinHold {cameras.MotionMinHold} must be 0-10 min");
        }

        if (cameras.MotionIdleRestore < TimeSpan.FromSeconds(1) || cameras.MotionIdleRestore > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{s}:MotionIdleRestore {cameras.MotionIdleRestore} must be 1 s-10 min");
        }

        if (cameras.MotionMaxPerMinute is < 1 or > 60)
        {
            errors.Add($"{s}:MotionMaxPerMinute {cameras.MotionMaxPerMinute} must be 1-60");
        }

        if (cameras.MotionExpireAfter < TimeSpan.FromSeconds(10) || cameras.MotionExpireAfter > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:MotionExpireAfter {cameras.MotionExpireAfter} must be 10 s-1 h");
        }

        if (cameras.SnapshotsPerEvent is < 0 or > 16)
        {
            errors.Add($"{s}:SnapshotsPerEvent {cameras.SnapshotsPerEvent} must be 0-16");
        }

        if (cameras.SnapshotMaxBytes is < 16 * 1024 or > 16 * 1024 * 1024)
        {
            errors.Add($"{s}:SnapshotMaxBytes {cameras.SnapshotMaxBytes} must be 16 KiB-16 MiB");
        }

        if (cameras.SnapshotTimeout < TimeSpan.FromMilliseconds(500) || cameras.SnapshotTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{s}:SnapshotTimeout {cameras.SnapshotTimeout} must be 0.5 s-1 min");
        }

        if (cameras.SnapshotQueue is < 1 or > 1024)
        {
            errors.Add($"{s}:SnapshotQueue {cameras.SnapshotQueue} must be 1-1024");
        }

        if (cameras.SnapshotExpireAfter < TimeSpan.FromSeconds(10) || cameras.SnapshotExpireAfter > TimeSpan.FromDays(1))
        {
            errors.Add($"{s}:SnapshotExpireAfter {cameras.SnapshotExpireAfter} must be 10 s-1 day");
        }

        return errors;
    }
}
