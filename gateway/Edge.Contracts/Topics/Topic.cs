using Edge.Contracts.Events;

namespace Edge.Contracts.Topics;

/// <summary>
/// The v1 topic tree. Everything a gateway publishes is under <c>edge/v1/{community}/{gateway}/</c>, so a broker ACL
/// pattern confines a gateway to its own subtree. See docs/mqtt-api.md.
/// </summary>
public static class Topic
{
    /// <summary>The contract's root and version.</summary>
    public const string Root = "edge/v1";

    /// <summary>Every alarm of the district, for the station.</summary>
    public const string AllAlarms = Root + "/+/+/events/alarm/#";

    /// <summary>Every event of the district.</summary>
    public const string AllEvents = Root + "/+/+/events/#";

    /// <summary>Every gateway's status.</summary>
    public const string AllStatus = Root + "/+/+/status";

    /// <summary>Every gateway's heartbeat.</summary>
    public const string AllHeartbeats = Root + "/+/+/heartbeat";

    /// <summary>Every snapshot of the district.</summary>
    public const string AllMedia = Root + "/+/+/media/+";

    /// <summary>Everything of the contract.</summary>
    public const string All = Root + "/#";

    /// <summary><c>edge/v1/{community}/{gateway}</c>.</summary>
    public static string GatewayRoot(string community, string gateway) =>
        $"{Root}/{TopicSegment.Require(community, nameof(community))}/{TopicSegment.Require(gateway, nameof(gateway))}";

    /// <summary><c>edge/v1/{community}/{gateway}/events/{category}/{device}</c>.</summary>
    public static string Event(string community, string gateway, string category, string device) =>
        $"{GatewayRoot(community, gateway)}/events/{category}/{TopicSegment.Require(device, nameof(device))}";

    /// <summary>The topic an event is published on.</summary>
    public static string Event(EdgeEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Event(e.Community, e.Gateway, e.Category, e.Device.Id);
    }

    /// <summary><c>edge/v1/{community}/{gateway}/status</c> (retained).</summary>
    public static string Status(string community, string gateway) => $"{GatewayRoot(community, gateway)}/status";

    /// <summary><c>edge/v1/{community}/{gateway}/heartbeat</c>.</summary>
    public static string Heartbeat(string community, string gateway) => $"{GatewayRoot(community, gateway)}/heartbeat";

    /// <summary>
    /// <c>edge/v1/{community}/{gateway}/media/{eventId}</c>: a snapshot (JPEG) taken for the event with that id, by one of
    /// the cameras its <c>data.snapshots</c> lists.
    /// </summary>
    public static string Media(string community, string gateway, Guid eventId) =>
        $"{GatewayRoot(community, gateway)}/media/{eventId:D}";

    /// <summary>A command of <paramref name="type"/> to one gateway (only the station's desk may publish it).</summary>
    public static string Command(string community, string gateway, string type) => $"{GatewayRoot(community, gateway)}/commands/{type}";

    /// <summary>
    /// What a gateway subscribes to: every command to it. <c>#</c> rather than <c>+</c>: a broker that bridges MQTT to
    /// AMQP (RabbitMQ) turns the dot of a type such as <c>alarm.acknowledge</c> into a level of its own.
    /// </summary>
    public static string Commands(string community, string gateway) => $"{GatewayRoot(community, gateway)}/commands/#";

    /// <summary>
    /// The command type a command's topic names: what follows <c>commands/</c>, with levels joined by dots again
    /// (<c>commands/alarm/acknowledge</c> from RabbitMQ is <c>alarm.acknowledge</c>, as sent).
    /// </summary>
    public static string CommandType(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        // edge/v1/{community}/{gateway}/commands/...: by position, as a community or gateway may be named "commands".
        var levels = topic.Split('/');
        return levels.Length > 5 && levels[4] == "commands" ? string.Join('.', levels[5..]) : "";
    }

    /// <summary>A gateway's answers to commands (QoS 1, not retained).</summary>
    public static string Results(string community, string gateway) => $"{GatewayRoot(community, gateway)}/results";

    /// <summary>Splits a topic of the contract into its parts; false when the topic is not of the v1 tree.</summary>
    public static bool TryParse(string topic, out TopicParts parts)
    {
        ArgumentNullException.ThrowIfNull(topic);
        parts = default;
        var s = topic.Split('/');
        if (s.Length < 5 || s[0] != "edge" || s[1] != "v1" || !TopicSegment.IsValid(s[2]) || !TopicSegment.IsValid(s[3]))
        {
            return false;
        }

        switch (s[4])
        {
            case "status" when s.Length == 5:
                parts = new TopicParts(s[2], s[3], TopicKind.Status, null, null);
                return true;
            case "heartbeat" when s.Length == 5:
                parts = new TopicParts(s[2], s[3], TopicKind.Heartbeat, null, null);
                return true;
            case "media" when s.Length == 6 && Guid.TryParseExact(s[5], "D", out _):
                parts = new TopicParts(s[2], s[3], TopicKind.Media, null, null, s[5]);
                return true;
            case "events" when s.Length == 7 && EventCategory.All.Contains(s[5]) && TopicSegment.IsValid(s[6]):
                parts = new TopicParts(s[2], s[3], TopicKind.Event, s[5], s[6]);
                return true;
            default:
                return false;
        }
    }
}
