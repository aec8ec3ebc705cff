using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Gateway.Configuration;
using Edge.Gateway.Uplink;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Tests.Uplink;

/// <summary>What the gateway asks of the broker when it connects: its last will above all.</summary>
public sealed class ClientOptionsTests
{
    private static readonly DateTimeOffset Started = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly Uri Broker = new(UplinkOptions.DefaultBroker);

    [Fact]
    public void The_last_will_is_a_retained_offline_status_with_the_content_type_of_every_other_status()
    {
        var options = new ClientOptionsFactory(new GatewayOptions { Community = "c001", Id = "gw1" }, new UplinkOptions(), null).Create(Broker, Started, Started.AddSeconds(5));

        Assert.Equal(MqttProtocolVersion.V500, options.ProtocolVersion);
        Assert.Equal(("edge/v1/c001/gw1/status", true, MqttQualityOfServiceLevel.AtLeastOnce), (options.WillTopic, options.WillRetain, options.WillQualityOfServiceLevel));
        Assert.Equal(("application/json", MqttPayloadFormatIndicator.CharacterData), (options.WillContentType, options.WillPayloadFormatIndicator));
        var will = Payloads.DecodeStatus(options.WillPayload);
        Assert.Equal((GatewayState.Offline, "connection-lost", "c001", "gw1"), (will.State, will.Reason, will.Community, will.Gateway));
    }

    [Fact]
    public void Packets_are_written_whole_through_large_socket_buffers()
    {
        var options = new ClientOptionsFactory(new GatewayOptions { Community = "c001", Id = "gw1" }, new UplinkOptions(), null).Create(Broker, Started, Started);

        Assert.False(options.AllowPacketFragmentation);
        Assert.Equal(ClientOptionsFactory.SocketBufferSize, ((MQTTnet.MqttClientTcpOptions)options.ChannelOptions).BufferSize);
    }

    [Fact]
    public void On_mqtt_3_1_1_the_will_has_the_same_payload_and_no_v5_properties()
    {
        var options = new ClientOptionsFactory(new GatewayOptions { Community = "c001", Id = "gw1" }, new UplinkOptions { ProtocolVersion = "3.1.1" }, null).Create(Broker, Started, Started);

        Assert.Equal(MqttProtocolVersion.V311, options.ProtocolVersion);
        Assert.Null(options.WillContentType);
        Assert.Equal(MqttPayloadFormatIndicator.Unspecified, options.WillPayloadFormatIndicator);
        Assert.Equal(GatewayState.Offline, Payloads.DecodeStatus(options.WillPayload).State);
    }

    [Fact]
    public void A_gateway_that_takes_commands_keeps_its_session_for_twice_a_commands_longest_life()
    {
        var factory = new ClientOptionsFactory(new GatewayOptions { Community = "c001", Id = "gw1" }, new UplinkOptions(), null);

        var commands = factory.Create(Broker, Started, Started, commands: true);
        var none = factory.Create(Broker, Started, Started);

        Assert.Equal((false, 120u), (commands.CleanSession, commands.SessionExpiryInterval));
        Assert.Equal((true, 0u), (none.CleanSession, none.SessionExpiryInterval));
        Assert.Equal(2 * Edge.Contracts.Commands.CommandTypes.MaxLifetime(Edge.Contracts.Commands.CommandTypes.AlarmAcknowledge), ClientOptionsFactory.CommandSessionExpiry);
    }
}
