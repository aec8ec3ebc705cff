namespace Edge.Gateway.Access;

/// <summary>Validates <c>Edge:Access</c>; every message names its key, for example <c>Edge:Access:Controllers:0:Url</c>.</summary>
public static class AccessOptionsValidator
{
    /// <param name="keys">Ids and GPIO lines already claimed by the gateway's other devices (alarm buttons, zones).</param>
    /// <param name="gpio">The configured GPIO driver: access devices on GPIO need one.</param>
    public static IReadOnlyList<string> Validate(AccessOptions access, Configuration.DeviceKeys keys, Hardware.GpioDriverKind gpio = Hardware.GpioDriverKind.Bridge)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(keys);
        var errors = new List<string>();
        const string s = AccessOptions.Section;
        if (access.Any)
        {
            if (string.IsNullOrEmpty(access.CardSecret))
            {
                errors.Add($"{s}:CardSecret is required when access devices are configured (base64, at least {CardPrivacy.MinSecretBytes} bytes)");
            }
            else if (Secret(access.CardSecret) is not { Length: >= CardPrivacy.MinSecretBytes })
            {
                errors.Add($"{s}:CardSecret must be base64 of at least {CardPrivacy.MinSecretBytes} bytes");
            }
        }

        for (var i = 0; i < access.Controllers.Count; i++)
        {
            var c = access.Controllers[i];
            var key = $"{s}:Controllers:{i}";
            keys.Id(errors, key, c.Id);
            if (!Uri.TryCreate(c.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                errors.Add($"{key}:Url '{c.Url}' must be an absolute http:// or https:// address");
            }

            if (string.IsNullOrEmpty(c.User))
            {
                errors.Add($"{key}:User is required (ISAPI uses digest authentication)");
            }

            if (c.SilenceTimeout < TimeSpan.FromSeconds(5) || c.SilenceTimeout > TimeSpan.FromMinutes(10))
            {
                errors.Add($"{key}:SilenceTimeout {c.SilenceTimeout} must be 5 s-10 min");
            }

            var numbers = new HashSet<int>();
            for (var d = 0; d < c.Doors.Count; d++)
            {
                var door = c.Doors[d];
                keys.Id(errors, $"{key}:Doors:{d}", door.Id);
                if (door.Number is < 1 or > 64 || !numbers.Add(door.Number))
                {
                    errors.Add($"{key}:Doors:{d}:Number {door.Number} must be 1-64 and unique on the controller");
                }
            }
        }

        if (access.UsesGpio && gpio == Hardware.GpioDriverKind.None)
        {
            errors.Add($"{Hardware.HardwareOptions.Section}:Gpio must name a driver (Libgpiod, Sysfs or Bridge) when {s} configures Wiegand readers or doors");
        }

        for (var i = 0; i < access.WiegandReaders.Count; i++)
        {
            var r = access.WiegandReaders[i];
            var key = $"{s}:WiegandReaders:{i}";
            keys.Id(errors, key, r.Id);
            keys.Line(errors, $"{key}:D0", r.D0);
            keys.Line(errors, $"{key}:D1", r.D1);
            if (r.Format37 is not (WiegandFormat.H10304 or WiegandFormat.H10302))
            {
                errors.Add($"{key}:Format37 must be H10304 or H10302");
            }

            if (r.FrameGap < TimeSpan.FromMilliseconds(5) || r.FrameGap > TimeSpan.FromSeconds(1))
            {
                errors.Add($"{key}:FrameGap must be between 00:00:00.005 and 00:00:01 (a frame's bits come 1-2 ms apart, cards seconds apart)");
            }
        }

        for (var i = 0; i < access.Doors.Count; i++)
        {
            var d = access.Doors[i];
            var key = $"{s}:Doors:{i}";
            keys.Id(errors, key, d.Id);
            keys.Line(errors, $"{key}:ContactPin", d.ContactPin);
            if (d.RequestToExitPin is { } rex)
            {
                keys.Line(errors, $"{key}:RequestToExitPin", rex);
            }

            if (d.ReleasePin is { } release)
            {
                keys.Line(errors, $"{key}:ReleasePin", release);
            }

            ValidateDoorTimes(errors, key, d.UnlockFor, d.HeldOpenAfter);
        }

        var lines = new Dictionary<string, (string Key, int BaudRate, HashSet<int> Addresses)>(StringComparer.Ordinal);
        for (var i = 0; i < access.OsdpReaders.Count; i++)
        {
            var r = access.OsdpReaders[i];
            var key = $"{s}:OsdpReaders:{i}";
            keys.Id(errors, key, r.Id);
            if (Osdp.OsdpLine.Parse(r.Endpoint) is null)
            {
                errors.Add($"{key}:Endpoint '{r.Endpoint}' must be serial:///dev/<port> or tcp://host:port");
            }
            else if (!lines.TryGetValue(r.Endpoint, out var line))
            {
                lines[r.Endpoint] = (key, r.BaudRate, [r.Address]);
            }
            else if (line.BaudRate != r.BaudRate)
            {
                errors.Add($"{key}:BaudRate {r.BaudRate} differs from {line.BaudRate} of {line.Key} on the same line");
            }
            else if (!line.Addresses.Add(r.Address))
            {
                errors.Add($"{key}:Address {r.Address} is already used on the line {r.Endpoint}");
            }

            if (r.BaudRate is not (9600 or 19200 or 38400 or 57600 or 115200 or 230400))
            {
                errors.Add($"{key}:BaudRate {r.BaudRate} must be 9600, 19200, 38400, 57600, 115200 or 230400");
            }

            if (r.Address is < 0 or > 126)
            {
                errors.Add($"{key}:Address {r.Address} must be 0-126");
            }

            if (r.Scbk is { } scbk && (scbk.Length != 32 || !scbk.All(Uri.IsHexDigit)))
            {
                errors.Add($"{key}:Scbk must be 32 hex digits (a 16-byte AES key)");
            }

            if (r.PollInterval < TimeSpan.FromMilliseconds(20) || r.PollInterval > TimeSpan.FromSeconds(5))
            {
                errors.Add($"{key}:PollInterval {r.PollInterval} must be 20 ms-5 s");
            }

            if (r.OfflineAfter <= r.PollInterval || r.OfflineAfter > TimeSpan.FromMinutes(5))
            {
                errors.Add($"{key}:OfflineAfter {r.OfflineAfter} must be longer than the poll interval and at most 5 min");
            }

            ValidateOsdpDoor(errors, keys, key, r);
        }

        return errors;
    }

    private static void ValidateOsdpDoor(List<string> errors, Configuration.DeviceKeys keys, string key, OsdpReaderOptions r)
    {
        if (r.DoorContactInput is null)
        {
            if (r.RequestToExitInput is not null || r.ReleaseInput is not null)
            {
                errors.Add($"{key}:DoorContactInput is required when RequestToExitInput or ReleaseInput is set");
            }

            return;
        }

        if (string.IsNullOrEmpty(r.Door))
        {
            errors.Add($"{key}:Door (the door's device id) is required when DoorContactInput is set");
        }
        else
        {
            keys.Id(errors, $"{key}:Door", r.Door);
        }

        var inputs = new Dictionary<int, string>();
        Configuration.DeviceKeys.Number(errors, inputs, $"{key}:DoorContactInput", r.DoorContactInput.Value, 63);
        if (r.RequestToExitInput is { } rex)
        {
            Configuration.DeviceKeys.Number(errors, inputs, $"{key}:RequestToExitInput", rex, 63);
        }

        if (r.ReleaseInput is { } release)
        {
            Configuration.DeviceKeys.Number(errors, inputs, $"{key}:ReleaseInput", release, 63);
        }

        ValidateDoorTimes(errors, key, r.UnlockFor, r.HeldOpenAfter);
    }

    private static void ValidateDoorTimes(List<string> errors, string key, TimeSpan unlockFor, TimeSpan heldOpenAfter)
    {
        if (unlockFor <= TimeSpan.Zero || unlockFor > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{key}:UnlockFor {unlockFor} must be above 0 and at most 5 min");
        }

        if (heldOpenAfter < TimeSpan.FromSeconds(1) || heldOpenAfter > TimeSpan.FromHours(1))
        {
            errors.Add($"{key}:HeldOpenAfter {heldOpenAfter} must be 1 s-1 h");
        }
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
