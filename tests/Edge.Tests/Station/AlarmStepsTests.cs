using Edge.Station.Alarms;

namespace Edge.Tests.Station;

public sealed class AlarmStepsTests
{
    private static readonly DateTimeOffset Raised = DeskFixtures.T0;

    [Fact]
    public void An_alarm_must_be_acknowledged_before_anything_else()
    {
        Assert.Equal([AlarmSteps.Acknowledge], AlarmSteps.Next([]));
        Assert.Equal([AlarmSteps.Dispatch, AlarmSteps.Resolve], AlarmSteps.Next([AlarmSteps.Acknowledge]));
        Assert.Equal([AlarmSteps.Arrive, AlarmSteps.Resolve], AlarmSteps.Next([AlarmSteps.Acknowledge, AlarmSteps.Dispatch]));
        Assert.Equal([AlarmSteps.Reinforce, AlarmSteps.Resolve], AlarmSteps.Next([AlarmSteps.Acknowledge, AlarmSteps.Dispatch, AlarmSteps.Arrive]));
        Assert.Equal([AlarmSteps.Reinforced, AlarmSteps.Resolve],
            AlarmSteps.Next([AlarmSteps.Acknowledge, AlarmSteps.Dispatch, AlarmSteps.Arrive, AlarmSteps.Reinforce]));
        Assert.Empty(AlarmSteps.Next([AlarmSteps.Acknowledge, AlarmSteps.Resolve]));
    }

    [Fact]
    public void The_1_3_5_clocks_run_from_the_alarm()
    {
        var due = AlarmSteps.Due(Raised, []);
        Assert.Equal(Raised.AddMinutes(1), due[AlarmSteps.Acknowledge]);
        Assert.Equal(Raised.AddMinutes(3), due[AlarmSteps.Arrive]);
        Assert.False(due.ContainsKey(AlarmSteps.Reinforced));
        Assert.Equal(Raised.AddMinutes(5), AlarmSteps.Due(Raised, [AlarmSteps.Reinforce])[AlarmSteps.Reinforced]);
    }

    [Fact]
    public void A_step_not_taken_by_its_clock_is_overdue_until_taken_or_resolved()
    {
        Assert.Empty(AlarmSteps.Overdue(Raised, [], Raised.AddSeconds(60)));
        Assert.Equal([AlarmSteps.Acknowledge], AlarmSteps.Overdue(Raised, [], Raised.AddSeconds(61)));
        Assert.Equal([AlarmSteps.Acknowledge, AlarmSteps.Arrive], AlarmSteps.Overdue(Raised, [], Raised.AddMinutes(4)));
        Assert.Equal([AlarmSteps.Arrive], AlarmSteps.Overdue(Raised, [AlarmSteps.Acknowledge, AlarmSteps.Dispatch], Raised.AddMinutes(4)));
        Assert.Equal([AlarmSteps.Reinforced],
            AlarmSteps.Overdue(Raised, [AlarmSteps.Acknowledge, AlarmSteps.Dispatch, AlarmSteps.Arrive, AlarmSteps.Reinforce], Raised.AddMinutes(6)));
        Assert.Empty(AlarmSteps.Overdue(Raised, [AlarmSteps.Acknowledge, AlarmSteps.Resolve], Raised.AddHours(1)));
    }

    [Fact]
    public void Only_acknowledge_dispatch_and_resolve_are_commands_to_the_gateway()
    {
        Assert.Equal("alarm.acknowledge", AlarmSteps.Command(AlarmSteps.Acknowledge));
        Assert.Equal("alarm.dispatch", AlarmSteps.Command(AlarmSteps.Dispatch));
        Assert.Equal("alarm.resolve", AlarmSteps.Command(AlarmSteps.Resolve));
        Assert.Null(AlarmSteps.Command(AlarmSteps.Arrive));
        Assert.Null(AlarmSteps.Command(AlarmSteps.Reinforced));
    }
}
