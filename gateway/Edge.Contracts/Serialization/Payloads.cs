using System.Text.Json;
using Edge.Contracts.Events;
using Edge.Contracts.Status;

namespace Edge.Contracts.Serialization;

/// <summary>Encodes and decodes the contract's payloads (UTF-8 JSON).</summary>
public static class Payloads
{
    public static byte[] Encode(EdgeEvent value) => JsonSerializer.SerializeToUtf8Bytes(value, EdgeJsonContext.Default.EdgeEvent);

    /// <summary>Writes an event to <paramref name="writer"/>: for a caller that encodes many and reuses its writer and buffer.</summary>
    public static void Encode(EdgeEvent value, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(writer);
        EventJsonWriter.Write(value, writer);
    }

    public static byte[] Encode(GatewayStatus value) => JsonSerializer.SerializeToUtf8Bytes(value, EdgeJsonContext.Default.GatewayStatus);

    public static byte[] Encode(Heartbeat value) => JsonSerializer.SerializeToUtf8Bytes(value, EdgeJsonContext.Default.Heartbeat);

    /// <summary>Decodes an event; throws <see cref="JsonException"/> on anything that is not one.</summary>
    public static EdgeEvent DecodeEvent(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.EdgeEvent) ?? throw new JsonException("null event");

    public static GatewayStatus DecodeStatus(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.GatewayStatus) ?? throw new JsonException("null status");

    public static byte[] Encode(Commands.CommandResult value) => JsonSerializer.SerializeToUtf8Bytes(value, EdgeJsonContext.Default.CommandResult);

    /// <summary>Decodes a command's payload (the JWS payload); throws <see cref="JsonException"/> on anything that is not one.</summary>
    public static Commands.StationCommand DecodeCommand(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.StationCommand) ?? throw new JsonException("null command");

    public static Commands.CommandResult DecodeResult(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.CommandResult) ?? throw new JsonException("null result");

    public static Heartbeat DecodeHeartbeat(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.Heartbeat) ?? throw new JsonException("null heartbeat");
}
