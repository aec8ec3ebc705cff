namespace Edge.Contracts.Events;

/// <summary>
/// The categories of the v1 contract. The category is the first part of an event type
/// (<c>alarm.panic</c> is in <c>alarm</c>) and a segment of the event topic.
/// </summary>
public static class EventCategory
{
    public const string Alarm = "alarm";
    public const string Access = "access";
    public const string Door = "door";
    public const string Camera = "camera";
    public const string Device = "device";

    /// <summary>All categories of the v1 contract.</summary>
    public static IReadOnlyList<string> All { get; } = [Alarm, Access, Door, Camera, Device];

    /// <summary>The category of an event type, or null when the type is not <c>category.name</c> with a known category.</summary>
    public static string? Of(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var dot = type.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == type.Length - 1)
        {
            return null;
        }

        var category = type[..dot];
        foreach (var known in All)
        {
            if (known == category)
            {
                return known;
            }
        }

        return null;
    }
}
