using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Edge.Contracts.Events;
using static Edge.Gateway.Cameras.Onvif.OnvifSoap;

namespace Edge.Gateway.Cameras.Onvif;

/// <summary>One notification of a PullMessagesResponse: its topic (without the namespace prefix), operation and data items.</summary>
public sealed record OnvifNotification(string Topic, string? Operation, IReadOnlyDictionary<string, string> Data);

/// <summary>What a PullMessagesResponse says: the device's clock, when the subscription ends, and the notifications.</summary>
public sealed record OnvifPull(DateTimeOffset? CurrentTime, DateTimeOffset? TerminationTime, IReadOnlyList<OnvifNotification> Notifications);

/// <summary>
/// Reads ONVIF event messages (the ONVIF Core Specification's <c>tt:Message</c> in <c>wsnt:NotificationMessage</c>)
/// and maps their topics to camera conditions.
/// </summary>
public static class OnvifEvents
{
    /// <summary>The topics the gateway subscribes to (a ConcreteSet expression), and nothing else.</summary>
    public const string TopicFilter = "tns1:VideoSource//.|tns1:RuleEngine//.";

    public const string TopicDialect = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet";

    /// <summary>Reads a PullMessagesResponse body.</summary>
    public static OnvifPull ReadPull(XElement response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Name != Tev + "PullMessagesResponse")
        {
            throw new XmlException($"expected PullMessagesResponse, got {response.Name.LocalName}");
        }

        var notifications = new List<OnvifNotification>();
        foreach (var n in response.Elements(Wsnt + "NotificationMessage"))
        {
            var topic = n.Element(Wsnt + "Topic")?.Value.Trim();
            var message = n.Element(Wsnt + "Message")?.Element(Tt + "Message");
            if (string.IsNullOrEmpty(topic) || message is null)
            {
                continue;
            }

            var data = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in message.Element(Tt + "Data")?.Elements(Tt + "SimpleItem") ?? [])
            {
                if (item.Attribute("Name")?.Value is { } name && item.Attribute("Value")?.Value is { } value)
                {
                    data[name] = value;
                }
            }

            notifications.Add(new OnvifNotification(WithoutPrefix(topic), message.Attribute("PropertyOperation")?.Value, data));
        }

        return new OnvifPull(Time(response.Element(Tev + "CurrentTime")), Time(response.Element(Tev + "TerminationTime")), notifications);
    }

    /// <summary>
    /// The camera condition a notification reports, or null for a topic that is not one (or data it cannot read):
    /// motion (<c>VideoSource/MotionAlarm</c>, <c>RuleEngine/CellMotionDetector/Motion</c>), tamper
    /// (<c>RuleEngine/TamperDetector/Tamper</c>, the image problems <c>VideoSource/GlobalSceneChange</c>,
    /// <c>ImageTooBlurry</c>, <c>ImageTooDark</c>, <c>ImageTooBright</c>), video loss (<c>VideoSource/SignalLoss</c>),
    /// intrusion (<c>RuleEngine/FieldDetector/ObjectsInside</c>) and line crossing (<c>RuleEngine/LineDetector/Crossed</c>, a pulse).
    /// A property's <c>Initialized</c> message (the first a subscription gets, and after SetSynchronizationPoint) is its
    /// state then and is taken like a change: a condition the gateway held that has ended meanwhile is restored, one
    /// already held is not raised twice. <c>Deleted</c> ends the condition.
    /// </summary>
    public static CameraSignal? Signal(OnvifNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var topic = notification.Topic;
        string? type = topic switch
        {
            _ when topic.StartsWith("VideoSource/MotionAlarm", StringComparison.Ordinal) => EventTypes.CameraMotion,
            _ when topic.StartsWith("RuleEngine/CellMotionDetector/Motion", StringComparison.Ordinal) => EventTypes.CameraMotion,
            _ when topic.StartsWith("RuleEngine/TamperDetector/Tamper", StringComparison.Ordinal) => EventTypes.CameraTamper,
            _ when topic.StartsWith("VideoSource/GlobalSceneChange", StringComparison.Ordinal)
                || topic.StartsWith("VideoSource/ImageTooBlurry", StringComparison.Ordinal)
                || topic.StartsWith("VideoSource/ImageTooDark", StringComparison.Ordinal)
                || topic.StartsWith("VideoSource/ImageTooBright", StringComparison.Ordinal) => EventTypes.CameraTamper,
            _ when topic.StartsWith("VideoSource/SignalLoss", StringComparison.Ordinal) => EventTypes.CameraVideoLoss,
            _ when topic.StartsWith("RuleEngine/FieldDetector/ObjectsInside", StringComparison.Ordinal) => EventTypes.CameraIntrusion,
            _ when topic.StartsWith("RuleEngine/LineDetector/Crossed", StringComparison.Ordinal) => EventTypes.CameraLineCrossing,
            _ => null,
        };
        if (type is null)
        {
            return null;
        }

        if (type == EventTypes.CameraLineCrossing)
        {
            return new CameraSignal(type, true);
        }

        if (notification.Operation == "Deleted")
        {
            // The property is gone (a rule removed): whatever it held has ended.
            return new CameraSignal(type, false);
        }

        foreach (var name in new[] { "State", "IsMotion", "IsTamper", "IsInside", "Value" })
        {
            if (notification.Data.TryGetValue(name, out var value) && bool.TryParse(value, out var active))
            {
                return new CameraSignal(type, active);
            }
        }

        return null;
    }

    /// <summary>A topic without its namespace prefix: <c>tns1:VideoSource/MotionAlarm</c> is <c>VideoSource/MotionAlarm</c>.</summary>
    private static string WithoutPrefix(string topic)
    {
        var colon = topic.IndexOf(':', StringComparison.Ordinal);
        var slash = topic.IndexOf('/', StringComparison.Ordinal);
        return colon >= 0 && (slash < 0 || colon < slash) ? topic[(colon + 1)..] : topic;
    }

    private static DateTimeOffset? Time(XElement? e) =>
        e is not null && DateTimeOffset.TryParse(e.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
