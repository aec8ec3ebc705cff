using Edge.Gateway.Alarms;
using Edge.Gateway.Configuration;
using Edge.Gateway.Hardware;

namespace Edge.Gateway.Access;

/// <summary>Validates <c>Edge:Access</c>; every message names its key, for example <c>Edge:Access:Controllers:0:Url</c>.</summary>
public static class AccessOptionsValidator
{
    private static readonly int[] BaudRates = [9600, 19200, 38400, 57600, 115200, 230400];

    /// <param name="check">Checks under <c>Edge:Access</c>.</param>
    /// <param name="keys">Ids and GPIO lines already claimed by the gateway's other devices (alarm buttons, zones).</param>
    /// <param name="gpio">The configured GPIO driver: access devices on GPIO need one.</param>
    public static void Validate(AccessOptions access, ConfigCheck check, DeviceKeys keys, GpioDriverKind gpio)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(keys);
        if (access.Any && check.Required(nameof(access.CardSecret), access.CardSecret, $"base64, at least {CardPrivacy.MinSecretBytes} bytes, when access devices are configured"))
        {
            check.That(Secret(access.CardSecret) is { Length: >= CardPrivacy.MinSecretBytes }, nameof(access.CardSecret),
                $"must be base64 of at least {CardPrivacy.MinSecretBytes} bytes");
        }

        for (var i = 0; i < access.Controllers.Count; i++)
        {
            Controller(access.Controllers[i], check.At(nameof(access.Controllers), i), keys);
        }

        check.Section(HardwareOptions.Section).That(!access.UsesGpio || gpio != GpioDriverKind.None, nameof(HardwareOptions.Gpio),
            $"must name a driver (Libgpiod, Sysfs or Bridge) when {check.Key} configures Wiegand readers or doors");
        for (var i = 0; i < access.WiegandReaders.Count; i++)
        {
            var r = access.WiegandReaders[i];
            var reader = check.At(nameof(access.WiegandReaders), i);
            keys.Id(reader, r.Id);
            keys.Line(reader, nameof(r.D0), r.D0);
            keys.Line(reader, nameof(r.D1), r.D1);
            reader.OneOf(nameof(r.Format37), r.Format37, WiegandFormat.H10304, WiegandFormat.H10302);
            reader.That(r.FrameGap >= TimeSpan.FromMilliseconds(5) && r.FrameGap <= TimeSpan.FromSeconds(1), nameof(r.FrameGap),
                $"{ConfigCheck.Describe(r.FrameGap)} must be 5 ms-1 s (a frame's bits come 1-2 ms apart, cards seconds apart)");
        }

        for (var i = 0; i < access.Doors.Count; i++)
        {
            var d = access.Doors[i];
            var door = check.At(nameof(access.Doors), i);
            keys.Id(door, d.Id);
            keys.Line(door, nameof(d.ContactPin), d.ContactPin);
            if (d.RequestToExitPin is { } rex)
            {
                keys.Line(door, nameof(d.RequestToExitPin), rex);
            }

            if (d.ReleasePin is { } release)
            {
                keys.Line(door, nameof(d.ReleasePin), release);
            }

            if (d.LockPin is { } lockPin)
            {
                keys.Line(door, nameof(d.LockPin), lockPin);
            }

            AlarmOptionsValidator.CameraIds(door, d.Cameras);
            DoorTimes(door, d.UnlockFor, d.HeldOpenAfter);
        }

        var lines = new Dictionary<string, (string Key, int BaudRate, HashSet<int> Addresses)>(StringComparer.Ordinal);
        for (var i = 0; i < access.OsdpReaders.Count; i++)
        {
            OsdpReader(access.OsdpReaders[i], check.At(nameof(access.OsdpReaders), i), keys, lines);
        }
    }

    private static void Controller(AccessControllerOptions c, ConfigCheck controller, DeviceKeys keys)
    {
        keys.Id(controller, c.Id);
        controller.That(Uri.TryCreate(c.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https", nameof(c.Url),
            $"'{c.Url}' must be an absolute http:// or https:// address");
        controller.Required(nameof(c.User), c.User, "ISAPI uses digest authentication");
        controller.Range(nameof(c.SilenceTimeout), c.SilenceTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));
        var numbers = new HashSet<int>();
        for (var d = 0; d < c.Doors.Count; d++)
        {
            var door = c.Doors[d];
            var doorCheck = controller.At(nameof(c.Doors), d);
            keys.Id(doorCheck, door.Id);
            doorCheck.That(door.Number is >= 1 and <= 64 && numbers.Add(door.Number), nameof(door.Number), $"{door.Number} must be 1-64 and unique on the controller");
            AlarmOptionsValidator.CameraIds(doorCheck, door.Cameras);
        }
    }

    private static void OsdpReader(OsdpReaderOptions r, ConfigCheck reader, DeviceKeys keys, Dictionary<string, (string Key, int BaudRate, HashSet<int> Addresses)> lines)
    {
        keys.Id(reader, r.Id);
        if (reader.That(Osdp.OsdpLine.Parse(r.Endpoint) is not null, nameof(r.Endpoint), $"'{r.Endpoint}' must be serial:///dev/<port> or tcp://host:port"))
        {
            ShareLine(r, reader, lines);
        }

        reader.OneOf(nameof(r.BaudRate), r.BaudRate, BaudRates);
        reader.Range(nameof(r.Address), r.Address, 0, 126);
        reader.That(r.Scbk is not { } scbk || (scbk.Length == 32 && scbk.All(Uri.IsHexDigit)), nameof(r.Scbk), "must be 32 hex digits (a 16-byte AES key)");
        reader.Range(nameof(r.PollInterval), r.PollInterval, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5));
        reader.That(r.OfflineAfter > r.PollInterval && r.OfflineAfter <= TimeSpan.FromMinutes(5), nameof(r.OfflineAfter),
            $"{ConfigCheck.Describe(r.OfflineAfter)} must be longer than the poll interval and at most 5 min");
        AlarmOptionsValidator.CameraIds(reader, r.Cameras);
        OsdpDoor(r, reader, keys);
    }

    /// <summary>Readers on one line share its speed and each has its own address.</summary>
    private static void ShareLine(OsdpReaderOptions r, ConfigCheck reader, Dictionary<string, (string Key, int BaudRate, HashSet<int> Addresses)> lines)
    {
        if (!lines.TryGetValue(r.Endpoint, out var line))
        {
            lines[r.Endpoint] = (reader.Key, r.BaudRate, [r.Address]);
        }
        else if (line.BaudRate != r.BaudRate)
        {
            reader.Fail(nameof(r.BaudRate), $"{r.BaudRate} differs from {line.BaudRate} of {line.Key} on the same line");
        }
        else if (!line.Addresses.Add(r.Address))
        {
            reader.Fail(nameof(r.Address), $"{r.Address} is already used on the line {r.Endpoint}");
        }
    }

    private static void OsdpDoor(OsdpReaderOptions r, ConfigCheck reader, DeviceKeys keys)
    {
        if (r.LockOutput is { } output)
        {
            reader.Range(nameof(r.LockOutput), output, 0, 255);
            reader.That(!string.IsNullOrEmpty(r.Door), nameof(r.Door), "(the door's device id) is required when LockOutput is set");
        }

        if (r.DoorContactInput is null)
        {
            reader.That(r.RequestToExitInput is null && r.ReleaseInput is null, nameof(r.DoorContactInput), "is required when RequestToExitInput or ReleaseInput is set");
            return;
        }

        if (reader.That(!string.IsNullOrEmpty(r.Door), nameof(r.Door), "(the door's device id) is required when DoorContactInput is set"))
        {
            keys.Id(reader.At(nameof(r.Door)), r.Door!);
        }

        var inputs = new Dictionary<int, string>();
        DeviceKeys.Number(reader, inputs, nameof(r.DoorContactInput), r.DoorContactInput.Value, 63);
        if (r.RequestToExitInput is { } rex)
        {
            DeviceKeys.Number(reader, inputs, nameof(r.RequestToExitInput), rex, 63);
        }

        if (r.ReleaseInput is { } release)
        {
            DeviceKeys.Number(reader, inputs, nameof(r.ReleaseInput), release, 63);
        }

        DoorTimes(reader, r.UnlockFor, r.HeldOpenAfter);
    }

    private static void DoorTimes(ConfigCheck door, TimeSpan unlockFor, TimeSpan heldOpenAfter)
    {
        door.That(unlockFor > TimeSpan.Zero && unlockFor <= TimeSpan.FromMinutes(5), nameof(GpioDoorOptions.UnlockFor),
            $"{ConfigCheck.Describe(unlockFor)} must be above 0 and at most 5 min");
        door.Range(nameof(GpioDoorOptions.HeldOpenAfter), heldOpenAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
    }

    /// <summary>The decoded secret, or null when it is not base64.</summary>
    public static byte[]? Secret(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return null;
        }

        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var n) ? bytes[..n] : null;
    }
}
