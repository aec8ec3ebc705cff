using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Tests.Support;

namespace Edge.Tests.Faults;

/// <summary>
/// The station broker as a 3-node RabbitMQ cluster (MQTT plugin, sessions as quorum queues), started on loopback by
/// deploy/rabbitmq/loopback-cluster.sh: a gateway on MQTT 3.1.1 with the three nodes in <c>Edge:Uplink:Brokers</c>
/// loses nothing when the node it is connected to is killed with SIGKILL; the station, on another node, gets every
/// seq (a re-sent one may come twice).
/// </summary>
[Collection(RabbitMqClusters.Name)]
public sealed class RabbitMqClusterTests : IDisposable
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly TempDirectory _dir = new();
    private readonly int _base = RabbitMqClusters.Base(0);
    private bool _started;

    private Uri Node(int n) => new($"mqtt://127.0.0.1:{_base + 30 + n}");

    [Fact]
    public async Task Killing_the_node_a_gateway_is_connected_to_loses_no_event()
    {
        Assert.SkipWhen(!File.Exists(Server), "rabbitmq-server is not installed (apt-get install rabbitmq-server; .ci/run installs it)");
        _started = true;
        await ClusterAsync("start");
        await using var station = await RecordingSubscriber.ConnectAsync(Node(3), "edge/v1/c001/gw1/events/#",
            b => b.WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311));
        var settings = TestGateway.Settings(Edge.Gateway.Uplink.UplinkOptions.DefaultBroker, _dir.Combine("gw"));
        settings.Uplink.ProtocolVersion = "3.1.1";
        settings.Uplink.Brokers = [Node(1).ToString(), Node(2).ToString(), Node(3).ToString()];
        Assert.Empty(settings.Validate());
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);

        for (var i = 0; i < 100; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(n: i));
        }

        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0 && gw.UplinkService.State.Connected, "the first 100 acknowledged", TimeSpan.FromSeconds(60));
        Assert.Equal(Node(1), gw.UplinkService.Broker);

        // The node the gateway is on dies while events keep coming; an alarm among them.
        await ClusterAsync("kill", "1");
        for (var i = 100; i < 300; i++)
        {
            await gw.SubmitAsync(i == 150 ? TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1") : TestGateway.Draft(n: i));
        }

        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "every event acknowledged by another node", TimeSpan.FromSeconds(90));
        Assert.NotEqual(Node(1), gw.UplinkService.Broker);
        await Eventually.True(() => Seqs(station).Count == 300, "every seq at the station", TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), Seqs(station));
        Assert.Contains(station.Messages, m => m.Topic.EndsWith("/alarm/btn-1", StringComparison.Ordinal));
        await gw.StopAsync(default);
    }

    private static List<long> Seqs(RecordingSubscriber station) =>
        [.. station.Messages.Select(m => Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(m.Payload)).Seq).Distinct().Order()];

    private Task ClusterAsync(params string[] args) =>
        RabbitMqClusters.RunAsync(_dir.Combine("cluster"), RabbitMqClusters.Environment(_dir.Combine("cluster"), _base), args);

    public void Dispose()
    {
        if (_started)
        {
            ClusterAsync("stop").GetAwaiter().GetResult();
        }

        _dir.Dispose();
    }
}
