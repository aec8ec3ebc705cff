using Edge.Contracts.Events;
using Edge.Gateway.Configuration;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Events;
using Edge.Gateway.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Support;

/// <summary>Builds gateway instances for tests against a broker.</summary>
public static class TestGateway
{
    public static GatewaySettings Settings(string broker, string dataDirectory, string community = "c001", string gateway = "gw1") =>
        new(
            new GatewayOptions { Community = community, Id = gateway, DataDirectory = dataDirectory },
            new OutboxOptions { Durability = OutboxDurability.Normal },
            new UplinkOptions
            {
                Broker = broker,
                ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
                HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            },
            new TestEventOptions());

    public static GatewayInstance Create(GatewaySettings settings, TimeProvider? time = null) =>
        GatewayInstance.Create(settings, NullLoggerFactory.Instance, time ?? TimeProvider.System);

    public static EventDraft Draft(string type = EventTypes.DeviceTest, Priority priority = Priority.Normal, string device = "dev1", int n = 0, TimeSpan? expireAfter = null) =>
        new(type, priority, new DeviceRef(device, "test", "Test device", new Location("1", "2", "3", "hall")), null,
            DateTimeOffset.UtcNow, new System.Text.Json.Nodes.JsonObject { ["n"] = n }, expireAfter);

    /// <summary>Submits and insists the event was stored.</summary>
    public static async Task<EdgeEvent> SubmitAsync(this GatewayInstance gateway, EventDraft draft)
    {
        var result = await gateway.Events.SubmitAsync(draft);
        Assert.True(result.Accepted, "event was not stored");
        return result.Event!;
    }
}
