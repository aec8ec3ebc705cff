using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using System.Xml.Linq;
using Edge.Contracts.Events;
using Edge.Gateway.Cameras.Onvif;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Simulator.Devices;

/// <summary>
/// One simulated ONVIF camera (Profile S/T): the device service (GetCapabilities), the event service
/// (CreatePullPointSubscription; PullMessages, Renew and Unsubscribe on the subscription), the media service
/// (GetProfiles, GetSnapshotUri) and its snapshot (HTTP digest, a real JPEG). Every SOAP request must carry a valid
/// WS-Security UsernameToken digest; otherwise the answer is a <c>ter:NotAuthorized</c> fault.
/// </summary>
public sealed class SimOnvifCamera(string id, string user, string password) : SimHttpDevice(user, password)
{
    private readonly Channel<XElement> _events = Channel.CreateUnbounded<XElement>();
    private int _subscription;
    private int _snapshots;

    public string Id { get; } = id;

    /// <summary>The next pull is answered with a SOAP fault (a camera that lost the subscription).</summary>
    public bool FaultNextPull { get; set; }

    /// <summary>The next pull is answered with bytes that are not XML.</summary>
    public bool GarbageNextPull { get; set; }

    /// <summary>The next Renew is refused with a SOAP fault (a camera that will not extend the subscription).</summary>
    public bool RefuseNextRenew { get; set; }

    /// <summary>Requests refused for their credentials.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    internal long _refused;

    /// <summary>Subscriptions created.</summary>
    public int Subscriptions => Volatile.Read(ref _subscription);

    /// <summary>Renewals of the current subscription.</summary>
    public int Renewals => Volatile.Read(ref _renewals);

    internal int _renewals;

    /// <summary>Subscriptions the subscriber ended itself.</summary>
    public int Unsubscribes => Volatile.Read(ref _unsubscribes);

    internal int _unsubscribes;

    /// <summary>When the current subscription ends unless renewed (as the subscriber asked).</summary>
    internal DateTime TerminatesAt { get; set; }

    /// <summary>Snapshots served.</summary>
    public int Snapshots => Volatile.Read(ref _snapshots);

    /// <summary>The current subscription's number; pulls on an older one get a fault.</summary>
    internal int Current => Volatile.Read(ref _subscription);

    internal int NewSubscription() => Interlocked.Increment(ref _subscription);

    internal ChannelReader<XElement> Events => _events.Reader;

    /// <summary>The camera reports a condition (a contract type) active or ended, under its ONVIF topic.</summary>
    public void Send(string type, bool active)
    {
        var (topic, item) = type switch
        {
            EventTypes.CameraMotion => ("tns1:RuleEngine/CellMotionDetector/Motion", "IsMotion"),
            EventTypes.CameraTamper => ("tns1:RuleEngine/TamperDetector/Tamper", "IsTamper"),
            EventTypes.CameraVideoLoss => ("tns1:VideoSource/SignalLoss", "State"),
            EventTypes.CameraIntrusion => ("tns1:RuleEngine/FieldDetector/ObjectsInside", "IsInside"),
            EventTypes.CameraLineCrossing => ("tns1:RuleEngine/LineDetector/Crossed", "ObjectId"),
            _ => throw new ArgumentException($"no ONVIF topic for {type}", nameof(type)),
        };
        var value = item == "ObjectId" ? "1" : active ? "true" : "false";
        _events.Writer.TryWrite(new XElement(Wsnt + "NotificationMessage",
            new XElement(Wsnt + "Topic", new XAttribute("Dialect", OnvifEvents.TopicDialect), new XAttribute(XNamespace.Xmlns + "tns1", Tns1), topic),
            new XElement(Wsnt + "Message",
                new XElement(Tt + "Message", new XAttribute("UtcTime", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                    new XAttribute("PropertyOperation", "Changed"),
                    new XElement(Tt + "Source",
                        new XElement(Tt + "SimpleItem", new XAttribute("Name", "VideoSourceConfigurationToken"), new XAttribute("Value", "VideoSourceToken")),
                        new XElement(Tt + "SimpleItem", new XAttribute("Name", "Rule"), new XAttribute("Value", "Rule1"))),
                    new XElement(Tt + "Data", new XElement(Tt + "SimpleItem", new XAttribute("Name", item), new XAttribute("Value", value)))))));
    }

    /// <summary>The snapshot the camera takes now, and its content type.</summary>
    public (byte[] Bytes, string ContentType) Snapshot()
    {
        Interlocked.Increment(ref _snapshots);
        return (SnapshotPainter.Draw(Id, DateTimeOffset.UtcNow), "image/jpeg");
    }
}
