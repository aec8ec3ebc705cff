using System.Text.Json.Serialization;
using Edge.Contracts.Events;
using Edge.Contracts.Status;

namespace Edge.Contracts.Serialization;

/// <summary>Source-generated JSON for every payload of the contract: camelCase, nulls omitted, contract timestamps.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(EdgeEvent))]
[JsonSerializable(typeof(GatewayStatus))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(Commands.StationCommand))]
[JsonSerializable(typeof(Commands.CommandResult))]
[JsonSerializable(typeof(Commands.CommandJws.Header))]
public sealed partial class EdgeJsonContext : JsonSerializerContext;
