namespace Edge.Gateway.Alarms;

/// <summary>The alarm devices of a gateway: buttons and supervised zones. Section <c>Edge:Alarms</c>.</summary>
public sealed class AlarmOptions
{
    public const string Section = "Edge:Alarms";

    public List<AlarmButtonOptions> Buttons { get; set; } = [];

    public List<ZoneOptions> Zones { get; set; } = [];

    /// <summary>True when there is anything to read.</summary>
    public bool Any => Buttons.Count + Zones.Count > 0;
}
