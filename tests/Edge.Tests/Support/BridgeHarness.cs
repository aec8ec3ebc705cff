using Edge.Gateway.Hardware.Bridge;
using Edge.Simulator.Hardware;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Support;

/// <summary>The simulator's bridge server and a gateway-side client for one community, connected over loopback.</summary>
public sealed class BridgeHarness : IAsyncDisposable
{
    private BridgeHarness(BridgeServer server, BridgeClient client)
    {
        Server = server;
        Client = client;
    }

    public const string Community = "c001";

    public BridgeServer Server { get; }

    public BridgeClient Client { get; }

    /// <summary>Starts both; <paramref name="prepare"/> sets levels before the client connects. Returns once the server has the client.</summary>
    public static async Task<BridgeHarness> StartAsync(Action<BridgeServer>? prepare = null)
    {
        var server = BridgeServer.Start();
        prepare?.Invoke(server);
        var client = new BridgeClient(server.Endpoint, Community, TimeProvider.System, NullLogger<BridgeClient>.Instance);
        client.Start();
        await Eventually.True(() => client.Connected && server.IsConnected(Community), "bridge connected");
        return new BridgeHarness(server, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
