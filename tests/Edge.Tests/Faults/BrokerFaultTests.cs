using Edge.Simulator.Broker;
using Edge.Simulator.Station;
using Edge.Tests.Support;

namespace Edge.Tests.Faults;

/// <summary>The broker goes away mid-stream and comes back: an independent subscriber still gets every event.</summary>
public sealed class BrokerFaultTests : IDisposable
{
    private const int Window = 64;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Mosquitto_stopped_mid_stream_and_started_again_loses_no_event()
    {
        using var broker = await Mosquitto.StartAsync(_dir.Path);
        await using var probe = new StationProbe(new Uri(broker.Uri), "station-probe", TimeProvider.System, persistentSession: true);
        await probe.StartAsync(CancellationToken.None);
        var settings = TestGateway.Settings(broker.Uri, _dir.Combine("gw"));
        settings.Uplink.MaxInFlight = Window;
        settings.TestEvents.Rate = 400;
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        await Eventually.True(() => probe.Unique >= 300, "events flowing before the outage");

        broker.Stop();
        await Eventually.True(() => !gw.UplinkService.State.Connected, "gateway saw the broker go");
        var during = gw.Store.LastSeq;
        await Eventually.True(() => gw.Store.LastSeq >= during + 200, "events keep being taken in while the broker is down");
        await broker.RestartAsync();
        await Eventually.True(() => gw.UplinkService.State.Connected, "gateway reconnected");
        await Eventually.True(() => probe.Unique >= gw.Store.LastSeq - 50, "events flowing after the outage");

        await gw.TestEventSource!.StopAsync(default);
        var last = gw.Store.LastSeq;
        await Eventually.True(() => probe.HasAll("c001", "gw1", last), $"every seq 1..{last} at the subscriber");
        await gw.StopAsync(default);

        Assert.Equal(last, probe.Unique);
        Assert.True(probe.Duplicates <= Window + 20, $"{probe.Duplicates} duplicates: more than the in-flight window");
        Assert.True(gw.UplinkService.State.Reconnects >= 1);
    }

    [Fact]
    public async Task In_process_broker_restarted_mid_stream_gets_every_event_at_least_once()
    {
        // MQTTnet's in-process broker keeps nothing across a restart, so what it had acknowledged but not yet passed on
        // is the broker's loss, not the gateway's. This test therefore counts at the broker itself: every event the
        // gateway committed must have been accepted by the broker at least once. The Mosquitto test above checks the
        // whole path to an independent subscriber.
        await using var broker = await StationBroker.StartAsync();
        var accepted = new System.Collections.Concurrent.ConcurrentDictionary<long, int>();
        broker.Server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic.Contains("/events/", StringComparison.Ordinal))
            {
                var seq = Edge.Contracts.Serialization.Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)).Seq;
                accepted.AddOrUpdate(seq, 1, (_, n) => n + 1);
            }

            return Task.CompletedTask;
        };
        var settings = TestGateway.Settings(broker.Uri, _dir.Combine("gw"));
        settings.Uplink.MaxInFlight = Window;
        settings.TestEvents.Rate = 400;
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        await Eventually.True(() => accepted.Count >= 300, "events flowing before the outage");

        await broker.StopAsync();
        await Eventually.True(() => !gw.UplinkService.State.Connected, "gateway saw the broker go");
        await broker.RestartAsync();
        await Eventually.True(() => gw.UplinkService.State.Connected, "gateway reconnected");

        await gw.TestEventSource!.StopAsync(default);
        var last = gw.Store.LastSeq;
        await Eventually.True(() => Enumerable.Range(1, (int)last).All(s => accepted.ContainsKey(s)), $"every seq 1..{last} accepted by the broker");
        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "outbox empty");
        await gw.StopAsync(default);
        var duplicates = accepted.Values.Sum(n => n - 1);
        Assert.True(duplicates <= Window, $"{duplicates} duplicates: more than the in-flight window");
    }

    public void Dispose() => _dir.Dispose();
}
