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
    public static JsonObject Config(CommunityPlan community, Uri broker, Uri bridge, Uri isapi, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(isapi);
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
                ["Hardware"] = new JsonObject { ["Gpio"] = "Bridge", ["Bridge"] = bridge.ToString() },
                ["Alarms"] = new JsonObject { ["Buttons"] = buttons, ["Zones"] = zones },
                ["Access"] = new JsonObject
                {
                    ["CardSecret"] = CommunityWiring.CardSecret(community.Id),
                    ["Controllers"] = new JsonArray(wiring.Controllers.Select(c => (JsonNode?)Controller(community.Id, c, isapi)).ToArray()),
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
            ["Doors"] = new JsonArray(door),
        };
    }

    /// <summary>Writes <c>{directory}/{community}/appsettings.json</c> for every community; returns the files.</summary>
    public static IReadOnlyList<string> Write(IEnumerable<CommunityPlan> district, string directory, Uri broker, Uri bridge, Uri isapi)
    {
        ArgumentNullException.ThrowIfNull(district);
        var files = new List<string>();
        foreach (var community in district)
        {
            var dir = Path.Combine(directory, community.Id);
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, "appsettings.json");
            File.WriteAllText(file, Config(community, broker, bridge, isapi, Path.Combine(dir, "data")).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            files.Add(file);
        }

        return files;
    }

    private static JsonObject Device(DevicePlan d)
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
        return new JsonObject
        {
            ["Id"] = d.Id,
            ["Name"] = d.Name,
            ["Location"] = location,
            ["Cameras"] = new JsonArray(d.Cameras.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        };
    }
}
