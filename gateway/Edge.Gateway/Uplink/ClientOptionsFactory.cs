using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Contracts.Tls;
using Edge.Contracts.Topics;
using Edge.Gateway.Configuration;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Builds the MQTT connect options: clean start (the outbox, not the broker session, keeps unacknowledged events),
/// the retained offline last will, credentials, and TLS with a private CA and client certificate when configured.
/// </summary>
internal sealed class ClientOptionsFactory
{
    private readonly GatewayOptions _gateway;
    private readonly UplinkOptions _uplink;
    private readonly X509Certificate2Collection? _ca;
    private readonly ClientCertificate? _clientCertificate;

    /// <param name="clientCertificate">The client certificate to present, when the uplink has one.</param>
    public ClientOptionsFactory(GatewayOptions gateway, UplinkOptions uplink, ClientCertificate? clientCertificate)
    {
        _gateway = gateway;
        _uplink = uplink;
        _clientCertificate = clientCertificate;
        if (uplink.CaFile is { } ca)
        {
            _ca = TlsFiles.LoadCa(ca);
        }
    }

    /// <summary>
    /// The socket's send and receive buffers. MQTTnet sets 8 KiB unless told otherwise, which turns off the kernel's
    /// tuning and keeps the TCP window at a few KiB: a flood of events then waited on the socket (18,700-19,000 events
    /// a second through the uplink; 24,500 with these). The kernel caps them at net.core.[rw]mem_max.
    /// </summary>
    public const int SocketBufferSize = 1024 * 1024;

    public string ClientId => _uplink.ClientId ?? $"edge-{_gateway.Community}-{_gateway.Id}";

    /// <summary>
    /// How long the broker keeps a gateway's session (its commands subscription and the commands queued for it) while
    /// it is away: twice the longest life of a command, so none that could still be applied is lost to a short
    /// absence, and none older is kept (MQTT 5; with 3.1.1 the broker keeps the session, and the verifier refuses stale
    /// commands as expired).
    /// </summary>
    public static readonly TimeSpan CommandSessionExpiry = TimeSpan.FromSeconds(120);

    /// <param name="commands">True when the gateway takes commands: it then keeps its session across connections, so
    /// commands sent while it is away wait for it (within their message expiry).</param>
    /// <param name="endpoint">The broker node to connect to (one of <see cref="UplinkOptions.Endpoints"/>).</param>
    public MqttClientOptions Create(Uri endpoint, DateTimeOffset startedAt, DateTimeOffset now, bool commands = false)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var will = new GatewayStatus(GatewayState.Offline, _gateway.Community, _gateway.Id, GatewayVersion.Text, startedAt, now, "connection-lost");
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, UplinkOptions.Port(endpoint))
            .WithClientId(ClientId)
            .WithProtocolVersion(_uplink.MqttVersion)
            .WithCleanStart(!commands)
            .WithKeepAlivePeriod(_uplink.KeepAlive)
            .WithTimeout(_uplink.ConnectTimeout)
            .WithWillTopic(Topic.Status(_gateway.Community, _gateway.Id))
            .WithWillPayload(Payloads.Encode(will))
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            // A packet is written to the socket in one piece: MQTTnet otherwise writes a PUBLISH's header and its payload
            // in two system calls.
            .WithoutPacketFragmentation();
        if (_uplink.MqttVersion == MQTTnet.Formatter.MqttProtocolVersion.V500)
        {
            // The will is a status like any other: the same content type and payload format.
            builder.WithWillContentType(MessageFactory.JsonContentType).WithWillPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData);
            if (commands)
            {
                builder.WithSessionExpiryInterval((uint)CommandSessionExpiry.TotalSeconds);
            }
        }

        if (_uplink.Username is { } user)
        {
            builder.WithCredentials(user, _uplink.Password);
        }

        if (_uplink.UseTls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls()
                    .WithTargetHost(endpoint.Host)
                    .WithCertificateValidationHandler(args => Validate(args.Certificate, args.Chain, args.SslPolicyErrors));
                if (_clientCertificate is not null)
                {
                    // Asked for at every connect: a certificate renewed on disk is presented from the next connection on.
                    tls.WithClientCertificates([_clientCertificate.Current]);
                }
            });
        }

        var options = builder.Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = SocketBufferSize;
        return options;
    }

    /// <summary>Trusts the configured CA only (or the system store without one); the host name must match.</summary>
    private bool Validate(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors) =>
        TlsFiles.ValidateBroker(_ca, certificate, presented, errors);
}
