using Edge.Contracts.Events;

namespace Edge.Gateway.Alarms;

/// <summary>One alarm button (guard room button, one-key alarm column) as configured.</summary>
public sealed class AlarmButtonOptions
{
    /// <summary>Device id, unique within the gateway (a topic segment).</summary>
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    /// <summary>GPIO line of the contact.</summary>
    public int Pin { get; set; } = -1;

    public ContactType Contact { get; set; } = ContactType.NormallyOpen;

    public InputPull Pull { get; set; } = InputPull.Up;

    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>A press held this long is a silent duress alarm; null turns duress off.</summary>
    public TimeSpan? DuressAfter { get; set; }

    /// <summary>A press held this long is reported as a fault (jammed button or shorted wire).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Output line of the column's LED (blinks until the alarm is out, then steady); none for a plain button.</summary>
    public int? LedPin { get; set; }

    /// <summary>Cameras that cover the button (for snapshots).</summary>
    public List<string> Cameras { get; set; } = [];

    internal ButtonWiring Wiring => new(Contact, Pull);

    internal DeviceRef Device => new(Id, "alarm-button", Name, Location);
}
