using System.Diagnostics;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Tests.Support;

namespace Edge.Tests.Faults;

/// <summary>
/// A gateway and its station in different network namespaces, the link between them cut silently (dropped packets,
/// no reset), with Mosquitto as the station broker.
/// </summary>
public sealed class PartitionTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task An_alarm_raised_while_the_link_is_silently_cut_reaches_the_station_within_seconds_of_its_return()
    {
        using var partition = NetworkPartition.Create();
        using var broker = await Mosquitto.StartAsync(_dir.Path, host: partition.StationForGateway, netns: partition.Namespace);
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri($"mqtt://{partition.StationForProbe}:{broker.Port}"), Topic.AllAlarms);
        var settings = TestGateway.Settings(broker.Uri, _dir.Combine("gw"));
        settings.Uplink.ReconnectMinDelay = TimeSpan.FromMilliseconds(500);
        settings.Uplink.ReconnectMaxDelay = TimeSpan.FromSeconds(30);
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.True(() => gw.UplinkService.State.Connected, "connected across the link");

        partition.Cut();
        var alarm = await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));

        // No PUBACK comes and nothing says why: the gateway takes the link for dead, and while the alarm waits each
        // connect attempt lasts at most AlarmReconnectMaxDelay, so none sits on the kernel's SYN backoff.
        await Eventually.True(() => gw.UplinkService.State.LastFailure?.Contains("while an alarm waits", StringComparison.Ordinal) == true,
            "attempts cut short while the alarm waits", TimeSpan.FromSeconds(60));
        partition.Heal();
        var healed = Stopwatch.StartNew();

        // The old uplink took 31-33 s here; the deadline leaves room for a busy machine, and the time is reported.
        await Eventually.True(() => station.Messages.Any(m => Payloads.DecodeEvent(m.Payload.FirstSpan).Id == alarm.Id),
            "the alarm at the station", TimeSpan.FromSeconds(15));
        output.WriteLine($"the alarm reached the station {healed.Elapsed.TotalSeconds:0.00} s after the link returned");
        await gw.StopAsync(TestContext.Current.CancellationToken);
    }

    public void Dispose() => _dir.Dispose();
}
