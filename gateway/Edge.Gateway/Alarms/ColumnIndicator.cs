namespace Edge.Gateway.Alarms;

/// <summary>
/// The logic of one alarm column's LED: which state it is in and whether the LED is lit at a given time. Pure: the
/// caller feeds it alarms, deliveries and uplink changes with their time, and asks for the LED level.
/// </summary>
public sealed class ColumnIndicator(TimeSpan showDelivered)
{
    private static readonly TimeSpan FastBlink = TimeSpan.FromMilliseconds(250);
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
    private DateTimeOffset _since;
    private bool _uplinkUp = true;

    public ColumnState State { get; private set; } = ColumnState.Idle;

    /// <summary>An alarm of this column was raised (committed to the outbox) with event id <paramref name="eventId"/>.</summary>
    public void Raised(Guid eventId, DateTimeOffset at)
    {
        if (_early.Remove(eventId))
        {
            Enter(_pending.Count == 0 ? ColumnState.Delivered : ColumnState.Sending, at);
            return;
        }

        _pending.Add(eventId);
        Enter(ColumnState.Sending, at);
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
        if (State == ColumnState.Delivered && now - _since >= showDelivered)
        {
            Enter(_uplinkUp ? ColumnState.Idle : ColumnState.UplinkDown, now);
        }

        var elapsed = now - _since;
        return State switch
        {
            ColumnState.Sending => (long)(elapsed / FastBlink) % 2 == 0,
            ColumnState.Delivered => true,
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
