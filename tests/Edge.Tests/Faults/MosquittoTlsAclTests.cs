using System.Security.Cryptography.X509Certificates;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Contracts.Tls;
using Edge.Contracts.Topics;
using System.Buffers;
using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using MQTTnet;

namespace Edge.Tests.Faults;

/// <summary>
/// The deployment as operators set it up: Mosquitto with mutual TLS, the certificate CN as user name, and the ACL file
/// from deploy/mosquitto/edge-acl.
/// </summary>
public sealed class MosquittoTlsAclTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestCertificates _certs;

    public MosquittoTlsAclTests()
    {
        _certs = new TestCertificates(_dir.Path);
    }

    private async Task<Mosquitto> StartBrokerAsync()
    {
        var (cert, key) = _certs.Server();
        return await Mosquitto.StartAsync(_dir.Path, $"""
            cafile {_certs.CaFile}
            certfile {cert}
            keyfile {key}
            require_certificate true
            use_identity_as_username true
            use_username_as_clientid true
            acl_file {RepoFiles.Path("deploy/mosquitto/edge-acl")}
            """, anonymous: false);
    }

    /// <summary>A raw MQTT 5 client with the certificate of <paramref name="cn"/>, connected as <paramref name="clientId"/>.</summary>
    private async Task<MQTTnet.IMqttClient> ClientAsync(Mosquitto broker, string cn, string clientId)
    {
        var (cert, key) = _certs.Client(cn);
        var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId(clientId)
            .WithTlsOptions(t => t.UseTls().WithClientCertificates([TlsFiles.LoadClient(cert, key)]).WithCertificateValidationHandler(_ => true))
            .Build());
        return client;
    }

    private static MQTTnet.MqttApplicationMessage Message(string topic) =>
        new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("{}"u8.ToArray())
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private Edge.Gateway.Hosting.GatewayInstance Gateway(Mosquitto broker, string community, string cn, string? caFile = null, Edge.Gateway.Commands.CommandOptions? commands = null)
    {
        var (cert, key) = _certs.Client(cn);
        var settings = TestGateway.Settings($"mqtts://127.0.0.1:{broker.Port}", _dir.Combine($"gw-{community}"), community);
        if (commands is not null)
        {
            settings = settings with { Commands = commands };
        }

        settings.Uplink.CaFile = caFile ?? _certs.CaFile;
        settings.Uplink.CertificateFile = cert;
        settings.Uplink.KeyFile = key;
        Assert.Empty(settings.Validate());
        return TestGateway.Create(settings);
    }

    private Task<RecordingSubscriber> StationAsync(Mosquitto broker)
    {
        var (cert, key) = _certs.Client("station-probe");
        using var pem = X509Certificate2.CreateFromPemFile(cert, key);
        var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificateFromFile(_certs.CaFile);
        return RecordingSubscriber.ConnectAsync(new Uri(broker.Uri), Topic.All, b => b.WithTlsOptions(t => t
            .UseTls()
            .WithClientCertificates([client])
            .WithTrustChain([ca])
            .WithCertificateValidationHandler(_ => true)));
    }

    [Fact]
    public async Task A_gateway_over_mutual_tls_publishes_its_status_and_events()
    {
        using var broker = await StartBrokerAsync();
        await using var station = await StationAsync(broker);
        using var gw = Gateway(broker, "c001", "c001/gw1");
        await gw.StartAsync(default);

        var alarm = await gw.SubmitAsync(TestGateway.Draft(Edge.Contracts.Events.EventTypes.AlarmPanic, Edge.Contracts.Events.Priority.Critical, "btn-1"));

        await Eventually.True(() => station.On("/events/alarm/btn-1").Any(), "the alarm at the station over TLS");
        Assert.Equal(alarm.Id, Payloads.DecodeEvent(station.On("/events/alarm/btn-1").First().Payload.ToArray()).Id);
        Assert.Contains(station.On("/status"), m => Payloads.DecodeStatus(m.Payload.ToArray()).State == GatewayState.Online);
        Assert.Empty(gw.Store.DeadLetters());
        await gw.StopAsync(default);
    }

    [Theory]
    [InlineData("edge/v1/c001/gw1/events/alarm/btn-1", true)]
    [InlineData("edge/v1/c001/gw1/status", true)]
    [InlineData("edge/v1/c002/gw1/events/alarm/btn-1", false)]
    [InlineData("edge/v1/c001/gw10/status", false)]
    [InlineData("edge/v1/c001/gw1x/heartbeat", false)]
    [InlineData("edge/v1/c001/gw1/media/0190f3a0-0000-7000-8000-000000000001", true)]
    [InlineData("edge/v1/c001/gw1/results", true)]
    [InlineData("edge/v1/c001/gw1/commands/door.open", false)]
    [InlineData("edge/v1/c002/gw1/commands/door.open", false)]
    [InlineData("other/topic", false)]
    public async Task The_deployed_acl_confines_a_gateway_certificate_to_its_own_topics(string topic, bool allowed)
    {
        using var broker = await StartBrokerAsync();
        var (cert, key) = _certs.Client("c001/gw1");
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("acl-probe")
            .WithTlsOptions(t => t.UseTls().WithClientCertificates([TlsFiles.LoadClient(cert, key)]).WithCertificateValidationHandler(_ => true))
            .Build());

        var result = await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("{}"u8.ToArray())
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(allowed ? MQTTnet.MqttClientPublishReasonCode.NoMatchingSubscribers : MQTTnet.MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
    }

    [Fact]
    public async Task Only_the_desk_writes_commands_and_each_gateway_reads_only_its_own()
    {
        using var broker = await StartBrokerAsync();
        using var desk = await ClientAsync(broker, "station-app", "desk");
        using var probe = await ClientAsync(broker, "station-probe", "probe");
        using var own = await ClientAsync(broker, "c001/gw1", "edge-c001-gw1");
        using var other = await ClientAsync(broker, "c002/gw1", "edge-c002-gw1");
        var ownGot = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var otherGot = new System.Collections.Concurrent.ConcurrentQueue<string>();
        own.ApplicationMessageReceivedAsync += e => { ownGot.Enqueue(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        other.ApplicationMessageReceivedAsync += e => { otherGot.Enqueue(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        await own.SubscribeAsync("edge/v1/c001/gw1/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        await other.SubscribeAsync("edge/v1/c001/gw1/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        await other.SubscribeAsync("edge/v1/c002/gw1/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);

        var fromProbe = await probe.PublishAsync(Message("edge/v1/c001/gw1/commands/door.open"));
        await desk.PublishAsync(Message("edge/v1/c001/gw1/commands/alarm.acknowledge"));
        await desk.PublishAsync(Message("edge/v1/c002/gw1/commands/alarm.acknowledge"));

        // One publisher's messages reach a subscriber in order: once c002 has its own, it would have had c001's before it.
        await Eventually.True(() => otherGot.Contains("edge/v1/c002/gw1/commands/alarm.acknowledge"), "c002's own command");
        await Eventually.True(() => ownGot.Contains("edge/v1/c001/gw1/commands/alarm.acknowledge"), "c001's command");
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.NotAuthorized, fromProbe.ReasonCode);
        Assert.Equal(["edge/v1/c002/gw1/commands/alarm.acknowledge"], otherGot);
        Assert.Equal(["edge/v1/c001/gw1/commands/alarm.acknowledge"], ownGot);
    }

    [Fact]
    public async Task A_signed_command_from_the_desk_is_answered_through_the_deployed_acl_and_its_replay_is_refused()
    {
        using var broker = await StartBrokerAsync();
        using var stationKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var gw = Gateway(broker, "c001", "c001/gw1", commands: new Edge.Gateway.Commands.CommandOptions
        {
            StationKeys = [new Edge.Gateway.Commands.StationKeyOptions { Id = "station-2026", PublicKey = stationKey.ExportSubjectPublicKeyInfoPem() }],
        });
        await gw.StartAsync(default);
        using var desk = await ClientAsync(broker, "station-app", "station-app");
        var results = new System.Collections.Concurrent.ConcurrentQueue<Edge.Contracts.Commands.CommandResult>();
        desk.ApplicationMessageReceivedAsync += e =>
        {
            results.Enqueue(Payloads.DecodeResult(e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        await desk.SubscribeAsync(Topic.Results("c001", "gw1"), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        byte[] Signed(out Guid id)
        {
            var now = DateTimeOffset.UtcNow;
            var command = new Edge.Contracts.Commands.StationCommand(Guid.CreateVersion7(), Edge.Contracts.Commands.CommandTypes.DeadLettersReplay,
                "c001", "gw1", "desk-1", now, now.AddSeconds(30));
            id = command.Id;
            return System.Text.Encoding.ASCII.GetBytes(Edge.Contracts.Commands.CommandJws.Sign(command, "station-2026", stationKey));
        }

        MQTTnet.MqttApplicationMessage Command(byte[] signed) =>
            new MQTTnet.MqttApplicationMessageBuilder().WithTopic(Topic.Command("c001", "gw1", Edge.Contracts.Commands.CommandTypes.DeadLettersReplay))
                .WithPayload(signed).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();

        // The uplink subscribes to its commands before its session sends anything: an event delivered proves it.
        await gw.SubmitAsync(TestGateway.Draft());
        await Eventually.True(() => gw.Store.Pending(Edge.Contracts.Events.Priority.Normal) == 0, "an event delivered, so the commands subscribed");

        var signed = Signed(out var id);
        await desk.PublishAsync(Command(signed));
        await Eventually.True(() => results.Any(r => r.CommandId == id), "the command answered");
        await desk.PublishAsync(Command(signed));
        await Eventually.True(() => results.Count(r => r.CommandId == id) == 2, "the replay answered");

        var answers = results.Where(r => r.CommandId == id).Select(r => r.Outcome).ToList();
        Assert.Equal([Edge.Contracts.Commands.CommandOutcomes.Applied, Edge.Contracts.Commands.CommandOutcomes.Replayed], answers);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_gateway_certificate_cannot_take_over_another_gateways_client_id()
    {
        using var broker = await StartBrokerAsync();
        using var victim = await ClientAsync(broker, "c001/gw1", "edge-c001-gw1");

        // Before use_username_as_clientid the broker took the session over: the victim was disconnected and its will fired.
        using var intruder = await ClientAsync(broker, "c002/gw1", "edge-c001-gw1");

        // The broker handles the intruder's CONNECT before its CONNACK: a victim dropped by it could not get this PUBACK.
        var result = await victim.PublishAsync(Message("edge/v1/c001/gw1/status"));
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.NoMatchingSubscribers, result.ReasonCode);
        Assert.True(victim.IsConnected && intruder.IsConnected);
    }

    [Fact]
    public async Task An_event_the_real_broker_refuses_is_dead_lettered_while_alarms_flow()
    {
        // An ACL that lets this gateway publish its status, heartbeat and alarms but nothing else.
        var acl = _dir.Combine("alarms-only-acl");
        await File.WriteAllTextAsync(acl, """
            user station-probe
            topic read edge/v1/#
            pattern write edge/v1/%u/status
            pattern write edge/v1/%u/heartbeat
            pattern write edge/v1/%u/events/alarm/#
            """);
        var (cert, key) = _certs.Server();
        using var broker = await Mosquitto.StartAsync(_dir.Path, $"""
            cafile {_certs.CaFile}
            certfile {cert}
            keyfile {key}
            require_certificate true
            use_identity_as_username true
            acl_file {acl}
            """, anonymous: false);
        await using var station = await StationAsync(broker);
        using var gw = Gateway(broker, "c001", "c001/gw1");
        await gw.StartAsync(default);

        await gw.SubmitAsync(TestGateway.Draft(Edge.Contracts.Events.EventTypes.DeviceFault, Edge.Contracts.Events.Priority.High, "reader-1"));
        await gw.SubmitAsync(TestGateway.Draft(Edge.Contracts.Events.EventTypes.AlarmPanic, Edge.Contracts.Events.Priority.Critical, "btn-1"));

        await Eventually.True(() => station.On("/events/alarm/btn-1").Any(), "the alarm flows");
        await Eventually.True(() => gw.Store.DeadLetters().Count == 1, "the refused event is dead-lettered");
        var dead = gw.Store.DeadLetters()[0];
        Assert.Equal(("device.fault", 0x87), (dead.Type, dead.ReasonCode));
        Assert.Equal(0, gw.Store.Stats().Queue.Total);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_broker_with_a_certificate_from_another_ca_is_never_trusted_and_events_wait()
    {
        using var broker = await StartBrokerAsync();
        var other = new TestCertificates(_dir.Path, "Another CA");
        using var gw = Gateway(broker, "c001", "c001/gw1", caFile: other.CaFile);
        await gw.StartAsync(default);
        await gw.SubmitAsync(TestGateway.Draft());

        await Eventually.True(() => gw.UplinkService.State.FailedAttempts >= 3, "several refused attempts");
        Assert.False(gw.UplinkService.State.Connected);
        Assert.Equal(0, gw.UplinkService.State.Reconnects);
        Assert.Contains("Authentication", gw.UplinkService.State.LastFailure, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, gw.Store.Stats().Queue.Total);
        await gw.StopAsync(default);
    }

    public void Dispose() => _dir.Dispose();
}
