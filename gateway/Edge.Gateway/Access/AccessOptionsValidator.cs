using Edge.Contracts.Topics;

namespace Edge.Gateway.Access;

/// <summary>Validates <c>Edge:Access</c>; every message names its key, for example <c>Edge:Access:Controllers:0:Url</c>.</summary>
public static class AccessOptionsValidator
{
    /// <param name="otherIds">Device ids already used by other devices of the gateway (alarm buttons, zones).</param>
    public static IReadOnlyList<string> Validate(AccessOptions access, IEnumerable<string> otherIds)
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

        return errors;
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
