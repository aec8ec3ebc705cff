namespace Edge.Gateway.Cameras;

/// <summary>Where snapshots go: the uplink publishes them on the event's media topic, outside the outbox.</summary>
public interface ISnapshotPublisher
{
    /// <summary>
    /// Publishes <paramref name="snapshot"/> (QoS 1; the broker may drop it after <paramref name="expireAfter"/>); false
    /// when it could not now (no connection, or the broker refused it).
    /// </summary>
    Task<bool> PublishSnapshotAsync(Snapshot snapshot, TimeSpan expireAfter, CancellationToken ct);
}
