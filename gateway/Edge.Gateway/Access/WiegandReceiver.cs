using System.Device.Gpio;

namespace Edge.Gateway.Access;

/// <summary>
/// Receives Wiegand frames on two GPIO inputs: a low pulse on D0 is a 0 bit, on D1 a 1 bit, and a frame ends when no
/// bit has come for the gap time (25 ms). Each frame is decoded (<see cref="WiegandDecoder"/>) and reported, valid or
/// not; an invalid frame is a counted fault, never a card read.
/// </summary>
public sealed class WiegandReceiver : IDisposable
{
    /// <summary>The silence that ends a frame.</summary>
    public static readonly TimeSpan DefaultGap = TimeSpan.FromMilliseconds(25);
    private readonly Lock _lock = new();
    private readonly List<bool> _bits = new(WiegandDecoder.MaxBits + 1);
    private readonly TimeProvider _time;
    private readonly TimeSpan _gap;
    private readonly WiegandFormat _format37;
    private readonly ITimer _timer;
    private readonly GpioController? _gpio;
    private readonly int _d0;
    private readonly int _d1;
    private int _extraBits;

    /// <summary>A receiver fed by <see cref="OnBit"/> (the GPIO constructor wires it to the pins).</summary>
    public WiegandReceiver(TimeProvider time, WiegandFormat format37 = WiegandFormat.H10304, TimeSpan? gap = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _gap = gap ?? DefaultGap;
        _format37 = format37;
        _timer = time.CreateTimer(_ => EndFrame(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _d0 = _d1 = -1;
    }

    /// <summary>A receiver on D0 and D1 of <paramref name="gpio"/>; the reader's lines rest high (pull-up).</summary>
    public WiegandReceiver(GpioController gpio, int d0, int d1, TimeProvider time, WiegandFormat format37 = WiegandFormat.H10304, TimeSpan? gap = null)
        : this(time, format37, gap)
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

    /// <summary>One bit arrived (true for a pulse on D1).</summary>
    public void OnBit(bool one)
    {
        lock (_lock)
        {
            if (_bits.Count <= WiegandDecoder.MaxBits)
            {
                _bits.Add(one);
            }
            else
            {
                // Noise on the line: keep counting towards the gap, but do not grow without bound.
                _extraBits++;
            }

            _lastBit = _time.GetUtcNow();
            _timer.Change(_gap, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnFalling(object sender, PinValueChangedEventArgs e) => OnBit(e.PinNumber == _d1);

    private void EndFrame()
    {
        WiegandRead read;
        DateTimeOffset at;
        lock (_lock)
        {
            if (_bits.Count == 0)
            {
                return;
            }

            read = WiegandDecoder.Decode(_bits.ToArray(), _format37);
            if (_extraBits > 0)
            {
                read = WiegandRead.Invalid($"more than {WiegandDecoder.MaxBits} bits ({_bits.Count + _extraBits}): line noise");
            }

            if (read.Error is not null)
            {
                Invalid++;
            }

            at = _lastBit;
            _bits.Clear();
            _extraBits = 0;
        }

        FrameReceived?.Invoke(read, at);
    }

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
