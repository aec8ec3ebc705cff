using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Simulator.Topology;

/// <summary>An alarm button on a GPIO line, with its column LED when it is a one-key alarm column.</summary>
public sealed record ButtonWire(DevicePlan Device, int Pin, int? LedPin);

/// <summary>A supervised zone on an ADC channel.</summary>
public sealed record ZoneWire(DevicePlan Device, int Channel);

/// <summary>A camera and the protocol its events come by.</summary>
public sealed record CameraWire(DevicePlan Camera, Edge.Gateway.Cameras.CameraProtocol Protocol);

/// <summary>A unit door and how its gateway sees it.</summary>
public abstract record DoorWire(DevicePlan Door)
{
    /// <summary>The door's access controls (readers) at the door.</summary>
    public abstract IReadOnlyList<DevicePlan> Readers { get; }
}

/// <summary>
/// A unit door behind a network access controller (ISAPI) that decides who enters: its readers are wired to the
/// controller, which reports for them; the gateway sees the controller <paramref name="Id"/> and the door as door 1.
/// </summary>
public sealed record ControllerWire(string Id, DevicePlan Door, IReadOnlyList<DevicePlan> ControllerReaders) : DoorWire(Door)
{
    public override IReadOnlyList<DevicePlan> Readers => ControllerReaders;
}

/// <summary>An OSDP reader on the community's RS-485 line, at its address.</summary>
public sealed record OsdpReaderWire(DevicePlan Reader, int Address);

/// <summary>
/// A unit door with OSDP readers on the community's line, polled by the gateway; the door contact, the lock
/// controller's release and the exit button are on the first reader's inputs 0, 1 and 2.
/// </summary>
public sealed record OsdpDoorWire(DevicePlan Door, IReadOnlyList<OsdpReaderWire> OsdpReaders) : DoorWire(Door)
{
    public override IReadOnlyList<DevicePlan> Readers => OsdpReaders.Select(r => r.Reader).ToList();
}

/// <summary>A Wiegand reader on two GPIO lines.</summary>
public sealed record WiegandReaderWire(DevicePlan Reader, int D0, int D1);

/// <summary>
/// A unit door whose contact, lock release signal and exit button are on the gateway's GPIO, with Wiegand readers; the
/// gateway drives the lock's release relay on <paramref name="LockPin"/> (a door.open).
/// </summary>
public sealed record WiegandDoorWire(DevicePlan Door, int ContactPin, int ReleasePin, int ExitPin, IReadOnlyList<WiegandReaderWire> WiegandReaders, int LockPin) : DoorWire(Door)
{
    public override IReadOnlyList<DevicePlan> Readers => WiegandReaders.Select(r => r.Reader).ToList();
}

/// <summary>
/// How a community's devices are wired to its gateway. Alarm devices: buttons on GPIO lines from 17, column LEDs from
/// 40, zones on the MCP3008's eight channels (zones beyond eight would need a second converter and are not wired).
/// Unit doors, by number: doors 3, 7, 11, ... have OSDP readers on the community's RS-485 line; doors 4, 8, 12, ...
/// have Wiegand readers and their contact, release and exit button on GPIO lines from 100 (their lock relay on line 400 +
/// the door's number); the others (1, 2, 5, 6,
/// ...) have a network access controller. Cameras 3, 6, 9, ... speak ONVIF, the others Hikvision ISAPI. Each door's access controls (the district's 3,344) are its readers. The
/// gateway configuration (<see cref="GatewayConfigWriter"/>) and the simulated hardware (<c>Devices/SimCommunity</c>)
/// both follow this one mapping.
/// </summary>
public sealed record CommunityWiring(IReadOnlyList<ButtonWire> Buttons, IReadOnlyList<ZoneWire> Zones, IReadOnlyList<DoorWire> Doors, IReadOnlyList<CameraWire> Cameras)
{
    /// <summary>The user of every simulated camera.</summary>
    public const string CameraUser = "admin";

    /// <summary>The ISAPI user of every simulated controller.</summary>
    public const string ControllerUser = "admin";

    public const int FirstButtonPin = 17;
    public const int FirstLedPin = 40;
    public const int FirstDoorPin = 100;

    /// <summary>The lock relays of the GPIO doors, by door number (door 4's at 404): outputs, apart from the inputs.</summary>
    public const int FirstLockPin = 400;
    public const int AdcChannels = 8;

    /// <summary>The inputs of an OSDP door's first reader.</summary>
    /// <summary>The output of an OSDP door's first reader that drives the door's lock relay.</summary>
    public const int LockOutput = 0;

    public const int ContactInput = 0;
    public const int ReleaseInput = 1;
    public const int ExitInput = 2;

    /// <summary>
    /// How long a door the gateway runs (OSDP, GPIO) may stay open before it is held open: 5 s, so a short run shows it
    /// (a real site keeps the default 30 s), well past the 1.3 s a resident takes. With 2 s, a simulator whose own
    /// process stalled for 0.7 s (two CPU hogs beside 312 gateways) really left a door open too long, which its ground
    /// truth had not planned.
    /// </summary>
    public static readonly TimeSpan HeldOpenAfter = TimeSpan.FromSeconds(5);

    public IEnumerable<ControllerWire> Controllers => Doors.OfType<ControllerWire>();

    public IEnumerable<OsdpDoorWire> OsdpDoors => Doors.OfType<OsdpDoorWire>();

    public IEnumerable<WiegandDoorWire> WiegandDoors => Doors.OfType<WiegandDoorWire>();

    public static CommunityWiring Of(CommunityPlan community)
    {
        ArgumentNullException.ThrowIfNull(community);
        var buttons = community.AlarmButtons
            .Select((b, i) => new ButtonWire(b, FirstButtonPin + i, IsColumn(b) ? FirstLedPin + i : null))
            .ToList();
        var zones = community.Zones.Take(AdcChannels).Select((z, i) => new ZoneWire(z, i)).ToList();

        // The plan gives the readers to the doors in turn: reader k is at door k mod doors.
        var doorCount = community.UnitDoors.Count;
        var readersAt = community.UnitDoors.Select((_, d) => community.AccessControls.Where((_, k) => k % doorCount == d).ToList()).ToList();
        var doors = new List<DoorWire>(doorCount);
        var (address, pin) = (1, FirstDoorPin);
        for (var d = 0; d < doorCount; d++)
        {
            var (door, readers) = (community.UnitDoors[d], readersAt[d]);
            switch ((d + 1) % 4)
            {
                case 3:
                    doors.Add(new OsdpDoorWire(door, readers.Select(r => new OsdpReaderWire(r, address++)).ToList()));
                    break;
                case 0:
                    var (contact, release, exit) = (pin, pin + 1, pin + 2);
                    pin += 3;
                    var wiegand = new List<WiegandReaderWire>();
                    foreach (var r in readers)
                    {
                        wiegand.Add(new WiegandReaderWire(r, pin, pin + 1));
                        pin += 2;
                    }

                    doors.Add(new WiegandDoorWire(door, contact, release, exit, wiegand, FirstLockPin + d + 1));
                    break;
                default:
                    doors.Add(new ControllerWire(door.Id.Replace("door-", "ctl-", StringComparison.Ordinal), door, readers));
                    break;
            }
        }

        // Hikvision dominates: two cameras in three speak ISAPI, every third ONVIF.
        var cameras = community.Cameras.Select((c, i) => new CameraWire(c, (i + 1) % 3 == 0 ? Edge.Gateway.Cameras.CameraProtocol.Onvif : Edge.Gateway.Cameras.CameraProtocol.Isapi)).ToList();
        return new CommunityWiring(buttons, zones, doors, cameras);
    }

    /// <summary>The ISAPI password of a community's simulated controllers (each community its own).</summary>
    public static string ControllerPassword(string community) => $"sim-{community}-pw";

    /// <summary>The password of a community's simulated cameras (each community its own).</summary>
    public static string CameraPassword(string community) => $"sim-{community}-cam";

    /// <summary>The community's secret for card hashes, derived from its id (a real community draws a random one).</summary>
    public static string CardSecret(string community) => Convert.ToBase64String(Derive($"edge-sim card secret {community}"));

    /// <summary>An OSDP reader's secure channel base key, derived from its community and id (a real site keys each reader).</summary>
    public static byte[] OsdpKey(string community, string reader) => Derive($"edge-sim scbk {community} {reader}");

    /// <summary>The facility code on the community's resident cards (26-bit H10301).</summary>
    public static int CardFacility(string community) => 1 + (Number(community) % 250);

    /// <summary>
    /// A site's number in the district, 1 to 1,903: 1 for c001, 1,489 for the first campus (u001), 1,866 for the first
    /// hospital (h01). A site's OSDP line's port is a base plus this.
    /// </summary>
    public static int Number(string community)
    {
        ArgumentNullException.ThrowIfNull(community);
        var n = int.Parse(community.AsSpan(1), CultureInfo.InvariantCulture);
        return community[0] switch
        {
            'u' => DistrictFigures.SmartCommunities + n,
            'h' => DistrictFigures.SmartCommunities + DistrictFigures.Campuses + n,
            _ => n,
        };
    }

    /// <summary>Every device on the hardware bridge: what the gateway reports offline when the bridge is unplugged.</summary>
    public IEnumerable<string> DeviceIds => Buttons.Select(b => b.Device.Id).Concat(Zones.Select(z => z.Device.Id))
        .Concat(WiegandDoors.SelectMany(d => d.WiegandReaders.Select(r => r.Reader.Id).Prepend(d.Door.Id)));

    private static bool IsColumn(DevicePlan button) => button.Id.StartsWith("btn-column", StringComparison.Ordinal);

    private static byte[] Derive(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];
}
