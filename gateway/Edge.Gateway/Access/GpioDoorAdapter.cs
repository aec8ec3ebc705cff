using System.Device.Gpio;
using System.Threading.Channels;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Access;

/// <summary>
/// A door the gateway watches on GPIO, through <see cref="DoorStateMachine"/>: the lock controller's release signal or
/// the request-to-exit button unlocks it for a moment; opening it then is <c>door.opened</c>, otherwise
/// <c>door.forced</c> (critical); a normal opening left open past its time is <c>door.held-open</c>; both restore
/// when the door closes, before <c>door.closed</c>. The contact is read again on every edge, so a missed edge never
/// leaves the door in the wrong state. With a lock output (<see cref="GpioDoorOptions.LockPin"/>) it also releases the
/// lock for officers (<see cref="Release"/>); the lock controller's release signal then tells the door it may open.
/// </summary>
public sealed class GpioDoorAdapter : BackgroundService
{
    private readonly Lock _lockOutput = new();
    private ITimer? _relock;
    private bool _stopped;
    private readonly GpioDoorOptions _options;
    private readonly GpioController _gpio;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly DoorStateMachine _door;
    /// <summary>Every input edge in the order it happened: a release just before an opening must be seen first.</summary>
    private readonly Channel<(int Pin, bool High, DateTimeOffset At, bool Present)> _inputs = Channel.CreateUnbounded<(int, bool, DateTimeOffset, bool)>();
    private readonly InputClock _clock;
    private static readonly TimeSpan SeedCheck = TimeSpan.FromMilliseconds(100);
    private readonly Func<bool>? _present;
    /// <summary>The alarm the door was in when the gateway stopped, until the first reading of the door takes it back.</summary>
    private DoorSignalKind? _resume;
    private bool _seeded;
    /// <summary>What the first reading concluded before the loop ran (a door whose alarm ended while the gateway was away).</summary>
    private IReadOnlyList<DoorSignal> _atStart = [];

    /// <param name="present">
    /// False while the inputs are not there at all (the simulator's hardware bridge before it is ready): edges then
    /// only tell how the door is, without an event, so the first levels the bridge delivers never read as a door
    /// closing or being forced. Null for GPIO on the board, which is always there.
    /// </param>
    /// <param name="cursors">Where the door's alarm was kept when the gateway last stopped (the outbox).</param>
    /// <param name="inputs">When edges happened and up to when the inputs are known; the clock's time by default.</param>
    public GpioDoorAdapter(GpioDoorOptions options, GpioController gpio, IEventSink sink, TimeProvider time, Func<bool>? present = null, ISourceCursors? cursors = null,
        InputClock? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _gpio = gpio;
        _sink = sink;
        _time = time;
        _present = present;
        _clock = inputs ?? new InputClock(time);
        _door = new DoorStateMachine(options.UnlockFor, options.HeldOpenAfter);
        _resume = DoorEvents.Alarm(cursors, options.Id);
        gpio.OpenPin(options.ContactPin, PinMode.InputPullUp);
        if (options.LockPin is { } lockPin)
        {
            // Locked from the start: a gateway that restarts never leaves a door released.
            gpio.OpenPin(lockPin, PinMode.Output);
            gpio.Write(lockPin, PinValue.Low);
        }

        // The door as it is now, without an event: only changes are reported. Read before the callbacks are
        // registered (and not in the loop, which runs later), so every edge after this reading is seen. Inputs that are
        // not there yet are not read: the first levels they deliver tell.
        if (present?.Invoke() != false)
        {
            _atStart = Seed(time.GetUtcNow());
        }

        gpio.RegisterCallbackForPinValueChangedEvent(options.ContactPin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
        foreach (var pin in new[] { options.RequestToExitPin, options.ReleasePin }.OfType<int>())
        {
            gpio.OpenPin(pin, PinMode.InputPullUp);
            gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Falling, OnEdge);
        }
    }

    /// <summary>The door's device.</summary>
    public Contracts.Events.DeviceRef Device => _options.Device;

    /// <summary>
    /// Releases the lock for <see cref="GpioDoorOptions.UnlockFor"/> (again from now when it is released already);
    /// false when the door has no lock output. Throws once the gateway is stopping: the lock stays locked.
    /// </summary>
    public bool Release()
    {
        if (_options.LockPin is not { } lockPin)
        {
            return false;
        }

        lock (_lockOutput)
        {
            if (_stopped)
            {
                throw new InvalidOperationException($"door {_options.Id}: the gateway is stopping, its lock stays locked");
            }

            _gpio.Write(lockPin, PinValue.High);
            _relock ??= _time.CreateTimer(_ => Relock(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _relock.Change(_options.UnlockFor, Timeout.InfiniteTimeSpan);
        }

        return true;
    }

    private void Relock()
    {
        lock (_lockOutput)
        {
            try
            {
                _gpio.Write(_options.LockPin!.Value, PinValue.Low);
            }
            catch (ObjectDisposedException)
            {
                // The gateway stopped and its GPIO closed: the relay drops with it.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_options.LockPin is not null)
        {
            lock (_lockOutput)
            {
                _stopped = true;
                _relock?.Dispose();
                _relock = null;
            }

            Relock();
        }
    }

    /// <summary>Input edges the loop has taken so far (diagnostics; tests wait on it).</summary>
    public long InputsTaken => Interlocked.Read(ref _inputsTaken);

    private long _inputsTaken;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await EmitAsync(_atStart, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!_seeded && _present?.Invoke() != false)
                {
                    // The inputs are there but have not told how the door is (no level changed as they arrived).
                    await EmitAsync(Seed(_time.GetUtcNow()), stoppingToken).ConfigureAwait(false);
                }

                while (_inputs.Reader.TryRead(out var input))
                {
                    if (!_seeded && input.Present)
                    {
                        // The first sign of inputs that are there: the door is read as it is, then the edge taken.
                        await EmitAsync(Seed(input.At), stoppingToken).ConfigureAwait(false);
                    }

                    if (!input.Present)
                    {
                        await EmitAsync(Seed(input.At), stoppingToken).ConfigureAwait(false);
                    }
                    else if (input.Pin == _options.ContactPin)
                    {
                        // The edge's direction and time, not the contact's level when the loop gets here.
                        await EmitAsync(_door.Contact(input.High == _options.OpenIsHigh, input.At), stoppingToken).ConfigureAwait(false);
                    }
                    else if (input.Pin == _options.ReleasePin)
                    {
                        _door.Granted(input.At);
                    }
                    else
                    {
                        _door.RequestToExit(input.At);
                    }

                    Interlocked.Increment(ref _inputsTaken);
                }

                // Timers run on the inputs' time: a door is not held open while its closing waits unread.
                var known = _clock.KnownUntil();
                await EmitAsync(_door.Tick(known), stoppingToken).ConfigureAwait(false);
                var wait = _door.NextDeadline is { } deadline ? Max(deadline - known, MinWait) : Timeout.InfiniteTimeSpan;
                if (!_seeded && (wait == Timeout.InfiniteTimeSpan || wait > SeedCheck))
                {
                    wait = SeedCheck;
                }

                if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
                {
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var input = _inputs.Reader.WaitToReadAsync(wake.Token).AsTask();
                    var delay = wait == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, wake.Token) : Task.Delay(wait, _time, wake.Token);
                    await Task.WhenAny(input, delay).ConfigureAwait(false);
                    await wake.CancelAsync().ConfigureAwait(false);
                    stoppingToken.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e) =>
        _inputs.Writer.TryWrite((e.PinNumber, e.ChangeType == PinEventTypes.Rising, _clock.TimeOf(e), _present?.Invoke() ?? true));

    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(1);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// Takes the door as it is now, without an event (the inputs are only now being delivered). The first time, with
    /// the alarm it was in when the gateway stopped: an alarm that ended meanwhile is restored now.
    /// </summary>
    private IReadOnlyList<DoorSignal> Seed(DateTimeOffset at)
    {
        var open = IsOpen();
        if (!_seeded)
        {
            _seeded = true;
            var resumed = _door.Resume(_resume, open, at);
            _resume = null;
            return resumed;
        }

        if (open != _door.IsOpen)
        {
            if (open)
            {
                _door.Granted(at);
            }

            _ = _door.Contact(open, at);
        }

        return [];
    }

    private bool IsOpen() => (_gpio.Read(_options.ContactPin) == PinValue.High) == _options.OpenIsHigh;

    private async Task EmitAsync(IReadOnlyList<DoorSignal> signals, CancellationToken ct)
    {
        foreach (var draft in DoorEvents.Drafts(signals, _door, _options.Device, "gpio"))
        {
            await _sink.SubmitAsync(draft, ct).ConfigureAwait(false);
        }
    }
}
