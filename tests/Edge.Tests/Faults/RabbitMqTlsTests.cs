using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Tls;
using Edge.Contracts.Topics;
using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using Edge.Simulator.Station;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Edge.Tests.Faults;

/// <summary>
/// The RabbitMQ station cluster configured as for the real hosts (deploy/rabbitmq/rabbitmq.conf: MQTT over TLS only,
/// the client certificate the only login) with the identities' permissions from deploy/rabbitmq/edge-users.sh: a
/// gateway delivers over mutual TLS to the nodes; its certificate publishes nothing under another community's topics;
/// a client without a certificate, or with a certificate the cluster has no user for, does not get in. The police desk
/// consumes over AMQP with TLS, logged in by its certificate, and a gateway's certificate cannot take its queue.
/// </summary>
[Collection(RabbitMqClusters.Name)]
public sealed class RabbitMqTlsTests : IDisposable
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly TempDirectory _dir = new();
    private readonly TestCertificates _certs;
    private readonly int _base = RabbitMqClusters.Base(1);
    private bool _started;

    public RabbitMqTlsTests()
    {
        _certs = new TestCertificates(Directory.CreateDirectory(_dir.Combine("certs")).FullName);
    }

    private int Node(int n) => _base + 40 + n;

    [Fact]
    public async Task Gateways_reach_the_cluster_over_mutual_tls_and_only_under_their_own_topics()
    {
        Assert.SkipWhen(!File.Exists(Server), "rabbitmq-server is not installed (apt-get install rabbitmq-server; .ci/run installs it)");
        // The names the real hosts' configuration reads (/etc/rabbitmq/tls/).
        var tls = Directory.CreateDirectory(_dir.Combine("tls")).FullName;
        var (serverCert, serverKey) = _certs.Server();
        File.Copy(_certs.CaFile, Path.Combine(tls, "edge-ca.crt"));
        File.Copy(serverCert, Path.Combine(tls, "station-broker.crt"));
        File.Copy(serverKey, Path.Combine(tls, "station-broker.key"));
        _started = true;
        await ClusterAsync(tls, "start");
        await UsersAsync(tls, "gateway", "c001", "gw1");
        await UsersAsync(tls, "station-probe");

        // A station identity may use its own sessions only (client ids that begin with its name), not a gateway's.
        using (var thief = await ClientAsync("station-probe", "edge-c001-gw1"))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => thief.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("edge/v1/c001/gw1/commands/#",
                MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build()));
        }

        await using var station = await RecordingSubscriber.ConnectAsync(new Uri($"mqtt://127.0.0.1:{Node(3)}"), Topic.All,
            b => Tls(b, "station-probe").WithProtocolVersion(MqttProtocolVersion.V311).WithClientId("station-probe-test"));
        // With its own client id, the certificate reads its own commands and not another gateway's: the node closes
        // the connection on the refused subscription. (Before the gateway starts: the same client id takes a session over.)
        using (var reader = await ClientAsync("c001/gw1", "edge-c001-gw1"))
        {
            var own = await reader.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("edge/v1/c001/gw1/commands/#",
                MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, own.Items.Single().ResultCode);
            await Assert.ThrowsAnyAsync<Exception>(() => reader.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("edge/v1/c002/gw1/commands/#").Build()));
            await Eventually.True(() => !reader.IsConnected, "the reader disconnected");
        }

        var (cert, key) = _certs.Client("c001/gw1");
        var settings = TestGateway.Settings(UplinkOptions.DefaultBroker, _dir.Combine("gw"));
        settings.Uplink.ProtocolVersion = "3.1.1";
        settings.Uplink.Brokers = [.. Enumerable.Range(1, 3).Select(n => $"mqtts://127.0.0.1:{Node(n)}")];
        settings.Uplink.CaFile = _certs.CaFile;
        settings.Uplink.CertificateFile = cert;
        settings.Uplink.KeyFile = key;
        Assert.Empty(settings.Validate());
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        for (var i = 0; i < 20; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(n: i));
        }

        await Eventually.True(() => Seqs(station, "c001").Count == 21, "the gateway's 21 events at the station over TLS", TimeSpan.FromSeconds(60));
        Assert.Contains(station.Messages, m => m.Topic == "edge/v1/c001/gw1/events/alarm/btn-1");

        // c001's certificate may not speak for c002: the node closes the connection on the refused publish.
        using (var forger = await ClientAsync("c001/gw1", "edge-c001-gw1-forger"))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => forger.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edge/v1/c002/gw1/events/alarm/btn-1")
                .WithPayload("{}"u8.ToArray()).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            await Eventually.True(() => !forger.IsConnected, "the forger disconnected");
        }

        // A later event of the gateway arrives; the forged one never did.
        await gw.SubmitAsync(TestGateway.Draft(n: 99));
        await Eventually.True(() => Seqs(station, "c001").Count == 22, "the gateway's next event");
        Assert.Empty(Seqs(station, "c002"));

        // No certificate: no connection. A certificate of the CA with no user at the cluster: nothing gets through.
        await Assert.ThrowsAnyAsync<Exception>(() => new MqttClientFactory().CreateMqttClient().ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Node(1)).WithProtocolVersion(MqttProtocolVersion.V311).WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(t => t.UseTls().WithCertificateValidationHandler(_ => true)).Build()));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var stranger = await ClientAsync("c009/gw1", "edge-c009-gw1");
            await stranger.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("edge/v1/c009/gw1/events/alarm/btn-1")
                .WithPayload("{}"u8.ToArray()).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        });
        Assert.Empty(Seqs(station, "c009"));

        // The police desk over AMQP with station-app's certificate (EXTERNAL login): its quorum queue takes the next alarm.
        await UsersAsync(tls, "station-app");
        var (appCert, appKey) = _certs.Client("station-app");
        var deskSettings = new Dictionary<string, string?>
        {
            ["Desk:Broker"] = null,
            ["Desk:ClientId"] = "station-app-1",
            ["Desk:CaFile"] = _certs.CaFile,
            ["Desk:CertFile"] = appCert,
            ["Desk:KeyFile"] = appKey,
        };
        for (var n = 1; n <= 3; n++)
        {
            deskSettings[$"Desk:Brokers:{n - 1}"] = $"amqps://127.0.0.1:{_base + 50 + n}";
        }

        await using (var desk = await StationDesk.StartAsync(new Uri("mqtt://unused:1"), 0, _dir.Combine("desk"), NullLoggerFactory.Instance, TimeProvider.System,
            TestContext.Current.CancellationToken, deskSettings))
        {
            await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-2"));
            await Eventually.True(() => desk.Counts().Alarms == 1, "the alarm at the desk over AMQP and TLS", TimeSpan.FromSeconds(30));
        }

        // A gateway's certificate may not take the desks' queue.
        var (gwCert, gwKey) = _certs.Client("c001/gw1");
        var factory = new ConnectionFactory { AuthMechanisms = [new ExternalMechanismFactory()] };
        var endpoint = new AmqpTcpEndpoint("127.0.0.1", _base + 51, new SslOption
        {
            Enabled = true,
            ServerName = "localhost",
            Certs = [TlsFiles.LoadClient(gwCert, gwKey)],
            AcceptablePolicyErrors = System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors,
        });
        await using (var thief = await factory.CreateConnectionAsync([endpoint], "thief"))
        {
            await using var channel = await thief.CreateChannelAsync();
            await Assert.ThrowsAnyAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(() =>
                channel.QueueDeclareAsync("edge-desk-station-app-1", true, false, false, new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }));
        }

        await gw.StopAsync(default);
    }

    private MqttClientOptionsBuilder Tls(MqttClientOptionsBuilder b, string cn)
    {
        var (cert, key) = _certs.Client(cn);
        return b.WithTlsOptions(t => t.UseTls().WithClientCertificates([TlsFiles.LoadClient(cert, key)])
            .WithTrustChain([System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(_certs.CaFile)])
            .WithCertificateValidationHandler(_ => true));
    }

    private async Task<IMqttClient> ClientAsync(string cn, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            await client.ConnectAsync(Tls(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Node(1)).WithClientId(clientId)
                .WithProtocolVersion(MqttProtocolVersion.V311).WithTimeout(TimeSpan.FromSeconds(10)), cn).Build());
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static List<long> Seqs(RecordingSubscriber station, string community) =>
        [.. station.Messages.Where(m => m.Topic.StartsWith($"edge/v1/{community}/", StringComparison.Ordinal) && m.Topic.Contains("/events/", StringComparison.Ordinal))
            .Select(m => Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(m.Payload)).Seq).Distinct().Order()];

    private Dictionary<string, string> Environment(string tls) => RabbitMqClusters.Environment(_dir.Combine("cluster"), _base, tls);

    private Task ClusterAsync(string tls, params string[] args) => RabbitMqClusters.RunAsync(_dir.Combine("cluster"), Environment(tls), args);

    private async Task UsersAsync(string tls, params string[] args) =>
        (await ProgramRun.RunAsync("bash", [RepoFiles.Path("deploy/rabbitmq/edge-users.sh"), .. args], Environment(tls))).Checked($"edge-users.sh {string.Join(' ', args)}");

    public void Dispose()
    {
        if (_started)
        {
            ClusterAsync(_dir.Combine("tls"), "stop").GetAwaiter().GetResult();
        }

        _dir.Dispose();
    }
}
