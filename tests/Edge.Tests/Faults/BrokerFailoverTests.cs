using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Tests.Support;

namespace Edge.Tests.Faults;

/// <summary>
/// A gateway given the nodes of a clustered station broker (<c>Edge:Uplink:Brokers</c>) moves to the next node when
/// the one it is on dies, and back when that one is the one left: every event reaches one node or the other, none lost.
/// Two real Mosquittos stand in for the nodes (a cluster would also carry each node's messages to the others).
/// </summary>
public sealed class BrokerFailoverTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Events_go_on_through_the_next_node_when_the_one_in_use_dies()
    {
        Assert.SkipWhen(Mosquitto.Binary is null, Mosquitto.SkipReason);
        using var first = await Mosquitto.StartAsync(Directory.CreateDirectory(_dir.Combine("a")).FullName);
        using var second = await Mosquitto.StartAsync(Directory.CreateDirectory(_dir.Combine("b")).FullName);
        await using var atFirst = await RecordingSubscriber.ConnectAsync(new Uri(first.Uri), "edge/v1/c001/gw1/events/#");
        await using var atSecond = await RecordingSubscriber.ConnectAsync(new Uri(second.Uri), "edge/v1/c001/gw1/events/#");
        var settings = TestGateway.Settings(Edge.Gateway.Uplink.UplinkOptions.DefaultBroker, _dir.Combine("gw"));
        settings.Uplink.Brokers = [first.Uri, second.Uri];
        Assert.Empty(settings.Validate());
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);

        for (var i = 0; i < 20; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(n: i));
        }

        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "the first 20 delivered");
        Assert.Equal(new Uri(first.Uri), gw.UplinkService.Broker);

        // The node in use dies: the gateway goes on at the other one, alarms included.
        first.Stop(kill: true);
        for (var i = 20; i < 40; i++)
        {
            await gw.SubmitAsync(TestGateway.Draft(n: i));
        }

        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "the rest delivered through the second node");
        Assert.Equal(new Uri(second.Uri), gw.UplinkService.Broker);
        Assert.Contains(atSecond.Messages, m => m.Topic.EndsWith("/alarm/btn-1", StringComparison.Ordinal));

        var seqs = atFirst.Messages.Concat(atSecond.Messages)
            .Select(m => Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(m.Payload)).Seq).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(1, 41).Select(i => (long)i), seqs);
        await gw.StopAsync(default);
    }

    [Fact]
    public void Nodes_are_refused_beside_a_broker_or_with_mixed_schemes()
    {
        var settings = TestGateway.Settings("mqtt://station:1883", _dir.Combine("gw"));
        settings.Uplink.Brokers = ["mqtts://node1:8883", "mqtt://node2:1883", "http://node3"];

        var errors = settings.Validate().ToList();

        Assert.Contains(errors, e => e.StartsWith("Edge:Uplink:Broker and Edge:Uplink:Brokers are both set", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Uplink:Brokers:1 is mqtt:// while Edge:Uplink:Brokers:0 is mqtts://", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Uplink:Brokers:2 'http://node3' must be mqtt://host[:port] or mqtts://host[:port]", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Dispose();
}
