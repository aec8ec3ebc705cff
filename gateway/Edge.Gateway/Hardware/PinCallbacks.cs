using System.Collections.Concurrent;
using System.Device.Gpio;

namespace Edge.Gateway.Hardware;

/// <summary>
/// The callbacks registered on the pins of a <see cref="GpioDriver"/> that is not the kernel's (the simulator's bridge,
/// the tests' in-memory pins), raised on a level change for the directions each asked for. Thread-safe.
/// </summary>
public sealed class PinCallbacks
{
    private readonly ConcurrentDictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Handler)>> _byPin = new();

    public void Add(int pin, PinEventTypes types, PinChangeEventHandler handler)
    {
        var list = _byPin.GetOrAdd(pin, _ => []);
        lock (list)
        {
            list.Add((types, handler));
        }
    }

    public void Remove(int pin, PinChangeEventHandler handler)
    {
        if (_byPin.TryGetValue(pin, out var list))
        {
            lock (list)
            {
                list.RemoveAll(c => c.Handler == handler);
            }
        }
    }

    /// <summary>Forgets every callback of a closed pin.</summary>
    public void Clear(int pin) => _byPin.TryRemove(pin, out _);

    /// <summary>
    /// The pin went <paramref name="high"/> (rising) or low (falling), at <paramref name="at"/> when the driver knows
    /// when: runs the callbacks that asked for it, on this thread.
    /// </summary>
    public void Raise(object sender, int pin, bool high, DateTimeOffset? at = null)
    {
        if (!_byPin.TryGetValue(pin, out var list))
        {
            return;
        }

        var type = high ? PinEventTypes.Rising : PinEventTypes.Falling;
        (PinEventTypes Types, PinChangeEventHandler Handler)[] handlers;
        lock (list)
        {
            handlers = [.. list];
        }

        foreach (var (types, handler) in handlers)
        {
            if ((types & type) != 0)
            {
                handler(sender, at is { } when ? new TimedPinValueChangedEventArgs(type, pin, when) : new PinValueChangedEventArgs(type, pin));
            }
        }
    }
}
