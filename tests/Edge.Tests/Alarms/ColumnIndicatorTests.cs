using Edge.Gateway.Alarms;

namespace Edge.Tests.Alarms;

public sealed class ColumnIndicatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Ms(double ms) => T0.AddMilliseconds(ms);

    [Fact]
    public void A_raised_alarm_blinks_until_the_broker_accepts_it_then_shows_steady_then_rests()
    {
        var column = new ColumnIndicator(TimeSpan.FromSeconds(30));
        var alarm = Guid.CreateVersion7();

        column.Raised(alarm, T0);
        var blink = Enumerable.Range(0, 8).Select(i => column.LedAt(Ms(i * 250))).ToList();
        column.Delivered(Guid.CreateVersion7(), Ms(2100));
        Assert.Equal(ColumnState.Sending, column.State);
        column.Delivered(alarm, Ms(2200));

        Assert.Equal([true, false, true, false, true, false, true, false], blink);
        Assert.Equal(ColumnState.Delivered, column.State);
        Assert.True(column.LedAt(Ms(2300)));
        Assert.True(column.LedAt(Ms(32_000)));
        Assert.False(column.LedAt(Ms(32_300)));
        Assert.Equal(ColumnState.Idle, column.State);
    }

    [Fact]
    public void The_police_steps_each_have_a_pattern_of_their_own_until_the_alarm_is_resolved()
    {
        var column = new ColumnIndicator(TimeSpan.FromSeconds(30));
        var alarm = Guid.CreateVersion7();
        column.Raised(alarm, T0);
        column.Delivered(alarm, Ms(100));

        Assert.False(column.Step(Guid.CreateVersion7(), ColumnState.Acknowledged, Ms(1000)));
        Assert.True(column.Step(alarm, ColumnState.Acknowledged, Ms(1000)));
        // Acknowledged: a slow blink, 500 ms off (at once: it was steady), 500 ms on.
        var acknowledged = Enumerable.Range(0, 8).Select(i => column.LedAt(Ms(1000 + (i * 250)))).ToList();
        Assert.True(column.Step(alarm, ColumnState.Dispatched, Ms(3000)));
        // Dispatched: two 150 ms flashes every second.
        var dispatched = Enumerable.Range(0, 10).Select(i => column.LedAt(Ms(3000 + (i * 100) + 50))).ToList();
        Assert.True(column.Step(alarm, ColumnState.Idle, Ms(5000)));

        Assert.Equal([false, false, true, true, false, false, true, true], acknowledged);
        Assert.Equal([true, false, false, true, false, false, false, false, false, false], dispatched);
        Assert.Equal(ColumnState.Idle, column.State);
        Assert.False(column.LedAt(Ms(5100)));
        Assert.False(column.Holds(alarm));
    }

    [Fact]
    public void A_step_the_station_never_ends_rests_after_half_an_hour_and_a_new_press_sends_again()
    {
        var column = new ColumnIndicator(TimeSpan.FromSeconds(30));
        var first = Guid.CreateVersion7();
        column.Raised(first, T0);
        Assert.True(column.Step(first, ColumnState.Acknowledged, Ms(10)));

        // The station has it: acknowledged even before the PUBACK came.
        Assert.Equal(ColumnState.Acknowledged, column.State);
        column.LedAt(T0 + ColumnIndicator.ShowSteps - TimeSpan.FromSeconds(1));
        Assert.Equal(ColumnState.Acknowledged, column.State);
        column.LedAt(T0 + ColumnIndicator.ShowSteps + TimeSpan.FromSeconds(1));
        Assert.Equal(ColumnState.Idle, column.State);

        var second = Guid.CreateVersion7();
        column.Raised(second, T0 + TimeSpan.FromHours(1));
        Assert.Equal(ColumnState.Sending, column.State);
        Assert.True(column.Step(first, ColumnState.Idle, T0 + TimeSpan.FromHours(1.1)));
        Assert.Equal(ColumnState.Sending, column.State);
    }

    [Fact]
    public void A_delivery_reported_before_its_alarm_was_raised_still_turns_the_column_steady()
    {
        // The broker's PUBACK can beat the adapter's continuation after the commit (seen under load in CI).
        var column = new ColumnIndicator(TimeSpan.FromSeconds(30));
        var alarm = Guid.CreateVersion7();

        column.Delivered(alarm, T0);
        Assert.Equal(ColumnState.Idle, column.State);
        column.Raised(alarm, Ms(1));

        Assert.Equal(ColumnState.Delivered, column.State);
        Assert.True(column.LedAt(Ms(2)));
    }

    [Fact]
    public void Early_deliveries_are_remembered_only_for_the_most_recent_events()
    {
        var column = new ColumnIndicator(TimeSpan.FromSeconds(30));
        var old = Guid.CreateVersion7();
        column.Delivered(old, T0);
        for (var i = 0; i < 1024; i++)
        {
            column.Delivered(Guid.CreateVersion7(), T0);
        }

        column.Raised(old, Ms(1));

        Assert.Equal(ColumnState.Sending, column.State);
    }

    [Fact]
    public void A_lost_uplink_shows_a_short_flash_and_an_alarm_then_blinks_fast()
    {
        var column = new ColumnIndicator(TimeSpan.FromSeconds(30));

        column.Uplink(false, T0);
        Assert.Equal(ColumnState.UplinkDown, column.State);
        var flashes = Enumerable.Range(0, 40).Count(i => column.LedAt(Ms(i * 50)));
        column.Raised(Guid.CreateVersion7(), Ms(2000));

        Assert.Equal(2, flashes);
        Assert.Equal(ColumnState.Sending, column.State);
    }

    [Fact]
    public void Two_alarms_stay_blinking_until_both_are_out()
    {
        var column = new ColumnIndicator(TimeSpan.FromSeconds(30));
        var first = Guid.CreateVersion7();
        var second = Guid.CreateVersion7();
        column.Raised(first, T0);
        column.Raised(second, Ms(10));

        column.Delivered(first, Ms(20));
        Assert.Equal(ColumnState.Sending, column.State);
        column.Delivered(second, Ms(30));
        Assert.Equal(ColumnState.Delivered, column.State);
    }
}
