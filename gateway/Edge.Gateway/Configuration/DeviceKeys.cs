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

    /// <summary>The device id of the element <paramref name="device"/> checks (its <c>Id</c>): a valid topic segment, used once.</summary>
    public void Id(ConfigCheck device, string id)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.That(TopicSegment.IsValid(id), "Id", $"'{id}' must be {TopicSegment.Rule}"))
        {
            device.That(_ids.TryAdd(id, device.Key), "Id", $"'{id}' is already used by {_ids[id]}");
        }
    }

    /// <summary>A GPIO line: 0-1023, used once.</summary>
    public void Line(ConfigCheck check, string name, int line) => Number(check, _lines, name, line, 1023);

    /// <summary>A number in range that <paramref name="used"/> may hold once (GPIO lines, ADC channels, a reader's inputs).</summary>
    public static void Number(ConfigCheck check, Dictionary<int, string> used, string name, int number, int max)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(used);
        if (check.Range(name, number, 0, max))
        {
            check.That(used.TryAdd(number, $"{check.Key}:{name}"), name, $"{number} is already used by {used[number]}");
        }
    }
}
