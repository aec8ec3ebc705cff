using Edge.Contracts.Status;
using Edge.Simulator.Broker;
using Edge.Simulator.Gateways;
using Edge.Simulator.Hardware;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;
using Edge.Tests.Support;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Simulator;

public sealed class GatewayFleetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>An event source that dies as soon as it runs, as a bug in a device adapter would.</summary>
    private sealed class DyingSource : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("adapter bug");
        }
    }

    [Fact]
    public async Task A_gateway_that_dies_in_process_is_restarted_and_counted_and_the_simulator_goes_on()
    {
        await using var broker = await StationBroker.StartAsync();
        await using var bridge = BridgeServer.Start();
        await using var probe = new StationProbe(new Uri(broker.Uri), "probe", TimeProvider.System);
        await probe.StartAsync(TestContext.Current.CancellationToken);
        var made = 0;
        var journal = new StringWriter();
        var district = DistrictTopology.Generate(1, communities: 2);
        await using var fleet = new InProcessFleet(district, new FleetSettings(new Uri(broker.Uri), new DeviceEndpoints(bridge.Endpoint, new Uri("http://127.0.0.1:9/"), new Uri("tcp://127.0.0.1:9")), _dir.Path, TimeSpan.FromSeconds(5), 0),
            new Supervision(), TextWriter.Synchronized(journal), NullLoggerFactory.Instance, TimeProvider.System)
        {
            // The first gateway of c001 has a dying adapter; its restart does not.
            Created = g =>
            {
                if (g.Settings.Gateway.Community == "c001" && Interlocked.Increment(ref made) == 1)
                {
                    g.AddSource(new DyingSource());
                }
            },
        };

        await fleet.StartAsync(TestContext.Current.CancellationToken);

        await Eventually.True(() => fleet.Crashes == 1 && fleet.Restarts == 1, "the dead gateway restarted");
        await Eventually.True(() => probe.Status("c001", "gw1")?.State == GatewayState.Online && probe.Status("c002", "gw1")?.State == GatewayState.Online, "both online again");
        Assert.Contains("c001/gw1 died by itself", journal.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, made);
        Assert.Equal(1, fleet.Crashes);
        await fleet.StopAsync();
    }

    public void Dispose() => _dir.Dispose();
}
