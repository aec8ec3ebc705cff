using Edge.Contracts.Events;

namespace Edge.Gateway.Outbox;

/// <summary>A committed event waiting in the outbox for its PUBACK.</summary>
public sealed record OutboxRecord(
    long Seq,
    Priority Priority,
    string Topic,
    Guid Id,
    string Type,
    byte[] Payload,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset? ExpiresAt);
