using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Simulator.Topology;

/// <summary>
/// Writes each community's gateway configuration (an appsettings.json the real <c>edge-gateway</c> reads), so a
/// gateway process can be pointed at one simulated community, and the simulator's in-process gateways are configured
/// from the same document. The pins and channels follow <see cref="CommunityWiring"/>.
/// </summary>
public static class GatewayConfigWriter
{
    /// <summary>The configuration of one community's gateway.</summary>
    public static JsonObject Config(CommunityPlan community, Uri broker, DeviceEndpoints devices, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(community);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(broker);
        var wiring = CommunityWiring.Of(community);
        var buttons = new JsonArray();
        foreach (var wire in wiring.Buttons)
        {
            var button = Device(wire.Device);
            button["Pin"] = wire.Pin;
            if (wire.LedPin is { } led)
            {
                button["LedPin"] = led;
            }

            buttons.Add(button);
        }

        var zones = new JsonArray();
        foreach (var wire in wiring.Zones)
        {
            var zone = Device(wire.Device);
            zone["Channel"] = wire.Channel;
            zones.Add(zone);
        }

        return new JsonObject
        {
            ["Edge"] = new JsonObject
            {
                ["Gateway"] = new JsonObject { ["Community"] = community.Id, ["Id"] = "gw1", ["DataDirectory"] = dataDirectory },
                ["Uplink"] = new JsonObject { ["Broker"] = broker.ToString() },
                ["Hardware"] = new JsonObject { ["Gpio"] = "Bridge", ["Bridge"] = devices.Bridge.ToString() },
                ["Alarms"] = new JsonObject { ["Buttons"] = buttons, ["Zones"] = zones },
                ["Access"] = new JsonObject
                {
                    ["CardSecret"] = CommunityWiring.CardSecret(community.Id),
                    ["Controllers"] = Array(wiring.Controllers.Select(c => Controller(community.Id, c, devices.Http))),
                    ["WiegandReaders"] = Array(wiring.WiegandDoors.SelectMany(d => d.WiegandReaders.Select(r => WiegandReader(d, r)))),
                    ["Doors"] = Array(wiring.WiegandDoors.Select(GpioDoor)),
                    ["OsdpReaders"] = Array(wiring.OsdpDoors.SelectMany(d => d.OsdpReaders.Select((r, i) => OsdpReader(community.Id, devices.OsdpLine(community.Id), d, r, i == 0)))),
                },
                ["Cameras"] = new JsonObject
                {
                    ["Devices"] = Array(wiring.Cameras.Select(c => Camera(community.Id, c, devices.Http))),
                },
            },
        };
    }

    private static JsonObject Controller(string community, ControllerWire c, Uri isapi)
    {
        var door = Device(c.Door);
        door["Number"] = 1;
        return new JsonObject
        {
            ["Id"] = c.Id,
            ["Name"] = $"{c.Door.Name} controller",
            ["Url"] = new Uri(isapi, $"{community}/{c.Id}/").ToString(),
            ["User"] = CommunityWiring.ControllerUser,
            ["Password"] = CommunityWiring.ControllerPassword(community),
            // The simulated district serves ISAPI and ONVIF over plain HTTP on loopback: allowed, and said so at start.
            ["AllowInsecure"] = true,
            ["Doors"] = new JsonArray(door),
        };
    }

    private static JsonObject Camera(string community, CameraWire c, Uri server)
    {
        var camera = Device(c.Camera, cameras: false);
        camera["Protocol"] = c.Protocol.ToString();
        camera["Url"] = new Uri(server, $"{community}/{c.Camera.Id}/").ToString();
        camera["User"] = CommunityWiring.CameraUser;
        camera["Password"] = CommunityWiring.CameraPassword(community);
        camera["AllowInsecure"] = true;
        return camera;
    }

    private static JsonObject WiegandReader(WiegandDoorWire door, WiegandReaderWire r)
    {
        var reader = Device(r.Reader, cameras: false);
        reader["D0"] = r.D0;
        reader["D1"] = r.D1;
        reader["Door"] = door.Door.Id;
        return reader;
    }

    private static JsonObject GpioDoor(WiegandDoorWire d)
    {
        var door = Device(d.Door);
        door["ContactPin"] = d.ContactPin;
        door["ReleasePin"] = d.ReleasePin;
        door["RequestToExitPin"] = d.ExitPin;
        door["LockPin"] = d.LockPin;
        door["HeldOpenAfter"] = CommunityWiring.HeldOpenAfter.ToString();
        return door;
    }

    private static JsonObject OsdpReader(string community, Uri line, OsdpDoorWire door, OsdpReaderWire r, bool doorInputs)
    {
        var reader = Device(r.Reader, cameras: doorInputs);
        reader["Endpoint"] = line.ToString();
        reader["Address"] = r.Address;
        reader["Scbk"] = Convert.ToHexString(CommunityWiring.OsdpKey(community, r.Reader.Id));
        reader["Door"] = door.Door.Id;
        if (doorInputs)
        {
            reader["DoorContactInput"] = CommunityWiring.ContactInput;
            reader["ReleaseInput"] = CommunityWiring.ReleaseInput;
            reader["RequestToExitInput"] = CommunityWiring.ExitInput;
            reader["HeldOpenAfter"] = CommunityWiring.HeldOpenAfter.ToString();
            reader["LockOutput"] = CommunityWiring.LockOutput;
        }

        return reader;
    }

    private static JsonArray Array(IEnumerable<JsonObject> items) => new(items.Select(i => (JsonNode?)i).ToArray());

    /// <summary>Writes <c>{directory}/{community}/appsettings.json</c> for every community; returns the files.</summary>
    public static IReadOnlyList<string> Write(IEnumerable<CommunityPlan> district, string directory, Uri broker, DeviceEndpoints devices)
    {
        ArgumentNullException.ThrowIfNull(district);
        var files = new List<string>();
        foreach (var community in district)
        {
            var dir = Path.Combine(directory, community.Id);
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, "appsettings.json");
            File.WriteAllText(file, Config(community, broker, devices, Path.Combine(dir, "data")).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            files.Add(file);
        }

        return files;
    }

    private static JsonObject Device(DevicePlan d, bool cameras = true)
    {
        var location = new JsonObject();
        void Put(string key, string? value)
        {
            if (value is not null)
            {
                location[key] = value;
            }
        }

        Put("Building", d.Location.Building);
        Put("Unit", d.Location.Unit);
        Put("Floor", d.Location.Floor);
        Put("Description", d.Location.Description);
        var device = new JsonObject { ["Id"] = d.Id, ["Name"] = d.Name, ["Location"] = location };
        if (cameras)
        {
            device["Cameras"] = new JsonArray(d.Cameras.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        }

        return device;
    }
}

/// <summary>
/// Where a community's gateway finds its simulated devices: the hardware bridge, the ISAPI listener, and its OSDP line
/// (community cNNN at port <c>OsdpBase.Port + NNN</c>, unless <see cref="OsdpLines"/> says otherwise).
/// </summary>
public sealed record DeviceEndpoints(Uri Bridge, Uri Http, Uri OsdpBase)
{
    /// <summary>The lines actually served, by community, when they were opened on free ports.</summary>
    public IReadOnlyDictionary<string, Uri>? OsdpLines { get; init; }

    public Uri OsdpLine(string community) =>
        OsdpLines?.GetValueOrDefault(community)
        ?? new Uri($"tcp://{OsdpBase.Host}:{OsdpBase.Port + CommunityWiring.Number(community)}");
}
