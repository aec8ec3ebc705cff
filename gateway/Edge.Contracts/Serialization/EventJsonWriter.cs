using System.Text.Json;
using Edge.Contracts.Events;

namespace Edge.Contracts.Serialization;

/// <summary>
/// Writes an event exactly as <see cref="EdgeJsonContext"/> does (same fields, order, names and escaping), by hand: the
/// source-generated serializer does not take its fast path for <see cref="EdgeEvent"/> (its data is a
/// <see cref="System.Text.Json.Nodes.JsonObject"/>) and allocated a stack of frames for every event the outbox
/// committed. PayloadTests checks the two byte for byte.
/// </summary>
internal static class EventJsonWriter
{
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText PriorityName = JsonEncodedText.Encode("priority");
    private static readonly JsonEncodedText Community = JsonEncodedText.Encode("community");
    private static readonly JsonEncodedText Gateway = JsonEncodedText.Encode("gateway");
    private static readonly JsonEncodedText Device = JsonEncodedText.Encode("device");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText LocationName = JsonEncodedText.Encode("location");
    private static readonly JsonEncodedText Building = JsonEncodedText.Encode("building");
    private static readonly JsonEncodedText Unit = JsonEncodedText.Encode("unit");
    private static readonly JsonEncodedText Floor = JsonEncodedText.Encode("floor");
    private static readonly JsonEncodedText Description = JsonEncodedText.Encode("description");
    private static readonly JsonEncodedText State = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText OccurredAt = JsonEncodedText.Encode("occurredAt");
    private static readonly JsonEncodedText ObservedAt = JsonEncodedText.Encode("observedAt");
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");

    // The enums' wire names as the serializer writes them, taken from it once.
    private static readonly JsonEncodedText[] Priorities = [.. Enum.GetValues<Priority>().Select(p => WireName(p, EdgeJsonContext.Default.Priority))];
    private static readonly JsonEncodedText[] States = [.. Enum.GetValues<EventState>().Select(s => WireName(s, EdgeJsonContext.Default.EventState))];

    public static void Write(EdgeEvent e, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString(Id, e.Id);
        writer.WriteNumber(Seq, e.Seq);
        writer.WriteString(Type, e.Type);
        writer.WriteString(PriorityName, Priorities[(int)e.Priority]);
        writer.WriteString(Community, e.Community);
        writer.WriteString(Gateway, e.Gateway);
        WriteDevice(e.Device, writer);
        if (e.State is { } state)
        {
            writer.WriteString(State, States[(int)state]);
        }

        writer.WritePropertyName(OccurredAt);
        UtcTimestampConverter.WriteValue(writer, e.OccurredAt);
        writer.WritePropertyName(ObservedAt);
        UtcTimestampConverter.WriteValue(writer, e.ObservedAt);
        if (e.Data is { } data)
        {
            writer.WritePropertyName(Data);
            data.WriteTo(writer, EdgeJsonContext.Default.Options);
        }

        writer.WriteEndObject();
    }

    private static void WriteDevice(DeviceRef device, Utf8JsonWriter writer)
    {
        writer.WritePropertyName(Device);
        if (device is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString(Id, device.Id);
        writer.WriteString(Kind, device.Kind);
        WriteIfSet(writer, Name, device.Name);
        if (device.Location is { } location)
        {
            writer.WriteStartObject(LocationName);
            WriteIfSet(writer, Building, location.Building);
            WriteIfSet(writer, Unit, location.Unit);
            WriteIfSet(writer, Floor, location.Floor);
            WriteIfSet(writer, Description, location.Description);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static JsonEncodedText WireName<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        JsonEncodedText.Encode(JsonSerializer.Serialize(value, info).Trim('"'));
}
