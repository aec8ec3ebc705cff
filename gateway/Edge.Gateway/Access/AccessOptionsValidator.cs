using Edge.Contracts.Topics;

namespace Edge.Gateway.Access;

/// <summary>Validates <c>Edge:Access</c>; every message names its key, for example <c>Edge:Access:Controllers:0:Url</c>.</summary>
public static class AccessOptionsValidator
{
    /// <param name="otherIds">Device ids already used by other devices of the gateway (alarm buttons, zones).</param>
    /// <param name="otherPins">GPIO lines already used by other devices, with their keys.</param>
    /// <param name="gpio">The configured GPIO driver: access devices on GPIO need one.</param>
    public static IReadOnlyList<string> Validate(AccessOptions access, IEnumerable<string> otherIds, IReadOnlyDictionary<int, string>? otherPins = null, Hardware.GpioDriverKind gpio = Hardware.GpioDriverKind.Bridge)
    {
        ArgumentNullException.ThrowIfNull(access);
        var errors = new List<string>();
        const string s = AccessOptions.Section;
        var ids = new HashSet<string>(otherIds, StringComparer.Ordinal);
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
            Id(errors, ids, $"{key}:Id", c.Id);
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
                Id(errors, ids, $"{key}:Doors:{d}:Id", door.Id);
                if (door.Number is < 1 or > 64 || !numbers.Add(door.Number))
                {
                    errors.Add($"{key}:Doors:{d}:Number {door.Number} must be 1-64 and unique on the controller");
                }
            }
        }

        var pins = otherPins is null ? new Dictionary<int, string>() : new Dictionary<int, string>(otherPins);
        if (access.UsesGpio && gpio == Hardware.GpioDriverKind.None)
        {
            errors.Add($"{Hardware.HardwareOptions.Section}:Gpio must name a driver (Libgpiod, Sysfs or Bridge) when {s} configures Wiegand readers or doors");
        }

        for (var i = 0; i < access.WiegandReaders.Count; i++)
        {
            var r = access.WiegandReaders[i];
            var key = $"{s}:WiegandReaders:{i}";
            Id(errors, ids, $"{key}:Id", r.Id);
            Pin(errors, pins, $"{key}:D0", r.D0);
            Pin(errors, pins, $"{key}:D1", r.D1);
            if (r.Format37 is not (WiegandFormat.H10304 or WiegandFormat.H10302))
            {
                errors.Add($"{key}:Format37 must be H10304 or H10302");
            }
        }

        for (var i = 0; i < access.Doors.Count; i++)
        {
            var d = access.Doors[i];
            var key = $"{s}:Doors:{i}";
            Id(errors, ids, $"{key}:Id", d.Id);
            Pin(errors, pins, $"{key}:ContactPin", d.ContactPin);
            if (d.RequestToExitPin is { } rex)
            {
                Pin(errors, pins, $"{key}:RequestToExitPin", rex);
            }

            if (d.ReleasePin is { } release)
            {
                Pin(errors, pins, $"{key}:ReleasePin", release);
            }

            if (d.UnlockFor <= TimeSpan.Zero || d.UnlockFor > TimeSpan.FromMinutes(5))
            {
                errors.Add($"{key}:UnlockFor {d.UnlockFor} must be above 0 and at most 5 min");
            }

            if (d.HeldOpenAfter < TimeSpan.FromSeconds(1) || d.HeldOpenAfter > TimeSpan.FromHours(1))
            {
                errors.Add($"{key}:HeldOpenAfter {d.HeldOpenAfter} must be 1 s-1 h");
            }
        }

        for (var i = 0; i < access.OsdpReaders.Count; i++)
        {
            var r = access.OsdpReaders[i];
            var key = $"{s}:OsdpReaders:{i}";
            Id(errors, ids, $"{key}:Id", r.Id);
            if (!Uri.TryCreate(r.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != "tcp" || endpoint.Port <= 0)
            {
                errors.Add($"{key}:Endpoint '{r.Endpoint}' must be tcp://host:port");
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
        }

        return errors;
    }

    private static void Pin(List<string> errors, Dictionary<int, string> used, string key, int pin)
    {
        if (pin is < 0 or > 1023)
        {
            errors.Add($"{key} {pin} must be 0-1023");
        }
        else if (!used.TryAdd(pin, key))
        {
            errors.Add($"{key} {pin} is already used by {used[pin]}");
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

    private static void Id(List<string> errors, HashSet<string> ids, string key, string id)
    {
        if (!TopicSegment.IsValid(id))
        {
            errors.Add($"{key} '{id}' must be 1-{TopicSegment.MaxLength} letters, digits, '-' or '_'");
        }
        else if (!ids.Add(id))
        {
            errors.Add($"{key} '{id}' is already the id of another device");
        }
    }
}
