using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Simulator.Devices;

/// <summary>A request the camera refuses: a SOAP fault with its code and subcodes, as the ONVIF Core Specification shapes them.</summary>
internal sealed class OnvifFault(string code, string reason, params string[] subcodes) : Exception(reason)
{
    public string Code { get; } = code;

    public IReadOnlyList<string> Subcodes { get; } = subcodes;

    public static OnvifFault NotSupported(string action) => new("env:Receiver", $"{action} is not supported here", "ter:ActionNotSupported");

    public static OnvifFault InvalidArg(string what, string subcode) => new("env:Sender", what, "ter:InvalidArgVal", subcode);
}

/// <summary>
/// The SOAP endpoints of the simulated ONVIF cameras (SOAP 1.2, written and read with LINQ to XML): the device
/// service (<see cref="OnvifDeviceService"/>), the media service (<see cref="OnvifMediaService"/>) and the event
/// service with its PullPoint subscriptions (<see cref="OnvifEventService"/>). Every request must carry a valid
/// WS-Security UsernameToken digest, created within the camera's token window and with a nonce it has not seen, except
/// the device service's pre-authentication calls (ONVIF Core 5.9.4.3: GetSystemDateAndTime, GetServices,
/// GetServiceCapabilities, GetCapabilities, GetWsdlUrl, GetHostname, GetEndpointReference); otherwise the answer is a
/// <c>ter:NotAuthorized</c> fault. An action the camera does not have is <c>ter:ActionNotSupported</c>.
/// </summary>
public static class OnvifEndpoints
{
    public const string SnapshotPath = "onvif/snapshot.jpg";
    public const string DevicePath = "onvif/device_service";
    public const string MediaPath = "onvif/media_service";
    public const string EventsPath = "onvif/event_service";
    public const string SubscriptionPath = "onvif/subscription/";

    public static readonly XNamespace Ter = "http://www.onvif.org/ver10/error";
    public static readonly XNamespace Wstop = "http://docs.oasis-open.org/wsn/t-1";
    public static readonly XNamespace Xs = "http://www.w3.org/2001/XMLSchema";
    public static readonly XNamespace WsrfRw = "http://docs.oasis-open.org/wsrf/rw-2";

    private static readonly HashSet<string> PreAuthentication =
        ["GetSystemDateAndTime", "GetServices", "GetServiceCapabilities", "GetCapabilities", "GetWsdlUrl", "GetHostname", "GetEndpointReference"];

    private static readonly XmlReaderSettings Safe = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1 << 20 };

    /// <summary>The root the camera names in the addresses it gives: its own, or the one it was set to advertise.</summary>
    private static Uri Advertised(SimOnvifCamera camera, Uri root) =>
        camera.AdvertisedAuthority is { } authority ? new UriBuilder(root) { Host = authority.Split(':')[0], Port = int.Parse(authority.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) }.Uri : root;

    public static async Task ServeAsync(HttpListenerContext http, SimOnvifCamera camera, Uri root, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        XElement request;
        XElement header;
        try
        {
            using var reader = XmlReader.Create(http.Request.InputStream, Safe);
            var envelope = XDocument.Load(reader).Root!;
            if (envelope.Name != S + "Envelope")
            {
                throw new InvalidOperationException("not a SOAP 1.2 envelope");
            }

            header = envelope.Element(S + "Header") ?? new XElement(S + "Header");
            request = envelope.Element(S + "Body")!.Elements().First();
        }
        catch (Exception ex) when (ex is XmlException or NullReferenceException or InvalidOperationException)
        {
            await FaultAsync(http, new OnvifFault("env:Sender", "the request is not a SOAP 1.2 envelope", "ter:WellFormed"), ct).ConfigureAwait(false);
            return;
        }

        var action = request.Name.LocalName;
        if (!(path == DevicePath && PreAuthentication.Contains(action)) && !Authenticated(header, camera))
        {
            Interlocked.Increment(ref camera._refused);
            await FaultAsync(http, new OnvifFault("env:Sender", "Sender not Authorized", "ter:NotAuthorized"), ct).ConfigureAwait(false);
            return;
        }

        try
        {
            var answer = path switch
            {
                DevicePath => OnvifDeviceService.Answer(camera, Advertised(camera, root), request),
                MediaPath => OnvifMediaService.Answer(Advertised(camera, root), request),
                EventsPath => OnvifEventService.Answer(camera, Advertised(camera, root), request),
                _ when path.StartsWith(SubscriptionPath, StringComparison.Ordinal) =>
                    await OnvifEventService.SubscriptionAsync(http, camera, path[SubscriptionPath.Length..], request, ct).ConfigureAwait(false),
                _ => throw OnvifFault.NotSupported(action),
            };
            if (answer is not null)
            {
                await WriteEnvelopeAsync(http, 200, answer, ct).ConfigureAwait(false);
            }
        }
        catch (OnvifFault fault)
        {
            await FaultAsync(http, fault, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A time as ONVIF writes it (xs:dateTime, UTC).</summary>
    internal static string Time(DateTime at) => XmlConvert.ToString(at, XmlDateTimeSerializationMode.Utc);

    /// <summary>
    /// Checks the UsernameToken: the user; Base64(SHA-1(nonce + created + password)); a creation time within the
    /// camera's token window of its clock; a nonce not seen before.
    /// </summary>
    private static bool Authenticated(XElement header, SimOnvifCamera camera)
    {
        var token = header.Element(Wsse + "Security")?.Element(Wsse + "UsernameToken");
        var nonce = token?.Element(Wsse + "Nonce")?.Value;
        var created = token?.Element(Wsu + "Created")?.Value;
        var digest = token?.Element(Wsse + "Password")?.Value;
        if (token?.Element(Wsse + "Username")?.Value != camera.User || nonce is null || created is null || digest is null)
        {
            return false;
        }

        try
        {
            if (Digest(Convert.FromBase64String(nonce), created, camera.Password) != digest)
            {
                return false;
            }
        }
        catch (FormatException)
        {
            return false;
        }

        if (!DateTime.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            || (at - camera.Now).Duration() > camera.TokenWindow)
        {
            Interlocked.Increment(ref camera._staleTokens);
            return false;
        }

        return camera.FreshNonce(nonce);
    }

    internal static Task FaultAsync(HttpListenerContext http, OnvifFault fault, CancellationToken ct)
    {
        // Subcodes nest: <Subcode><Value>ter:InvalidArgVal</Value><Subcode><Value>ter:NoProfile</Value></Subcode></Subcode>.
        XElement? subcode = null;
        foreach (var value in fault.Subcodes.Reverse())
        {
            subcode = new XElement(S + "Subcode", new XElement(S + "Value", value), subcode);
        }

        return WriteEnvelopeAsync(http, fault.Code == "env:Sender" ? 400 : 500, new XElement(S + "Fault",
            new XElement(S + "Code", new XElement(S + "Value", fault.Code), subcode),
            new XElement(S + "Reason", new XElement(S + "Text", new XAttribute(XNamespace.Xml + "lang", "en"), fault.Message))), ct);
    }

    private static async Task WriteEnvelopeAsync(HttpListenerContext http, int status, XElement body, CancellationToken ct)
    {
        var envelope = new XDocument(new XElement(S + "Envelope",
            new XAttribute(XNamespace.Xmlns + "env", S), new XAttribute(XNamespace.Xmlns + "ter", Ter),
            new XAttribute(XNamespace.Xmlns + "tt", Tt), new XAttribute(XNamespace.Xmlns + "tds", Tds), new XAttribute(XNamespace.Xmlns + "trt", Trt),
            new XAttribute(XNamespace.Xmlns + "tev", Tev), new XAttribute(XNamespace.Xmlns + "wsnt", Wsnt), new XAttribute(XNamespace.Xmlns + "wsa", Wsa),
            new XAttribute(XNamespace.Xmlns + "wstop", Wstop), new XAttribute(XNamespace.Xmlns + "tns1", Tns1), new XAttribute(XNamespace.Xmlns + "xs", Xs),
            new XAttribute(XNamespace.Xmlns + "wsrf-rw", WsrfRw),
            new XElement(S + "Body", body)));
        var bytes = Encoding.UTF8.GetBytes(envelope.ToString(SaveOptions.DisableFormatting));
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType + "; charset=utf-8";
        http.Response.ContentLength64 = bytes.Length;
        await http.Response.OutputStream.WriteAsync(bytes, ct).ConfigureAwait(false);
    }
}
