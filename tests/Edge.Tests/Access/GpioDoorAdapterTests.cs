using System.Device.Gpio;
using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Access;

/// <summary>
/// A GPIO door on an in-memory driver and a fake clock: the release window, forced doors and held-open doors are judged
/// on the times the test sets. (GpioAccessTests reads doors through the simulator's bridge.)
/// </summary>
public sealed class GpioDoorAdapterTests : IAsyncLifetime
{
    private const int Contact = 30, Exit = 31, Release = 32;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 18, 0, 0, TimeSpan.Zero));
    private readonly MemoryGpioDriver _pins = new();
    private readonly RecordingSink _sink = new();
    private GpioController _gpio = null!;
    private GpioDoorAdapter _door = null!;

    public async ValueTask InitializeAsync()
    {
        _gpio = new GpioController(_pins);
        _pins.Set(Contact, false);
        _door = new GpioDoorAdapter(new GpioDoorOptions
        {
            Id = "door-001", ContactPin = Contact, RequestToExitPin = Exit, ReleasePin = Release,
            UnlockFor = TimeSpan.FromSeconds(5), HeldOpenAfter = TimeSpan.FromSeconds(30),
        }, _gpio, _sink, _time);
        await _door.StartAsync(CancellationToken.None);
    }

    /// <summary>Changes an input and waits until the adapter has taken the edge.</summary>
    private async Task InputAsync(Action change)
    {
        var taken = _door.InputsTaken;
        change();
        await Eventually.True(() => _door.InputsTaken > taken, "the edge taken");
    }

    private Task OpenAsync(bool open) => InputAsync(() => _pins.Set(Contact, open));

    private (string Type, EventState? State)[] Events() => _sink.Drafts.Select(d => (d.Type, d.State)).ToArray();

    [Fact]
    public async Task A_door_opened_within_the_release_window_is_normal_and_after_it_is_forced()
    {
        await InputAsync(() => _pins.Pulse(Release));
        _time.Advance(TimeSpan.FromSeconds(4.9));
        await OpenAsync(true);
        await OpenAsync(false);

        await InputAsync(() => _pins.Pulse(Release));
        _time.Advance(TimeSpan.FromSeconds(5.1));
        var forcedAt = _time.GetUtcNow();
        await OpenAsync(true);
        await OpenAsync(false);
        await Eventually.True(() => _sink.Drafts.Count == 5, "opened, closed, forced, restored, closed");

        Assert.Equal(
            [(EventTypes.DoorOpened, null), (EventTypes.DoorClosed, null),
             (EventTypes.DoorForced, EventState.Active), (EventTypes.DoorForced, EventState.Restored), (EventTypes.DoorClosed, null)],
            Events());
        var forced = _sink.Drafts.ElementAt(2);
        Assert.Equal((Priority.Critical, forcedAt), (forced.Priority, forced.OccurredAt));
    }

    [Fact]
    public async Task A_door_left_open_is_held_open_at_the_time_allowed_and_restored_when_it_closes()
    {
        await InputAsync(() => _pins.Pulse(Exit));
        var opened = _time.GetUtcNow();
        await OpenAsync(true);
        _time.Advance(TimeSpan.FromSeconds(29.9));
        await Eventually.True(() => _sink.Drafts.Count == 1, "opened");
        Assert.Equal([(EventTypes.DoorOpened, null)], Events());

        _time.Advance(TimeSpan.FromSeconds(0.1));
        await Eventually.True(() => _sink.Drafts.Count == 2, "held open");
        await OpenAsync(false);
        await Eventually.True(() => _sink.Drafts.Count == 4, "restored and closed");

        Assert.Equal(
            [(EventTypes.DoorOpened, null), (EventTypes.DoorHeldOpen, EventState.Active), (EventTypes.DoorHeldOpen, EventState.Restored), (EventTypes.DoorClosed, null)],
            Events());
        Assert.Equal(opened + TimeSpan.FromSeconds(30), _sink.Drafts.ElementAt(1).OccurredAt);
        Assert.Equal(Priority.High, _sink.Drafts.ElementAt(1).Priority);
    }

    [Fact]
    public async Task A_lock_release_drives_the_relay_for_UnlockFor_again_from_a_second_release_and_the_stop_relocks()
    {
        const int Lock = 33;
        // The fixture's driver, closed with the fixture.
        var gpio = new GpioController(_pins);
        var door = new GpioDoorAdapter(new GpioDoorOptions { Id = "door-002", ContactPin = 34, LockPin = Lock, UnlockFor = TimeSpan.FromSeconds(5) }, gpio, _sink, _time);
        Assert.False(_pins.Level(Lock));
        Assert.False(_door.Release());

        Assert.True(door.Release());
        Assert.True(_pins.Level(Lock));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(door.Release());
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(_pins.Level(Lock));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(_pins.Level(Lock));

        Assert.True(door.Release());
        await door.StopAsync(CancellationToken.None);
        Assert.False(_pins.Level(Lock));
        Assert.Throws<InvalidOperationException>(() => door.Release());
        Assert.False(_pins.Level(Lock));
        door.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _door.StopAsync(CancellationToken.None);
        _door.Dispose();
        _gpio.Dispose();
    }
}
