using Edge.Contracts.Events;

namespace Edge.Gateway.Access;

/// <summary>Door access devices of a gateway and how card numbers are protected. Section <c>Edge:Access</c>.</summary>
public sealed class AccessOptions
{
    public const string Section = "Edge:Access";

    /// <summary>
    /// The community's secret for card hashes (base64, at least 16 bytes). Required when any access device is
    /// configured: events carry HMAC-SHA256 hashes of cards, never raw numbers, unless <see cref="RevealCardNumbers"/>.
    /// </summary>
    public string? CardSecret { get; set; }

    /// <summary>Put raw card numbers in events too. Off by default; turn on only where the law and the police allow it.</summary>
    public bool RevealCardNumbers { get; set; }

    /// <summary>Network access controllers speaking Hikvision ISAPI.</summary>
    public List<AccessControllerOptions> Controllers { get; set; } = [];

    public bool Any => Controllers.Count > 0;
}

/// <summary>One ISAPI access controller, reached over HTTP with digest authentication.</summary>
public sealed class AccessControllerOptions
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    /// <summary>The controller's base address, e.g. <c>http://10.20.0.15</c> (the ISAPI paths are appended).</summary>
    public string Url { get; set; } = "";

    public string User { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>A controller that sends nothing (no event, no heartbeat) this long is offline.</summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The doors it controls, by the controller's door number.</summary>
    public List<AccessDoorOptions> Doors { get; set; } = [];

    internal DeviceRef Device => new(Id, "controller", Name, Location);
}

/// <summary>A door of an access controller: its number on the controller and its device id in events.</summary>
public sealed class AccessDoorOptions
{
    public int Number { get; set; } = 1;

    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    /// <summary>Cameras that cover the door (snapshots follow these).</summary>
    public List<string> Cameras { get; set; } = [];

    internal DeviceRef Device => new(Id, "door", Name, Location);
}
