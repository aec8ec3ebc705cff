namespace Edge.Contracts.Topics;

/// <summary>
/// MQTT 5 user properties on every event message, mirroring payload fields so a broker rule can route without
/// parsing JSON.
/// </summary>
public static class UserProperties
{
    /// <summary>The event's <c>id</c>.</summary>
    public const string Id = "id";

    /// <summary>The event's <c>type</c>.</summary>
    public const string Type = "type";

    /// <summary>The event's <c>priority</c>.</summary>
    public const string Priority = "priority";

    /// <summary>The event's <c>seq</c>.</summary>
    public const string Seq = "seq";
}
