using System.Collections.Concurrent;
using System.Device.Gpio;
using Edge.Gateway.Hardware;

namespace Edge.Tests.Support;

/// <summary>
/// A <see cref="GpioDriver"/> whose pins are in memory, behind a real <see cref="GpioController"/>: a test sets an input's
/// level and the callbacks run at once on its thread, as an interrupt handler would; outputs record what was written.
/// With a fake clock, adapters then decide on the time the test chose, not on how fast the machine is.
/// </summary>
public sealed class MemoryGpioDriver : GpioDriver
{
    private readonly ConcurrentDictionary<int, bool> _levels = new();
    private readonly ConcurrentDictionary<int, PinMode> _modes = new();
    private readonly PinCallbacks _callbacks = new();

    /// <summary>
    /// Sets an input's level; a change runs the callbacks registered for its direction, with the time it happened when
    /// <paramref name="at"/> is given (as the kernel and the simulator's bridge stamp edges).
    /// </summary>
    public void Set(int pin, bool high, DateTimeOffset? at = null)
    {
        var was = Level(pin);
        _levels[pin] = high;
        if (was != high)
        {
            _callbacks.Raise(this, pin, high, at);
        }
    }

    /// <summary>A short low pulse on a line that rests high.</summary>
    public void Pulse(int pin)
    {
        Set(pin, false);
        Set(pin, true);
    }

    /// <summary>The pin's level: what was set or written, else its pull's rest level.</summary>
    public bool Level(int pin) => _levels.TryGetValue(pin, out var high) ? high : GetPinMode(pin) != PinMode.InputPullDown;

    protected override int PinCount => 1024;

    protected override void OpenPin(int pinNumber) => _modes.TryAdd(pinNumber, PinMode.Input);

    protected override void ClosePin(int pinNumber)
    {
        _modes.TryRemove(pinNumber, out _);
        _callbacks.Clear(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes.TryGetValue(pinNumber, out var mode) ? mode : PinMode.Input;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Level(pinNumber) ? PinValue.High : PinValue.Low;

    protected override void Write(int pinNumber, PinValue value) => _levels[pinNumber] = value == PinValue.High;

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the gateway's adapters take callbacks; nothing here waits on a pin");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _callbacks.Add(pinNumber, eventTypes, callback);

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.Remove(pinNumber, callback);
}
