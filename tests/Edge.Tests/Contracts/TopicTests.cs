using Edge.Contracts.Events;
using Edge.Contracts.Topics;
using MQTTnet;

namespace Edge.Tests.Contracts;

public sealed class TopicTests
{
    [Fact]
    public void Event_topic_is_under_the_gateway_root_by_category_and_device()
    {
        Assert.Equal("edge/v1/c001/gw1/events/alarm/btn-1", Topic.Event("c001", "gw1", EventCategory.Alarm, "btn-1"));
        Assert.Equal("edge/v1/c001/gw1/status", Topic.Status("c001", "gw1"));
        Assert.Equal("edge/v1/c001/gw1/heartbeat", Topic.Heartbeat("c001", "gw1"));
    }

    [Fact]
    public void A_commands_type_is_read_back_whether_the_broker_kept_its_dot_or_made_it_a_level()
    {
        var sent = Topic.Command("c001", "gw1", "alarm.acknowledge");
        Assert.Equal("alarm.acknowledge", Topic.CommandType(sent));
        Assert.Equal("alarm.acknowledge", Topic.CommandType("edge/v1/c001/gw1/commands/alarm/acknowledge"));
        Assert.Equal(MqttTopicFilterCompareResult.IsMatch,
            MqttTopicFilterComparer.Compare("edge/v1/c001/gw1/commands/alarm/acknowledge", Topic.Commands("c001", "gw1")));
        // By position: a community or gateway may itself be named "commands".
        Assert.Equal("door.open", Topic.CommandType(Topic.Command("commands", "commands", "door.open")));
        Assert.Equal("", Topic.CommandType("edge/v1/c001/gw1/results"));
    }

    [Fact]
    public void One_filter_takes_every_alarm_of_the_district_and_nothing_else()
    {
        Assert.Equal(MqttTopicFilterCompareResult.IsMatch,
            MqttTopicFilterComparer.Compare(Topic.Event("c312", "gw2", EventCategory.Alarm, "zone-7"), Topic.AllAlarms));
        Assert.Equal(MqttTopicFilterCompareResult.NoMatch,
            MqttTopicFilterComparer.Compare(Topic.Event("c312", "gw2", EventCategory.Camera, "cam-1"), Topic.AllAlarms));
        Assert.Equal(MqttTopicFilterCompareResult.NoMatch,
            MqttTopicFilterComparer.Compare(Topic.Status("c312", "gw2"), Topic.AllAlarms));
    }

    [Fact]
    public void An_acl_pattern_on_the_gateway_root_covers_all_its_topics_and_no_other_gateways()
    {
        var own = Topic.GatewayRoot("c001", "gw1") + "/#";
        foreach (var topic in new[] { Topic.Status("c001", "gw1"), Topic.Heartbeat("c001", "gw1"), Topic.Event("c001", "gw1", "door", "d1") })
        {
            Assert.Equal(MqttTopicFilterCompareResult.IsMatch, MqttTopicFilterComparer.Compare(topic, own));
        }

        Assert.Equal(MqttTopicFilterCompareResult.NoMatch, MqttTopicFilterComparer.Compare(Topic.Status("c001", "gw10"), own));
        Assert.Equal(MqttTopicFilterCompareResult.NoMatch, MqttTopicFilterComparer.Compare(Topic.Status("c002", "gw1"), own));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("a b")]
    [InlineData("$SYS")]
    [InlineData("社区")]
    public void Ids_that_would_break_topics_or_acls_are_refused(string id)
    {
        Assert.False(TopicSegment.IsValid(id));
        Assert.Throws<ArgumentException>(() => Topic.Status(id, "gw1"));
    }

    [Fact]
    public void Ids_longer_than_64_characters_are_refused()
    {
        Assert.True(TopicSegment.IsValid(new string('a', 64)));
        Assert.False(TopicSegment.IsValid(new string('a', 65)));
    }

    [Fact]
    public void Topics_parse_back_into_their_parts()
    {
        Assert.True(Topic.TryParse("edge/v1/c001/gw1/events/door/d-7", out var e));
        Assert.Equal(new TopicParts("c001", "gw1", TopicKind.Event, "door", "d-7"), e);
        Assert.True(Topic.TryParse("edge/v1/c001/gw1/status", out var s));
        Assert.Equal(TopicKind.Status, s.Kind);
    }

    [Theory]
    [InlineData("edge/v2/c001/gw1/status")]
    [InlineData("edge/v1/c001/gw1/events/weather/x")]
    [InlineData("edge/v1/c001/gw1/events/alarm")]
    [InlineData("edge/v1/c001/gw1/status/extra")]
    [InlineData("edge/v1/c001")]
    [InlineData("other/topic")]
    public void Topics_outside_the_contract_do_not_parse(string topic) => Assert.False(Topic.TryParse(topic, out _));

    [Theory]
    [InlineData("alarm.panic", "alarm")]
    [InlineData("door.held-open", "door")]
    [InlineData("device.offline", "device")]
    [InlineData("weather.rain", null)]
    [InlineData("alarm", null)]
    [InlineData("alarm.", null)]
    [InlineData(".panic", null)]
    public void Category_is_the_known_part_before_the_dot(string type, string? category) => Assert.Equal(category, EventCategory.Of(type));
}
