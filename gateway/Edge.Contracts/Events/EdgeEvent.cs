using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Edge.Contracts.Events;

/// <summary>
/// One event as published on <c>edge/v1/{community}/{gateway}/events/{category}/{device}</c>.
/// See docs/mqtt-api.md and docs/schemas/event.schema.json.
/// </summary>
/// <param name="Id">UUIDv7 made at the edge: the station's deduplication key.</param>
/// <param name="Seq">Per gateway, persisted, increasing by one without gaps across restarts.</param>
/// <param name="OccurredAt">Device time of the event.</param>
/// <param name="ObservedAt">Gateway time when the gateway took the event in.</param>
public sealed record EdgeEvent(
    Guid Id,
    long Seq,
    string Type,
    Priority Priority,
    string Community,
    string Gateway,
    DeviceRef Device,
    EventState? State,
    DateTimeOffset OccurredAt,
    DateTimeOffset ObservedAt,
    JsonObject? Data)
{
    /// <summary>The category of <see cref="Type"/> (its part before the dot).</summary>
    [JsonIgnore]
    public string Category => EventCategory.Of(Type) ?? throw new InvalidOperationException($"event type '{Type}' has no known category");
}
