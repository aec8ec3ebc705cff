using Edge.Contracts.Topics;
using Edge.Gateway.Hardware;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Alarms;

/// <summary>
/// Validates the alarm devices against each other and the hardware: ids, pins, channels and bands. Every message
/// names the key, for example <c>Edge:Alarms:Buttons:1:Pin</c>.
/// </summary>
public sealed class AlarmOptionsValidator
{
    /// <summary>Zones are read through one MCP3008: channels 0-7.</summary>
    private const int Mcp3008Channels = 8;

    /// <param name="keys">Ids and GPIO lines claimed by the gateway's devices; the alarm devices add theirs.</param>
    public static IReadOnlyList<string> Validate(AlarmOptions alarms, HardwareOptions hardware, Configuration.DeviceKeys? keys = null)
    {
        keys ??= new Configuration.DeviceKeys();
        ArgumentNullException.ThrowIfNull(alarms);
        ArgumentNullException.ThrowIfNull(hardware);
        var errors = new List<string>();
        const string a = AlarmOptions.Section;
        const string h = HardwareOptions.Section;
        var channels = new Dictionary<int, string>();
        for (var i = 0; i < alarms.Buttons.Count; i++)
        {
            var b = alarms.Buttons[i];
            var key = $"{a}:Buttons:{i}";
            keys.Id(errors, key, b.Id);
            keys.Line(errors, $"{key}:Pin", b.Pin);
            CameraIds(errors, $"{key}:Cameras", b.Cameras);
            if (b.LedPin is { } led)
            {
                keys.Line(errors, $"{key}:LedPin", led);
            }

            if (b.Debounce < TimeSpan.FromMilliseconds(1) || b.Debounce > TimeSpan.FromSeconds(1))
            {
                errors.Add($"{key}:Debounce {b.Debounce} must be 1 ms-1 s");
            }

            if (b.StuckAfter <= b.Debounce)
            {
                errors.Add($"{key}:StuckAfter {b.StuckAfter} must be longer than the debounce");
            }

            if (b.DuressAfter is { } d && (d <= b.Debounce || d >= b.StuckAfter))
            {
                errors.Add($"{key}:DuressAfter {d} must lie between the debounce and StuckAfter");
            }
        }

        for (var i = 0; i < alarms.Zones.Count; i++)
        {
            var z = alarms.Zones[i];
            var key = $"{a}:Zones:{i}";
            keys.Id(errors, key, z.Id);
            Configuration.DeviceKeys.Number(errors, channels, $"{key}:Channel", z.Channel, Mcp3008Channels - 1);
            CameraIds(errors, $"{key}:Cameras", z.Cameras);

            if (z.Bands.Problem is { } problem)
            {
                errors.Add($"{key}: bands overlap: {problem}");
            }

            if (z.PullUpOhms <= 0)
            {
                errors.Add($"{key}:PullUpOhms {z.PullUpOhms} must be above 0");
            }

            if (z.Hysteresis is < 0 or >= 0.5)
            {
                errors.Add($"{key}:Hysteresis {z.Hysteresis} must be 0-0.5");
            }

            if (z.Dwell < TimeSpan.Zero || z.Dwell > TimeSpan.FromMinutes(1))
            {
                errors.Add($"{key}:Dwell {z.Dwell} must be 0-1 min");
            }
        }

        if (alarms.Any && hardware.Gpio == GpioDriverKind.None)
        {
            errors.Add($"{h}:Gpio must name a driver (Libgpiod, Sysfs or Bridge) when {a} configures buttons or zones");
        }

        if (hardware.Gpio == GpioDriverKind.Bridge
            && !(Uri.TryCreate(hardware.Bridge, UriKind.Absolute, out var uri) && uri.Scheme is "tcp" or "unix"))
        {
            errors.Add($"{h}:Bridge '{hardware.Bridge}' must be tcp://host:port or unix:///path when {h}:Gpio is Bridge");
        }

        return errors;
    }

    /// <summary>
    /// Camera references must be device ids. Whether each names a configured camera is checked once the gateway has
    /// a camera registry (the camera issue); until then the ids are kept for snapshot linking.
    /// </summary>
    private static void CameraIds(List<string> errors, string key, List<string> cameras)
    {
        for (var i = 0; i < cameras.Count; i++)
        {
            if (!TopicSegment.IsValid(cameras[i]))
            {
                errors.Add($"{key}:{i} '{cameras[i]}' is not a device id");
            }
        }
    }
}
