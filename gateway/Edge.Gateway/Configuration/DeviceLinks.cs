using System.Globalization;
using Edge.Gateway.Access;
using Edge.Gateway.Cameras;

namespace Edge.Gateway.Configuration;

/// <summary>
/// Device links that protect nothing: ISAPI controllers and cameras (ISAPI or ONVIF) over plain <c>http://</c>, and
/// OSDP readers polled without a secure channel key (or with only the well-known install key). A gateway running in
/// Production refuses each unless its device says <c>AllowInsecure</c>, and warns about the allowed ones at every start.
/// </summary>
public static class DeviceLinks
{
    /// <summary>Each insecure link: its key, what is wrong, and whether its device allows it.</summary>
    public static IReadOnlyList<InsecureLink> Insecure(GatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var links = new List<InsecureLink>();
        var access = settings.AccessOrDefault;
        for (var i = 0; i < access.Controllers.Count; i++)
        {
            var c = access.Controllers[i];
            if (IsPlainHttp(c.Url))
            {
                links.Add(new InsecureLink(Key(AccessOptions.Section, "Controllers", i), c.Id, $"plain HTTP ({c.Url})", c.AllowInsecure));
            }
        }

        for (var i = 0; i < access.OsdpReaders.Count; i++)
        {
            var r = access.OsdpReaders[i];
            if (string.IsNullOrEmpty(r.Scbk))
            {
                var what = r.UseInstallKey ? "OSDP with only the install key (SCBK-D), which every reader maker publishes" : "OSDP without a secure channel key (Scbk)";
                links.Add(new InsecureLink(Key(AccessOptions.Section, "OsdpReaders", i), r.Id, what, r.AllowInsecure));
            }
        }

        var cameras = settings.CamerasOrDefault;
        for (var i = 0; i < cameras.Devices.Count; i++)
        {
            var c = cameras.Devices[i];
            if (IsPlainHttp(c.Url))
            {
                links.Add(new InsecureLink(Key(CameraOptions.Section, "Devices", i), c.Id, $"plain HTTP ({c.Url})", c.AllowInsecure));
            }
        }

        return links;
    }

    /// <summary>The refusals for a gateway in Production: one per insecure link its device does not allow.</summary>
    public static IReadOnlyList<string> Refusals(GatewaySettings settings) =>
        [.. Insecure(settings).Where(l => !l.Allowed).Select(l => $"{l.Key} ({l.Device}) is {l.What}: use https:// or a key, or set {l.Key}:AllowInsecure")];

    private static bool IsPlainHttp(string url) => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    private static string Key(string section, string list, int index) => string.Create(CultureInfo.InvariantCulture, $"{section}:{list}:{index}");
}

/// <summary>A device reached over a link that protects nothing.</summary>
/// <param name="Key">The device's configuration key (<c>Edge:Cameras:Devices:3</c>).</param>
/// <param name="Device">The device's id.</param>
/// <param name="What">What is insecure about the link.</param>
/// <param name="Allowed">Whether the device says <c>AllowInsecure</c>.</param>
public sealed record InsecureLink(string Key, string Device, string What, bool Allowed);
