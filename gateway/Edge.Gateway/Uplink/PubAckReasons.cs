using MQTTnet;

namespace Edge.Gateway.Uplink;

/// <summary>How the uplink treats the broker's PUBACK reason codes (MQTT 5, section 3.4.2.1).</summary>
internal static class PubAckReasons
{
    /// <summary>Success (0x00) and No matching subscribers (0x10) both mean the broker took the message.</summary>
    public static bool IsDelivered(MqttClientPublishReasonCode code) => (int)code < 0x80;

    /// <summary>Refusals that say "not now" rather than "never": the event is retried after a reconnect.</summary>
    public static bool IsTransient(MqttClientPublishReasonCode code) =>
        code is MqttClientPublishReasonCode.QuotaExceeded or MqttClientPublishReasonCode.PacketIdentifierInUse;
}
