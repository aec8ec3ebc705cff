namespace Edge.Gateway.Alarms;

/// <summary>
/// Resistance bands of a dual end-of-line zone, in ohms, rising: below <see cref="ShortBelow"/> tamper (short), up to
/// <see cref="AlarmFrom"/> normal, up to <see cref="OpenFrom"/> alarm, above it cut (open). Defaults are one commercial
/// panel's bands for 4K7 + 4K7 wiring (../shared/reference/field-facts.md): 1.00 / 6.67 / 16.84 kOhm.
/// </summary>
public sealed record ZoneBands(double ShortBelow = 1_000, double AlarmFrom = 6_670, double OpenFrom = 16_840)
{
    /// <summary>Null when the bands are usable; otherwise why not.</summary>
    public string? Problem =>
        ShortBelow <= 0 ? "ShortBelow must be above 0"
        : AlarmFrom <= ShortBelow ? "AlarmFrom must be above ShortBelow (bands overlap)"
        : OpenFrom <= AlarmFrom ? "OpenFrom must be above AlarmFrom (bands overlap)"
        : null;

    /// <summary>The band a resistance falls in, without hysteresis.</summary>
    public ZoneState Classify(double ohms) =>
        ohms < ShortBelow ? ZoneState.Tamper
        : ohms < AlarmFrom ? ZoneState.Normal
        : ohms < OpenFrom ? ZoneState.Alarm
        : ZoneState.Cut;
}
