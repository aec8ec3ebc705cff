using System.Text.Json.Nodes;
using Edge.Contracts.Events;

namespace Edge.Gateway.Events;

/// <summary>
/// What a device adapter knows about an event. The gateway completes it into an <see cref="EdgeEvent"/>
/// (id, seq, community, gateway, observedAt) when the outbox commits it.
/// </summary>
/// <param name="ExpireAfter">For events worthless when late (motion): how long after <c>observedAt</c> the broker may
/// drop it and the outbox may discard it unsent. Ignored for critical events, which never expire.</param>
public sealed record EventDraft(
    string Type,
    Priority Priority,
    DeviceRef Device,
    EventState? State,
    DateTimeOffset OccurredAt,
    JsonObject? Data = null,
    TimeSpan? ExpireAfter = null);
