using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Makes the uplink client's connection as MQTTnet's own factory does (<see cref="MqttClientAdapterFactory"/>: a TCP
/// channel, TLS when configured, the options' packet writer), under an <see cref="UplinkChannel"/>. One factory per
/// client: <see cref="Channel"/> is the connection it made last, for the session to gather its batches' writes.
/// </summary>
internal sealed class UplinkAdapterFactory : IMqttClientAdapterFactory
{
    /// <summary>The channel of the client's last connect, or null before it.</summary>
    public UplinkChannel? Channel { get; private set; }

    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            throw new NotSupportedException($"the uplink connects over TCP, not {options.ChannelOptions?.GetType().Name}");
        }

        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        Channel = new UplinkChannel(new MqttTcpChannel(options));
        return new MqttChannelAdapter(Channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}
