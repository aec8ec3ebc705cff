namespace Edge.Simulator.Topology;

/// <summary>An alarm button on a GPIO line, with its column LED when it is a one-key alarm column.</summary>
public sealed record ButtonWire(DevicePlan Device, int Pin, int? LedPin);

/// <summary>A supervised zone on an ADC channel.</summary>
public sealed record ZoneWire(DevicePlan Device, int Channel);

/// <summary>A unit door's network access controller (ISAPI): its device id, and the door it controls as door 1.</summary>
public sealed record ControllerWire(string Id, DevicePlan Door);

/// <summary>
/// How a community's alarm devices are wired to its gateway: buttons on GPIO lines from 17, column LEDs from 40, zones
/// on the MCP3008's eight channels (zones beyond eight would need a second converter and are not wired). The gateway
/// configuration (<see cref="GatewayConfigWriter"/>) and the simulated hardware (<c>Devices/SimCommunity</c>) both
/// follow this one mapping.
/// </summary>
public sealed record CommunityWiring(IReadOnlyList<ButtonWire> Buttons, IReadOnlyList<ZoneWire> Zones, IReadOnlyList<ControllerWire> Controllers)
{
    /// <summary>The ISAPI user of every simulated controller.</summary>
    public const string ControllerUser = "admin";

    public const int FirstButtonPin = 17;
    public const int FirstLedPin = 40;
    public const int AdcChannels = 8;

    public static CommunityWiring Of(CommunityPlan community)
    {
        ArgumentNullException.ThrowIfNull(community);
        var buttons = community.AlarmButtons
            .Select((b, i) => new ButtonWire(b, FirstButtonPin + i, IsColumn(b) ? FirstLedPin + i : null))
            .ToList();
        var zones = community.Zones.Take(AdcChannels).Select((z, i) => new ZoneWire(z, i)).ToList();
        var controllers = community.UnitDoors.Select(d => new ControllerWire(d.Id.Replace("door-", "ctl-", StringComparison.Ordinal), d)).ToList();
        return new CommunityWiring(buttons, zones, controllers);
    }

    /// <summary>The ISAPI password of a community's simulated controllers (each community its own).</summary>
    public static string ControllerPassword(string community) => $"sim-{community}-pw";

    /// <summary>The community's secret for card hashes, derived from its id (a real community draws a random one).</summary>
    public static string CardSecret(string community) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"edge-sim card secret {community}"))[..16]);

    /// <summary>Every wired device's id: what the gateway reports offline when the hardware is unplugged.</summary>
    public IEnumerable<string> DeviceIds => Buttons.Select(b => b.Device.Id).Concat(Zones.Select(z => z.Device.Id));

    private static bool IsColumn(DevicePlan button) => button.Id.StartsWith("btn-column", StringComparison.Ordinal);
}
