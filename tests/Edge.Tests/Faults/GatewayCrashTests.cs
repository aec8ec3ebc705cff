using Edge.Contracts.Status;
using Edge.Simulator.Station;
using Edge.Tests.Support;

namespace Edge.Tests.Faults;

/// <summary>The gateway process is killed (SIGKILL) mid-stream and restarted on the same data directory.</summary>
public sealed class GatewayCrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private Dictionary<string, string> Environment(string broker, int rate, int count = 0) => new()
    {
        ["Edge__Gateway__Community"] = "c001",
        ["Edge__Gateway__Id"] = "gw1",
        ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
        ["Edge__Uplink__Broker"] = broker,
        ["Edge__Uplink__HeartbeatInterval"] = "00:00:00.200",
        ["Edge__Uplink__ReconnectMaxDelay"] = "00:00:01",
        ["Edge__TestEvents__Rate"] = rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Edge__TestEvents__Count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Gateway_killed_mid_stream_and_restarted_loses_no_committed_event()
    {
        using var broker = await Mosquitto.StartAsync(_dir.Path);
        await using var probe = new StationProbe(new Uri(broker.Uri), "station-probe", TimeProvider.System, persistentSession: true);
        await probe.StartAsync(CancellationToken.None);

        using (var first = GatewayProcess.Start(Environment(broker.Uri, rate: 1000)))
        {
            await Eventually.True(() => probe.Unique >= 500, "events flowing from the first process");

            // Kill while connected (a fresh heartbeat), not in a reconnect gap where no will is registered.
            await Eventually.True(() => probe.LastHeartbeat("c001", "gw1") is { } hb && DateTimeOffset.UtcNow - hb.At < TimeSpan.FromMilliseconds(300), "connected now");
            first.Kill();
        }

        // The broker saw the connection die without a DISCONNECT: the last will marks the gateway offline.
        // Mosquitto publishes the will when it sees the socket close, or at the latest when the 15 s keep-alive expires.
        await Eventually.True(() => probe.Status("c001", "gw1") is { State: GatewayState.Offline, Reason: "connection-lost" }, "last will at the station",
            TimeSpan.FromSeconds(40));
        var beforeRestart = probe.Unique;

        using var second = GatewayProcess.Start(Environment(broker.Uri, rate: 500, count: 300));
        await Eventually.True(() => probe.Status("c001", "gw1")?.State == GatewayState.Online, "online again");
        // The 300 test events take 0.6 s; a heartbeat 3 s after the start with an empty outbox comes after all of them.
        await Eventually.True(
            () => probe.LastHeartbeat("c001", "gw1") is { } hb && hb.LastSeq >= beforeRestart + 300 && hb.Queue.Total == 0 && hb.UptimeS >= 3,
            "the restarted gateway sent its 300 events and emptied its outbox", TimeSpan.FromSeconds(60));
        var last = probe.LastHeartbeat("c001", "gw1")!.LastSeq;
        await Eventually.True(() => probe.HasAll("c001", "gw1", last), $"every seq 1..{last} at the station");

        Assert.Equal(0, await second.StopAsync());
        await Eventually.True(() => probe.Status("c001", "gw1") is { State: GatewayState.Offline, Reason: "shutdown" }, "offline status after a clean stop");
        Assert.Equal(last, probe.Ledger("c001", "gw1").MaxSeq);
        using (var outbox = Edge.Gateway.Outbox.OutboxStore.Open(_dir.Combine("gw/outbox.db"), "c001/gw1", new()))
        {
            Assert.Equal(last, outbox.LastSeq);
        }
        Assert.True(probe.Duplicates <= 256 + 20, $"{probe.Duplicates} duplicates: more than the in-flight window");
    }

    public void Dispose() => _dir.Dispose();
}
