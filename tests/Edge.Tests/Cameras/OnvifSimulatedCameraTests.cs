using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Edge.Contracts.Events;
using Edge.Simulator.Devices;

namespace Edge.Tests.Cameras;

/// <summary>
/// The simulated ONVIF camera checked call by call as an independent client sees it: requests written out as the ONVIF
/// specification's examples and other clients send them (their own prefixes, SOAP-ENV and all), tokens computed here,
/// and the answers read by the WSDLs' element names, none of it through the gateway's client.
/// </summary>
public sealed class OnvifSimulatedCameraTests : IAsyncLifetime
{
    private const string User = "admin";
    private const string Password = "Cam-pass-1";
    private static readonly XNamespace Env = "http://www.w3.org/2003/05/soap-envelope";
    private static readonly XNamespace Tds = "http://www.onvif.org/ver10/device/wsdl";
    private static readonly XNamespace Trt = "http://www.onvif.org/ver10/media/wsdl";
    private static readonly XNamespace Tev = "http://www.onvif.org/ver10/events/wsdl";
    private static readonly XNamespace Tt = "http://www.onvif.org/ver10/schema";
    private static readonly XNamespace Wsnt = "http://docs.oasis-open.org/wsn/b-2";
    private static readonly XNamespace Wstop = "http://docs.oasis-open.org/wsn/t-1";
    private static readonly XNamespace Tns1 = "http://www.onvif.org/ver10/topics";
    private static readonly XNamespace Wsa = "http://www.w3.org/2005/08/addressing";

    private HttpDeviceServer _devices = null!;
    private SimOnvifCamera _camera = null!;
    private readonly HttpClient _http = new();

    public async ValueTask InitializeAsync()
    {
        _devices = await HttpDeviceServer.StartAsync();
        _camera = _devices.AddOnvifCamera("c001", "cam-020", User, Password);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _devices.DisposeAsync();
    }

    private Uri Service(string path) => new(_devices.Url("c001", "cam-020"), path);

    /// <summary>A WS-Security UsernameToken (profile 1.0, password digest) as a client computes it, created at <paramref name="created"/>.</summary>
    private static string Security(DateTime created, byte[]? nonce = null)
    {
        nonce ??= RandomNumberGenerator.GetBytes(16);
        var at = created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
#pragma warning disable CA5350 // The UsernameToken profile's digest is SHA-1.
        var digest = Convert.ToBase64String(SHA1.HashData([.. nonce, .. Encoding.UTF8.GetBytes(at + Password)]));
#pragma warning restore CA5350
        return "<wsse:Security xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" " +
               "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"><wsse:UsernameToken>" +
               $"<wsse:Username>{User}</wsse:Username><wsse:Password Type=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest\">{digest}</wsse:Password>" +
               $"<wsse:Nonce>{Convert.ToBase64String(nonce)}</wsse:Nonce><wsu:Created>{at}</wsu:Created></wsse:UsernameToken></wsse:Security>";
    }

    /// <summary>Posts a SOAP 1.2 request; the answer's status and the first element of its body.</summary>
    private async Task<(HttpStatusCode Status, XElement Body)> CallAsync(string path, string body, string? security = "now")
    {
        var header = security == "now" ? Security(_camera.Now) : security;
        var envelope = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" " +
                       "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" " +
                       "xmlns:tev=\"http://www.onvif.org/ver10/events/wsdl\" xmlns:tt=\"http://www.onvif.org/ver10/schema\" " +
                       "xmlns:wsnt=\"http://docs.oasis-open.org/wsn/b-2\">" +
                       $"<SOAP-ENV:Header>{header}</SOAP-ENV:Header><SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>";
        using var content = new StringContent(envelope, Encoding.UTF8, "application/soap+xml");
        using var response = await _http.PostAsync(path.StartsWith("http", StringComparison.Ordinal) ? new Uri(path) : Service(path), content, TestContext.Current.CancellationToken);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("application/soap+xml", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return (response.StatusCode, xml.Root!.Element(Env + "Body")!.Elements().Single());
    }

    /// <summary>A SOAP 1.2 fault's code and its subcodes, outermost first, joined by a slash.</summary>
    private static (string Code, string Subcodes) Fault(XElement body)
    {
        Assert.Equal(Env + "Fault", body.Name);
        var code = body.Element(Env + "Code")!;
        var subcodes = string.Join('/', code.Descendants(Env + "Subcode").Select(s => s.Element(Env + "Value")!.Value));
        Assert.NotEmpty(body.Element(Env + "Reason")!.Elements(Env + "Text"));
        return (code.Element(Env + "Value")!.Value, subcodes);
    }

    [Fact]
    public async Task GetSystemDateAndTime_is_answered_without_authentication_with_the_cameras_own_clock()
    {
        _camera.ClockOffset = TimeSpan.FromMinutes(-17);
        var (status, body) = await CallAsync("onvif/device_service", "<tds:GetSystemDateAndTime/>", security: null);

        Assert.Equal(HttpStatusCode.OK, status);
        var system = body.Element(Tds + "SystemDateAndTime")!;
        Assert.Equal("Manual", system.Element(Tt + "DateTimeType")!.Value);
        var utc = system.Element(Tt + "UTCDateTime")!;
        int Part(string group, string name) => int.Parse(utc.Element(Tt + group)!.Element(Tt + name)!.Value, CultureInfo.InvariantCulture);
        var camera = new DateTime(Part("Date", "Year"), Part("Date", "Month"), Part("Date", "Day"), Part("Time", "Hour"), Part("Time", "Minute"), Part("Time", "Second"), DateTimeKind.Utc);
        Assert.InRange(camera - DateTime.UtcNow, TimeSpan.FromMinutes(-17.5), TimeSpan.FromMinutes(-16.5));
        Assert.NotNull(system.Element(Tt + "LocalDateTime"));
    }

    [Fact]
    public async Task GetDeviceInformation_needs_a_token_and_then_names_the_camera()
    {
        var (refusedStatus, refused) = await CallAsync("onvif/device_service", "<tds:GetDeviceInformation/>", security: null);
        var (status, body) = await CallAsync("onvif/device_service", "<tds:GetDeviceInformation/>");

        Assert.Equal((HttpStatusCode.BadRequest, "env:Sender", "ter:NotAuthorized"), (refusedStatus, Fault(refused).Code, Fault(refused).Subcodes));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId"], body.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("cam-020", body.Element(Tds + "SerialNumber")!.Value);
    }

    [Fact]
    public async Task GetServices_lists_device_media_and_events_with_their_versions_and_capabilities_when_asked()
    {
        var (_, plain) = await CallAsync("onvif/device_service", "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>");
        var (_, rich) = await CallAsync("onvif/device_service", "<tds:GetServices><tds:IncludeCapability>true</tds:IncludeCapability></tds:GetServices>");

        Assert.Equal([Tds.NamespaceName, Trt.NamespaceName, Tev.NamespaceName], plain.Elements(Tds + "Service").Select(s => s.Element(Tds + "Namespace")!.Value));
        Assert.All(plain.Elements(Tds + "Service"), s =>
        {
            Assert.True(Uri.TryCreate(s.Element(Tds + "XAddr")!.Value, UriKind.Absolute, out _));
            Assert.NotNull(s.Element(Tds + "Version")!.Element(Tt + "Major"));
            Assert.Null(s.Element(Tds + "Capabilities"));
        });
        var events = rich.Elements(Tds + "Service").Single(s => s.Element(Tds + "Namespace")!.Value == Tev.NamespaceName);
        Assert.Equal("true", events.Element(Tds + "Capabilities")!.Element(Tev + "Capabilities")!.Attribute("WSPullPointSupport")!.Value);
        var media = rich.Elements(Tds + "Service").Single(s => s.Element(Tds + "Namespace")!.Value == Trt.NamespaceName);
        Assert.Equal("true", media.Element(Tds + "Capabilities")!.Element(Trt + "Capabilities")!.Attribute("SnapshotUri")!.Value);
    }

    [Fact]
    public async Task GetCapabilities_gives_device_events_and_media_and_refuses_a_service_the_camera_lacks()
    {
        var (_, all) = await CallAsync("onvif/device_service", "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>");
        var (_, media) = await CallAsync("onvif/device_service", "<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>");
        var (status, ptz) = await CallAsync("onvif/device_service", "<tds:GetCapabilities><tds:Category>PTZ</tds:Category></tds:GetCapabilities>");

        var capabilities = all.Element(Tds + "Capabilities")!;
        Assert.Equal(["Device", "Events", "Media"], capabilities.Elements().Select(e => e.Name.LocalName));
        Assert.All(capabilities.Elements(), e => Assert.EndsWith("_service", e.Element(Tt + "XAddr")!.Value, StringComparison.Ordinal));
        Assert.Equal("true", capabilities.Element(Tt + "Events")!.Element(Tt + "WSPullPointSupport")!.Value);
        Assert.Equal(["Media"], media.Element(Tds + "Capabilities")!.Elements().Select(e => e.Name.LocalName));
        Assert.Equal((HttpStatusCode.InternalServerError, "env:Receiver", "ter:ActionNotSupported/ter:NoSuchService"), (status, Fault(ptz).Code, Fault(ptz).Subcodes));
    }

    [Fact]
    public async Task The_media_service_gives_the_profile_its_video_source_a_stream_uri_and_a_snapshot_uri()
    {
        var (_, profiles) = await CallAsync("onvif/media_service", "<trt:GetProfiles/>");
        var (_, sources) = await CallAsync("onvif/media_service", "<trt:GetVideoSources/>");
        var profile = profiles.Element(Trt + "Profiles")!;
        var token = profile.Attribute("token")!.Value;
        var (_, stream) = await CallAsync("onvif/media_service",
            "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>" +
            $"<trt:ProfileToken>{token}</trt:ProfileToken></trt:GetStreamUri>");
        var (_, snapshot) = await CallAsync("onvif/media_service", $"<trt:GetSnapshotUri><trt:ProfileToken>{token}</trt:ProfileToken></trt:GetSnapshotUri>");
        var (status, noProfile) = await CallAsync("onvif/media_service", "<trt:GetSnapshotUri><trt:ProfileToken>nope</trt:ProfileToken></trt:GetSnapshotUri>");

        var source = sources.Element(Trt + "VideoSources")!;
        Assert.Equal(source.Attribute("token")!.Value, profile.Element(Tt + "VideoSourceConfiguration")!.Element(Tt + "SourceToken")!.Value);
        Assert.Equal("1920", source.Element(Tt + "Resolution")!.Element(Tt + "Width")!.Value);
        Assert.Equal("H264", profile.Element(Tt + "VideoEncoderConfiguration")!.Element(Tt + "Encoding")!.Value);
        Assert.StartsWith("rtsp://127.0.0.1:554/", stream.Element(Trt + "MediaUri")!.Element(Tt + "Uri")!.Value, StringComparison.Ordinal);
        var jpeg = new Uri(snapshot.Element(Trt + "MediaUri")!.Element(Tt + "Uri")!.Value);
        Assert.Equal("false", snapshot.Element(Trt + "MediaUri")!.Element(Tt + "InvalidAfterConnect")!.Value);
        Assert.Equal(("http", HttpStatusCode.BadRequest, "env:Sender", "ter:InvalidArgVal/ter:NoProfile"),
            (jpeg.Scheme, status, Fault(noProfile).Code, Fault(noProfile).Subcodes));
    }

    [Fact]
    public async Task GetEventProperties_describes_each_topic_and_whether_it_is_a_property()
    {
        var (_, body) = await CallAsync("onvif/event_service", "<tev:GetEventProperties/>");

        Assert.Equal("true", body.Element(Wsnt + "FixedTopicSet")!.Value);
        Assert.Contains("http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet", body.Elements(Wsnt + "TopicExpressionDialect").Select(d => d.Value));
        var set = body.Element(Wstop + "TopicSet")!;
        var motion = set.Element(Tns1 + "RuleEngine")!.Element("CellMotionDetector")!.Element("Motion")!;
        Assert.Equal("true", motion.Attribute(Wstop + "topic")!.Value);
        var description = motion.Element(Tt + "MessageDescription")!;
        Assert.Equal("true", description.Attribute("IsProperty")!.Value);
        Assert.Equal(("IsMotion", "xs:boolean"), (description.Element(Tt + "Data")!.Element(Tt + "SimpleItemDescription")!.Attribute("Name")!.Value,
            description.Element(Tt + "Data")!.Element(Tt + "SimpleItemDescription")!.Attribute("Type")!.Value));
        Assert.NotNull(set.Element(Tns1 + "VideoSource")!.Element("SignalLoss"));
        Assert.Equal("false", set.Element(Tns1 + "RuleEngine")!.Element("LineDetector")!.Element("Crossed")!.Element(Tt + "MessageDescription")!.Attribute("IsProperty")!.Value);
    }

    [Fact]
    public async Task A_new_subscription_gets_the_state_of_each_property_as_Initialized_then_only_the_changes_after_it()
    {
        // Before anyone subscribes: motion starts and stops, a tamper starts. Nobody hears the changes themselves.
        _camera.Send(EventTypes.CameraMotion, true);
        _camera.Send(EventTypes.CameraMotion, false);
        _camera.Send(EventTypes.CameraTamper, true);
        var (_, created) = await CallAsync("onvif/event_service",
            "<tev:CreatePullPointSubscription><tev:InitialTerminationTime>PT60S</tev:InitialTerminationTime></tev:CreatePullPointSubscription>");
        var subscription = created.Element(Tev + "SubscriptionReference")!.Element(Wsa + "Address")!.Value;
        Assert.Equal(TimeSpan.FromSeconds(60), DateTime.Parse(created.Element(Wsnt + "TerminationTime")!.Value, CultureInfo.InvariantCulture)
            - DateTime.Parse(created.Element(Wsnt + "CurrentTime")!.Value, CultureInfo.InvariantCulture));

        const string pull = "<tev:PullMessages><tev:Timeout>PT1S</tev:Timeout><tev:MessageLimit>100</tev:MessageLimit></tev:PullMessages>";
        var (_, first) = await CallAsync(subscription, pull);
        _camera.Send(EventTypes.CameraTamper, false);
        var (_, second) = await CallAsync(subscription, pull);

        static IEnumerable<(string Topic, string? Operation, string Value)> Messages(XElement response) =>
            response.Elements(Wsnt + "NotificationMessage").Select(n => (n.Element(Wsnt + "Topic")!.Value,
                n.Element(Wsnt + "Message")!.Element(Tt + "Message")!.Attribute("PropertyOperation")?.Value,
                n.Descendants(Tt + "Data").Single().Element(Tt + "SimpleItem")!.Attribute("Value")!.Value));
        Assert.Equal(
        [
            ("tns1:RuleEngine/CellMotionDetector/Motion", "Initialized", "false"), ("tns1:RuleEngine/TamperDetector/Tamper", "Initialized", "true"),
            ("tns1:RuleEngine/FieldDetector/ObjectsInside", "Initialized", "false"), ("tns1:VideoSource/SignalLoss", "Initialized", "false"),
        ], Messages(first));
        Assert.Equal([("tns1:RuleEngine/TamperDetector/Tamper", (string?)"Changed", "false")], Messages(second));
        Assert.Equal(3, _camera.Unheard);
    }

    [Fact]
    public async Task An_unknown_action_is_ActionNotSupported_and_a_stale_or_replayed_token_is_NotAuthorized()
    {
        var (unknownStatus, unknown) = await CallAsync("onvif/device_service", "<tds:GetNetworkInterfaces/>");
        var (_, stale) = await CallAsync("onvif/device_service", "<tds:GetDeviceInformation/>", Security(_camera.Now.AddMinutes(-10)));
        var nonce = RandomNumberGenerator.GetBytes(16);
        var token = Security(_camera.Now, nonce);
        var (firstStatus, _) = await CallAsync("onvif/device_service", "<tds:GetDeviceInformation/>", token);
        var (_, replayed) = await CallAsync("onvif/device_service", "<tds:GetDeviceInformation/>", token);

        Assert.Equal((HttpStatusCode.InternalServerError, "env:Receiver", "ter:ActionNotSupported"), (unknownStatus, Fault(unknown).Code, Fault(unknown).Subcodes));
        Assert.Equal("ter:NotAuthorized", Fault(stale).Subcodes);
        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal("ter:NotAuthorized", Fault(replayed).Subcodes);
        Assert.Equal(1, _camera.StaleTokens);
        Assert.Equal(2, _camera.Refused);
    }
}
