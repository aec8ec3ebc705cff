using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Gateway.Events;
using Edge.Gateway.Outbox;

namespace Edge.Tests.Outbox;

public sealed class EventFactoryTests
{
    private static readonly DeviceRef Button = new("btn-guardroom", "alarm-button");

    [Fact]
    public void A_draft_becomes_the_event_its_payload_and_topic_say_to_the_millisecond()
    {
        var factory = new EventFactory("c001", "gw1");
        var occurred = new DateTimeOffset(2026, 12, 1, 18, 0, 0, TimeSpan.Zero).AddTicks(1234);
        var observed = occurred.AddMilliseconds(30).AddTicks(5678);

        var (e, payload, topic) = factory.Make(new EventDraft(EventTypes.AlarmPanic, Priority.Critical, Button, EventState.Active, occurred), 42, observed);

        Assert.Equal((42L, "c001", "gw1", EventTypes.AlarmPanic), (e.Seq, e.Community, e.Gateway, e.Type));
        Assert.Equal(occurred.AddTicks(-1234), e.OccurredAt);
        Assert.Equal(occurred.AddTicks(-1234).AddMilliseconds(30), e.ObservedAt);
        Assert.Equal(7, e.Id.Version);
        Assert.Equal(e, Payloads.DecodeEvent(payload.Span));
        Assert.Equal("edge/v1/c001/gw1/events/alarm/btn-guardroom", topic);
    }

    [Fact]
    public void Each_event_gets_its_own_id_even_at_the_same_millisecond()
    {
        var factory = new EventFactory("c001", "gw1");
        var at = DateTimeOffset.UtcNow;
        var draft = new EventDraft(EventTypes.AlarmPanic, Priority.Critical, Button, EventState.Active, at);

        Assert.NotEqual(factory.Make(draft, 1, at).Event.Id, factory.Make(draft, 2, at).Event.Id);
    }
}
