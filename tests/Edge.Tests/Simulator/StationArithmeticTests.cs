using Edge.Contracts.Events;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;
using Edge.Simulator.Station;

namespace Edge.Tests.Simulator;

/// <summary>The station probe's bookkeeping: the ground truth ledger, seq gaps, supervision and backlog order.</summary>
public sealed class StationArithmeticTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private static ProbeMessage Arrival(string type, EventState? state, double atMs, string device = "btn-1", long seq = 1, bool duplicate = false, Guid? id = null, Priority priority = Priority.Critical, DateTimeOffset? occurred = null, string community = "c001", DateTimeOffset? observed = null)
    {
        var e = new EdgeEvent(id ?? Guid.NewGuid(), seq, type, priority, community, "gw1", new DeviceRef(device, "alarm-button"), state,
            occurred ?? T0, observed ?? occurred ?? T0, null);
        return new ProbeMessage(new TopicParts(community, "gw1", TopicKind.Event, e.Category, device), T0.AddMilliseconds(atMs), Event: e, Duplicate: duplicate);
    }

    [Fact]
    public void An_expected_event_that_arrives_is_delivered_with_its_latency_from_the_act_and_from_the_gateway()
    {
        var truth = new GroundTruth();
        truth.Expect("c001", "btn-1", EventTypes.AlarmPanic, EventState.Active, T0);

        // Debounced for 30 ms at the gateway, then 10 ms through the outbox, the uplink and the broker.
        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, atMs: 40, observed: T0.AddMilliseconds(30)));

        var alarm = truth.Categories()[EventCategory.Alarm];
        Assert.Equal(new CategoryCounts(1, 1, 0, 0, 0), alarm);
        Assert.Equal(0, truth.Open);
        var latency = truth.Latency()[EventCategory.Alarm];
        Assert.Equal(1, latency.Count);
        Assert.InRange(latency.Max, 39.9, 40.1);
        Assert.InRange(truth.LatencyByType()[EventTypes.AlarmPanic].P50, 39.9, 40.1);
        Assert.InRange(truth.LatencyFromGateway()[EventCategory.Alarm].Max, 9.9, 10.1);
    }

    [Fact]
    public void An_event_that_never_arrives_is_lost_and_one_that_arrives_twice_is_a_duplicate()
    {
        var truth = new GroundTruth();
        truth.Expect("c001", "btn-1", EventTypes.AlarmPanic, EventState.Active, T0);
        truth.Expect("c001", "btn-1", EventTypes.AlarmPanic, EventState.Restored, T0.AddSeconds(1));
        truth.Expect("c002", "zone-01", EventTypes.AlarmZone, EventState.Active, T0);
        var id = Guid.NewGuid();

        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 30, id: id));
        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 90, id: id, duplicate: true));
        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Restored, 1030));

        Assert.Equal(new CategoryCounts(Generated: 3, Delivered: 2, Lost: 1, Duplicates: 1, Unexpected: 0), truth.Categories()[EventCategory.Alarm]);
        Assert.Equal(1, truth.Open);
        Assert.Equal(1, truth.Overdue(T0.AddSeconds(20), TimeSpan.FromSeconds(10)));
        Assert.Equal(0, truth.Overdue(T0.AddSeconds(5), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_matching_event_must_agree_on_community_device_type_and_state()
    {
        var truth = new GroundTruth();
        truth.Expect("c001", "btn-1", EventTypes.AlarmPanic, EventState.Active, T0);

        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Restored, 10));
        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 10, device: "btn-2"));
        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 10, community: "c002"));
        truth.Observe(Arrival(EventTypes.AlarmDuress, EventState.Active, 10));

        Assert.Equal(new CategoryCounts(1, 0, 1, 0, Unexpected: 4), truth.Categories()[EventCategory.Alarm]);
    }

    [Fact]
    public void Two_presses_of_one_button_are_matched_in_order()
    {
        var truth = new GroundTruth();
        truth.Expect("c001", "btn-1", EventTypes.AlarmPanic, EventState.Active, T0);
        truth.Expect("c001", "btn-1", EventTypes.AlarmPanic, EventState.Active, T0.AddSeconds(10));

        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 50));
        truth.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 10_050));

        var latency = truth.Latency()[EventCategory.Alarm];
        Assert.Equal(2, latency.Count);
        Assert.InRange(latency.Max, 49.9, 50.1);
    }

    [Fact]
    public void Background_load_and_non_events_are_not_part_of_the_ground_truth()
    {
        var truth = new GroundTruth();

        truth.Observe(Arrival(EventTypes.DeviceTest, null, 5, priority: Priority.Low));
        truth.Observe(new ProbeMessage(new TopicParts("c001", "gw1", TopicKind.Status, null, null), T0,
            Status: new GatewayStatus(GatewayState.Online, "c001", "gw1", "1", T0, T0)));

        Assert.Empty(truth.Categories());
    }

    [Fact]
    public void Devices_offline_and_online_have_no_state_and_still_match()
    {
        var truth = new GroundTruth();
        truth.Expect("c001", "zone-01", EventTypes.DeviceOffline, null, T0);

        truth.Observe(Arrival(EventTypes.DeviceOffline, null, 8, device: "zone-01", priority: Priority.High));

        Assert.Equal(new CategoryCounts(1, 1, 0, 0, 0), truth.Categories()[EventCategory.Device]);
    }

    [Fact]
    public void The_ledger_finds_each_missing_seq_and_each_duplicate()
    {
        var ledger = new GatewayLedger();
        foreach (var seq in new long[] { 1, 2, 4, 4, 5, 7 })
        {
            ledger.Add(seq);
        }

        Assert.Equal(5, ledger.Unique);
        Assert.Equal(1, ledger.Duplicates);
        Assert.Equal(7, ledger.MaxSeq);
        Assert.Equal(2, ledger.Missing(7));
        Assert.Equal(4, ledger.Missing(9));
        Assert.False(ledger.HasAll(5));
        Assert.True(ledger.HasAll(2));
    }

    [Fact]
    public void Supervision_measures_from_the_kill_to_the_offline_status_and_counts_kills_never_seen()
    {
        var supervision = new Supervision();
        supervision.Killed("c001/gw1", T0);
        supervision.Killed("c002/gw1", T0);

        supervision.Observe(new ProbeMessage(new TopicParts("c001", "gw1", TopicKind.Status, null, null), T0.AddMilliseconds(700),
            Status: new GatewayStatus(GatewayState.Offline, "c001", "gw1", "1", T0, T0, "connection-lost")));

        Assert.Equal(2, supervision.Kills);
        Assert.Equal(1, supervision.Undetected);
        Assert.Equal(0.7, supervision.OfflineDetectedMaxS);
    }

    [Fact]
    public void The_backlog_report_counts_events_that_overtook_an_alarm_of_the_same_gateway()
    {
        var backlog = new BacklogTracker();
        backlog.Down(T0);
        backlog.Up(T0.AddSeconds(30));
        var during = T0.AddSeconds(10);

        // c001 drains alarms first; c002 lets a low event through before its alarm.
        backlog.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 30_100, occurred: during));
        backlog.Observe(Arrival(EventTypes.DeviceTest, null, 30_200, priority: Priority.Low, occurred: during));
        backlog.Observe(Arrival(EventTypes.DeviceTest, null, 30_150, priority: Priority.Low, occurred: during, community: "c002"));
        backlog.Observe(Arrival(EventTypes.AlarmPanic, EventState.Active, 30_400, occurred: during, community: "c002"));
        // Before the outage: not part of the backlog.
        backlog.Observe(Arrival(EventTypes.DeviceTest, null, 100, priority: Priority.Low, occurred: T0.AddSeconds(-1)));

        var report = backlog.Report()!;
        Assert.Equal(4, report.Events);
        Assert.Equal(2, report.Alarms);
        Assert.Equal(1, report.Overtaken);
        Assert.Equal(0.4, report.AlarmsDrainedS);
        Assert.Equal(30.0, report.DownS);
    }
}
