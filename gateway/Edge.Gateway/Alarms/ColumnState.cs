namespace Edge.Gateway.Alarms;

/// <summary>
/// What an alarm column shows the guard, in the order of an alarm's progress: sent, at the station, taken by the
/// police, officers on their way. Each has an LED pattern a person can tell from the others.
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

    /// <summary>The police took the alarm (<c>alarm.acknowledge</c>): slow blink, once a second.</summary>
    Acknowledged,

    /// <summary>Officers are on their way (<c>alarm.dispatch</c>): a double flash every second, until resolved.</summary>
    Dispatched,
}
