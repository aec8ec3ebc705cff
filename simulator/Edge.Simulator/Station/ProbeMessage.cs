using Edge.Contracts.Events;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;

namespace Edge.Simulator.Station;

/// <summary>One message as the station probe understood it. Exactly one of the payload properties is set.</summary>
public sealed record ProbeMessage(
    TopicParts Topic,
    DateTimeOffset ReceivedAt,
    EdgeEvent? Event = null,
    bool Duplicate = false,
    GatewayStatus? Status = null,
    Heartbeat? Heartbeat = null,
    string? Error = null);
