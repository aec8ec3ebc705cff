using Edge.Contracts.Events;

namespace Edge.Gateway.Alarms;

/// <summary>One supervised (end-of-line) zone as configured: which ADC channel reads its loop, and its bands.</summary>
public sealed class ZoneOptions
{
    /// <summary>Device id, unique within the gateway (a topic segment).</summary>
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    /// <summary>ADC channel of the gateway's MCP3008 (0-7).</summary>
    public int Channel { get; set; } = -1;

    /// <summary>Pull-up resistor of the divider feeding the ADC, in ohms.</summary>
    public double PullUpOhms { get; set; } = 4_700;

    public double ShortBelowOhms { get; set; } = 1_000;

    public double AlarmFromOhms { get; set; } = 6_670;

    public double OpenFromOhms { get; set; } = 16_840;

    /// <summary>Fraction of a band edge a reading must pass to leave the current state.</summary>
    public double Hysteresis { get; set; } = 0.05;

    /// <summary>How long a new state must hold before it is reported.</summary>
    public TimeSpan Dwell { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Cameras that cover the zone (for snapshots).</summary>
    public List<string> Cameras { get; set; } = [];

    internal ZoneBands Bands => new(ShortBelowOhms, AlarmFromOhms, OpenFromOhms);

    internal DeviceRef Device => new(Id, "zone", Name, Location);
}
