using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Contracts.Status;
using Edge.Station.Alarms;
using Edge.Station.Ingest;
using Edge.Station.Live;
using Edge.Station.Store;
using Edge.Tests.Support;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Station;

/// <summary>
/// The desk's store: what it keeps of each message, the steps, escalations, retention and its schema, the same on both
/// its databases (<see cref="SqliteDeskStoreTests"/>, <see cref="PostgresDeskStoreTests"/>).
/// </summary>
public abstract class DeskStoreContract : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(DeskFixtures.T0);
    private DeskStore? _store;

    protected DeskStore Store => _store ??= Open();

    protected FakeTimeProvider Time => _time;

    /// <summary>A store on the test's database (the same one each time).</summary>
    protected abstract DeskStore Open();

    /// <summary>Marks the test's database as made by a desk with a newer schema.</summary>
    protected abstract void MarkNewerSchema();

    public virtual ValueTask InitializeAsync() => default;

    protected StoreChanges Ingest(params EdgeEvent[] events) =>
        Store.Ingest([.. events.Select(e => DeskFixtures.Sorted(DeskFixtures.Options(_dir.Path), e, _time.GetUtcNow()))]);

    [Fact]
    public void A_critical_event_that_begins_is_an_open_alarm_and_one_that_ends_marks_it_restored()
    {
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, _time.GetUtcNow());
        var changes = Ingest(press);
        Assert.Contains(press.Id, changes.Alarms);
        var alarm = Assert.Single(Store.OpenAlarms(_time.GetUtcNow()));
        Assert.Equal(press.Id, alarm.Id);
        Assert.Equal([AlarmSteps.Acknowledge], alarm.Next);
        Assert.Null(alarm.RestoredAt);

        var release = DeskFixtures.Event(EventTypes.AlarmPanic, 2, _time.GetUtcNow().AddSeconds(1), EventState.Restored);
        Assert.Contains(press.Id, Ingest(release).Alarms);
        Assert.Equal(release.OccurredAt, Assert.Single(Store.OpenAlarms(_time.GetUtcNow())).RestoredAt);
    }

    [Fact]
    public void Other_events_are_kept_but_are_no_alarms()
    {
        Ingest(DeskFixtures.Event(EventTypes.DoorOpened, 1, _time.GetUtcNow(), priority: Priority.Normal, device: "door-1"),
            DeskFixtures.Event(EventTypes.CameraMotion, 2, _time.GetUtcNow(), priority: Priority.Low, device: "cam-1"));
        Assert.Empty(Store.OpenAlarms(_time.GetUtcNow()));
        Assert.Equal(2, Store.EventCount());
    }

    [Fact]
    public void The_same_event_twice_is_stored_once_and_counted_as_a_duplicate()
    {
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, _time.GetUtcNow());
        Ingest(press);
        var again = Ingest(press);
        Assert.Empty(again.Alarms);
        Assert.Single(Store.OpenAlarms(_time.GetUtcNow()));
        var counts = Store.Counts();
        Assert.Equal(1, counts.Events);
        Assert.Equal(1, counts.Duplicates);
        Assert.Equal(1, counts.Alarms);
    }

    [Fact]
    public void Seq_gaps_per_gateway_are_shown_until_filled()
    {
        var at = _time.GetUtcNow();
        Ingest(DeskFixtures.Event(EventTypes.DeviceTest, 1, at, null, Priority.Low), DeskFixtures.Event(EventTypes.DeviceTest, 4, at, null, Priority.Low));
        Assert.Equal(2, Assert.Single(Store.Gateways()).MissingSeq);
        Ingest(DeskFixtures.Event(EventTypes.DeviceTest, 2, at, null, Priority.Low), DeskFixtures.Event(EventTypes.DeviceTest, 3, at, null, Priority.Low));
        var g = Assert.Single(Store.Gateways());
        Assert.Equal(0, g.MissingSeq);
        Assert.Equal(4, g.LastSeq);
    }

    [Fact]
    public void Status_heartbeat_and_devices_offline_follow_the_gateway()
    {
        var at = _time.GetUtcNow();
        Store.Ingest([
            new InboundStatus(new GatewayStatus(GatewayState.Online, "c001", "gw1", "1", at, at), at),
            new InboundHeartbeat(new Heartbeat("c001", "gw1", at, 5, 9, new QueueDepth(1, 0, 7, 0), 2.5, 0, 0, 0, 0), at),
        ]);
        Ingest(DeskFixtures.Event(EventTypes.DeviceOffline, 1, at, EventState.Active, Priority.High, device: "cam-7"));
        var g = Assert.Single(Store.Gateways());
        Assert.True(g.Online);
        Assert.Equal(7, g.Queue!.Normal);
        Assert.Equal(9, g.LastSeq);
        Assert.Equal(["cam-7"], g.DevicesOffline);

        // An older status arriving late does not overwrite a newer one.
        Store.Ingest([
            new InboundStatus(new GatewayStatus(GatewayState.Offline, "c001", "gw1", "1", at, at.AddSeconds(-10), "connection-lost"), at),
        ]);
        Assert.True(Assert.Single(Store.Gateways()).Online);
        Store.Ingest([new InboundStatus(new GatewayStatus(GatewayState.Offline, "c001", "gw1", "1", at, at.AddSeconds(10), "connection-lost"), at)]);
        Ingest(DeskFixtures.Event(EventTypes.DeviceOnline, 2, at, EventState.Active, Priority.High, device: "cam-7"));
        g = Assert.Single(Store.Gateways());
        Assert.False(g.Online);
        Assert.Equal("connection-lost", g.Reason);
        Assert.Empty(g.DevicesOffline);
    }

    [Fact]
    public void Steps_are_taken_in_order_by_whom_and_when_and_the_result_lands_on_its_step()
    {
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, _time.GetUtcNow());
        Ingest(press);
        var command = Guid.NewGuid();
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Contains("not a step this alarm can take now", Store.TakeStep(press.Id, AlarmSteps.Resolve, "wang", null, _time.GetUtcNow()).Problem, StringComparison.Ordinal);
        var (alarm, problem) = Store.TakeStep(press.Id, AlarmSteps.Acknowledge, "wang", command, _time.GetUtcNow());
        Assert.Null(problem);
        var step = Assert.Single(alarm!.Steps);
        Assert.Equal(("wang", _time.GetUtcNow(), command, (string?)null), (step.By, step.At, step.CommandId, step.Outcome));

        var changes = Store.Ingest([new InboundResult(new CommandResult(command, CommandTypes.AlarmAcknowledge, CommandOutcomes.Applied, null, "c001", "gw1", _time.GetUtcNow()))]);
        Assert.Contains(press.Id, changes.Alarms);
        Assert.Equal(CommandOutcomes.Applied, Assert.Single(Store.Alarm(press.Id, _time.GetUtcNow())!.Steps).Outcome);

        Store.TakeStep(press.Id, AlarmSteps.Resolve, "li", Guid.NewGuid(), _time.GetUtcNow());
        Assert.Empty(Store.OpenAlarms(_time.GetUtcNow()));
        Assert.Equal("resolved", Store.Alarm(press.Id, _time.GetUtcNow())!.State);
        var audit = Store.AuditLog(10);
        Assert.Equal(["resolve", "acknowledge"], audit.Select(a => a.Action));
        Assert.Equal(["li", "wang"], audit.Select(a => a.Operator));
    }

    [Fact]
    public void An_overdue_step_escalates_once_on_the_fake_clock()
    {
        var news = new DeskNews(Store, new LiveFeed(), _time, Microsoft.Extensions.Options.Options.Create(new JsonOptions()));
        var escalation = new EscalationService(Store, news, _time, NullLogger<EscalationService>.Instance);
        Ingest(DeskFixtures.Event(EventTypes.AlarmPanic, 1, _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, escalation.Check());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, escalation.Check());
        Assert.Equal(0, escalation.Check());
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, escalation.Check());
        Assert.Equal(["acknowledge", "arrive"], Assert.Single(Store.OpenAlarms(_time.GetUtcNow())).Overdue);
        Assert.Equal(2, Store.AuditLog(10).Count(a => a.Action == "escalate"));
    }

    [Fact]
    public void Pictures_are_kept_for_their_event_up_to_the_bound_oldest_first_out()
    {
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, _time.GetUtcNow());
        Ingest(press);
        var at = _time.GetUtcNow();
        byte[] Picture(byte n)
        {
            var jpeg = DeskFixtures.Jpeg(400);
            jpeg[10] = n;
            return jpeg;
        }

        var first = Store.Ingest([new InboundPicture("c001", "gw1", press.Id, Picture(1), at)]);
        Assert.Contains(press.Id, first.Alarms);
        Store.Ingest([new InboundPicture("c001", "gw1", press.Id, Picture(2), at)]);
        Store.Ingest([new InboundPicture("c001", "gw1", press.Id, Picture(3), at)]);
        var kept = Store.Alarm(press.Id, at)!.Pictures;
        Assert.Equal(2, kept.Count);
        Assert.Null(Store.Picture(long.Parse(first.Pictures[0].Picture, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(400, Store.Picture(long.Parse(kept[0], System.Globalization.CultureInfo.InvariantCulture))!.Length);
    }

    [Fact]
    public void A_return_stored_before_its_alarm_still_marks_the_alarm_restored()
    {
        // Desks competing for the messages may store the release before the press.
        var at = Time.GetUtcNow();
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, at);
        var release = DeskFixtures.Event(EventTypes.AlarmPanic, 2, at.AddSeconds(2), EventState.Restored);
        var again = DeskFixtures.Event(EventTypes.AlarmPanic, 3, at.AddSeconds(5));
        Ingest(release);
        Ingest(press);
        Ingest(again);
        var alarms = Store.OpenAlarms(Time.GetUtcNow());
        Assert.Equal(release.OccurredAt, Assert.Single(alarms, a => a.Id == press.Id).RestoredAt);
        Assert.Null(Assert.Single(alarms, a => a.Id == again.Id).RestoredAt);
    }

    [Fact]
    public void Text_with_nul_from_a_gateway_is_stored_and_the_batch_with_it()
    {
        var at = Time.GetUtcNow();
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, at);
        var changes = Store.Ingest([
            new InboundStatus(new GatewayStatus(GatewayState.Offline, "c001", "gw1", "1", at, at, "lost\0link"), at),
            new Quarantined("edge/v1/c001/gw1/events/alarm/\0", "bad\0topic", [1, 0, 2], at),
            DeskFixtures.Sorted(DeskFixtures.Options("unused"), press, at),
        ]);
        Assert.Contains(press.Id, changes.Alarms);
        Assert.StartsWith("lost", Assert.Single(Store.Gateways()).Reason, StringComparison.Ordinal);
        Assert.Single(Store.Quarantine(10));
    }

    [Fact]
    public void The_same_picture_twice_is_kept_once()
    {
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, Time.GetUtcNow());
        Ingest(press);
        var jpeg = DeskFixtures.Jpeg(300);
        Store.Ingest([new InboundPicture("c001", "gw1", press.Id, jpeg, Time.GetUtcNow())]);
        Assert.Empty(Store.Ingest([new InboundPicture("c001", "gw1", press.Id, jpeg, Time.GetUtcNow())]).Pictures);
        var other = DeskFixtures.Jpeg(300);
        other[10] = 7;
        Store.Ingest([new InboundPicture("c001", "gw1", press.Id, other, Time.GetUtcNow())]);
        Assert.Equal(2, Store.Alarm(press.Id, Time.GetUtcNow())!.Pictures.Count);
        Assert.Equal(2, Store.Counts().Pictures);
    }

    [Fact]
    public void A_device_clock_gone_wrong_does_not_move_the_alarms_clocks_far()
    {
        var observed = _time.GetUtcNow();
        var ahead = DeskFixtures.Event(EventTypes.AlarmPanic, 1, observed) with { OccurredAt = observed.AddMinutes(3) };
        var years = DeskFixtures.Event(EventTypes.AlarmPanic, 1, observed) with { OccurredAt = observed.AddYears(-3) };
        var late = DeskFixtures.Event(EventTypes.AlarmPanic, 1, observed) with { OccurredAt = observed.AddMinutes(-10) };
        Assert.Equal(observed, DeskStore.RaisedAt(ahead));
        Assert.Equal(observed, DeskStore.RaisedAt(years));
        Assert.Equal(observed.AddMinutes(-10), DeskStore.RaisedAt(late));
    }

    [Fact]
    public void The_database_survives_a_restart_and_a_newer_schema_is_refused()
    {
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, _time.GetUtcNow());
        Ingest(press);
        Store.Dispose();
        _store = null;
        Assert.Single(Store.OpenAlarms(_time.GetUtcNow()));
        Store.Dispose();
        _store = null;

        MarkNewerSchema();
        var ex = Assert.Throws<NewerSchemaException>(Open);
        Assert.Contains("newer than this desk's", ex.Message, StringComparison.Ordinal);
    }

    public virtual ValueTask DisposeAsync()
    {
        _store?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
        GC.SuppressFinalize(this);
        return default;
    }
}

/// <summary>The store in a desk's own SQLite file.</summary>
public sealed class SqliteDeskStoreTests : DeskStoreContract
{
    private readonly TempDirectory _db = new();

    protected override DeskStore Open() => new(_db.Path, picturesKeepBytes: 1000);

    protected override void MarkNewerSchema()
    {
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db.Combine("desk.db")};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99";
            cmd.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}
