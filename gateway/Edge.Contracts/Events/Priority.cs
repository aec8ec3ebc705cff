using System.Text.Json.Serialization;

namespace Edge.Contracts.Events;

/// <summary>
/// Delivery priority of an event. The outbox drains lanes in this order; <see cref="Critical"/> is never evicted.
/// The numeric value is the lane index (lower drains first).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<Priority>))]
public enum Priority
{
    [JsonStringEnumMemberName("critical")] Critical = 0,
    [JsonStringEnumMemberName("high")] High = 1,
    [JsonStringEnumMemberName("normal")] Normal = 2,
    [JsonStringEnumMemberName("low")] Low = 3,
}
