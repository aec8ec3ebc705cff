using System.Text.Json.Serialization;

namespace Edge.Contracts.Status;

/// <summary>The retained state of a gateway on its <c>status</c> topic.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GatewayState>))]
public enum GatewayState
{
    [JsonStringEnumMemberName("online")] Online,
    [JsonStringEnumMemberName("offline")] Offline,
}
