using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Channels;
using System.Xml;
using System.Xml.Linq;
using Edge.Contracts.Events;
using Edge.Gateway.Cameras.Onvif;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Simulator.Devices;

/// <summary>The SOAP endpoints of the simulated ONVIF cameras, written and read with LINQ to XML.</summary>
public static class OnvifEndpoints
{
    public const string SnapshotPath = "onvif/snapshot.jpg";
    private static readonly TimeSpan SubscriptionLife = TimeSpan.FromSeconds(60);
    private static readonly XmlReaderSettings Safe = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1 << 20 };

    public static async Task ServeAsync(HttpListenerContext http, SimOnvifCamera camera, Uri root, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(camera);
        XElement request;
        XElement header;
        try
        {
            using var reader = XmlReader.Create(http.Request.InputStream, Safe);
            var envelope = XDocument.Load(reader).Root!;
            header = envelope.Element(S + "Header") ?? new XElement(S + "Header");
            request = envelope.Element(S + "Body")!.Elements().First();
        }
        catch (Exception ex) when (ex is XmlException or NullReferenceException or InvalidOperationException)
        {
            await FaultAsync(http, "env:Sender", "ter:WellFormed", "the request is not a SOAP envelope", ct).ConfigureAwait(false);
            return;
        }

        if (!Authenticated(header, camera))
        {
            Interlocked.Increment(ref camera._refused);
            await FaultAsync(http, "env:Sender", "ter:NotAuthorized", "Sender not Authorized", ct).ConfigureAwait(false);
            return;
        }

        XElement? answer = (path, request.Name.LocalName) switch
        {
            ("onvif/device_service", "GetCapabilities") => new XElement(Tds + "GetCapabilitiesResponse", new XElement(Tds + "Capabilities",
                new XElement(Tt + "Events", new XElement(Tt + "XAddr", new Uri(root, "onvif/event_service").ToString()),
                    new XElement(Tt + "WSSubscriptionPolicySupport", "false"), new XElement(Tt + "WSPullPointSupport", "true")),
                new XElement(Tt + "Media", new XElement(Tt + "XAddr", new Uri(root, "onvif/media_service").ToString())))),
            ("onvif/event_service", "CreatePullPointSubscription") => Subscribe(camera, root, request),
            ("onvif/media_service", "GetProfiles") => new XElement(Trt + "GetProfilesResponse",
                new XElement(Trt + "Profiles", new XAttribute("token", "Profile_1"), new XAttribute("fixed", "true"), new XElement(Tt + "Name", "mainStream"))),
            ("onvif/media_service", "GetSnapshotUri") => new XElement(Trt + "GetSnapshotUriResponse", new XElement(Trt + "MediaUri",
                new XElement(Tt + "Uri", new Uri(root, SnapshotPath).ToString()), new XElement(Tt + "InvalidAfterConnect", "false"),
                new XElement(Tt + "InvalidAfterReboot", "false"), new XElement(Tt + "Timeout", "PT0S"))),
            _ when path.StartsWith("onvif/subscription/", StringComparison.Ordinal) => null,
            _ => new XElement("unknown"),
        };
        if (answer is null)
        {
            await SubscriptionAsync(http, camera, path, request, ct).ConfigureAwait(false);
            return;
        }

        if (answer.Name.LocalName == "unknown")
        {
            await FaultAsync(http, "env:Receiver", "ter:ActionNotSupported", $"{request.Name.LocalName} is not supported here", ct).ConfigureAwait(false);
            return;
        }

        await WriteAsync(http, answer, ct).ConfigureAwait(false);
    }

    private static XElement Subscribe(SimOnvifCamera camera, Uri root, XElement request)
    {
        var n = camera.NewSubscription();
        var now = DateTime.UtcNow;
        camera.TerminatesAt = now + Life(request.Element(Tev + "InitialTerminationTime")?.Value);
        return new XElement(Tev + "CreatePullPointSubscriptionResponse",
            new XElement(Tev + "SubscriptionReference", new XElement(Wsa + "Address", new Uri(root, $"onvif/subscription/{n}").ToString())),
            new XElement(Wsnt + "CurrentTime", XmlConvert.ToString(now, XmlDateTimeSerializationMode.Utc)),
            new XElement(Wsnt + "TerminationTime", XmlConvert.ToString(camera.TerminatesAt, XmlDateTimeSerializationMode.Utc)));
    }

    /// <summary>A relative termination time (PT60S); absent or unreadable: a minute.</summary>
    private static TimeSpan Life(string? duration)
    {
        try
        {
            return duration is null ? SubscriptionLife : XmlConvert.ToTimeSpan(duration);
        }
        catch (FormatException)
        {
            return SubscriptionLife;
        }
    }

    private static async Task SubscriptionAsync(HttpListenerContext http, SimOnvifCamera camera, string path, XElement request, CancellationToken ct)
    {
        if (!int.TryParse(path["onvif/subscription/".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n != camera.Current
            || DateTime.UtcNow > camera.TerminatesAt)
        {
            await FaultAsync(http, "env:Receiver", "wsrf-rw:ResourceUnknownFault", "no such subscription", ct).ConfigureAwait(false);
            return;
        }

        var now = DateTime.UtcNow;
        switch (request.Name.LocalName)
        {
            case "PullMessages":
                if (camera.FaultNextPull)
                {
                    camera.FaultNextPull = false;
                    await FaultAsync(http, "env:Receiver", "ter:Action", "the subscription was lost", ct).ConfigureAwait(false);
                    return;
                }

                if (camera.GarbageNextPull)
                {
                    camera.GarbageNextPull = false;
                    http.Response.ContentType = ContentType;
                    await http.Response.OutputStream.WriteAsync("<s:Envelope><<not xml"u8.ToArray(), ct).ConfigureAwait(false);
                    return;
                }

                var timeout = XmlConvert.ToTimeSpan(request.Element(Tev + "Timeout")?.Value ?? "PT10S");
                var limit = int.TryParse(request.Element(Tev + "MessageLimit")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 10;
                var messages = await TakeAsync(camera, timeout < TimeSpan.FromMinutes(1) ? timeout : TimeSpan.FromMinutes(1), limit, ct).ConfigureAwait(false);
                if (messages.Count == 0 && camera.Silent)
                {
                    // Unplugged while the pull waited: its answer never comes.
                    while (camera.Silent && !ct.IsCancellationRequested)
                    {
                        await Task.Delay(200, ct).ConfigureAwait(false);
                    }

                    return;
                }

                await WriteAsync(http, new XElement(Tev + "PullMessagesResponse",
                    new XElement(Tev + "CurrentTime", XmlConvert.ToString(DateTime.UtcNow, XmlDateTimeSerializationMode.Utc)),
                    new XElement(Tev + "TerminationTime", XmlConvert.ToString(camera.TerminatesAt, XmlDateTimeSerializationMode.Utc)),
                    messages), ct).ConfigureAwait(false);
                return;
            case "Renew" when camera.RefuseNextRenew:
                camera.RefuseNextRenew = false;
                await FaultAsync(http, "env:Receiver", "wsrf-rw:UnableToRenewFault", "the subscription cannot be renewed", ct).ConfigureAwait(false);
                return;
            case "Renew":
                camera.TerminatesAt = now + Life(request.Element(Wsnt + "TerminationTime")?.Value);
                Interlocked.Increment(ref camera._renewals);
                await WriteAsync(http, new XElement(Wsnt + "RenewResponse",
                    new XElement(Wsnt + "TerminationTime", XmlConvert.ToString(camera.TerminatesAt, XmlDateTimeSerializationMode.Utc)),
                    new XElement(Wsnt + "CurrentTime", XmlConvert.ToString(now, XmlDateTimeSerializationMode.Utc))), ct).ConfigureAwait(false);
                return;
            case "Unsubscribe":
                camera.TerminatesAt = DateTime.MinValue;
                Interlocked.Increment(ref camera._unsubscribes);
                await WriteAsync(http, new XElement(Wsnt + "UnsubscribeResponse"), ct).ConfigureAwait(false);
                return;
            default:
                await FaultAsync(http, "env:Receiver", "ter:ActionNotSupported", $"{request.Name.LocalName} is not supported here", ct).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a first message, then takes what else is waiting, up to <paramref name="limit"/>.</summary>
    private static async Task<List<XElement>> TakeAsync(SimOnvifCamera camera, TimeSpan timeout, int limit, CancellationToken ct)
    {
        var taken = new List<XElement>();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            if (await camera.Events.WaitToReadAsync(wait.Token).ConfigureAwait(false))
            {
                while (taken.Count < limit && camera.Events.TryRead(out var message))
                {
                    taken.Add(message);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        return taken;
    }

    /// <summary>Checks the UsernameToken: the user, and Base64(SHA-1(nonce + created + password)).</summary>
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
            return Digest(Convert.FromBase64String(nonce), created, camera.Password) == digest;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Task WriteAsync(HttpListenerContext http, XElement body, CancellationToken ct) =>
        WriteEnvelopeAsync(http, 200, body, ct);

    private static Task FaultAsync(HttpListenerContext http, string code, string subcode, string reason, CancellationToken ct) =>
        WriteEnvelopeAsync(http, 400, new XElement(S + "Fault",
            new XAttribute(XNamespace.Xmlns + "ter", "http://www.onvif.org/ver10/error"),
            new XAttribute(XNamespace.Xmlns + "wsrf-rw", "http://docs.oasis-open.org/wsrf/rw-2"),
            new XElement(S + "Code", new XElement(S + "Value", code), new XElement(S + "Subcode", new XElement(S + "Value", subcode))),
            new XElement(S + "Reason", new XElement(S + "Text", new XAttribute(XNamespace.Xml + "lang", "en"), reason))), ct);

    private static async Task WriteEnvelopeAsync(HttpListenerContext http, int status, XElement body, CancellationToken ct)
    {
        var envelope = new XDocument(new XElement(S + "Envelope",
            new XAttribute(XNamespace.Xmlns + "s", S), new XAttribute(XNamespace.Xmlns + "tt", Tt), new XAttribute(XNamespace.Xmlns + "tev", Tev),
            new XAttribute(XNamespace.Xmlns + "wsnt", Wsnt), new XAttribute(XNamespace.Xmlns + "wsa", Wsa),
            new XElement(S + "Body", body)));
        var bytes = Encoding.UTF8.GetBytes(envelope.ToString(SaveOptions.DisableFormatting));
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType + "; charset=utf-8";
        http.Response.ContentLength64 = bytes.Length;
        await http.Response.OutputStream.WriteAsync(bytes, ct).ConfigureAwait(false);
    }
}
