using System.Device.Gpio;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Edge.Contracts.Events;
using Edge.Gateway.Common;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Alarms;

/// <summary>
/// Reads alarm buttons through a <see cref="GpioController"/> (any driver: libgpiod, sysfs, the virtual bridge) and
/// turns their debounced presses into <c>alarm.panic</c> (and <c>alarm.duress</c>) events, active on press and
/// restored on release, and a button held past its stuck time into <c>device.fault</c>. Edges are only recorded in
/// the GPIO callback; all decisions are made on this loop.
/// </summary>
public sealed partial class AlarmButtonAdapter : BackgroundService
{
    private const int EdgeCapacity = 4096;
    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(1);
    private readonly GpioController _gpio;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Dictionary<int, Button> _byPin = [];
    private readonly InputClock _inputs;
    private readonly Channel<(int Pin, bool High, DateTimeOffset At)> _edges =
        Channel.CreateBounded<(int, bool, DateTimeOffset)>(new BoundedChannelOptions(EdgeCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private volatile bool _overflowed;

    /// <summary>
    /// Set by every edge: the loop, on a thread of its own, sleeps on it (or on the next debounce deadline). Never
    /// disposed: a driver may still call back after the loop has ended, and it holds no handle until one is asked of it.
    /// </summary>
    private readonly ManualResetEventSlim _wake = OwnThread.NewSignal();

    /// <param name="inputs">When edges happened and up to when the inputs are known; the clock's time by default.</param>
    public AlarmButtonAdapter(IEnumerable<AlarmButtonOptions> buttons, GpioController gpio, IEventSink sink, TimeProvider time, ILogger<AlarmButtonAdapter> log,
        InputClock? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(buttons);
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(time);
        _gpio = gpio;
        _sink = sink;
        _time = time;
        _log = log;
        _inputs = inputs ?? new InputClock(time);
        var now = time.GetUtcNow();
        foreach (var options in buttons)
        {
            _gpio.OpenPin(options.Pin, options.Pull == InputPull.Up ? PinMode.InputPullUp : PinMode.InputPullDown);
            var level = _gpio.Read(options.Pin) == PinValue.High;
            _byPin[options.Pin] = new Button(options, new ButtonDebouncer(options.Wiring, options.Debounce, options.DuressAfter, options.StuckAfter, level, now));
            _gpio.RegisterCallbackForPinValueChangedEvent(options.Pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
        }
    }

    /// <summary>Raised when an alarm of a button is committed: button id, event id (column feedback follows it to its PUBACK).</summary>
    public event Action<string, Guid>? AlarmRaised;

    /// <summary>Edges dropped because the loop fell behind (then every pin is read again, so no press is lost).</summary>
    public long Overflows { get; private set; }

    /// <summary>Edges the loop has taken from the GPIO callbacks so far (diagnostics; tests wait on it).</summary>
    public long EdgesTaken => Interlocked.Read(ref _edgesTaken);

    private long _edgesTaken;

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        // The edge's own direction and time: what happened, and when, however late the loop gets to it.
        if (!_edges.Writer.TryWrite((e.PinNumber, e.ChangeType == PinEventTypes.Rising, _inputs.TimeOf(e))))
        {
            // A flood of edges (noise, a broken contact): resample every pin on the loop instead of queueing more.
            _overflowed = true;
        }

        _wake.Set();
    }

    /// <summary>
    /// The loop runs on a thread of its own (<see cref="OwnThread"/>), woken by the GPIO callback or its next deadline:
    /// a press is judged and handed to the outbox without waiting behind camera or door work in the thread pool.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => OwnThread.Run("edge-alarm-buttons", () => Loop(stoppingToken));

    private void Loop(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Reset before looking: an edge after this look sets it again, so none is left waiting.
                _wake.Reset();
                Handle(stoppingToken);
                var deadline = _byPin.Values.Select(b => b.Debouncer.NextDeadline).Where(d => d is not null).Min();
                if (deadline is { } d)
                {
                    // Waited on the inputs' time: while changes wait unread, a deadline passed on the clock is not yet
                    // passed for the inputs, and the loop looks again shortly.
                    // The clock is read before the inputs' time: should it move on in between, the wait ends early, not late.
                    var now = _time.GetTimestamp();
                    var delay = d - _inputs.KnownUntil();
                    OwnThread.WaitUntil(_wake, OwnThread.Due(_time, now, delay > MinWait ? delay : MinWait), _time, stoppingToken);
                }
                else
                {
                    _wake.Wait(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Feeds queued edges to the debouncers, settles what is due, and submits the resulting events.</summary>
    private void Handle(CancellationToken ct)
    {
        if (_overflowed)
        {
            _overflowed = false;
            Overflows++;
            var now = _time.GetUtcNow();
            foreach (var (pin, button) in _byPin)
            {
                Submit(button, button.Debouncer.OnLevel(_gpio.Read(pin) == PinValue.High, now), ct);
            }
        }

        while (_edges.Reader.TryRead(out var edge))
        {
            if (_byPin.TryGetValue(edge.Pin, out var button))
            {
                // The edge's direction and time, not the level when the loop gets here: a loop that is late must not date
                // a bounce by a later press, or take the level of a press for a bounce's. Edges dropped in a flood are
                // made up for by reading every pin again (above).
                Submit(button, button.Debouncer.OnLevel(edge.High, edge.At), ct);
            }

            Interlocked.Increment(ref _edgesTaken);
        }

        var at = _inputs.KnownUntil();
        foreach (var button in _byPin.Values)
        {
            Submit(button, button.Debouncer.Tick(at), ct);
        }
    }

    /// <summary>Hands each event of the signals to the outbox and waits for its commit: the loop's thread blocks, woken by the writer itself.</summary>
    private void Submit(Button button, IReadOnlyList<ButtonSignal> signals, CancellationToken ct)
    {
        foreach (var signal in signals)
        {
            foreach (var draft in Drafts(button, signal))
            {
                var result = _sink.SubmitAsync(draft, ct).GetAwaiter().GetResult();
                if (draft.State == EventState.Active && result.Event is { } e && e.Priority == Priority.Critical)
                {
                    AlarmRaised?.Invoke(button.Options.Id, e.Id);
                }
            }

            LogSignal(button.Options.Id, signal.Kind);
        }
    }

    private static IEnumerable<EventDraft> Drafts(Button button, ButtonSignal signal)
    {
        var device = button.Options.Device;
        switch (signal.Kind)
        {
            case ButtonSignalKind.Pressed:
                button.PressedAt = signal.At;
                yield return new EventDraft(EventTypes.AlarmPanic, Priority.Critical, device, EventState.Active, signal.At, Data(button));
                break;
            case ButtonSignalKind.Released:
                var held = Math.Round((signal.At - button.PressedAt).TotalMilliseconds);
                if (button.Stuck)
                {
                    // The button held past its limit is free again: the fault ends with the press.
                    button.Stuck = false;
                    var freed = Data(button);
                    freed["fault"] = "button-held";
                    freed["heldS"] = Math.Round((signal.At - button.PressedAt).TotalSeconds);
                    yield return new EventDraft(EventTypes.DeviceFault, Priority.High, device, EventState.Restored, signal.At, freed);
                }

                if (button.DuressActive)
                {
                    button.DuressActive = false;
                    yield return new EventDraft(EventTypes.AlarmDuress, Priority.Critical, device, EventState.Restored, signal.At, Data(button, held));
                }

                yield return new EventDraft(EventTypes.AlarmPanic, Priority.Critical, device, EventState.Restored, signal.At, Data(button, held));
                break;
            case ButtonSignalKind.Duress:
                button.DuressActive = true;
                yield return new EventDraft(EventTypes.AlarmDuress, Priority.Critical, device, EventState.Active, signal.At, Data(button));
                break;
            case ButtonSignalKind.Stuck:
                button.Stuck = true;
                var fault = Data(button);
                fault["fault"] = "button-held";
                fault["heldS"] = Math.Round((signal.At - button.PressedAt).TotalSeconds);
                yield return new EventDraft(EventTypes.DeviceFault, Priority.High, device, EventState.Active, signal.At, fault);
                break;
        }
    }

    private static JsonObject Data(Button button, double? heldMs = null)
    {
        var data = new JsonObject { ["pin"] = button.Options.Pin };
        if (heldMs is { } ms)
        {
            data["heldMs"] = ms;
        }

        return data;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm button {Button}: {Signal}")]
    private partial void LogSignal(string button, ButtonSignalKind signal);

    /// <summary>One configured button and its running state.</summary>
    private sealed class Button(AlarmButtonOptions options, ButtonDebouncer debouncer)
    {
        public AlarmButtonOptions Options { get; } = options;

        public ButtonDebouncer Debouncer { get; } = debouncer;

        public DateTimeOffset PressedAt { get; set; }

        public bool DuressActive { get; set; }

        /// <summary>Held past its limit (a <c>button-held</c> fault) until it is released.</summary>
        public bool Stuck { get; set; }
    }
}
