using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Simulator.Topology;

/// <summary>
/// Writes each community's gateway configuration (an appsettings.json the real <c>edge-gateway</c> reads), so a
/// gateway process can be pointed at one simulated community. Buttons take GPIO lines from 17, column LEDs from 40,
/// zones the MCP3008's channels 0-7.
/// </summary>
public static class GatewayConfigWriter
{
    public const int FirstButtonPin = 17;
    public const int FirstLedPin = 40;
    public const int AdcChannels = 8;

    /// <summary>The configuration of one community's gateway.</summary>
    public static JsonObject Config(CommunityPlan community, Uri broker, Uri bridge, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(community);
        var buttons = new JsonArray();
        for (var i = 0; i < community.AlarmButtons.Count; i++)
        {
            var b = community.AlarmButtons[i];
            var button = Device(b);
            button["Pin"] = FirstButtonPin + i;
            if (b.Id.StartsWith("btn-column", StringComparison.Ordinal))
            {
                button["LedPin"] = FirstLedPin + i;
            }

            buttons.Add(button);
        }

        var zones = new JsonArray();
        foreach (var (z, channel) in community.Zones.Take(AdcChannels).Select((z, i) => (z, i)))
        {
            var zone = Device(z);
            zone["Channel"] = channel;
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
            },
        };
    }

    /// <summary>Writes <c>{directory}/{community}/appsettings.json</c> for every community; returns the files.</summary>
    public static IReadOnlyList<string> Write(IEnumerable<CommunityPlan> district, string directory, Uri broker, Uri bridge)
    {
        ArgumentNullException.ThrowIfNull(district);
        var files = new List<string>();
        foreach (var community in district)
        {
            var dir = Path.Combine(directory, community.Id);
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, "appsettings.json");
            File.WriteAllText(file, Config(community, broker, bridge, Path.Combine(dir, "data")).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
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
