using System.Globalization;
using System.Xml.Linq;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;
using static Edge.Simulator.Devices.OnvifEndpoints;

namespace Edge.Simulator.Devices;

/// <summary>
/// The simulated camera's device service (ONVIF devicemgmt.wsdl): GetSystemDateAndTime (the camera's own clock, asked
/// before authentication), GetDeviceInformation, GetServices (unless the camera is older firmware without it) and
/// GetCapabilities for the Device, Events and Media categories (others: ter:NoSuchService).
/// </summary>
internal static class OnvifDeviceService
{
    /// <summary>The ONVIF version the camera reports (YY.MM since 2017).</summary>
    private const int VersionMajor = 21;
    private const int VersionMinor = 12;

    public static XElement Answer(SimOnvifCamera camera, Uri root, XElement request) => request.Name.LocalName switch
    {
        "GetSystemDateAndTime" => SystemDateAndTime(camera.Now),
        "GetDeviceInformation" => new XElement(Tds + "GetDeviceInformationResponse",
            new XElement(Tds + "Manufacturer", "Edge"), new XElement(Tds + "Model", "SIM-ONVIF-1"), new XElement(Tds + "FirmwareVersion", "1.0.0"),
            new XElement(Tds + "SerialNumber", camera.Id), new XElement(Tds + "HardwareId", "edge-sim-camera")),
        "GetServices" when !camera.LacksGetServices => Services(root, string.Equals(request.Element(Tds + "IncludeCapability")?.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase)),
        "GetCapabilities" => Capabilities(root, request.Elements(Tds + "Category").Select(c => c.Value.Trim()).ToList()),
        _ => throw OnvifFault.NotSupported(request.Name.LocalName),
    };

    private static XElement SystemDateAndTime(DateTime now)
    {
        // The district's cameras run on China Standard Time; UTCDateTime is what clients read.
        var local = now.AddHours(8);
        return new XElement(Tds + "GetSystemDateAndTimeResponse", new XElement(Tds + "SystemDateAndTime",
            new XElement(Tt + "DateTimeType", "Manual"),
            new XElement(Tt + "DaylightSavings", "false"),
            new XElement(Tt + "TimeZone", new XElement(Tt + "TZ", "CST-8")),
            DateTimeElement("UTCDateTime", now),
            DateTimeElement("LocalDateTime", local)));
    }

    private static XElement DateTimeElement(string name, DateTime at) => new(Tt + name,
        new XElement(Tt + "Time", new XElement(Tt + "Hour", Number(at.Hour)), new XElement(Tt + "Minute", Number(at.Minute)), new XElement(Tt + "Second", Number(at.Second))),
        new XElement(Tt + "Date", new XElement(Tt + "Year", Number(at.Year)), new XElement(Tt + "Month", Number(at.Month)), new XElement(Tt + "Day", Number(at.Day))));

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static XElement Services(Uri root, bool withCapabilities)
    {
        XElement Service(XNamespace ns, string path, XElement capabilities) => new(Tds + "Service",
            new XElement(Tds + "Namespace", ns.NamespaceName),
            new XElement(Tds + "XAddr", new Uri(root, path).ToString()),
            withCapabilities ? new XElement(Tds + "Capabilities", capabilities) : null,
            new XElement(Tds + "Version", new XElement(Tt + "Major", VersionMajor), new XElement(Tt + "Minor", VersionMinor)));

        return new XElement(Tds + "GetServicesResponse",
            Service(Tds, DevicePath, new XElement(Tds + "Capabilities",
                new XElement(Tds + "Network", new XAttribute("IPFilter", "false"), new XAttribute("ZeroConfiguration", "false"), new XAttribute("IPVersion6", "false"), new XAttribute("DynDNS", "false")),
                new XElement(Tds + "Security", new XAttribute("TLS1.2", "false"), new XAttribute("UsernameToken", "true"), new XAttribute("HttpDigest", "true")),
                new XElement(Tds + "System", new XAttribute("DiscoveryResolve", "false"), new XAttribute("DiscoveryBye", "false"), new XAttribute("RemoteDiscovery", "false"),
                    new XAttribute("SystemBackup", "false"), new XAttribute("SystemLogging", "false"), new XAttribute("FirmwareUpgrade", "false")))),
            Service(Trt, MediaPath, new XElement(Trt + "Capabilities", new XAttribute("SnapshotUri", "true"), new XAttribute("Rotation", "false"),
                new XElement(Trt + "ProfileCapabilities", new XAttribute("MaximumNumberOfProfiles", "1")),
                new XElement(Trt + "StreamingCapabilities", new XAttribute("RTPMulticast", "false"), new XAttribute("RTP_TCP", "true"), new XAttribute("RTP_RTSP_TCP", "true")))),
            Service(Tev, EventsPath, new XElement(Tev + "Capabilities", new XAttribute("WSSubscriptionPolicySupport", "false"), new XAttribute("WSPullPointSupport", "true"),
                new XAttribute("WSPausableSubscriptionManagerInterfaceSupport", "false"), new XAttribute("MaxNotificationProducers", "0"), new XAttribute("MaxPullPoints", "2"))));
    }

    /// <summary>GetCapabilities for the categories asked (none, or All: every one the camera has), in the schema's order.</summary>
    private static XElement Capabilities(Uri root, IReadOnlyList<string> categories)
    {
        var all = categories.Count == 0 || categories.Contains("All");
        var unknown = categories.FirstOrDefault(c => c is not ("All" or "Device" or "Events" or "Media"));
        if (unknown is not null)
        {
            throw new OnvifFault("env:Receiver", $"the camera has no {unknown} service", "ter:ActionNotSupported", "ter:NoSuchService");
        }

        bool Wants(string category) => all || categories.Contains(category);
        return new XElement(Tds + "GetCapabilitiesResponse", new XElement(Tds + "Capabilities",
            Wants("Device")
                ? new XElement(Tt + "Device", new XElement(Tt + "XAddr", new Uri(root, DevicePath).ToString()),
                    new XElement(Tt + "Network", new XElement(Tt + "IPFilter", "false"), new XElement(Tt + "ZeroConfiguration", "false"),
                        new XElement(Tt + "IPVersion6", "false"), new XElement(Tt + "DynDNS", "false")),
                    new XElement(Tt + "System", new XElement(Tt + "DiscoveryResolve", "false"), new XElement(Tt + "DiscoveryBye", "false"),
                        new XElement(Tt + "RemoteDiscovery", "false"), new XElement(Tt + "SystemBackup", "false"), new XElement(Tt + "SystemLogging", "false"),
                        new XElement(Tt + "FirmwareUpgrade", "false"),
                        new XElement(Tt + "SupportedVersions", new XElement(Tt + "Major", VersionMajor), new XElement(Tt + "Minor", VersionMinor))),
                    new XElement(Tt + "Security", new XElement(Tt + "TLS1.1", "false"), new XElement(Tt + "TLS1.2", "false"),
                        new XElement(Tt + "OnboardKeyGeneration", "false"), new XElement(Tt + "AccessPolicyConfig", "false"), new XElement(Tt + "X.509Token", "false"),
                        new XElement(Tt + "SAMLToken", "false"), new XElement(Tt + "KerberosToken", "false"), new XElement(Tt + "RELToken", "false")))
                : null,
            Wants("Events")
                ? new XElement(Tt + "Events", new XElement(Tt + "XAddr", new Uri(root, EventsPath).ToString()),
                    new XElement(Tt + "WSSubscriptionPolicySupport", "false"), new XElement(Tt + "WSPullPointSupport", "true"),
                    new XElement(Tt + "WSPausableSubscriptionManagerInterfaceSupport", "false"))
                : null,
            Wants("Media")
                ? new XElement(Tt + "Media", new XElement(Tt + "XAddr", new Uri(root, MediaPath).ToString()),
                    new XElement(Tt + "StreamingCapabilities", new XElement(Tt + "RTPMulticast", "false"), new XElement(Tt + "RTP_TCP", "true"),
                        new XElement(Tt + "RTP_RTSP_TCP", "true")))
                : null));
    }
}
