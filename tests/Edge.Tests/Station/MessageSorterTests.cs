using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;
using Edge.Station.Ingest;
using Edge.Tests.Support;

namespace Edge.Tests.Station;

/// <summary>What the broker brings, sorted: the contract's messages taken, anything else quarantined with its reason, nothing thrown.</summary>
public sealed class MessageSorterTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly DateTimeOffset _now = DeskFixtures.T0;

    private MessageSorter Sorter(IReadOnlySet<string>? roster = null) => new(DeskFixtures.Options(_dir.Path, roster));

    [Fact]
    public void An_event_status_heartbeat_picture_and_result_of_the_contract_are_taken()
    {
        var e = DeskFixtures.Event(EventTypes.AlarmPanic, 1, _now);
        var (topic, payload) = DeskFixtures.Message(e);
        Assert.Equal(e.Id, Assert.IsType<InboundEvent>(Sorter().Sort(topic, payload, _now)).Event.Id);

        var status = new GatewayStatus(GatewayState.Online, "c001", "gw1", "1.0", _now, _now);
        Assert.IsType<InboundStatus>(Sorter().Sort(Topic.Status("c001", "gw1"), Payloads.Encode(status), _now));

        var heartbeat = new Heartbeat("c001", "gw1", _now, 5, 10, new QueueDepth(0, 0, 3, 0), 0.5, 0, 0, 0, 0);
        Assert.IsType<InboundHeartbeat>(Sorter().Sort(Topic.Heartbeat("c001", "gw1"), Payloads.Encode(heartbeat), _now));

        Assert.IsType<InboundPicture>(Sorter().Sort(Topic.Media("c001", "gw1", e.Id), DeskFixtures.Jpeg(), _now));

        var result = new CommandResult(Guid.NewGuid(), CommandTypes.AlarmAcknowledge, CommandOutcomes.Applied, null, "c001", "gw1", _now);
        Assert.IsType<InboundResult>(Sorter().Sort(Topic.Results("c001", "gw1"), Payloads.Encode(result), _now));
    }

    [Fact]
    public void Commands_on_the_broker_are_not_the_desks_to_store()
    {
        Assert.Null(Sorter().Sort(Topic.Command("c001", "gw1", CommandTypes.AlarmAcknowledge), Encoding.ASCII.GetBytes("a.b.c"), _now));
    }

    public static TheoryData<string, string, string> BadMessages()
    {
        var at = DeskFixtures.T0;
        var good = DeskFixtures.Event(EventTypes.AlarmPanic, 1, at);
        var json = JsonNode.Parse(Payloads.Encode(good))!.AsObject();
        string With(string key, JsonNode? value)
        {
            var copy = json.DeepClone().AsObject();
            copy[key] = value;
            return copy.ToJsonString();
        }

        var topic = Topic.Event(good);
        return new TheoryData<string, string, string>
        {
            { topic, "garbage", "not a payload" },
            { topic, "", "not a payload" },
            { topic, "{}", "not a payload" },
            { topic, "null", "not a payload" },
            { topic, With("community", "c002"), "the payload names c002/gw1" },
            { Topic.Event("c001", "gw1", "door", "btn-1"), json.ToJsonString(), "not of the topic's category" },
            { Topic.Event("c001", "gw1", "alarm", "btn-2"), json.ToJsonString(), "device" },
            { topic, With("observedAt", at.AddHours(2).ToString("O")), "ahead of the desk's clock" },
            { topic, With("occurredAt", at.AddDays(400).ToString("O")), "ahead of the desk's clock" },
            { topic, With("observedAt", at.AddDays(-90).ToString("O")), "older than 30 days" },
            { topic, With("seq", 0), "no id or no seq" },
            { topic, With("priority", "urgent"), "not a payload" },
            { topic, With("type", "alarm.<script>"), "is not category.name" },
            { topic, With("type", null), "type, device, community or gateway missing" },
            { topic, With("device", null), "type, device, community or gateway missing" },
            { "edge/v1/c001/gw1/events/alarm", json.ToJsonString(), "not a topic of the v1 contract" },
            { "edge/v2/c001/gw1/status", "{}", "not a topic of the v1 contract" },
            { "elsewhere", "{}", "not a topic of the v1 contract" },
            { Topic.Status("c001", "gw1"), "{\"state\":\"sleeping\"}", "not a payload" },
        };
    }

    [Theory]
    [MemberData(nameof(BadMessages))]
    public void Anything_else_is_quarantined_with_the_reason(string topic, string payload, string reason)
    {
        var q = Assert.IsType<Quarantined>(Sorter().Sort(topic, Encoding.UTF8.GetBytes(payload), _now));
        Assert.Contains(reason, q.Reason, StringComparison.Ordinal);
        Assert.Equal(topic, q.Topic);
    }

    [Fact]
    public void An_unknown_type_of_a_known_category_is_an_event_as_the_contract_promises()
    {
        var e = DeskFixtures.Event("alarm.meteor", 1, _now);
        Assert.IsType<InboundEvent>(Sorter().Sort(Topic.Event(e), Payloads.Encode(e), _now));
    }

    [Fact]
    public void A_picture_that_is_not_a_jpeg_or_too_large_is_quarantined()
    {
        var topic = Topic.Media("c001", "gw1", Guid.NewGuid());
        Assert.Contains("not a JPEG", Assert.IsType<Quarantined>(Sorter().Sort(topic, Encoding.ASCII.GetBytes("<svg onload=alert(1)>"), _now)).Reason, StringComparison.Ordinal);
        Assert.Contains("not a JPEG", Assert.IsType<Quarantined>(Sorter().Sort(topic, [], _now)).Reason, StringComparison.Ordinal);
        Assert.Contains("PictureMaxBytes", Assert.IsType<Quarantined>(Sorter().Sort(topic, DeskFixtures.Jpeg(5000), _now)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_districts_list_a_gateway_not_on_it_is_quarantined()
    {
        var roster = new HashSet<string> { "c001/gw1" };
        var status = new GatewayStatus(GatewayState.Online, "c999", "gw1", "1.0", _now, _now);
        var q = Assert.IsType<Quarantined>(Sorter(roster).Sort(Topic.Status("c999", "gw1"), Payloads.Encode(status), _now));
        Assert.Contains("not in the district's list", q.Reason, StringComparison.Ordinal);
        var e = DeskFixtures.Event(EventTypes.AlarmPanic, 1, _now);
        Assert.IsType<InboundEvent>(Sorter(roster).Sort(Topic.Event(e), Payloads.Encode(e), _now));
    }

    [Fact]
    public void Random_bytes_on_every_kind_of_topic_never_throw()
    {
        var random = new Random(7);
        string[] topics = [Topic.Status("c001", "gw1"), Topic.Heartbeat("c001", "gw1"), Topic.Results("c001", "gw1"), Topic.Event("c001", "gw1", "alarm", "b"),
            Topic.Media("c001", "gw1", Guid.NewGuid()), "edge/v1/#/+/x", "edge/v1/c001/gw1/events/alarm/b/extra"];
        var good = Payloads.Encode(DeskFixtures.Event(EventTypes.AlarmPanic, 1, _now));
        var sorter = Sorter();
        for (var i = 0; i < 5000; i++)
        {
            var payload = good.ToArray();
            for (var k = random.Next(1, 6); k > 0; k--)
            {
                payload[random.Next(payload.Length)] = (byte)random.Next(256);
            }

            var sorted = sorter.Sort(topics[i % topics.Length], i % 3 == 0 ? payload[..random.Next(payload.Length)] : payload, _now);
            Assert.True(sorted is null or Quarantined or InboundEvent or InboundStatus or InboundHeartbeat or InboundResult or InboundPicture);
        }
    }

    public void Dispose() => _dir.Dispose();
}
