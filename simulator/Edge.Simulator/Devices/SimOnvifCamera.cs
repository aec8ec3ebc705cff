using System.Globalization;
using System.Threading.Channels;
using System.Xml.Linq;
using Edge.Contracts.Events;
using Edge.Gateway.Cameras.Onvif;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Simulator.Devices;

/// <summary>One event topic of the simulated camera: its ONVIF name, its data item, and whether it is a property (a state).</summary>
/// <param name="Type">The contract's camera event type it reports.</param>
/// <param name="Source">The name of its source item: the video source configuration for rules, the video source otherwise.</param>
public sealed record OnvifTopic(string Type, string Topic, string Item, bool IsProperty, string Source);

/// <summary>
/// One simulated ONVIF camera (Profile S/T), as clients use it (see <see cref="OnvifEndpoints"/> for the calls it
/// answers). It has a clock of its own (<see cref="ClockOffset"/>: real cameras drift), refuses a WS-Security token
/// created outside <see cref="TokenWindow"/> of its clock or whose nonce it has seen, and keeps the state of each of its
/// properties (motion, tamper, signal loss, objects inside): a new PullPoint subscription first gets an
/// <c>Initialized</c> message for each, then <c>Changed</c> messages for what changes after it. What happens while no
/// subscription is live is not kept for a later one, as on a real camera.
/// </summary>
public sealed class SimOnvifCamera(string id, string user, string password) : SimHttpDevice(user, password)
{
    /// <summary>The topics the camera has, in the order its GetEventProperties lists them.</summary>
    public static readonly IReadOnlyList<OnvifTopic> Topics =
    [
        new(EventTypes.CameraMotion, "tns1:RuleEngine/CellMotionDetector/Motion", "IsMotion", true, "VideoSourceConfigurationToken"),
        new(EventTypes.CameraTamper, "tns1:RuleEngine/TamperDetector/Tamper", "IsTamper", true, "VideoSourceConfigurationToken"),
        new(EventTypes.CameraIntrusion, "tns1:RuleEngine/FieldDetector/ObjectsInside", "IsInside", true, "VideoSourceConfigurationToken"),
        new(EventTypes.CameraLineCrossing, "tns1:RuleEngine/LineDetector/Crossed", "ObjectId", false, "VideoSourceConfigurationToken"),
        new(EventTypes.CameraVideoLoss, "tns1:VideoSource/SignalLoss", "State", true, "Source"),
    ];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, bool> _state = Topics.Where(t => t.IsProperty).ToDictionary(t => t.Topic, _ => false);
    private readonly Dictionary<string, DateTime> _nonces = [];
    private Channel<XElement> _events = Channel.CreateUnbounded<XElement>();
    private int _subscription;
    private int _snapshots;
    private long _unheard;

    public string Id { get; } = id;

    /// <summary>How far the camera's clock is from the true time (UTC now): it answers GetSystemDateAndTime with its own.</summary>
    public TimeSpan ClockOffset { get; set; }

    /// <summary>How far a token's creation time may be from the camera's clock (replay protection).</summary>
    public TimeSpan TokenWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An older firmware without GetServices (ONVIF before 2.0): clients fall back to GetCapabilities.</summary>
    public bool LacksGetServices { get; set; }

    /// <summary>
    /// The host and port the camera names in its service, subscription and snapshot addresses, instead of its own (a
    /// misconfigured camera, or one that would have its client's credentials sent elsewhere); null: its own.
    /// </summary>
    public string? AdvertisedAuthority { get; set; }

    /// <summary>The camera's clock.</summary>
    public DateTime Now => DateTime.UtcNow + ClockOffset;

    /// <summary>The next pull is answered with a SOAP fault (a camera that lost the subscription).</summary>
    public bool FaultNextPull { get; set; }

    /// <summary>The next pull is answered with bytes that are not XML.</summary>
    public bool GarbageNextPull { get; set; }

    /// <summary>The next Renew is refused with a SOAP fault (a camera that will not extend the subscription).</summary>
    public bool RefuseNextRenew { get; set; }

    /// <summary>Requests refused for their credentials (a wrong user or digest, a stale token, a replayed nonce).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    internal long _refused;

    /// <summary>Tokens refused because their creation time was outside <see cref="TokenWindow"/> of the camera's clock.</summary>
    public long StaleTokens => Interlocked.Read(ref _staleTokens);

    internal long _staleTokens;

    /// <summary>Changes that happened while no subscription was live: nobody heard them.</summary>
    public long Unheard => Interlocked.Read(ref _unheard);

    /// <summary>Subscriptions created.</summary>
    public int Subscriptions => Volatile.Read(ref _subscription);

    /// <summary>Renewals of the current subscription.</summary>
    public int Renewals => Volatile.Read(ref _renewals);

    internal int _renewals;

    /// <summary>Subscriptions the subscriber ended itself.</summary>
    public int Unsubscribes => Volatile.Read(ref _unsubscribes);

    internal int _unsubscribes;

    /// <summary>When the current subscription ends unless renewed (as the subscriber asked), on the camera's clock.</summary>
    internal DateTime TerminatesAt { get; set; }

    /// <summary>Snapshots served.</summary>
    public int Snapshots => Volatile.Read(ref _snapshots);

    /// <summary>The current subscription's number; pulls on an older one get a fault.</summary>
    internal int Current => Volatile.Read(ref _subscription);

    /// <summary>The current subscription's messages.</summary>
    internal ChannelReader<XElement> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.Reader;
            }
        }
    }

    /// <summary>A new subscription, living <paramref name="life"/>: it starts with the state of every property (Initialized).</summary>
    internal int NewSubscription(TimeSpan life)
    {
        lock (_lock)
        {
            _events = Channel.CreateUnbounded<XElement>();
            TerminatesAt = Now + life;
            Synchronize();
            return Interlocked.Increment(ref _subscription);
        }
    }

    /// <summary>The state of every property, as Initialized messages on the current subscription (also SetSynchronizationPoint).</summary>
    internal void Synchronize()
    {
        lock (_lock)
        {
            foreach (var topic in Topics.Where(t => t.IsProperty))
            {
                _events.Writer.TryWrite(Message(topic, _state[topic.Topic] ? "true" : "false", "Initialized"));
            }
        }
    }

    /// <summary>
    /// True the first time the camera sees <paramref name="nonce"/> within its token window; nonces older than twice
    /// the window are forgotten.
    /// </summary>
    internal bool FreshNonce(string nonce)
    {
        lock (_lock)
        {
            var now = Now;
            foreach (var old in _nonces.Where(n => now - n.Value > TokenWindow * 2).Select(n => n.Key).ToList())
            {
                _nonces.Remove(old);
            }

            return _nonces.TryAdd(nonce, now);
        }
    }

    /// <summary>The camera reports a condition (a contract type) active or ended, under its ONVIF topic.</summary>
    public void Send(string type, bool active)
    {
        var topic = Topics.FirstOrDefault(t => t.Type == type) ?? throw new ArgumentException($"no ONVIF topic for {type}", nameof(type));
        lock (_lock)
        {
            if (topic.IsProperty)
            {
                _state[topic.Topic] = active;
            }

            if (Now > TerminatesAt)
            {
                Interlocked.Increment(ref _unheard);
                return;
            }

            _events.Writer.TryWrite(Message(topic, topic.IsProperty ? active ? "true" : "false" : "1", topic.IsProperty ? "Changed" : null));
        }
    }

    /// <summary>The subscriber ended the subscription: what happens now is heard by nobody.</summary>
    internal void EndSubscription()
    {
        lock (_lock)
        {
            TerminatesAt = DateTime.MinValue;
        }
    }

    private XElement Message(OnvifTopic topic, string value, string? operation)
    {
        var message = new XElement(Tt + "Message", new XAttribute("UtcTime", Now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        if (operation is not null)
        {
            message.Add(new XAttribute("PropertyOperation", operation));
        }

        var source = new XElement(Tt + "Source",
            new XElement(Tt + "SimpleItem", new XAttribute("Name", topic.Source), new XAttribute("Value", topic.Source == "Source" ? OnvifMediaService.VideoSource : OnvifMediaService.VideoSourceConfiguration)));
        if (topic.Source != "Source")
        {
            source.Add(new XElement(Tt + "SimpleItem", new XAttribute("Name", "Rule"), new XAttribute("Value", "Rule1")));
        }

        message.Add(source, new XElement(Tt + "Data", new XElement(Tt + "SimpleItem", new XAttribute("Name", topic.Item), new XAttribute("Value", value))));
        return new XElement(Wsnt + "NotificationMessage",
            new XElement(Wsnt + "Topic", new XAttribute("Dialect", OnvifEvents.TopicDialect), new XAttribute(XNamespace.Xmlns + "tns1", Tns1), topic.Topic),
            new XElement(Wsnt + "Message", message));
    }

    /// <summary>The snapshot the camera takes now, and its content type.</summary>
    public (byte[] Bytes, string ContentType) Snapshot()
    {
        Interlocked.Increment(ref _snapshots);
        return (SnapshotPainter.Draw(Id, DateTimeOffset.UtcNow), "image/jpeg");
    }
}
