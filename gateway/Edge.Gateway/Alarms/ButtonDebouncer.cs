namespace Edge.Gateway.Alarms;

/// <summary>
/// Debounces an alarm button's pin and derives presses, releases, duress (long press) and stuck faults. A level must
/// hold for the debounce time before it counts, so contact bounce never makes an event; the press is timestamped at
/// its first edge, the physical act. Pure logic: edges and ticks come with their time.
/// </summary>
public sealed class ButtonDebouncer
{
    private readonly ButtonWiring _wiring;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan? _duressAfter;
    private readonly TimeSpan _stuckAfter;
    private bool _rawLevel;
    private DateTimeOffset _rawSince;
    private bool _stableLevel;
    private DateTimeOffset _pressedAt;
    private bool _duressSent;
    private bool _stuckSent;

    /// <param name="restingLevel">The pin level read when the debouncer starts (a button found pressed at start is reported).</param>
    public ButtonDebouncer(ButtonWiring wiring, TimeSpan debounce, TimeSpan? duressAfter, TimeSpan stuckAfter, bool restingLevel, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(wiring);
        ArgumentOutOfRangeException.ThrowIfNegative(debounce.Ticks);
        if (duressAfter is { } d && (d <= debounce || d >= stuckAfter))
        {
            throw new ArgumentOutOfRangeException(nameof(duressAfter), "duress time must lie between the debounce and the stuck time");
        }

        _wiring = wiring;
        _debounce = debounce;
        _duressAfter = duressAfter;
        _stuckAfter = stuckAfter;
        _stableLevel = !wiring.PressedLevel;
        _rawLevel = restingLevel;
        _rawSince = now;
    }

    /// <summary>True while the button is (debounced) pressed.</summary>
    public bool IsPressed => _stableLevel == _wiring.PressedLevel;

    /// <summary>When <see cref="Tick"/> should next be called for a pending decision; null when nothing is pending.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            if (_rawLevel != _stableLevel)
            {
                return _rawSince + _debounce;
            }

            if (!IsPressed)
            {
                return null;
            }

            if (_duressAfter is { } d && !_duressSent)
            {
                return _pressedAt + d;
            }

            return _stuckSent ? null : _pressedAt + _stuckAfter;
        }
    }

    /// <summary>An edge (or a sampled level) at the pin.</summary>
    public IReadOnlyList<ButtonSignal> OnLevel(bool high, DateTimeOffset at)
    {
        var signals = Tick(at);
        if (high != _rawLevel)
        {
            _rawLevel = high;
            _rawSince = at;
        }

        return signals;
    }

    /// <summary>Decides what has become certain by <paramref name="now"/>.</summary>
    public IReadOnlyList<ButtonSignal> Tick(DateTimeOffset now)
    {
        List<ButtonSignal>? signals = null;
        if (_rawLevel != _stableLevel && now - _rawSince >= _debounce)
        {
            _stableLevel = _rawLevel;
            if (IsPressed)
            {
                _pressedAt = _rawSince;
                _duressSent = false;
                _stuckSent = false;
                Add(ref signals, new ButtonSignal(ButtonSignalKind.Pressed, _rawSince));
            }
            else
            {
                Add(ref signals, new ButtonSignal(ButtonSignalKind.Released, _rawSince));
            }
        }

        if (IsPressed && _rawLevel == _stableLevel)
        {
            if (_duressAfter is { } d && !_duressSent && now - _pressedAt >= d)
            {
                _duressSent = true;
                Add(ref signals, new ButtonSignal(ButtonSignalKind.Duress, _pressedAt + d));
            }

            if (!_stuckSent && now - _pressedAt >= _stuckAfter)
            {
                _stuckSent = true;
                Add(ref signals, new ButtonSignal(ButtonSignalKind.Stuck, _pressedAt + _stuckAfter));
            }
        }

        return (IReadOnlyList<ButtonSignal>?)signals ?? [];
    }

    private static void Add(ref List<ButtonSignal>? list, ButtonSignal signal) => (list ??= []).Add(signal);
}
