using System.Device.Gpio;

namespace Edge.Gateway.Hardware;

/// <summary>
/// The time of the gateway's inputs, as adapters judge bounce, presses, Wiegand frames, doors and zone dwell on it: an
/// edge happened when the driver says it did (<see cref="TimedPinValueChangedEventArgs"/>), else when its callback runs;
/// and a level has held only up to the time the inputs are known (<see cref="KnownUntil"/>), so a gateway that was slow
/// to read its inputs never takes a bounce for a press nor cuts a card frame in two.
/// </summary>
/// <param name="knownUntil">Up to when the driver has handed on every change (the bridge's); null for drivers that
/// call back as changes happen (the kernel's), whose inputs are known up to now.</param>
public sealed class InputClock(TimeProvider time, Func<DateTimeOffset>? knownUntil = null)
{
    /// <summary>The clock's own time.</summary>
    public TimeProvider Time { get; } = time ?? throw new ArgumentNullException(nameof(time));

    /// <summary>When the change reported by <paramref name="e"/> happened.</summary>
    public DateTimeOffset TimeOf(PinValueChangedEventArgs e) => e is TimedPinValueChangedEventArgs timed ? timed.At : Time.GetUtcNow();

    /// <summary>The time up to which every change of the inputs has been reported: decisions are made at this time.</summary>
    public DateTimeOffset KnownUntil() => knownUntil?.Invoke() ?? Time.GetUtcNow();
}
