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

        return errors;
    }
}
