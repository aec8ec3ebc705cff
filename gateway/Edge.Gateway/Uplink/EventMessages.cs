using System.Globalization;
using System.Text;
using Edge.Contracts.Events;
using Edge.Contracts.Topics;
using Edge.Gateway.Outbox;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Gateway.Uplink;

/// <summary>Makes the MQTT message for an outbox record: QoS 1, JSON, user properties mirroring id, type, priority and seq.</summary>
internal static class EventMessages
{
    public const string JsonContentType = "application/json";

    public static MqttApplicationMessage Create(OutboxRecord record, DateTimeOffset now)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(record.Topic)
            .WithPayload(record.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType(JsonContentType)
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithUserProperty(UserProperties.Id, Utf8(record.Id.ToString()))
            .WithUserProperty(UserProperties.Type, Utf8(record.Type))
            .WithUserProperty(UserProperties.Priority, Utf8(record.Priority.ToWire()))
            .WithUserProperty(UserProperties.Seq, Utf8(record.Seq.ToString(CultureInfo.InvariantCulture)));
        if (record.ExpiresAt is { } expires)
        {
            // The broker may drop it once stale; what is left of its life, at least one second.
            builder.WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling((expires - now).TotalSeconds)));
        }

        return builder.Build();
    }

    private static ReadOnlyMemory<byte> Utf8(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>True when a record went stale before it could be sent.</summary>
    public static bool IsExpired(OutboxRecord record, DateTimeOffset now) => record.ExpiresAt is { } e && e <= now;
}
