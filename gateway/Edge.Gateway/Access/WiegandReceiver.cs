using System.Device.Gpio;

namespace Edge.Gateway.Access;

/// <summary>
/// Receives Wiegand frames on two GPIO inputs: a low pulse on D0 is a 0 bit, on D1 a 1 bit, and a frame ends when no
/// bit has come for the gap time (25 ms), judged on when the bits happened (<see cref="Hardware.InputClock"/>): a gateway
/// slow to read its inputs does not cut a frame in two. Each frame is decoded (<see cref="WiegandDecoder"/>) and
/// reported, valid or not; an invalid frame is a counted fault, never a card read.
/// </summary>
public sealed class WiegandReceiver : IDisposable
{
    /// <summary>The silence that ends a frame.</summary>
    public static readonly TimeSpan DefaultGap = TimeSpan.FromMilliseconds(25);
    private readonly Lock _lock = new();
    private readonly List<bool> _bits = new(WiegandDecoder.MaxBits + 1);
    private readonly TimeProvider _time;
    private readonly Hardware.InputClock _inputs;
    private readonly TimeSpan _gap;
    private readonly WiegandFormat _format37;
    private readonly ITimer _timer;
    private readonly GpioController? _gpio;
    private readonly int _d0;
    private readonly int _d1;
    private int _extraBits;

    /// <summary>A receiver fed by <see cref="OnBit"/> (the GPIO constructor wires it to the pins).</summary>
    /// <param name="inputs">Up to when the inputs are known; the clock's time by default.</param>
    public WiegandReceiver(TimeProvider time, WiegandFormat format37 = WiegandFormat.H10304, TimeSpan? gap = null, Hardware.InputClock? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _inputs = inputs ?? new Hardware.InputClock(time);
        _gap = gap ?? DefaultGap;
        _format37 = format37;
        _timer = time.CreateTimer(_ => EndFrame(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _d0 = _d1 = -1;
    }

    /// <summary>A receiver on D0 and D1 of <paramref name="gpio"/>; the reader's lines rest high (pull-up).</summary>
    public WiegandReceiver(GpioController gpio, int d0, int d1, TimeProvider time, WiegandFormat format37 = WiegandFormat.H10304, TimeSpan? gap = null,
        Hardware.InputClock? inputs = null)
        : this(time, format37, gap, inputs)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        _gpio = gpio;
        _d0 = d0;
        _d1 = d1;
        foreach (var pin in new[] { d0, d1 })
        {
            gpio.OpenPin(pin, PinMode.InputPullUp);
            gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Falling, OnFalling);
        }
    }

    /// <summary>A frame ended: what it meant, and when its last bit came.</summary>
    public event Action<WiegandRead, DateTimeOffset>? FrameReceived;

    /// <summary>Frames that were not a valid card or key (bad parity, unknown length).</summary>
    public long Invalid { get; private set; }

    private DateTimeOffset _lastBit;

    /// <summary>One bit arrived now (true for a pulse on D1).</summary>
    public void OnBit(bool one) => OnBit(one, _time.GetUtcNow());

    /// <summary>One bit that came at <paramref name="at"/> (true for a pulse on D1).</summary>
    public void OnBit(bool one, DateTimeOffset at)
    {
        (WiegandRead Read, DateTimeOffset At)? ended = null;
        lock (_lock)
        {
            // A gap that ends a frame is a gap between the bits' own times, whenever they were read.
            if (_bits.Count > 0 && at - _lastBit >= _gap)
            {
                ended = TakeFrame();
            }

            if (_bits.Count <= WiegandDecoder.MaxBits)
            {
                _bits.Add(one);
            }
            else
            {
                // Noise on the line: keep counting towards the gap, but do not grow without bound.
                _extraBits++;
            }

            _lastBit = at;
            _timer.Change(_gap, Timeout.InfiniteTimeSpan);
        }

        if (ended is { } frame)
        {
            FrameReceived?.Invoke(frame.Read, frame.At);
        }
    }

    private void OnFalling(object sender, PinValueChangedEventArgs e) => OnBit(e.PinNumber == _d1, _inputs.TimeOf(e));

    private void EndFrame()
    {
        (WiegandRead Read, DateTimeOffset At)? ended;
        lock (_lock)
        {
            if (_bits.Count == 0)
            {
                return;
            }

            // Silence on the clock is not silence on the lines while bits wait unread: look again once they are known.
            var known = _inputs.KnownUntil();
            if (known < _lastBit + _gap)
            {
                var rest = _lastBit + _gap - known;
                _timer.Change(rest > MinRecheck ? rest : MinRecheck, Timeout.InfiniteTimeSpan);
                return;
            }

            ended = TakeFrame();
        }

        FrameReceived?.Invoke(ended.Value.Read, ended.Value.At);
    }

    /// <summary>Decodes and clears the frame in hand; under the lock.</summary>
    private (WiegandRead Read, DateTimeOffset At) TakeFrame()
    {
        var read = WiegandDecoder.Decode(_bits.ToArray(), _format37);
        if (_extraBits > 0)
        {
            read = WiegandRead.Invalid($"more than {WiegandDecoder.MaxBits} bits ({_bits.Count + _extraBits}): line noise");
        }

        if (read.Error is not null)
        {
            Invalid++;
        }

        _bits.Clear();
        _extraBits = 0;
        return (read, _lastBit);
    }

    private static readonly TimeSpan MinRecheck = TimeSpan.FromMilliseconds(1);

    public void Dispose()
    {
        _timer.Dispose();
        if (_gpio is not null)
        {
            _gpio.UnregisterCallbackForPinValueChangedEvent(_d0, OnFalling);
            _gpio.UnregisterCallbackForPinValueChangedEvent(_d1, OnFalling);
        }
    }
}
