namespace Edge.Gateway.Alarms;

/// <summary>The alarm devices of a gateway: buttons and supervised zones. Section <c>Edge:Alarms</c>.</summary>
public sealed class AlarmOptions
{
    public const string Section = "Edge:Alarms";

    public List<AlarmButtonOptions> Buttons { get; set; } = [];

    public List<ZoneOptions> Zones { get; set; } = [];

    /// <summary>How long a column's LED stays steady after its alarm was accepted by the station broker.</summary>
    public TimeSpan ShowDelivered { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when there is anything to read.</summary>
    public bool Any => Buttons.Count + Zones.Count > 0;
}
