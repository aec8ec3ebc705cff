using System.Xml.Linq;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;
using static Edge.Simulator.Devices.OnvifEndpoints;

namespace Edge.Simulator.Devices;

/// <summary>
/// The simulated camera's media service (ONVIF media.wsdl, Profile S): one fixed profile on one 1080p video source,
/// GetProfiles, GetVideoSources, GetStreamUri (an RTSP address: the simulator does not stream video) and GetSnapshotUri
/// (a JPEG the camera paints, behind HTTP digest). An unknown profile token is <c>ter:InvalidArgVal/ter:NoProfile</c>.
/// </summary>
internal static class OnvifMediaService
{
    public const string Profile = "Profile_1";
    public const string VideoSource = "VideoSource_1";
    public const string VideoSourceConfiguration = "VideoSourceConfig_1";

    public static XElement Answer(Uri root, XElement request) => request.Name.LocalName switch
    {
        "GetProfiles" => new XElement(Trt + "GetProfilesResponse", ProfileElement(Trt + "Profiles")),
        "GetProfile" => new XElement(Trt + "GetProfileResponse", ProfileElement(Trt + "Profile", Token(request))),
        "GetVideoSources" => new XElement(Trt + "GetVideoSourcesResponse", new XElement(Trt + "VideoSources", new XAttribute("token", VideoSource),
            new XElement(Tt + "Framerate", "25"), Resolution())),
        "GetStreamUri" => MediaUri(Trt + "GetStreamUriResponse", request, new UriBuilder("rtsp", root.Host, 554, "/Streaming/Channels/101").Uri),
        "GetSnapshotUri" => MediaUri(Trt + "GetSnapshotUriResponse", request, new Uri(root, SnapshotPath)),
        _ => throw OnvifFault.NotSupported(request.Name.LocalName),
    };

    /// <summary>The request's ProfileToken, which must be the camera's profile.</summary>
    private static string Token(XElement request) =>
        request.Element(Trt + "ProfileToken")?.Value.Trim() is Profile
            ? Profile
            : throw OnvifFault.InvalidArg("the requested profile token ProfileToken does not exist", "ter:NoProfile");

    /// <summary>A MediaUri answer for the request's profile.</summary>
    private static XElement MediaUri(XName response, XElement request, Uri uri)
    {
        _ = Token(request);
        return new XElement(response, new XElement(Trt + "MediaUri",
            new XElement(Tt + "Uri", uri.ToString()), new XElement(Tt + "InvalidAfterConnect", "false"),
            new XElement(Tt + "InvalidAfterReboot", "false"), new XElement(Tt + "Timeout", "PT0S")));
    }

    private static XElement Resolution() => new(Tt + "Resolution", new XElement(Tt + "Width", "1920"), new XElement(Tt + "Height", "1080"));

    private static XElement ProfileElement(XName name, string profile = Profile) => new(name,
        new XAttribute("token", profile), new XAttribute("fixed", "true"),
        new XElement(Tt + "Name", "mainStream"),
        new XElement(Tt + "VideoSourceConfiguration", new XAttribute("token", VideoSourceConfiguration),
            new XElement(Tt + "Name", "VideoSourceConfig"), new XElement(Tt + "UseCount", "1"), new XElement(Tt + "SourceToken", VideoSource),
            new XElement(Tt + "Bounds", new XAttribute("x", "0"), new XAttribute("y", "0"), new XAttribute("width", "1920"), new XAttribute("height", "1080"))),
        new XElement(Tt + "VideoEncoderConfiguration", new XAttribute("token", "VideoEncoderConfig_1"),
            new XElement(Tt + "Name", "VideoEncoder_1"), new XElement(Tt + "UseCount", "1"), new XElement(Tt + "Encoding", "H264"),
            Resolution(), new XElement(Tt + "Quality", "4"),
            new XElement(Tt + "RateControl", new XElement(Tt + "FrameRateLimit", "25"), new XElement(Tt + "EncodingInterval", "1"), new XElement(Tt + "BitrateLimit", "4096")),
            new XElement(Tt + "H264", new XElement(Tt + "GovLength", "50"), new XElement(Tt + "H264Profile", "Main")),
            new XElement(Tt + "Multicast",
                new XElement(Tt + "Address", new XElement(Tt + "Type", "IPv4"), new XElement(Tt + "IPv4Address", "0.0.0.0")),
                new XElement(Tt + "Port", "0"), new XElement(Tt + "TTL", "0"), new XElement(Tt + "AutoStart", "false")),
            new XElement(Tt + "SessionTimeout", "PT60S")));
}
