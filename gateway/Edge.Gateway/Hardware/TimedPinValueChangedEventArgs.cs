using System.Device.Gpio;

namespace Edge.Gateway.Hardware;

/// <summary>
/// A pin's change with the time it happened on the hardware, from a driver that knows it (the simulator's bridge
/// carries it, as the kernel stamps a GPIO edge). <see cref="GpioController"/> hands a driver's arguments to the
/// callbacks as they are, so adapters find the time here; see <see cref="InputClock"/>.
/// </summary>
public sealed class TimedPinValueChangedEventArgs(PinEventTypes changeType, int pinNumber, DateTimeOffset at)
    : PinValueChangedEventArgs(changeType, pinNumber)
{
    /// <summary>When the pin changed.</summary>
    public DateTimeOffset At { get; } = at;
}
