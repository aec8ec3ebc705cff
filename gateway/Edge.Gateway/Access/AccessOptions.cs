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

    /// <summary><see cref="CardSecret"/> read from a file instead (see <c>SecretFiles</c>): an absolute path, or <c>cred:NAME</c> for a systemd credential. Not both.</summary>
    public string? CardSecretFile { get; set; }

    /// <summary>Put raw card numbers in events too. Off by default; turn on only where the law and the police allow it.</summary>
    public bool RevealCardNumbers { get; set; }

    /// <summary>Network access controllers speaking Hikvision ISAPI.</summary>
    public List<AccessControllerOptions> Controllers { get; set; } = [];

    /// <summary>Wiegand readers on two GPIO inputs each.</summary>
    public List<WiegandReaderOptions> WiegandReaders { get; set; } = [];

    /// <summary>Doors whose contact (and request-to-exit, lock release) the gateway reads on GPIO.</summary>
    public List<GpioDoorOptions> Doors { get; set; } = [];

    /// <summary>OSDP readers, with the gateway as control panel.</summary>
    public List<OsdpReaderOptions> OsdpReaders { get; set; } = [];

    public bool Any => Controllers.Count + WiegandReaders.Count + Doors.Count + OsdpReaders.Count > 0;

    /// <summary>True when any access device is on the gateway's GPIO lines.</summary>
    public bool UsesGpio => WiegandReaders.Count + Doors.Count > 0;
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

    /// <summary><see cref="Password"/> read from a file instead (see <c>SecretFiles</c>): an absolute path, or <c>cred:NAME</c> for a systemd credential. Not both.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// Accept this device over a link that protects nothing (plain <c>http://</c>) where the gateway runs in Production, which
    /// otherwise refuses it: card numbers and passwords cross the wire readable. Warned about at every start.
    /// </summary>
    public bool AllowInsecure { get; set; }

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

/// <summary>A Wiegand reader: D0 and D1 on GPIO inputs (pulled up; a bit is a low pulse).</summary>
public sealed class WiegandReaderOptions
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    public int D0 { get; set; } = -1;

    public int D1 { get; set; } = -1;

    /// <summary>How this site's 37-bit cards are laid out: H10304 (with facility code) or H10302.</summary>
    public WiegandFormat Format37 { get; set; } = WiegandFormat.H10304;

    /// <summary>The silence on the data lines that ends a frame (25 ms: readers send the bits of a card 1-2 ms apart, and cards seconds apart).</summary>
    public TimeSpan FrameGap { get; set; } = WiegandReceiver.DefaultGap;

    /// <summary>The door the reader is at (its device id), for the event's data.</summary>
    public string? Door { get; set; }

    internal DeviceRef Device => new(Id, "reader", Name, Location);
}

/// <summary>
/// A door the gateway watches on GPIO: its contact, and optionally the request-to-exit button and the lock release
/// signal of the controller that decides who enters (a release counts as a grant).
/// </summary>
public sealed class GpioDoorOptions
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    /// <summary>Input of the door contact.</summary>
    public int ContactPin { get; set; } = -1;

    /// <summary>The contact's level while the door is open (a closed magnetic contact with a pull-up reads low).</summary>
    public bool OpenIsHigh { get; set; } = true;

    /// <summary>Input of the request-to-exit button (low while pressed), if any.</summary>
    public int? RequestToExitPin { get; set; }

    /// <summary>Input of the lock controller's release signal (low while released), if any.</summary>
    public int? ReleasePin { get; set; }

    /// <summary>
    /// Output driving the lock's release relay, if the gateway may open the door (a <c>door.open</c> command): driven
    /// high for <see cref="UnlockFor"/>, low otherwise. Without it the gateway only watches the door.
    /// </summary>
    public int? LockPin { get; set; }

    /// <summary>How long after a grant or a request to exit the door may open without being forced; how long a <c>door.open</c> releases the lock.</summary>
    public TimeSpan UnlockFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a door may stay open after a normal opening before it is held open.</summary>
    public TimeSpan HeldOpenAfter { get; set; } = TimeSpan.FromSeconds(30);

    public List<string> Cameras { get; set; } = [];

    internal DeviceRef Device => new(Id, "door", Name, Location);
}

/// <summary>
/// An OSDP reader (a peripheral device), polled by the gateway as control panel. Readers with the same
/// <see cref="Endpoint"/> share one line (an RS-485 bus): they are polled in turn, each at its own address.
/// </summary>
public sealed class OsdpReaderOptions
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public Location? Location { get; set; }

    /// <summary>
    /// The line the reader is on: <c>serial:///dev/ttyS1</c> (an RS-485 adapter, 8N1 at <see cref="BaudRate"/>) or
    /// <c>tcp://host:port</c> (an OSDP-over-TCP reader, or a serial server in front of a bus).
    /// </summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The serial line's speed: 9600, 19200, 38400, 57600, 115200 or 230400. The same for every reader of a line.</summary>
    public int BaudRate { get; set; } = 9600;

    /// <summary>The reader's OSDP address, 0-126.</summary>
    public int Address { get; set; }

    /// <summary>
    /// The reader's secure channel base key (32 hex digits). With a key, the secure channel is used and required;
    /// without one, the reader is polled in the clear.
    /// </summary>
    public string? Scbk { get; set; }

    /// <summary><see cref="Scbk"/> read from a file instead (see <c>SecretFiles</c>): an absolute path, or <c>cred:NAME</c> for a systemd credential. Not both.</summary>
    public string? ScbkFile { get; set; }

    /// <summary>Use the install key SCBK-D instead (commissioning only; off by default).</summary>
    public bool UseInstallKey { get; set; }

    /// <summary>
    /// Accept this device over a link that protects nothing (no secure channel key, or only the install key) where the gateway runs in Production, which
    /// otherwise refuses it: card numbers and passwords cross the wire readable. Warned about at every start.
    /// </summary>
    public bool AllowInsecure { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A reader without a valid reply this long is offline (OSDP 2.2: 8 s).</summary>
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromSeconds(8);

    public WiegandFormat Format37 { get; set; } = WiegandFormat.H10304;

    /// <summary>The id of the door the reader is at: in card events, and the door's own id when its inputs are wired here.</summary>
    public string? Door { get; set; }

    /// <summary>The reader's input wired to the door contact (active while open). With it, the gateway runs the door.</summary>
    public int? DoorContactInput { get; set; }

    /// <summary>The reader's input wired to the request-to-exit button (active while pressed), if any.</summary>
    public int? RequestToExitInput { get; set; }

    /// <summary>The reader's input wired to the lock controller's release signal (active while released), if any.</summary>
    public int? ReleaseInput { get; set; }

    /// <summary>
    /// The reader's output (osdp_OUT, 0-based) driving the door's lock relay, if the gateway may open the door (a
    /// <c>door.open</c> command): switched on for <see cref="UnlockFor"/> by the reader's own timer.
    /// </summary>
    public int? LockOutput { get; set; }

    /// <summary>How long after a release or a request to exit the door may open without being forced.</summary>
    public TimeSpan UnlockFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the door may stay open after a normal opening before it is held open.</summary>
    public TimeSpan HeldOpenAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cameras that cover the reader's door (snapshots of a forced door follow these).</summary>
    public List<string> Cameras { get; set; } = [];

    /// <summary>Flash the reader's LED red and sound its buzzer while its door is forced or held open (when the reader has them).</summary>
    public bool Annunciate { get; set; } = true;

    internal DeviceRef Device => new(Id, "reader", Name, Location);

    internal DeviceRef DoorDevice => new(Door ?? Id, "door", null, Location);
}
