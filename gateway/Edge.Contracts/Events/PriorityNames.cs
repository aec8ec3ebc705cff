namespace Edge.Contracts.Events;

/// <summary>The wire names of <see cref="Priority"/>, as used in payloads and MQTT user properties.</summary>
public static class PriorityNames
{
    /// <summary>All priorities, in drain order.</summary>
    public static IReadOnlyList<Priority> All { get; } = [Priority.Critical, Priority.High, Priority.Normal, Priority.Low];

    /// <summary>The wire name of a priority (<c>critical</c>, <c>high</c>, <c>normal</c>, <c>low</c>).</summary>
    public static string ToWire(this Priority priority) => priority switch
    {
        Priority.Critical => "critical",
        Priority.High => "high",
        Priority.Normal => "normal",
        Priority.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "unknown priority"),
    };

    /// <summary>Parses a wire name; returns false for anything else.</summary>
    public static bool TryParse(string? text, out Priority priority)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.ToWire(), text, StringComparison.Ordinal))
            {
                priority = p;
                return true;
            }
        }

        priority = default;
        return false;
    }
}
