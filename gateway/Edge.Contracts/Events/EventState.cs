using System.Text.Json.Serialization;

namespace Edge.Contracts.Events;

/// <summary>Whether a condition began or ended. Absent on events that are instantaneous (a card read).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EventState>))]
public enum EventState
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("restored")] Restored,
}
