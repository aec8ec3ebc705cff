using System.Collections.Concurrent;
using System.Device.Gpio;

namespace Edge.Gateway.Hardware.Bridge;

/// <summary>
/// A <see cref="GpioDriver"/> whose pins live in the simulator, reached through the <see cref="BridgeClient"/>. The
/// gateway's device code uses a plain <see cref="GpioController"/> on top of it, exactly as on a real board.
/// Reads come from the mirror of pushed levels; an input the simulator never reported reads as its pull's rest level.
/// </summary>
public sealed class VirtualGpioDriver : GpioDriver
{
    private readonly BridgeClient _bridge;
    private readonly ConcurrentDictionary<int, PinMode> _modes = new();
    private readonly PinCallbacks _callbacks = new();

    public VirtualGpioDriver(BridgeClient bridge)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        _bridge = bridge;
        _bridge.LevelChanged += OnLevelChanged;
    }

    protected override int PinCount => BridgeProtocol.MaxNumber + 1;

    protected override void OpenPin(int pinNumber) => _modes.TryAdd(pinNumber, PinMode.Input);

    protected override void ClosePin(int pinNumber)
    {
        _modes.TryRemove(pinNumber, out _);
        _callbacks.Clear(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes.TryGetValue(pinNumber, out var m) ? m : PinMode.Input;

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber) =>
        _bridge.Level(pinNumber) is { } high ? (high ? PinValue.High : PinValue.Low)
        : GetPinMode(pinNumber) == PinMode.InputPullDown ? PinValue.Low : PinValue.High;

    protected override void Write(int pinNumber, PinValue value) => _bridge.Write(pinNumber, value == PinValue.High);

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var happened = new ManualResetEventSlim();
        PinEventTypes seen = PinEventTypes.None;
        void Handler(object sender, PinValueChangedEventArgs e)
        {
            seen = e.ChangeType;
            happened.Set();
        }

        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, Handler);
        try
        {
            happened.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, Handler);
        }
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _callbacks.Add(pinNumber, eventTypes, callback);

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.Remove(pinNumber, callback);

    private void OnLevelChanged(int pin, bool high, DateTimeOffset at) => _callbacks.Raise(this, pin, high, at);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _bridge.LevelChanged -= OnLevelChanged;
        }

        base.Dispose(disposing);
    }
}
