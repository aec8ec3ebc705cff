using System.Device.Gpio;
using Edge.Contracts.Events;
using Edge.Gateway.Alarms;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Alarms;

/// <summary>
/// The button adapter on a real GpioController over an in-memory driver, on a fake clock: debounce, duress and a stuck
/// button are judged on the times the test sets, however busy the machine. (AlarmsEndToEndTests presses through the
/// simulator's bridge.)
/// </summary>
public sealed class AlarmButtonAdapterTests : IAsyncLifetime
{
    private const int Pin = 17;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 18, 0, 0, TimeSpan.Zero));
    private readonly MemoryGpioDriver _pins = new();
    private readonly RecordingSink _sink = new();
    private GpioController _gpio = null!;
    private DateTimeOffset? _knownUntil;
    private AlarmButtonAdapter _adapter = null!;

    public async ValueTask InitializeAsync()
    {
        _gpio = new GpioController(_pins);
        var button = new AlarmButtonOptions
        {
            Id = "btn-gate", Name = "Gate column", Pin = Pin, Location = new Location("gate", null, "0", "north gate"),
            DuressAfter = TimeSpan.FromMilliseconds(400), StuckAfter = TimeSpan.FromSeconds(1),
        };
        var inputs = new Edge.Gateway.Hardware.InputClock(_time, () => _knownUntil ?? _time.GetUtcNow());
        _adapter = new AlarmButtonAdapter([button], _gpio, _sink, _time, NullLogger<AlarmButtonAdapter>.Instance, inputs);
        await _adapter.StartAsync(CancellationToken.None);
    }

    /// <summary>Sets the contact (pressed: low, the button pulls the line down) and waits until the adapter has taken the edge.</summary>
    private async Task ContactAsync(bool pressed)
    {
        var taken = _adapter.EdgesTaken;
        _pins.Set(Pin, !pressed);
        await Eventually.True(() => _adapter.EdgesTaken > taken, "the edge taken");
    }

    [Fact]
    public async Task A_press_and_release_make_an_active_and_a_restored_panic_alarm_at_the_times_they_happened()
    {
        var pressed = _time.GetUtcNow();
        await ContactAsync(pressed: true);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await Eventually.True(() => _sink.Drafts.Count == 1, "alarm active");
        var released = _time.GetUtcNow();
        await ContactAsync(pressed: false);
        _time.Advance(TimeSpan.FromMilliseconds(31));
        await Eventually.True(() => _sink.Drafts.Count == 2, "alarm restored");

        var (active, restored) = (_sink.Drafts.First(), _sink.Drafts.Last());
        Assert.Equal((EventTypes.AlarmPanic, Priority.Critical, EventState.Active, pressed), (active.Type, active.Priority, active.State, active.OccurredAt));
        Assert.Equal((EventTypes.AlarmPanic, EventState.Restored, released), (restored.Type, restored.State, restored.OccurredAt));
        Assert.Equal(200, (double)restored.Data!["heldMs"]!);
        Assert.Equal(("btn-gate", "alarm-button"), (active.Device.Id, active.Device.Kind));
    }

    [Fact]
    public async Task Contact_bounce_shorter_than_the_debounce_makes_no_event()
    {
        for (var i = 0; i < 5; i++)
        {
            await ContactAsync(pressed: true);
            _time.Advance(TimeSpan.FromMilliseconds(5));
            await ContactAsync(pressed: false);
            _time.Advance(TimeSpan.FromMilliseconds(5));
        }

        _time.Advance(TimeSpan.FromSeconds(1));

        // A later real press proves the adapter was listening all along and the bounce left nothing behind.
        var pressed = _time.GetUtcNow();
        await ContactAsync(pressed: true);
        _time.Advance(TimeSpan.FromMilliseconds(30));
        await Eventually.True(() => !_sink.Drafts.IsEmpty, "the real press");
        var only = Assert.Single(_sink.Drafts);
        Assert.Equal((EventState.Active, pressed), (only.State, only.OccurredAt));
    }

    [Fact]
    public async Task A_press_held_past_the_duress_time_adds_duress_and_past_the_stuck_time_a_fault_that_ends_with_the_release()
    {
        await ContactAsync(pressed: true);
        _time.Advance(TimeSpan.FromMilliseconds(399));
        await Eventually.True(() => _sink.Drafts.Count == 1, "the panic alarm");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.True(() => _sink.Drafts.Count == 2, "duress at 400 ms");
        _time.Advance(TimeSpan.FromMilliseconds(600));
        await Eventually.True(() => _sink.Drafts.Any(d => d.Type == EventTypes.DeviceFault), "stuck at 1 s");
        await ContactAsync(pressed: false);
        _time.Advance(TimeSpan.FromMilliseconds(30));
        await Eventually.True(() => _sink.Drafts.Count(d => d.State == EventState.Restored) == 3, "the fault and both alarms restored");

        Assert.Equal(
        [
            (EventTypes.AlarmPanic, EventState.Active), (EventTypes.AlarmDuress, EventState.Active), (EventTypes.DeviceFault, EventState.Active),
            (EventTypes.DeviceFault, EventState.Restored), (EventTypes.AlarmDuress, EventState.Restored), (EventTypes.AlarmPanic, EventState.Restored),
        ],
            _sink.Drafts.Select(d => (d.Type, d.State!.Value)));
        var faults = _sink.Drafts.Where(d => d.Type == EventTypes.DeviceFault).Select(d => ((string?)d.Data!["fault"], (double)d.Data["heldS"]!));
        Assert.Equal([("button-held", 1), ("button-held", 1)], faults);
    }

    private async Task EdgeAsync(bool high, DateTimeOffset at)
    {
        var taken = _adapter.EdgesTaken;
        _pins.Set(Pin, high, at);
        await Eventually.True(() => _adapter.EdgesTaken > taken, "the edge taken");
    }

    [Fact]
    public async Task A_bounce_whose_end_reaches_the_gateway_late_is_still_a_bounce()
    {
        // The contact closes for 5 ms; the gateway reads the closing, then stalls 200 ms before it reads the opening.
        var bounced = _time.GetUtcNow();
        _knownUntil = bounced;
        await EdgeAsync(high: false, bounced);
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Yield();
        }

        await EdgeAsync(high: true, bounced + TimeSpan.FromMilliseconds(5));
        _knownUntil = null;
        _time.Advance(TimeSpan.FromMilliseconds(100));

        // A real press afterwards is the only alarm, dated when it happened.
        var pressed = _time.GetUtcNow();
        await EdgeAsync(high: false, pressed);
        _time.Advance(TimeSpan.FromMilliseconds(30));
        await Eventually.True(() => !_sink.Drafts.IsEmpty, "the real press");
        var only = Assert.Single(_sink.Drafts);
        Assert.Equal((EventTypes.AlarmPanic, EventState.Active, pressed), (only.Type, only.State, only.OccurredAt));
    }

    [Fact]
    public async Task A_press_read_late_is_dated_when_it_happened_not_when_it_was_read()
    {
        var pressed = _time.GetUtcNow() - TimeSpan.FromMilliseconds(300);

        await EdgeAsync(high: false, pressed);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        await Eventually.True(() => !_sink.Drafts.IsEmpty, "the press");
        Assert.Equal(pressed, _sink.Drafts.Single().OccurredAt);
    }

    public async ValueTask DisposeAsync()
    {
        await _adapter.StopAsync(CancellationToken.None);
        _adapter.Dispose();
        _gpio.Dispose();
    }
}
