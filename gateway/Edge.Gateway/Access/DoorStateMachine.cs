namespace Edge.Gateway.Access;

/// <summary>What a door did, as the door state machine concludes it from its inputs.</summary>
public enum DoorSignalKind
{
    /// <summary>Opened after a grant or a request to exit.</summary>
    Opened,

    /// <summary>Closed.</summary>
    Closed,

    /// <summary>Opened with no grant and no request to exit: a break-in in progress (restored when it closes).</summary>
    Forced,

    /// <summary>The door that was forced has closed.</summary>
    ForcedRestored,

    /// <summary>Open past the allowed time after a grant (restored when it closes).</summary>
    HeldOpen,

    /// <summary>The door held open has closed.</summary>
    HeldOpenRestored,
}

/// <summary>One conclusion of the door state machine, with the time it applies to.</summary>
public readonly record struct DoorSignal(DoorSignalKind Kind, DateTimeOffset At);

/// <summary>
/// A door where the gateway sees the raw inputs (an OSDP reader's input status, GPIO door contacts, a request-to-exit
/// button): a grant or a request to exit unlocks it for <paramref name="unlockFor"/>; opening it inside that window is
/// a normal opening, otherwise it is forced; a normal opening that stays open past <paramref name="heldOpenAfter"/> is
/// held open. Both alarms restore when the door closes. Pure: the caller feeds it inputs with their time, calls
/// <see cref="Tick"/> at <see cref="NextDeadline"/>, and turns the signals into events.
/// </summary>
public sealed class DoorStateMachine(TimeSpan unlockFor, TimeSpan heldOpenAfter)
{
    private DateTimeOffset? _unlockedUntil;
    private DateTimeOffset? _openedAt;
    private bool _forced;
    private bool _heldOpen;

    /// <summary>True while the contact says open.</summary>
    public bool IsOpen => _openedAt is not null;

    /// <summary>When <see cref="Tick"/> must be called next (the held-open deadline), or null.</summary>
    public DateTimeOffset? NextDeadline => _openedAt is { } at && !_forced && !_heldOpen ? at + heldOpenAfter : null;

    /// <summary>Access was granted (a valid card, a remote open): the door may open now.</summary>
    public void Granted(DateTimeOffset at) => _unlockedUntil = at + unlockFor;

    /// <summary>Someone inside pressed the exit button (or the motion sensor saw them).</summary>
    public void RequestToExit(DateTimeOffset at) => _unlockedUntil = at + unlockFor;

    /// <summary>The door contact changed.</summary>
    public IReadOnlyList<DoorSignal> Contact(bool open, DateTimeOffset at)
    {
        if (open == IsOpen)
        {
            return [];
        }

        if (open)
        {
            _openedAt = at;
            if (_unlockedUntil is { } until && at <= until)
            {
                // One grant, one opening: the next opening needs a grant of its own.
                _unlockedUntil = null;
                return [new DoorSignal(DoorSignalKind.Opened, at)];
            }

            _forced = true;
            return [new DoorSignal(DoorSignalKind.Forced, at)];
        }

        var signals = new List<DoorSignal>(2);
        if (_forced)
        {
            signals.Add(new DoorSignal(DoorSignalKind.ForcedRestored, at));
        }

        if (_heldOpen)
        {
            signals.Add(new DoorSignal(DoorSignalKind.HeldOpenRestored, at));
        }

        signals.Add(new DoorSignal(DoorSignalKind.Closed, at));
        _openedAt = null;
        _forced = false;
        _heldOpen = false;
        return signals;
    }

    /// <summary>The alarm the door is in: <see cref="DoorSignalKind.Forced"/>, <see cref="DoorSignalKind.HeldOpen"/>, or null.</summary>
    public DoorSignalKind? Alarm => _forced ? DoorSignalKind.Forced : _heldOpen ? DoorSignalKind.HeldOpen : null;

    /// <summary>
    /// Takes the door as the gateway finds it at start (<paramref name="open"/>), knowing the alarm it was in when the
    /// gateway stopped (<paramref name="alarm"/>, null for none). An open door keeps its alarm, or without one counts as
    /// opened with a grant: nothing is signalled. A closed door whose alarm was still on closed while the gateway was
    /// away: the alarm is restored, then the door is closed.
    /// </summary>
    public IReadOnlyList<DoorSignal> Resume(DoorSignalKind? alarm, bool open, DateTimeOffset at)
    {
        _unlockedUntil = null;
        _forced = alarm == DoorSignalKind.Forced;
        _heldOpen = alarm == DoorSignalKind.HeldOpen;
        if (open)
        {
            _openedAt = at;
            return [];
        }

        _openedAt = alarm is null ? null : at;
        return alarm is null ? [] : Contact(false, at);
    }

    /// <summary>Raises held-open once the door has been open too long after a normal opening.</summary>
    public IReadOnlyList<DoorSignal> Tick(DateTimeOffset now)
    {
        if (NextDeadline is { } deadline && now >= deadline)
        {
            _heldOpen = true;
            return [new DoorSignal(DoorSignalKind.HeldOpen, deadline)];
        }

        return [];
    }
}
