namespace Edge.Contracts.Topics;

/// <summary>
/// MQTT 5 user properties on every event message, mirroring payload fields so a broker rule can route without
/// parsing JSON, and on every snapshot, linking it to its event.
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

    /// <summary>On a snapshot: the id of the event it was taken for (also the last topic segment).</summary>
    public const string EventId = "eventId";

    /// <summary>On a snapshot: the camera's device id.</summary>
    public const string Camera = "camera";

    /// <summary>On a snapshot: when the gateway got the snapshot (RFC 3339 UTC).</summary>
    public const string TakenAt = "takenAt";
}
