using System.Globalization;
using System.Text;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;
using Edge.Gateway.Outbox;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Makes the MQTT messages of the contract: QoS 1 JSON; on MQTT 5 also the content type, the user properties
/// mirroring id, type, priority and seq, and message expiry. MQTT 3.1.1 has none of those, so they are left out there.
/// </summary>
internal sealed class MessageFactory(MqttProtocolVersion version)
{
    public const string JsonContentType = "application/json";

    private bool V5 => version == MqttProtocolVersion.V500;

    public MqttApplicationMessage Event(OutboxRecord record, DateTimeOffset now)
    {
        var builder = Json(record.Topic, record.Payload);
        if (V5)
        {
            builder
                .WithUserProperty(UserProperties.Id, Utf8(record.Id))
                .WithUserProperty(UserProperties.Type, Cached(record.Type))
                .WithUserProperty(UserProperties.Priority, Cached(record.Priority.ToWire()))
                .WithUserProperty(UserProperties.Seq, Utf8(record.Seq));
            if (record.ExpiresAt is { } expires)
            {
                // The broker may drop it once stale: what is left of its life, at least one second.
                builder.WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling((expires - now).TotalSeconds)));
            }
        }

        return builder.Build();
    }

    public MqttApplicationMessage Status(GatewayStatus status) =>
        Json(Topic.Status(status.Community, status.Gateway), Payloads.Encode(status)).WithRetainFlag().Build();

    /// <summary>A command's result (QoS 1, not retained), with the command's correlation data on MQTT 5 when it had some.</summary>
    public MqttApplicationMessage Result(Contracts.Commands.CommandResult result, byte[]? correlation)
    {
        ArgumentNullException.ThrowIfNull(result);
        var builder = Json(Topic.Results(result.Community, result.Gateway), Payloads.Encode(result));
        if (V5 && correlation is { Length: > 0 })
        {
            builder.WithCorrelationData(correlation);
        }

        return builder.Build();
    }

    public MqttApplicationMessage Heartbeat(Heartbeat heartbeat, TimeSpan interval)
    {
        var builder = Json(Topic.Heartbeat(heartbeat.Community, heartbeat.Gateway), Payloads.Encode(heartbeat));
        if (V5)
        {
            // A heartbeat older than two intervals says nothing about the gateway now.
            builder.WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling(interval.TotalSeconds * 2)));
        }

        return builder.Build();
    }

    /// <summary>A snapshot: the JPEG as it is, with the event and camera it belongs to (MQTT 5: content type and user properties).</summary>
    public MqttApplicationMessage Snapshot(string community, string gateway, Cameras.Snapshot snapshot, TimeSpan expireAfter)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(Topic.Media(community, gateway, snapshot.EventId))
            .WithPayload(snapshot.Jpeg)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (V5)
        {
            builder.WithContentType("image/jpeg")
                .WithUserProperty(UserProperties.EventId, Utf8(snapshot.EventId.ToString("D")))
                .WithUserProperty(UserProperties.Camera, Utf8(snapshot.Camera))
                .WithUserProperty(UserProperties.TakenAt, Utf8(snapshot.TakenAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)))
                .WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling(expireAfter.TotalSeconds)));
        }

        return builder.Build();
    }

    /// <summary>True when a record went stale before it could be sent.</summary>
    public static bool IsExpired(OutboxRecord record, DateTimeOffset now) => record.ExpiresAt is { } e && e <= now;

    private MqttApplicationMessageBuilder Json(string topic, byte[] payload)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (V5)
        {
            builder.WithContentType(JsonContentType).WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData);
        }

        return builder;
    }

    private static ReadOnlyMemory<byte> Utf8(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>An id as its 36 UTF-8 characters, written straight into the bytes sent.</summary>
    private static ReadOnlyMemory<byte> Utf8(Guid id)
    {
        var bytes = new byte[36];
        id.TryFormat(bytes, out _);
        return bytes;
    }

    private static ReadOnlyMemory<byte> Utf8(long number)
    {
        Span<byte> digits = stackalloc byte[20];
        number.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        return digits[..length].ToArray();
    }

    /// <summary>
    /// Event types and priority names, encoded once: a gateway sends a few dozen of them, millions of times. Never read
    /// after it is sent, so one array serves every message.
    /// </summary>
    private ReadOnlyMemory<byte> Cached(string value)
    {
        if (!_encoded.TryGetValue(value, out var bytes))
        {
            bytes = Encoding.UTF8.GetBytes(value);
            if (_encoded.Count < 1024)
            {
                _encoded[value] = bytes;
            }
        }

        return bytes;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _encoded = new(StringComparer.Ordinal);
}
