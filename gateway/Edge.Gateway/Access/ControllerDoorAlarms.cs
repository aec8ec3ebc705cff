using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Contracts.Events;

namespace Edge.Gateway.Access;

/// <summary>
/// The doors of one access controller that are forced or held open, kept with the controller's cursor (as JSON: door
/// id to alarm types) so that a restarted gateway still knows which alarm a later close restores.
/// </summary>
internal sealed class ControllerDoorAlarms(AccessControllerOptions controller)
{
    private readonly Dictionary<string, HashSet<string>> _active = [];

    public void Set(string door, string type)
    {
        if (!_active.TryGetValue(door, out var set))
        {
            _active[door] = set = [];
        }

        set.Add(type);
    }

    /// <summary>The door's alarms, now ended, in a fixed order.</summary>
    public IEnumerable<string> Take(string door)
    {
        if (!_active.Remove(door, out var set))
        {
            return [];
        }

        return set.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The doors in alarm as kept with the cursor, null when none is.</summary>
    public string? State() => _active.Count == 0
        ? null
        : JsonSerializer.Serialize(_active.OrderBy(a => a.Key, StringComparer.Ordinal)
            .ToDictionary(a => a.Key, a => a.Value.Order(StringComparer.Ordinal).ToArray()), DoorAlarmStateJson.Default.DictionaryStringStringArray);

    /// <summary>Takes back the doors in alarm kept with the cursor; of a state that does not read, only the doors configured and the alarms known.</summary>
    public void Restore(string? state)
    {
        if (state is null)
        {
            return;
        }

        Dictionary<string, string[]>? doors;
        try
        {
            doors = JsonSerializer.Deserialize(state, DoorAlarmStateJson.Default.DictionaryStringStringArray);
        }
        catch (JsonException)
        {
            return;
        }

        foreach (var (door, types) in doors ?? [])
        {
            if (controller.Doors.Any(d => d.Id == door))
            {
                foreach (var type in types ?? [])
                {
                    if (type is EventTypes.DoorForced or EventTypes.DoorHeldOpen)
                    {
                        Set(door, type);
                    }
                }
            }
        }
    }
}

/// <summary>Source-generated JSON for the doors in alarm kept with a controller's cursor.</summary>
[JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class DoorAlarmStateJson : JsonSerializerContext;
