using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Edge.Contracts.Commands;
using Edge.Contracts.Tls;
using Edge.Contracts.Topics;
using Edge.Station.Configuration;
using Edge.Station.Live;
using Edge.Station.Store;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Station.Ingest;

/// <summary>
/// The desk on an MQTT 5 broker (Mosquitto): one client with a persistent session (clean start off, a session
/// expiry), subscribed to <c>edge/v1/#</c> (or <c>$share/{group}/edge/v1/#</c>). The receive handler only copies the
/// message into the storing loop's queue, so the client's reading never waits for the disk; a message is acknowledged
/// (PUBACK) once stored, and the broker sends at most its own in-flight bound unacknowledged at once (Mosquitto's
/// <c>max_inflight_messages</c>), which is the desk's flow control. Commands go out with the same client.
/// </summary>
public sealed partial class MqttDeskIngest : DeskIngest
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private int _next;

    public MqttDeskIngest(DeskOptions options, DeskStore store, DeskNews news, TimeProvider time, ILogger<MqttDeskIngest> log)
        : base(options, store, news, time, log)
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            // Copied here: the payload's buffer belongs to the client once the handler returns.
            e.AutoAcknowledge = false;
            Receive(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), e);
            return Task.CompletedTask;
        };
    }

    public override bool Connected => _client.IsConnected;

    protected override async Task ConnectAsync(CancellationToken ct)
    {
        // With several brokers (Desk:Brokers), each attempt tries the next.
        var broker = Options.Endpoints[_next++ % Options.Endpoints.Count];
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await _client.ConnectAsync(ClientOptions(broker), attempt.Token).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the desk: {result.ResultCode} {result.ReasonString}");
        }

        var filter = Options.SharedGroup is { } group ? $"$share/{group}/{Topic.All}" : Topic.All;
        var subscribed = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), attempt.Token).ConfigureAwait(false);
        var code = subscribed.Items.First().ResultCode;
        if (code > MqttClientSubscribeResultCode.GrantedQoS2)
        {
            await _client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            throw new InvalidOperationException($"the broker refused the subscription to {filter}: {code}");
        }

        Node = Shown(broker);
        LogConnected(Log, Node, filter, result.IsSessionPresent);
    }

    private MqttClientOptions ClientOptions(Uri broker)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId(Options.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(uint.MaxValue, Options.SessionExpiry.TotalSeconds))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (broker.Scheme == "mqtts")
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(Options.CaFile!);
            builder.WithTlsOptions(tls => tls.UseTls().WithTargetHost(broker.Host)
                .WithTrustChain([ca]).WithClientCertificates([TlsFiles.LoadClient(Options.CertFile!, Options.KeyFile!)]));
        }

        var options = builder.Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = SocketBufferSize;
        return options;
    }

    /// <summary>
    /// Acknowledges a stored batch all at once: the client then writes the PUBACKs back to back. One after the other,
    /// each waiting for its write, they went out at about 100 a second through Mosquitto, which then stopped sending
    /// once its in-flight window was full of messages the desk had long stored.
    /// </summary>
    protected override async Task AcknowledgeAsync(IReadOnlyList<Received> batch)
    {
        var acks = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            acks[i] = AcknowledgeOneAsync((MqttApplicationMessageReceivedEventArgs)batch[i].Delivery);
        }

        await Task.WhenAll(acks).ConfigureAwait(false);
    }

    private static async Task AcknowledgeOneAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            await e.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection it came on is gone: the broker sends it again, and the store drops it by id.
        }
    }

    /// <summary>MQTT has no "not taken": the desk leaves, and the broker sends what has no PUBACK on the next connection.</summary>
    protected override async Task RefuseAsync(IReadOnlyList<Received> batch)
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>QoS 1, living <see cref="Commands.CommandSender.Life"/> (message expiry), with the results topic as response topic.</summary>
    protected override async Task PublishCommandAsync(StationCommand command, string topic, byte[] jws, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!_client.IsConnected)
        {
            throw new InvalidOperationException("the desk is not connected to the station broker");
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(jws)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType(CommandJws.MediaType)
            .WithMessageExpiryInterval((uint)Commands.CommandSender.Life.TotalSeconds)
            .WithResponseTopic(Topic.Results(command.Community, command.Gateway))
            .WithCorrelationData(command.Id.ToByteArray())
            .Build();
        var result = await _client.PublishAsync(message, ct).ConfigureAwait(false);
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new InvalidOperationException($"the broker refused the command: {result.ReasonCode} {result.ReasonString}");
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Desk connected to {Broker}, subscribed to {Filter} (session kept: {SessionPresent})")]
    private static partial void LogConnected(ILogger log, string broker, string filter, bool sessionPresent);
}
