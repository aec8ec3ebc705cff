using System.Text.Json;
using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Station.Configuration;

namespace Edge.Station.Ingest;

/// <summary>
/// Reads a message from the broker into what it is (<see cref="Inbound"/>), or quarantines it with the reason: a
/// payload that does not decode, names another gateway than its topic, has an unknown category, a clock far from the
/// desk's, a picture that is not a JPEG or too large, a gateway not in the district's list. Never throws.
/// </summary>
public sealed partial class MessageSorter(DeskOptions options)
{
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]+\\.[a-z0-9-]{1,48}$")]
    private static partial System.Text.RegularExpressions.Regex TypePattern();

    private readonly DeskOptions _options = options;

    /// <summary>What the message is, or null for one the desk ignores on purpose (its own commands).</summary>
    public Inbound? Sort(string topic, byte[] payload, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            return SortOrThrow(topic, payload, now);
        }
        catch (JsonException ex)
        {
            return new Quarantined(topic, "not a payload of the contract: " + ex.Message, payload, now);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            return new Quarantined(topic, ex.Message, payload, now);
        }
    }

    private Inbound? SortOrThrow(string topic, byte[] payload, DateTimeOffset now)
    {
        var s = topic.Split('/');
        if (s.Length >= 6 && s[0] == "edge" && s[1] == "v1" && s[4] == "commands")
        {
            // The desk's own commands (and anyone else's): the gateway answers them on results.
            return null;
        }

        if (s.Length == 5 && s[0] == "edge" && s[1] == "v1" && s[4] == "results")
        {
            var result = Payloads.DecodeResult(payload);
            return Same(topic, s[2], s[3], result.Community, result.Gateway, payload, now) ?? Known(topic, payload, now, new InboundResult(result));
        }

        if (!Topic.TryParse(topic, out var parts))
        {
            return new Quarantined(topic, "not a topic of the v1 contract", payload, now);
        }

        switch (parts.Kind)
        {
            case TopicKind.Event:
                var e = Payloads.DecodeEvent(payload);
                if (e.Type is null || e.Device?.Id is null || e.Community is null || e.Gateway is null)
                {
                    return new Quarantined(topic, "not a payload of the contract: type, device, community or gateway missing", payload, now);
                }

                return Same(topic, parts.Community, parts.Gateway, e.Community, e.Gateway, payload, now)
                       ?? CheckEvent(topic, parts, e, payload, now)
                       ?? Known(topic, payload, now, new InboundEvent(e, payload, now));
            case TopicKind.Status:
                var status = Payloads.DecodeStatus(payload);
                return Same(topic, parts.Community, parts.Gateway, status.Community, status.Gateway, payload, now)
                       ?? Known(topic, payload, now, new InboundStatus(status, now));
            case TopicKind.Heartbeat:
                var heartbeat = Payloads.DecodeHeartbeat(payload);
                return Same(topic, parts.Community, parts.Gateway, heartbeat.Community, heartbeat.Gateway, payload, now)
                       ?? Known(topic, payload, now, new InboundHeartbeat(heartbeat, now));
            case TopicKind.Media:
                return CheckPicture(topic, payload, now)
                       ?? Known(topic, payload, now, new InboundPicture(parts.Community, parts.Gateway, Guid.ParseExact(parts.EventId!, "D"), payload, now));
            default:
                return new Quarantined(topic, "not a topic of the v1 contract", payload, now);
        }
    }

    private Inbound Known(string topic, byte[] payload, DateTimeOffset now, Inbound inbound) =>
        _options.Gateways is { } roster && !roster.Contains(inbound.Community + "/" + inbound.Gateway)
            ? new Quarantined(topic, $"gateway {inbound.Community}/{inbound.Gateway} is not in the district's list (Desk:Gateways)", payload, now)
            : inbound;

    private static Quarantined? Same(string topic, string topicCommunity, string topicGateway, string community, string gateway, byte[] payload, DateTimeOffset now) =>
        community == topicCommunity && gateway == topicGateway
            ? null
            : new Quarantined(topic, $"the payload names {community}/{gateway}, the topic {topicCommunity}/{topicGateway}", payload, now);

    private Quarantined? CheckEvent(string topic, TopicParts parts, EdgeEvent e, byte[] payload, DateTimeOffset now)
    {
        string? problem = null;
        if (!TypePattern().IsMatch(e.Type))
        {
            problem = $"type '{e.Type}' is not category.name (lower-case letters, digits, '-')";
        }
        else if (EventCategory.Of(e.Type) != parts.Category)
        {
            problem = $"type '{e.Type}' is not of the topic's category '{parts.Category}'";
        }
        else if (e.Device is null || e.Device.Id != parts.Device)
        {
            problem = $"the payload's device is not the topic's '{parts.Device}'";
        }
        else if (e.Id == Guid.Empty || e.Seq < 1)
        {
            problem = "no id or no seq";
        }
        else if (!Enum.IsDefined(e.Priority))
        {
            problem = "unknown priority";
        }
        else if (e.ObservedAt > now + _options.MaxClockAhead || e.OccurredAt > now + _options.MaxClockAhead)
        {
            problem = $"its time ({e.OccurredAt:O}, taken in {e.ObservedAt:O}) is ahead of the desk's clock ({now:O})";
        }
        else if (e.ObservedAt < now - _options.MaxEventAge)
        {
            problem = $"taken in at {e.ObservedAt:O}, older than {_options.MaxEventAge.TotalDays:0} days";
        }

        return problem is null ? null : new Quarantined(topic, problem, payload, now);
    }

    private Quarantined? CheckPicture(string topic, byte[] payload, DateTimeOffset now)
    {
        if (payload.Length > _options.PictureMaxBytes)
        {
            return new Quarantined(topic, $"picture of {payload.Length} bytes, over Desk:PictureMaxBytes ({_options.PictureMaxBytes})", payload, now);
        }

        // A JPEG starts with SOI (FF D8 FF) and ends with EOI (FF D9).
        return payload is [0xFF, 0xD8, 0xFF, .., 0xFF, 0xD9]
            ? null
            : new Quarantined(topic, "picture is not a JPEG", payload, now);
    }
}
