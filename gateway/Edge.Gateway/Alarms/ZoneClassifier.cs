namespace Edge.Gateway.Alarms;

/// <summary>
/// Turns a stream of loop resistance readings into zone states that never flap on noise: a reading must leave the
/// current band by the hysteresis margin to count as another state, and that state must hold for the dwell time
/// before it is reported. Pure logic: readings come with their time, so tests drive it without hardware or clocks.
/// </summary>
public sealed class ZoneClassifier
{
    private readonly ZoneBands _bands;
    private readonly double _hysteresis;
    private readonly TimeSpan _dwell;
    private ZoneState? _candidate;
    private DateTimeOffset _candidateSince;

    /// <param name="hysteresis">Fraction of a band edge a reading must pass it by to leave the current state (0.05 = 5 %).</param>
    /// <param name="dwell">How long a new state must hold before it is reported.</param>
    public ZoneClassifier(ZoneBands bands, double hysteresis, TimeSpan dwell, ZoneState initial = ZoneState.Normal)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (bands.Problem is { } problem)
        {
            throw new ArgumentException(problem, nameof(bands));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(hysteresis);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(hysteresis, 0.5);
        ArgumentOutOfRangeException.ThrowIfNegative(dwell.Ticks);
        _bands = bands;
        _hysteresis = hysteresis;
        _dwell = dwell;
        State = initial;
    }

    /// <summary>The state last reported.</summary>
    public ZoneState State { get; private set; }

    /// <summary>
    /// Takes one reading; returns the new state when it changes (after the dwell), otherwise null. A reading that is
    /// not a number is ignored here: the caller reports it as a fault.
    /// </summary>
    public ZoneState? Read(double ohms, DateTimeOffset at)
    {
        if (double.IsNaN(ohms))
        {
            return null;
        }

        var seen = WithHysteresis(ohms);
        if (seen == State)
        {
            _candidate = null;
            return null;
        }

        if (_candidate != seen)
        {
            _candidate = seen;
            _candidateSince = at;
        }

        if (at - _candidateSince < _dwell)
        {
            return null;
        }

        State = seen;
        _candidate = null;
        return seen;
    }

    /// <summary>The band of a reading, but staying in the current state until the reading is clearly past its edges.</summary>
    private ZoneState WithHysteresis(double ohms)
    {
        var raw = _bands.Classify(ohms);
        if (raw == State)
        {
            return raw;
        }

        // Is the reading within the margin of the current band? Then it is noise near an edge.
        var (low, high) = Edges(State);
        var inside = ohms >= low * (1 - _hysteresis) && ohms < high * (1 + _hysteresis);
        return inside ? State : raw;
    }

    private (double Low, double High) Edges(ZoneState state) => state switch
    {
        ZoneState.Tamper => (0, _bands.ShortBelow),
        ZoneState.Normal => (_bands.ShortBelow, _bands.AlarmFrom),
        ZoneState.Alarm => (_bands.AlarmFrom, _bands.OpenFrom),
        _ => (_bands.OpenFrom, double.PositiveInfinity),
    };
}
