using System.Globalization;
using System.Net;
using System.Xml;
using System.Xml.Linq;
using Edge.Gateway.Cameras.Onvif;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;
using static Edge.Simulator.Devices.OnvifEndpoints;

namespace Edge.Simulator.Devices;

/// <summary>
/// The simulated camera's event service (ONVIF event.wsdl, WS-BaseNotification): GetEventProperties (the camera's
/// topics, each with its message description), GetServiceCapabilities, CreatePullPointSubscription, and on the
/// subscription PullMessages, SetSynchronizationPoint (the properties' state again, as Initialized), Renew and
/// Unsubscribe. One subscription is live at a time; a pull on an older or ended one is
/// <c>wsrf-rw:ResourceUnknownFault</c>.
/// </summary>
internal static class OnvifEventService
{
    private static readonly TimeSpan SubscriptionLife = TimeSpan.FromSeconds(60);

    public static XElement Answer(SimOnvifCamera camera, Uri root, XElement request) => request.Name.LocalName switch
    {
        "GetEventProperties" => EventProperties(),
        "GetServiceCapabilities" => new XElement(Tev + "GetServiceCapabilitiesResponse", new XElement(Tev + "Capabilities",
            new XAttribute("WSSubscriptionPolicySupport", "false"), new XAttribute("WSPullPointSupport", "true"),
            new XAttribute("WSPausableSubscriptionManagerInterfaceSupport", "false"), new XAttribute("MaxPullPoints", "2"))),
        "CreatePullPointSubscription" => Subscribe(camera, root, request),
        _ => throw OnvifFault.NotSupported(request.Name.LocalName),
    };

    /// <summary>The camera's topic set: each topic a nested element, with its message description (source and data items).</summary>
    private static XElement EventProperties()
    {
        var set = new XElement(Wstop + "TopicSet");
        foreach (var topic in SimOnvifCamera.Topics)
        {
            var parts = topic.Topic["tns1:".Length..].Split('/');
            var parent = set.Element(Tns1 + parts[0]) ?? Added(set, new XElement(Tns1 + parts[0]));
            foreach (var part in parts[1..])
            {
                parent = parent.Element(part) ?? Added(parent, new XElement(part));
            }

            parent.Add(new XAttribute(Wstop + "topic", "true"), new XElement(Tt + "MessageDescription", new XAttribute("IsProperty", topic.IsProperty ? "true" : "false"),
                new XElement(Tt + "Source", new XElement(Tt + "SimpleItemDescription", new XAttribute("Name", topic.Source), new XAttribute("Type", "tt:ReferenceToken")),
                    topic.Source == "Source" ? null : new XElement(Tt + "SimpleItemDescription", new XAttribute("Name", "Rule"), new XAttribute("Type", "xs:string"))),
                new XElement(Tt + "Data", new XElement(Tt + "SimpleItemDescription", new XAttribute("Name", topic.Item),
                    new XAttribute("Type", topic.IsProperty ? "xs:boolean" : "xs:integer")))));
        }

        return new XElement(Tev + "GetEventPropertiesResponse",
            new XElement(Tev + "TopicNamespaceLocation", "http://www.onvif.org/onvif/ver10/topics/topicns.xml"),
            new XElement(Wsnt + "FixedTopicSet", "true"),
            set,
            new XElement(Wsnt + "TopicExpressionDialect", OnvifEvents.TopicDialect),
            new XElement(Wsnt + "TopicExpressionDialect", "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete"),
            new XElement(Tev + "MessageContentFilterDialect", "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"),
            new XElement(Tev + "MessageContentSchemaLocation", "http://www.onvif.org/onvif/ver10/schema/onvif.xsd"));

        static XElement Added(XElement parent, XElement child)
        {
            parent.Add(child);
            return child;
        }
    }

    private static XElement Subscribe(SimOnvifCamera camera, Uri root, XElement request)
    {
        var life = Life(request.Element(Tev + "InitialTerminationTime")?.Value);
        var n = camera.NewSubscription(life);
        return new XElement(Tev + "CreatePullPointSubscriptionResponse",
            new XElement(Tev + "SubscriptionReference", new XElement(Wsa + "Address", new Uri(root, $"{SubscriptionPath}{n}").ToString())),
            new XElement(Wsnt + "CurrentTime", Time(camera.TerminatesAt - life)),
            new XElement(Wsnt + "TerminationTime", Time(camera.TerminatesAt)));
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

    /// <summary>A request on subscription <paramref name="number"/>; null when the answer was written already (or never will be).</summary>
    public static async Task<XElement?> SubscriptionAsync(HttpListenerContext http, SimOnvifCamera camera, string number, XElement request, CancellationToken ct)
    {
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n != camera.Current || camera.Now > camera.TerminatesAt)
        {
            throw new OnvifFault("env:Receiver", "no such subscription", "wsrf-rw:ResourceUnknownFault");
        }

        var now = camera.Now;
        switch (request.Name.LocalName)
        {
            case "PullMessages":
                return await PullAsync(http, camera, request, ct).ConfigureAwait(false);
            case "SetSynchronizationPoint":
                camera.Synchronize();
                return new XElement(Tev + "SetSynchronizationPointResponse");
            case "Renew" when camera.RefuseNextRenew:
                camera.RefuseNextRenew = false;
                throw new OnvifFault("env:Receiver", "the subscription cannot be renewed", "wsrf-rw:UnableToRenewFault");
            case "Renew":
                camera.TerminatesAt = now + Life(request.Element(Wsnt + "TerminationTime")?.Value);
                Interlocked.Increment(ref camera._renewals);
                return new XElement(Wsnt + "RenewResponse", new XElement(Wsnt + "TerminationTime", Time(camera.TerminatesAt)), new XElement(Wsnt + "CurrentTime", Time(now)));
            case "Unsubscribe":
                camera.EndSubscription();
                Interlocked.Increment(ref camera._unsubscribes);
                return new XElement(Wsnt + "UnsubscribeResponse");
            default:
                throw OnvifFault.NotSupported(request.Name.LocalName);
        }
    }

    private static async Task<XElement?> PullAsync(HttpListenerContext http, SimOnvifCamera camera, XElement request, CancellationToken ct)
    {
        if (camera.FaultNextPull)
        {
            camera.FaultNextPull = false;
            throw new OnvifFault("env:Receiver", "the subscription was lost", "ter:Action");
        }

        if (camera.GarbageNextPull)
        {
            camera.GarbageNextPull = false;
            http.Response.ContentType = ContentType;
            await http.Response.OutputStream.WriteAsync("<s:Envelope><<not xml"u8.ToArray(), ct).ConfigureAwait(false);
            return null;
        }

        TimeSpan timeout;
        try
        {
            timeout = XmlConvert.ToTimeSpan(request.Element(Tev + "Timeout")?.Value ?? "PT10S");
        }
        catch (FormatException)
        {
            throw OnvifFault.InvalidArg("Timeout is not a duration", "ter:InvalidTimeout");
        }

        var limit = int.TryParse(request.Element(Tev + "MessageLimit")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 10;
        var messages = await TakeAsync(camera, timeout < TimeSpan.FromMinutes(1) ? timeout : TimeSpan.FromMinutes(1), limit, ct).ConfigureAwait(false);
        if (messages.Count == 0 && camera.Silent)
        {
            // Unplugged while the pull waited: its answer never comes.
            while (camera.Silent && !ct.IsCancellationRequested)
            {
                await Task.Delay(200, ct).ConfigureAwait(false);
            }

            return null;
        }

        return new XElement(Tev + "PullMessagesResponse",
            new XElement(Tev + "CurrentTime", Time(camera.Now)),
            new XElement(Tev + "TerminationTime", Time(camera.TerminatesAt)),
            messages);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a first message, then takes what else is waiting, up to <paramref name="limit"/>.</summary>
    private static async Task<List<XElement>> TakeAsync(SimOnvifCamera camera, TimeSpan timeout, int limit, CancellationToken ct)
    {
        var taken = new List<XElement>();
        var events = camera.Events;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            if (await events.WaitToReadAsync(wait.Token).ConfigureAwait(false))
            {
                while (taken.Count < limit && events.TryRead(out var message))
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
}
