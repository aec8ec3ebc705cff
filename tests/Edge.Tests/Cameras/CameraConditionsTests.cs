using Edge.Contracts.Events;
using Edge.Gateway.Cameras;

namespace Edge.Tests.Cameras;

/// <summary>Motion coalescing and the other camera conditions, on a clock the test moves.</summary>
public sealed class CameraConditionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private readonly CameraConditions _conditions = new(new CameraOptions
    {
        MotionMinHold = TimeSpan.FromSeconds(10), MotionIdleRestore = TimeSpan.FromSeconds(5), MotionMaxPerMinute = 4,
    });
    private readonly List<CameraChange> _changes = [];

    private static DateTimeOffset At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    private void Signal(string type, bool active, double seconds) => _changes.AddRange(_conditions.Signal(type, active, At(seconds)));

    /// <summary>Moves the clock to <paramref name="seconds"/>, ticking at every deadline on the way, as the adapter does.</summary>
    private void RunTo(double seconds)
    {
        while (_conditions.NextDeadline is { } deadline && deadline <= At(seconds))
        {
            _changes.AddRange(_conditions.Tick(deadline));
        }
    }

    [Fact]
    public void A_camera_repeating_itself_gives_one_active_and_one_restore()
    {
        for (var s = 0; s < 20; s++)
        {
            Signal(EventTypes.CameraTamper, true, s);
        }

        Signal(EventTypes.CameraTamper, false, 20);
        Signal(EventTypes.CameraTamper, false, 21);

        Assert.Equal([new CameraChange(EventTypes.CameraTamper, EventState.Active, At(0)), new CameraChange(EventTypes.CameraTamper, EventState.Restored, At(20))], _changes);
    }

    [Fact]
    public void Motion_that_stops_and_starts_again_inside_the_hold_is_one_event_restored_when_the_hold_is_over()
    {
        Signal(EventTypes.CameraMotion, true, 0);
        Signal(EventTypes.CameraMotion, false, 2);
        RunTo(4);
        Signal(EventTypes.CameraMotion, true, 4);
        Signal(EventTypes.CameraMotion, false, 6);
        RunTo(9.9);
        Assert.Single(_changes);
        RunTo(30);

        Assert.Equal([new CameraChange(EventTypes.CameraMotion, EventState.Active, At(0)), new CameraChange(EventTypes.CameraMotion, EventState.Restored, At(10))], _changes);
        Assert.Null(_conditions.NextDeadline);
    }

    [Fact]
    public void Motion_the_camera_stops_refreshing_ends_after_the_idle_time()
    {
        for (var s = 0; s <= 14; s += 2)
        {
            Signal(EventTypes.CameraMotion, true, s);
        }

        RunTo(60);

        Assert.Equal(At(19), _changes.Last().At);
        Assert.Equal(EventState.Restored, _changes.Last().State);
        Assert.False(_conditions.IsActive(EventTypes.CameraMotion));
    }

    [Fact]
    public void At_most_four_motion_events_start_per_minute_and_the_rest_are_counted_not_sent()
    {
        // Six bursts of motion, 11 s apart: each past the hold of the one before.
        for (var burst = 0; burst < 6; burst++)
        {
            Signal(EventTypes.CameraMotion, true, burst * 11);
            Signal(EventTypes.CameraMotion, false, (burst * 11) + 1);
            RunTo((burst * 11) + 11);
        }

        Assert.Equal(4, _changes.Count(c => c.State == EventState.Active));
        Assert.Equal(4, _changes.Count(c => c.State == EventState.Restored));
        Assert.Equal(2, _conditions.Suppressed);

        // A minute after the first, motion is reported again.
        Signal(EventTypes.CameraMotion, true, 70);
        Assert.Equal(new CameraChange(EventTypes.CameraMotion, EventState.Active, At(70)), _changes.Last());
    }

    [Fact]
    public void Tamper_and_video_loss_are_never_held_capped_or_ended_by_silence()
    {
        for (var i = 0; i < 10; i++)
        {
            Signal(EventTypes.CameraTamper, true, i * 5);
            Signal(EventTypes.CameraTamper, false, (i * 5) + 1);
        }

        Signal(EventTypes.CameraVideoLoss, true, 100);
        RunTo(3600);

        Assert.Equal(20, _changes.Count(c => c.Type == EventTypes.CameraTamper));
        Assert.Equal(At(1), _changes[1].At);
        Assert.True(_conditions.IsActive(EventTypes.CameraVideoLoss));
        Assert.Equal(0, _conditions.Suppressed);
    }

    [Fact]
    public void Line_crossing_and_intrusion_are_pulses_that_end_when_the_camera_stops_repeating_them()
    {
        Signal(EventTypes.CameraLineCrossing, true, 0);
        Signal(EventTypes.CameraIntrusion, true, 1);
        Signal(EventTypes.CameraIntrusion, true, 3);
        RunTo(20);

        Assert.Equal(
        [
            new CameraChange(EventTypes.CameraLineCrossing, EventState.Active, At(0)), new CameraChange(EventTypes.CameraIntrusion, EventState.Active, At(1)),
            new CameraChange(EventTypes.CameraLineCrossing, EventState.Restored, At(5)), new CameraChange(EventTypes.CameraIntrusion, EventState.Restored, At(8)),
        ], _changes);
    }
}
