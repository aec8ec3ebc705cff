using Edge.Contracts.Status;

namespace Edge.Gateway.Outbox;

/// <summary>A snapshot of the outbox for the heartbeat.</summary>
public sealed record OutboxStats(
    long LastSeq,
    QueueDepth Queue,
    long PendingBytes,
    DateTimeOffset? OldestEnqueuedAt,
    long Evictions,
    long DeadLetters,
    long Expired);
