using Edge.Contracts.Topics;
using Edge.Gateway.Configuration;
using Edge.Gateway.Hardware;

namespace Edge.Gateway.Alarms;

/// <summary>
/// Validates the alarm devices against each other and the hardware: ids, pins, channels and bands. Every message
/// names the key, for example <c>Edge:Alarms:Buttons:1:Pin</c>.
/// </summary>
public static class AlarmOptionsValidator
{
    /// <summary>Zones are read through one MCP3008: channels 0-7.</summary>
    private const int Mcp3008Channels = 8;

    /// <param name="check">Checks under <c>Edge:Alarms</c>.</param>
    /// <param name="keys">Ids and GPIO lines claimed by the gateway's devices; the alarm devices add theirs.</param>
    public static void Validate(AlarmOptions alarms, HardwareOptions hardware, ConfigCheck check, DeviceKeys keys)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(keys);
        for (var i = 0; i < alarms.Buttons.Count; i++)
        {
            var b = alarms.Buttons[i];
            var button = check.At(nameof(alarms.Buttons), i);
            keys.Id(button, b.Id);
            keys.Line(button, nameof(b.Pin), b.Pin);
            CameraIds(button, b.Cameras);
            if (b.LedPin is { } led)
            {
                keys.Line(button, nameof(b.LedPin), led);
            }

            button.Range(nameof(b.Debounce), b.Debounce, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
            button.That(b.StuckAfter > b.Debounce, nameof(b.StuckAfter), $"{b.StuckAfter} must be longer than the debounce");
            button.That(b.DuressAfter is not { } d || (d > b.Debounce && d < b.StuckAfter), nameof(b.DuressAfter),
                $"{b.DuressAfter} must lie between the debounce and StuckAfter");
        }

        var channels = new Dictionary<int, string>();
        for (var i = 0; i < alarms.Zones.Count; i++)
        {
            var z = alarms.Zones[i];
            var zone = check.At(nameof(alarms.Zones), i);
            keys.Id(zone, z.Id);
            DeviceKeys.Number(zone, channels, nameof(z.Channel), z.Channel, Mcp3008Channels - 1);
            CameraIds(zone, z.Cameras);
            if (z.Bands.Problem is { } problem)
            {
                zone.Fail($"bands overlap: {problem}");
            }

            zone.That(z.PullUpOhms > 0, nameof(z.PullUpOhms), FormattableString.Invariant($"{z.PullUpOhms} must be above 0"));
            zone.That(z.Hysteresis is >= 0 and < 0.5, nameof(z.Hysteresis), FormattableString.Invariant($"{z.Hysteresis} must be 0-0.5"));
            zone.Range(nameof(z.Dwell), z.Dwell, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        }

        check.Section(HardwareOptions.Section).That(!alarms.Any || hardware.Gpio != GpioDriverKind.None, nameof(hardware.Gpio),
            $"must name a driver (Libgpiod, Sysfs or Bridge) when {check.Key} configures buttons or zones");
    }

    /// <summary>
    /// The cameras that cover a device, by device id; snapshots follow its alarms from those the gateway has (a camera
    /// another gateway reads is allowed, and simply gives no snapshot here).
    /// </summary>
    internal static void CameraIds(ConfigCheck device, List<string> cameras)
    {
        for (var i = 0; i < cameras.Count; i++)
        {
            device.That(TopicSegment.IsValid(cameras[i]), $"Cameras:{i}", $"'{cameras[i]}' is not a device id");
        }
    }
}
