using System.Text.Json.Nodes;
using Edge.Contracts.Events;

namespace Edge.Gateway.Events;

/// <summary>
/// What a device adapter knows about an event. The gateway completes it into an <see cref="EdgeEvent"/>
/// (id, seq, community, gateway, observedAt) when the outbox commits it.
/// </summary>
/// <param name="ExpireAfter">For events worthless when late (motion): how long after <c>observedAt</c> the broker may
/// drop it and the outbox may discard it unsent. Ignored for critical events, which never expire.</param>
/// <param name="Cursor">Where the device that reported the event stands once it is taken (an access controller's event
/// serial number): committed in the same transaction as the event, so after a restart the adapter asks the device for
/// what came after it, and nothing twice.</param>
public sealed record EventDraft(
    string Type,
    Priority Priority,
    DeviceRef Device,
    EventState? State,
    DateTimeOffset OccurredAt,
    JsonObject? Data = null,
    TimeSpan? ExpireAfter = null,
    SourceCursor? Cursor = null);

/// <summary>
/// A position in a device's own numbering of its events, under a key naming the device, and what the adapter must
/// remember with it (<paramref name="State"/>: an access controller's doors in alarm), so that both are restored together.
/// </summary>
public readonly record struct SourceCursor(string Key, long Position, string? State = null);

/// <summary>The cursors committed with events (the outbox): where each device stood at the last event taken from it.</summary>
public interface ISourceCursors
{
    /// <summary>The cursor last committed under <paramref name="key"/>, or null when none was.</summary>
    SourceCursor? Cursor(string key);
}
