namespace Edge.Gateway.Alarms;

/// <summary>
/// What an alarm column shows the guard. The order is the order of progress of an alarm; a later issue adds
/// <c>Acknowledged</c> (police received) after <see cref="Delivered"/>.
/// </summary>
public enum ColumnState
{
    /// <summary>Nothing going on: LED off.</summary>
    Idle,

    /// <summary>The uplink is down and no alarm is pending: a short flash every 2 s, so a guard can see the fault.</summary>
    UplinkDown,

    /// <summary>An alarm was raised and the station broker has not accepted it yet: fast blink (2 Hz).</summary>
    Sending,

    /// <summary>The station broker accepted the alarm (PUBACK): steady on for a while.</summary>
    Delivered,
}
