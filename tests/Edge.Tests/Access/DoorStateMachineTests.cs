using Edge.Gateway.Access;

namespace Edge.Tests.Access;

public sealed class DoorStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 7, 30, 0, TimeSpan.Zero);
    private readonly DoorStateMachine _door = new(unlockFor: TimeSpan.FromSeconds(5), heldOpenAfter: TimeSpan.FromSeconds(30));

    private static DateTimeOffset S(double seconds) => T0.AddSeconds(seconds);

    private static DoorSignalKind[] Kinds(IEnumerable<DoorSignal> signals) => signals.Select(s => s.Kind).ToArray();

    [Fact]
    public void A_granted_opening_is_normal_and_its_close_is_a_close()
    {
        _door.Granted(S(0));

        Assert.Equal([DoorSignalKind.Opened], Kinds(_door.Contact(open: true, S(2))));
        Assert.Equal([DoorSignalKind.Closed], Kinds(_door.Contact(open: false, S(6))));
    }

    [Fact]
    public void Opening_without_a_grant_or_after_the_unlock_time_is_forced_and_restores_on_close()
    {
        Assert.Equal([DoorSignalKind.Forced], Kinds(_door.Contact(open: true, S(0))));
        Assert.Equal([DoorSignalKind.ForcedRestored, DoorSignalKind.Closed], Kinds(_door.Contact(open: false, S(3))));

        _door.Granted(S(10));
        Assert.Equal([DoorSignalKind.Forced], Kinds(_door.Contact(open: true, S(15.5))));
    }

    [Fact]
    public void A_request_to_exit_unlocks_like_a_grant_and_one_grant_is_one_opening()
    {
        _door.RequestToExit(S(0));
        Assert.Equal([DoorSignalKind.Opened], Kinds(_door.Contact(true, S(1))));
        _door.Contact(false, S(2));

        Assert.Equal([DoorSignalKind.Forced], Kinds(_door.Contact(true, S(3))));
    }

    [Fact]
    public void A_door_held_open_past_its_time_raises_once_on_the_clock_and_restores_on_close()
    {
        _door.Granted(S(0));
        _door.Contact(true, S(1));

        Assert.Equal(S(31), _door.NextDeadline);
        Assert.Empty(_door.Tick(S(30)));
        var held = Assert.Single(_door.Tick(S(31.2)));
        Assert.Equal((DoorSignalKind.HeldOpen, S(31)), (held.Kind, held.At));
        Assert.Empty(_door.Tick(S(60)));
        Assert.Null(_door.NextDeadline);

        Assert.Equal([DoorSignalKind.HeldOpenRestored, DoorSignalKind.Closed], Kinds(_door.Contact(false, S(70))));
    }

    [Fact]
    public void A_forced_door_is_not_also_held_open_and_repeated_contact_reports_change_nothing()
    {
        _door.Contact(true, S(0));
        Assert.Empty(_door.Contact(true, S(1)));
        Assert.Null(_door.NextDeadline);
        Assert.Empty(_door.Tick(S(100)));
        Assert.Equal([DoorSignalKind.ForcedRestored, DoorSignalKind.Closed], Kinds(_door.Contact(false, S(101))));
        Assert.Empty(_door.Contact(false, S(102)));
    }

    [Fact]
    public void A_door_resumed_after_a_restart_keeps_its_alarm_while_open_and_restores_it_when_found_closed()
    {
        var forcedOpen = new DoorStateMachine(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        Assert.Empty(forcedOpen.Resume(DoorSignalKind.Forced, open: true, S(0)));
        Assert.Equal(DoorSignalKind.Forced, forcedOpen.Alarm);
        Assert.Null(forcedOpen.NextDeadline);
        Assert.Equal([DoorSignalKind.ForcedRestored, DoorSignalKind.Closed], Kinds(forcedOpen.Contact(open: false, S(4))));
        Assert.Null(forcedOpen.Alarm);

        var heldClosed = new DoorStateMachine(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        Assert.Equal([DoorSignalKind.HeldOpenRestored, DoorSignalKind.Closed], Kinds(heldClosed.Resume(DoorSignalKind.HeldOpen, open: false, S(0))));
        Assert.False(heldClosed.IsOpen);

        // No alarm: an open door counts as opened with a grant, a closed one as closed; nothing is signalled.
        Assert.Empty(_door.Resume(null, open: true, S(0)));
        Assert.Equal([DoorSignalKind.HeldOpen], Kinds(_door.Tick(S(30))));
        var quiet = new DoorStateMachine(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        Assert.Empty(quiet.Resume(null, open: false, S(0)));
        Assert.Equal([DoorSignalKind.Forced], Kinds(quiet.Contact(open: true, S(1))));
    }
}
