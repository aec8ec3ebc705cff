using Edge.Contracts.Events;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;

namespace Edge.Simulator.Station;

/// <summary>
/// A snapshot as the station probe got it: the event it names (topic and user property), the camera, and whether it
/// decodes as a JPEG (with its size).
/// </summary>
public sealed record ProbeSnapshot(Guid EventId, string? Camera, bool LinkConsistent, int Width, int Height)
{
    public bool Decodable => Width > 0 && Height > 0;
}

/// <summary>One message as the station probe understood it. Exactly one of the payload properties is set.</summary>
public sealed record ProbeMessage(
    TopicParts Topic,
    DateTimeOffset ReceivedAt,
    EdgeEvent? Event = null,
    bool Duplicate = false,
    GatewayStatus? Status = null,
    Heartbeat? Heartbeat = null,
    string? Error = null,
    ProbeSnapshot? Snapshot = null);
