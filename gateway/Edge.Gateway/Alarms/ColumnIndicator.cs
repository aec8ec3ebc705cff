namespace Edge.Gateway.Alarms;

/// <summary>
/// The logic of one alarm column's LED: which state it is in and whether the LED is lit at a given time. Pure: the
/// caller feeds it alarms, deliveries, the station's steps (acknowledged, dispatched, resolved) and uplink changes
/// with their time, and asks for the LED level.
/// </summary>
public sealed class ColumnIndicator(TimeSpan showDelivered)
{
    /// <summary>How long the column shows the police's last step when no resolve comes.</summary>
    public static readonly TimeSpan ShowSteps = TimeSpan.FromMinutes(30);

    private static readonly TimeSpan FastBlink = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SlowBlink = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Flash = TimeSpan.FromMilliseconds(150);
    private const int RememberedAlarms = 64;
    private static readonly TimeSpan FaultPeriod = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FaultFlash = TimeSpan.FromMilliseconds(100);
    /// <summary>
    /// Deliveries can be reported before the alarm's own "raised": the broker's PUBACK may beat the adapter's
    /// continuation after the commit. The most recent deliveries of ids not (yet) pending are kept, so such an alarm
    /// still turns steady.
    /// </summary>
    private const int EarlyDeliveries = 1024;
    private readonly HashSet<Guid> _pending = [];
    private readonly HashSet<Guid> _early = [];
    private readonly Queue<Guid> _earlyOrder = new();
    /// <summary>The alarms this column raised, most recent last: the station's steps name one of them.</summary>
    private readonly List<Guid> _alarms = [];
    private DateTimeOffset _since;
    private bool _uplinkUp = true;

    public ColumnState State { get; private set; } = ColumnState.Idle;

    /// <summary>An alarm of this column was raised (committed to the outbox) with event id <paramref name="eventId"/>.</summary>
    public void Raised(Guid eventId, DateTimeOffset at)
    {
        if (_early.Remove(eventId))
        {
            Remember(eventId);
            Enter(_pending.Count == 0 ? ColumnState.Delivered : ColumnState.Sending, at);
            return;
        }

        _pending.Add(eventId);
        Remember(eventId);
        Enter(ColumnState.Sending, at);
    }

    /// <summary>True when this column raised the alarm <paramref name="eventId"/> (among its last 64).</summary>
    public bool Holds(Guid eventId) => _alarms.Contains(eventId);

    /// <summary>
    /// The station's step for one of this column's alarms: <see cref="ColumnState.Acknowledged"/>,
    /// <see cref="ColumnState.Dispatched"/>, or <see cref="ColumnState.Idle"/> when it is resolved (the column rests,
    /// or goes on sending another alarm still pending). False when the column does not hold that alarm.
    /// </summary>
    public bool Step(Guid eventId, ColumnState step, DateTimeOffset at)
    {
        if (!Holds(eventId) || step is not (ColumnState.Acknowledged or ColumnState.Dispatched or ColumnState.Idle))
        {
            return false;
        }

        // The station has it, whatever the PUBACK said.
        _pending.Remove(eventId);
        if (step == ColumnState.Idle)
        {
            _alarms.Remove(eventId);
            Enter(_pending.Count > 0 ? ColumnState.Sending : _uplinkUp ? ColumnState.Idle : ColumnState.UplinkDown, at);
        }
        else
        {
            Enter(step, at);
        }

        return true;
    }

    private void Remember(Guid eventId)
    {
        _alarms.Add(eventId);
        if (_alarms.Count > RememberedAlarms)
        {
            _alarms.RemoveAt(0);
        }
    }

    /// <summary>The broker accepted an event; relevant when it is one of this column's.</summary>
    public void Delivered(Guid eventId, DateTimeOffset at)
    {
        if (_pending.Remove(eventId))
        {
            if (_pending.Count == 0)
            {
                Enter(ColumnState.Delivered, at);
            }

            return;
        }

        if (_early.Add(eventId))
        {
            _earlyOrder.Enqueue(eventId);
            if (_earlyOrder.Count > EarlyDeliveries)
            {
                _early.Remove(_earlyOrder.Dequeue());
            }
        }
    }

    /// <summary>The uplink connected or was lost.</summary>
    public void Uplink(bool up, DateTimeOffset at)
    {
        _uplinkUp = up;
        if (State is ColumnState.Idle or ColumnState.UplinkDown)
        {
            Enter(up ? ColumnState.Idle : ColumnState.UplinkDown, at);
        }
    }

    /// <summary>Whether the LED is lit at <paramref name="now"/> (also moves Delivered back to rest when it has been shown).</summary>
    public bool LedAt(DateTimeOffset now)
    {
        if ((State == ColumnState.Delivered && now - _since >= showDelivered)
            || (State is ColumnState.Acknowledged or ColumnState.Dispatched && now - _since >= ShowSteps))
        {
            Enter(_uplinkUp ? ColumnState.Idle : ColumnState.UplinkDown, now);
        }

        var elapsed = now - _since;
        return State switch
        {
            ColumnState.Sending => (long)(elapsed / FastBlink) % 2 == 0,
            ColumnState.Delivered => true,
            // Off first: the change from the steady "delivered" shows at once.
            ColumnState.Acknowledged => (long)(elapsed / SlowBlink) % 2 == 1,
            ColumnState.Dispatched => elapsed.Ticks % TimeSpan.TicksPerSecond is var t && (t < Flash.Ticks || (t >= 2 * Flash.Ticks && t < 3 * Flash.Ticks)),
            ColumnState.UplinkDown => elapsed.Ticks % FaultPeriod.Ticks < FaultFlash.Ticks,
            _ => false,
        };
    }

    private void Enter(ColumnState state, DateTimeOffset at)
    {
        if (state != State)
        {
            State = state;
            _since = at;
        }
    }
}
