using System.Security.Cryptography.X509Certificates;
using Edge.Contracts.Commands;
using Edge.Contracts.Tls;
using Edge.Station.Configuration;
using Edge.Station.Live;
using Edge.Station.Store;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Edge.Station.Ingest;

/// <summary>
/// The desk on a RabbitMQ station cluster, natively over AMQP 0-9-1: it consumes from a quorum queue bound to
/// <c>amq.topic</c> for what a desk takes in (events, media, status, heartbeats, results), and acknowledges each
/// stored batch at once (<c>basic.ack</c>, multiple). Desks of one <c>SharedGroup</c> share one queue,
/// <c>edge-desk-{group}</c>, as competing consumers: what one desk took and did not acknowledge goes back to the queue
/// when its channel dies, for another desk; without a group each desk has its own queue, <c>edge-desk-{ClientId}</c>,
/// and takes in everything. The queue is replicated on the cluster's nodes (quorum), so a node's death loses nothing.
/// Commands are published to <c>amq.topic</c> with publisher confirms; the MQTT plugin hands them to the gateways.
/// </summary>
public sealed partial class AmqpDeskIngest : DeskIngest
{
    /// <summary>Messages the broker may hand the desk before it acknowledges: about four batches.</summary>
    public const ushort Prefetch = 2048;
    private static readonly string[] Bindings =
        ["edge.v1.*.*.events.#", "edge.v1.*.*.media.#", "edge.v1.*.*.status", "edge.v1.*.*.heartbeat", "edge.v1.*.*.results"];

    private IConnection? _connection;
    private IChannel? _consume;
    private IChannel? _publish;
    private readonly List<X509Certificate2> _certificates = [];

    public AmqpDeskIngest(DeskOptions options, DeskStore store, DeskNews news, TimeProvider time, ILogger<AmqpDeskIngest> log)
        : base(options, store, news, time, log)
    {
        Queue = "edge-desk-" + (options.SharedGroup ?? options.ClientId);
    }

    /// <summary>The quorum queue the desk consumes from.</summary>
    public string Queue { get; }

    public override bool Connected => _connection?.IsOpen == true && _consume?.IsOpen == true && _publish?.IsOpen == true;

    protected override async Task ConnectAsync(CancellationToken ct)
    {
        await CloseAsync().ConfigureAwait(false);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(10));
        var first = Options.Endpoints[0];
        var factory = new ConnectionFactory
        {
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(15),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ClientProvidedName = Options.ClientId,
        };
        if (Uri.UnescapeDataString(first.UserInfo) is { Length: > 0 } user)
        {
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            factory.UserName = colon < 0 ? user : user[..colon];
            factory.Password = colon < 0 ? "" : user[(colon + 1)..];
        }

        if (Options.Tls)
        {
            // The client certificate is the login (EXTERNAL): its CN is the user, as on the MQTT side.
            factory.AuthMechanisms = [new ExternalMechanismFactory()];
        }

        var endpoints = Options.Endpoints.Select(e => new AmqpTcpEndpoint(e.Host, e.Port, Tls(e))).ToList();
        _connection = await factory.CreateConnectionAsync(endpoints, Options.ClientId, attempt.Token).ConfigureAwait(false);
        _consume = await _connection.CreateChannelAsync(cancellationToken: attempt.Token).ConfigureAwait(false);
        // Unused for SessionExpiry, the queue goes, as an MQTT session does: a retired desk's queue does not fill the disks.
        await _consume.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-expires"] = (long)Options.SessionExpiry.TotalMilliseconds },
            cancellationToken: attempt.Token).ConfigureAwait(false);
        foreach (var binding in Bindings)
        {
            await _consume.QueueBindAsync(Queue, "amq.topic", binding, cancellationToken: attempt.Token).ConfigureAwait(false);
        }

        await _consume.BasicQosAsync(0, Prefetch, false, attempt.Token).ConfigureAwait(false);
        var channel = _consume;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            // Copied here: the body's buffer belongs to the client once the handler returns.
            Receive(e.RoutingKey.Replace('.', '/'), e.Body.ToArray(), new Delivery(channel, e.DeliveryTag));
            return Task.CompletedTask;
        };
        await _consume.BasicConsumeAsync(Queue, autoAck: false, consumer, attempt.Token).ConfigureAwait(false);
        _publish = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            attempt.Token).ConfigureAwait(false);
        Node = $"{first.Scheme}://{_connection.Endpoint.HostName}:{_connection.Endpoint.Port}";
        LogConnected(Log, Node, Queue);
    }

    private SslOption Tls(Uri endpoint)
    {
        if (endpoint.Scheme != "amqps")
        {
            return new SslOption { Enabled = false };
        }

        // Read on each connect (a renewed certificate is taken without a restart); the previous ones go with their connection.
        var ca = TlsFiles.LoadCa(Options.CaFile!);
        var client = TlsFiles.LoadClient(Options.CertFile!, Options.KeyFile!);
        _certificates.AddRange([.. ca, client]);
        return new SslOption
        {
            Enabled = true,
            ServerName = endpoint.Host,
            Certs = [client],
            // The station's own CA, and only it, vouches for the broker, as for the gateways' uplink.
            CertificateValidationCallback = (_, certificate, chain, errors) => TlsFiles.ValidateBroker(ca, certificate, chain, errors),
        };
    }

    /// <summary>One <c>basic.ack</c> per channel, for everything up to the batch's last delivery on it.</summary>
    protected override async Task AcknowledgeAsync(IReadOnlyList<Received> batch)
    {
        foreach (var (channel, last) in Last(batch))
        {
            try
            {
                await channel.BasicAckAsync(last, multiple: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException or IOException)
            {
                // The channel it came on is gone: the queue hands it out again, and the store drops it by id.
            }
        }
    }

    /// <summary>Back to the queue (<c>basic.nack</c>, requeue), for this desk or another.</summary>
    protected override async Task RefuseAsync(IReadOnlyList<Received> batch)
    {
        foreach (var (channel, last) in Last(batch))
        {
            try
            {
                await channel.BasicNackAsync(last, multiple: true, requeue: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException or IOException)
            {
            }
        }
    }

    private static IEnumerable<(IChannel Channel, ulong Last)> Last(IReadOnlyList<Received> batch) =>
        batch.Select(r => (Delivery)r.Delivery).GroupBy(d => d.Channel).Select(g => (g.Key, g.Max(d => d.Tag)));

    /// <summary>
    /// To <c>amq.topic</c> with the MQTT topic's levels as the routing key's words, persistent, expiring with the command,
    /// confirmed by the broker before this returns.
    /// </summary>
    protected override async Task PublishCommandAsync(StationCommand command, string topic, byte[] jws, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(topic);
        var channel = _publish;
        if (channel is not { IsOpen: true } || !Connected)
        {
            throw new InvalidOperationException("the desk is not connected to the station broker");
        }

        var properties = new BasicProperties
        {
            ContentType = CommandJws.MediaType,
            DeliveryMode = DeliveryModes.Persistent,
            Expiration = ((long)Commands.CommandSender.Life.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            MessageId = command.Id.ToString("D"),
        };
        try
        {
            await channel.BasicPublishAsync("amq.topic", topic.Replace('/', '.'), mandatory: false, properties, jws, ct).ConfigureAwait(false);
        }
        catch (RabbitMQ.Client.Exceptions.PublishException ex)
        {
            throw new InvalidOperationException($"the broker refused the command: {ex.Message}", ex);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex)
        {
            throw new InvalidOperationException($"the link to the station broker closed: {ex.Message}", ex);
        }
    }

    private async Task CloseAsync()
    {
        foreach (var channel in new[] { _consume, _publish })
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        (_consume, _publish, _connection) = (null, null, null);
        foreach (var c in _certificates)
        {
            c.Dispose();
        }

        _certificates.Clear();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await CloseAsync().ConfigureAwait(false);
    }

    private sealed record Delivery(IChannel Channel, ulong Tag);

    [LoggerMessage(Level = LogLevel.Information, Message = "Desk connected to {Broker} over AMQP, consuming from {Queue}")]
    private static partial void LogConnected(ILogger log, string broker, string queue);
}
