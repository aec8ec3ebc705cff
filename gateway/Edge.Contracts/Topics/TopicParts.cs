namespace Edge.Contracts.Topics;

/// <summary>What a v1 topic names.</summary>
public enum TopicKind
{
    Event,
    Status,
    Heartbeat,

    /// <summary>A snapshot for an event (<see cref="TopicParts.EventId"/>).</summary>
    Media,
}

/// <summary>
/// The parts of a v1 topic; <see cref="Category"/> and <see cref="Device"/> are set for events only,
/// <see cref="EventId"/> for media only.
/// </summary>
public readonly record struct TopicParts(string Community, string Gateway, TopicKind Kind, string? Category, string? Device, string? EventId = null);
