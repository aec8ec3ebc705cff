using Edge.Contracts.Events;

namespace Edge.Gateway.Outbox;

/// <summary>What waits in the outbox, lane by lane: read by work that must yield to waiting alarms (snapshots).</summary>
public interface IOutboxPressure
{
    /// <summary>Events waiting in <paramref name="priority"/>.</summary>
    long Pending(Priority priority);
}
