using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Tests.Support;

namespace Edge.Tests.Contracts;

public sealed class PayloadTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 8, 15, 30, 123, TimeSpan.Zero);

    private static EdgeEvent Sample(EventState? state = EventState.Active, JsonObject? data = null) => new(
        Guid.CreateVersion7(At), 42, EventTypes.AlarmPanic, Priority.Critical, "c001", "gw1",
        new DeviceRef("btn-guardroom", "alarm-button", "Guard room button", new Location("3", "1", "1", "guard room")),
        state, At.AddMilliseconds(-7), At, data ?? new JsonObject { ["pressMs"] = 120 });

    [Fact]
    public void Event_round_trips_through_json()
    {
        var e = Sample();
        var decoded = Payloads.DecodeEvent(Payloads.Encode(e));

        Assert.Equal(e with { Data = null }, decoded with { Data = null });
        Assert.Equal(e.Data!.ToJsonString(), decoded.Data!.ToJsonString());
    }

    [Fact]
    public void Event_uses_contract_field_names_and_wire_values()
    {
        var json = JsonNode.Parse(Payloads.Encode(Sample()))!.AsObject();

        Assert.Equal("alarm.panic", (string?)json["type"]);
        Assert.Equal("critical", (string?)json["priority"]);
        Assert.Equal("active", (string?)json["state"]);
        Assert.Equal("2026-11-28T08:15:30.123Z", (string?)json["observedAt"]);
        Assert.Equal("2026-11-28T08:15:30.116Z", (string?)json["occurredAt"]);
        Assert.Equal("guard room", (string?)json["device"]!["location"]!["description"]);
        Assert.False(json.ContainsKey("category"), "category is the topic's, not the payload's");
    }

    [Fact]
    public void Timestamps_are_written_in_utc_with_milliseconds_whatever_the_offset()
    {
        var local = new DateTimeOffset(2026, 11, 28, 16, 15, 30, 5, TimeSpan.FromHours(8));
        var e = Sample() with { ObservedAt = local };

        var json = JsonNode.Parse(Payloads.Encode(e))!;

        Assert.Equal("2026-11-28T08:15:30.005Z", (string?)json["observedAt"]);
    }

    [Fact]
    public void Timestamps_are_written_as_the_contracts_format_gives_them_for_any_instant()
    {
        var random = new Random(1202);
        DateTimeOffset[] edges = [DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch, new(999, 1, 9, 3, 4, 5, 6, TimeSpan.Zero),
            new(2026, 12, 31, 23, 59, 59, 999, TimeSpan.Zero), new(2028, 2, 29, 12, 0, 0, 0, TimeSpan.FromHours(-11))];
        var instants = edges.Concat(Enumerable.Range(0, 5_000).Select(_ =>
            new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.FromHours(random.Next(-12, 14)))));
        using var buffer = new MemoryStream();
        using var writer = new Utf8JsonWriter(buffer);

        foreach (var instant in instants)
        {
            buffer.SetLength(0);
            writer.Reset(buffer);
            UtcTimestampConverter.WriteValue(writer, instant);
            writer.Flush();

            Assert.Equal($"\"{UtcTimestampConverter.ToText(instant)}\"", Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }

    [Fact]
    public void Event_without_state_omits_it()
    {
        var json = JsonNode.Parse(Payloads.Encode(Sample(state: null)))!.AsObject();

        Assert.False(json.ContainsKey("state"));
    }

    [Fact]
    public void Event_payload_matches_the_json_schema() => Schemas.AssertValid(Schemas.Event, Payloads.Encode(Sample()));

    [Fact]
    public void Status_payload_matches_the_json_schema()
    {
        var status = new GatewayStatus(GatewayState.Offline, "c001", "gw1", "0.1.0", At, At, "connection-lost");

        Schemas.AssertValid(Schemas.Status, Payloads.Encode(status));
        Assert.Equal(status, Payloads.DecodeStatus(Payloads.Encode(status)));
    }

    [Fact]
    public void Heartbeat_payload_matches_the_json_schema()
    {
        var hb = new Heartbeat("c001", "gw1", At, 12.5, 99, new QueueDepth(1, 2, 3, 4), 0.25, 5, 6, 7, 8);

        Schemas.AssertValid(Schemas.Heartbeat, Payloads.Encode(hb));
        Assert.Equal(hb, Payloads.DecodeHeartbeat(Payloads.Encode(hb)));
        Assert.DoesNotContain("snapshots", System.Text.Encoding.UTF8.GetString(Payloads.Encode(hb)), StringComparison.Ordinal);
        Assert.DoesNotContain("accessLog", System.Text.Encoding.UTF8.GetString(Payloads.Encode(hb)), StringComparison.Ordinal);
        Assert.DoesNotContain("clientCertificate", System.Text.Encoding.UTF8.GetString(Payloads.Encode(hb)), StringComparison.Ordinal);
        var withSnapshots = hb with
        {
            Snapshots = new SnapshotCounters(3, 1, 2), AccessLog = new AccessLogCounters(4, 0, 1),
            ClientCertificate = new ClientCertificateStatus("O=Edge, CN=c001/gw1", At.AddDays(29), 28.6),
            SeqEpoch = At.AddDays(-3),
            ConnectFailures = 4,
            LastConnectError = new ConnectError("no answer within 10 s (ConnectTimeout)", At.AddMinutes(-2)),
        };
        Schemas.AssertValid(Schemas.Heartbeat, Payloads.Encode(withSnapshots));
        Assert.Equal(withSnapshots, Payloads.DecodeHeartbeat(Payloads.Encode(withSnapshots)));
    }

    [Theory]
    [InlineData("id", "\"not-a-uuid\"")]
    [InlineData("seq", "0")]
    [InlineData("priority", "\"urgent\"")]
    [InlineData("type", "\"panic\"")]
    [InlineData("observedAt", "\"2026-11-28T08:15:30Z\"")]
    [InlineData("community", "\"c/001\"")]
    public void Schema_rejects_a_payload_with_a_bad_field(string field, string value)
    {
        var json = JsonNode.Parse(Payloads.Encode(Sample()))!.AsObject();
        json[field] = JsonNode.Parse(value);

        Assert.False(Schemas.IsValid(Schemas.Event, json.ToJsonString()), $"{field}={value} should be rejected");
    }

    [Fact]
    public void Schema_rejects_a_payload_without_an_id()
    {
        var json = JsonNode.Parse(Payloads.Encode(Sample()))!.AsObject();
        json.Remove("id");

        Assert.False(Schemas.IsValid(Schemas.Event, json.ToJsonString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("{\"id\":5}")]
    [InlineData("[1,2]")]
    public void Decoding_garbage_throws_a_json_exception(string text)
    {
        Assert.ThrowsAny<JsonException>(() => Payloads.DecodeEvent(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Ids_are_uuid_version_7()
    {
        Assert.Equal(7, Sample().Id.Version);
    }

    /// <summary>
    /// The outbox writes events through its own writer (<see cref="Payloads.Encode(EdgeEvent, Utf8JsonWriter)"/>, by
    /// hand); it must give the serializer's bytes exactly, for every shape an event can take.
    /// </summary>
    [Fact]
    public void The_outbox_writer_gives_the_serializers_bytes_for_every_shape_of_event()
    {
        var random = new Random(1207);
        string? Text(bool optional)
        {
            if (optional && random.Next(4) == 0)
            {
                return null;
            }

            string[] pieces = ["guard room", "单元门 3", "\"quoted\"", "back\\slash", "tab\tnew\nline", "<script>&'", "\u0001\u001f", "emoji \U0001F6A8", "é", ""];
            return string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => pieces[random.Next(pieces.Length)]));
        }

        JsonObject? Data() => random.Next(5) switch
        {
            0 => null,
            1 => [],
            2 => new JsonObject { ["pressMs"] = random.Next(), ["door"] = Text(false), ["held"] = random.Next(2) == 0 },
            3 => new JsonObject { ["at"] = JsonValue.Create(At.AddTicks(random.NextInt64(1_000_000_000)).ToOffset(TimeSpan.FromHours(8))), ["ratio"] = random.NextDouble() },
            _ => new JsonObject { ["list"] = new JsonArray(1, "two", null, new JsonObject { ["x"] = Text(false) }), ["nothing"] = null },
        };

        using var buffer = new MemoryStream();
        using var writer = new Utf8JsonWriter(buffer);
        for (var i = 0; i < 2_000; i++)
        {
            var location = random.Next(3) == 0 ? null : new Location(Text(true), Text(true), Text(true), Text(true));
            var e = new EdgeEvent(Guid.CreateVersion7(At.AddSeconds(i)), random.NextInt64(long.MaxValue), EventTypes.AlarmPanic,
                (Priority)random.Next(4), Text(false)!, Text(false)!, new DeviceRef(Text(false)!, Text(false)!, Text(true), location),
                random.Next(3) switch { 0 => null, 1 => EventState.Active, _ => EventState.Restored },
                At.AddMilliseconds(-random.Next(100_000)).ToOffset(TimeSpan.FromHours(random.Next(-12, 14))), At.AddMilliseconds(i), Data());

            buffer.SetLength(0);
            writer.Reset(buffer);
            Payloads.Encode(e, writer);
            writer.Flush();

            Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(e, EdgeJsonContext.Default.EdgeEvent)), Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }
}
