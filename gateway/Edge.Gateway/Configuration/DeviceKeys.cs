using Edge.Contracts.Topics;

namespace Edge.Gateway.Configuration;

/// <summary>
/// What the gateway's devices have claimed so far while their configuration is validated: device ids (unique across
/// every kind of device) and GPIO lines (one use each). The alarm and access validators fill one registry in turn, so
/// a reader's D0 on a button's line is named as the clash it is.
/// </summary>
public sealed class DeviceKeys
{
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _lines = [];

    /// <summary>A device id: a valid topic segment, used once. <paramref name="key"/> is the device's key (without <c>:Id</c>).</summary>
    public void Id(List<string> errors, string key, string id)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!TopicSegment.IsValid(id))
        {
            errors.Add($"{key}:Id '{id}' must be 1-{TopicSegment.MaxLength} letters, digits, '-' or '_'");
        }
        else if (!_ids.TryAdd(id, key))
        {
            errors.Add($"{key}:Id '{id}' is already used by {_ids[id]}");
        }
    }

    /// <summary>A GPIO line: 0-1023, used once.</summary>
    public void Line(List<string> errors, string key, int line) => Number(errors, _lines, key, line, 1023);

    /// <summary>A number in range that <paramref name="used"/> may hold once (GPIO lines, ADC channels).</summary>
    public static void Number(List<string> errors, Dictionary<int, string> used, string key, int number, int max)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(used);
        if (number < 0 || number > max)
        {
            errors.Add($"{key} {number} must be 0-{max}");
        }
        else if (!used.TryAdd(number, key))
        {
            errors.Add($"{key} {number} is already used by {used[number]}");
        }
    }
}
