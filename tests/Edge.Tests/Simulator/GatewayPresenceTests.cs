using Edge.Gateway.Hardware.Bridge;
using Edge.Simulator.Devices;
using Edge.Simulator.Hardware;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Simulator;

/// <summary>
/// Acts count on a gateway only while it can see its hardware: a gateway away from the bridge (killed, restarting, run
/// elsewhere and stopped) stops every act but those at access controllers' doors, and one that came back is given
/// <see cref="BridgeServer.ReturnSettle"/> first.
/// </summary>
public sealed class GatewayPresenceTests
{
    [Fact]
    public async Task Acts_wait_while_the_gateway_is_away_and_until_it_has_settled_after_its_return()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var bridge = BridgeServer.Start(time: time);
        var plan = DistrictTopology.Generate(1, communities: 1)[0];
        using var community = new SimCommunity(plan, bridge, new GroundTruth(), new SimClock(time, 1, TimeSpan.FromHours(8)));
        var door = community.Wiring.Doors.First(d => d is not ControllerWire && community.Doors.Simulated(d));

        Assert.False(community.GatewayPresent);
        var client = await ConnectAsync(bridge, plan.Id);
        Assert.True(community.GatewayPresent);
        using (var lease = community.ReserveDoor(door))
        {
            Assert.NotNull(lease);
        }

        await client.DisposeAsync();
        await Eventually.True(() => !bridge.IsConnected(plan.Id), "the gateway is gone from the bridge");
        Assert.False(community.GatewayPresent);
        Assert.Null(community.ReserveDoor(door));
        Assert.Null(await community.ReserveAsync(TimeSpan.Zero, TestContext.Current.CancellationToken));
        Assert.False(community.AllowsAct(controller: false, out var first));
        Assert.True(first);
        Assert.False(community.AllowsAct(controller: false, out var second));
        Assert.False(second);
        Assert.True(community.AllowsAct(controller: true, out _));
        Assert.Equal(2, community.ActsWhileAway);

        // Back: not before it has had time to read the state and subscribe again.
        client = await ConnectAsync(bridge, plan.Id);
        Assert.False(community.GatewayPresent);
        time.Advance(BridgeServer.ReturnSettle);
        Assert.True(community.GatewayPresent);
        using (var lease = await community.ReserveAsync(TimeSpan.Zero, TestContext.Current.CancellationToken))
        {
            Assert.NotNull(lease);
        }

        // Present again: the next absence is noted again.
        Assert.True(community.AllowsAct(controller: false, out _));
        await client.DisposeAsync();
        await Eventually.True(() => !bridge.IsConnected(plan.Id), "the gateway is gone again");
        Assert.False(community.AllowsAct(controller: false, out var again));
        Assert.True(again);
    }

    private static async Task<BridgeClient> ConnectAsync(BridgeServer bridge, string community)
    {
        var client = new BridgeClient(bridge.Endpoint, community, TimeProvider.System, NullLogger<BridgeClient>.Instance);
        client.Start();
        await Eventually.True(() => client.Connected && bridge.IsConnected(community), "bridge connected");
        return client;
    }
}
