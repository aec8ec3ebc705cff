namespace Edge.Simulator.Scenarios;

/// <summary>
/// Simulated time: it runs <see cref="Speed"/> times faster than the wall clock, from a scenario's time of day.
/// Scenario schedules (rates through the day, when an outage starts) are in simulated time; physical acts (how long a
/// guard holds a button) and the gateways themselves stay in real time.
/// </summary>
public sealed class SimClock
{
    private readonly TimeProvider _time;
    private long _start;

    public SimClock(TimeProvider time, double speed, TimeSpan startOfDay)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(speed);
        _time = time;
        Speed = speed;
        StartOfDay = startOfDay;
        _start = time.GetTimestamp();
    }

    public double Speed { get; }

    /// <summary>Starts simulated time again from <see cref="StartOfDay"/>: the scenario begins now.</summary>
    public void Restart() => _start = _time.GetTimestamp();

    public TimeSpan StartOfDay { get; }

    public TimeProvider Time => _time;

    /// <summary>Real time since the run started.</summary>
    public TimeSpan WallElapsed => _time.GetElapsedTime(_start);

    /// <summary>Simulated time since the run started.</summary>
    public TimeSpan Elapsed => WallElapsed * Speed;

    /// <summary>The simulated time of day.</summary>
    public TimeSpan TimeOfDay => TimeSpan.FromTicks((StartOfDay + Elapsed).Ticks % TimeSpan.TicksPerDay);

    /// <summary>Waits a span of simulated time.</summary>
    public Task Delay(TimeSpan simulated, CancellationToken ct) =>
        simulated <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(simulated / Speed, _time, ct);

    /// <summary>Waits until <paramref name="simulated"/> since the start; at once when that has passed.</summary>
    public Task DelayUntil(TimeSpan simulated, CancellationToken ct) => Delay(simulated - Elapsed, ct);

    /// <summary>Waits a span of real time (physical acts).</summary>
    public Task DelayReal(TimeSpan real, CancellationToken ct) =>
        real <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(real, _time, ct);
}
