using Edge.Contracts.Events;

namespace Edge.Gateway.Cameras;

/// <summary>How the gateway reaches a camera's events.</summary>
public enum CameraProtocol
{
    /// <summary>Hikvision ISAPI: the long-lived alert stream, HTTP digest authentication.</summary>
    Isapi,

    /// <summary>ONVIF Profile S/T: a PullPoint subscription, WS-Security UsernameToken digest authentication.</summary>
    Onvif,
}

/// <summary>The gateway's cameras and how their events are kept in check. Section <c>Edge:Cameras</c>.</summary>
public sealed class CameraOptions
{
    public const string Section = "Edge:Cameras";

    public List<CameraDeviceOptions> Devices { get; set; } = [];

    /// <summary>
    /// A motion event stays active at least this long: motion that stops and starts again inside it is one event.
    /// </summary>
    public TimeSpan MotionMinHold { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A camera that reports no motion refresh this long has no motion any more (some never say so).</summary>
    public TimeSpan MotionIdleRestore { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many motion events per camera per minute; the rest are counted, not sent.</summary>
    public int MotionMaxPerMinute { get; set; } = 4;

    /// <summary>Motion older than this is worthless: the outbox and the broker may drop it unsent.</summary>
    public TimeSpan MotionExpireAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Snapshots for one event: its linked cameras, at most this many.</summary>
    public int SnapshotsPerEvent { get; set; } = 3;

    /// <summary>The largest snapshot taken; a camera that sends more is cut off and counted.</summary>
    public int SnapshotMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a camera may take to give a snapshot.</summary>
    public TimeSpan SnapshotTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Snapshots held while they wait for the uplink (fetched, not yet published); the oldest go first when full.</summary>
    public int SnapshotQueue { get; set; } = 16;

    /// <summary>A snapshot not published within this time is dropped (and the broker may drop it once this old).</summary>
    public TimeSpan SnapshotExpireAfter { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>One camera.</summary>
public sealed class CameraDeviceOptions
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    public CameraProtocol Protocol { get; set; } = CameraProtocol.Isapi;

    /// <summary>
    /// The camera's base address, e.g. <c>http://10.20.1.21/</c>: the ISAPI paths are appended to it; for ONVIF, the
    /// device service (<c>onvif/device_service</c>) and the event service it names are under it.
    /// </summary>
    public string Url { get; set; } = "";

    public string User { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary><see cref="Password"/> read from a file instead (see <c>SecretFiles</c>): an absolute path, or <c>cred:NAME</c> for a systemd credential. Not both.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// Accept this device over a link that protects nothing (plain <c>http://</c>) where the gateway runs in Production, which
    /// otherwise refuses it: card numbers and passwords cross the wire readable. Warned about at every start.
    /// </summary>
    public bool AllowInsecure { get; set; }

    /// <summary>The video channel (ISAPI channel number; an NVR serves many): events of other channels are not this camera's.</summary>
    public int Channel { get; set; } = 1;

    /// <summary>A camera that answers nothing (no event, heartbeat or pull response) this long is offline.</summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal DeviceRef Device => new(Id, "camera", Name, Location);
}
