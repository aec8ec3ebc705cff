namespace Edge.Gateway.Alarms;

/// <summary>What a supervised (dual end-of-line) zone reports.</summary>
public enum ZoneState
{
    /// <summary>Loop intact, contact closed: only the end-of-line resistor is in the loop.</summary>
    Normal,

    /// <summary>Contact open: the alarm resistor is added in series.</summary>
    Alarm,

    /// <summary>Loop shorted (tamper: someone bridged the wires).</summary>
    Tamper,

    /// <summary>Loop open (the wire was cut).</summary>
    Cut,
}
