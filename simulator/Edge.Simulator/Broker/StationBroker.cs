using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace Edge.Simulator.Broker;

/// <summary>
/// The station broker run in-process: MQTTnet's server on a loopback port. It keeps retained messages (the gateways'
/// status) in memory. Stop and start it again to simulate a broker outage.
/// </summary>
public sealed class StationBroker : IAsyncDisposable
{
    private readonly MqttServer _server;

    private StationBroker(MqttServer server, int port)
    {
        _server = server;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The broker's address for clients.</summary>
    public string Uri => $"mqtt://127.0.0.1:{Port}";

    /// <summary>The server itself, for hooks (interceptors) in tests.</summary>
    public MqttServer Server => _server;

    /// <summary>Starts a broker on <paramref name="port"/>, or on a free loopback port when it is 0.</summary>
    public static async Task<StationBroker> StartAsync(int port = 0)
    {
        if (port == 0)
        {
            port = FreePort();
        }

        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .WithMaxPendingMessagesPerClient(100_000)
            // Gateways that take commands keep their sessions: commands sent while one is away wait for it.
            .WithPersistentSessions(true)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync().ConfigureAwait(false);
        return new StationBroker(server, port);
    }

    /// <summary>Stops accepting and drops every connection (clients see the broker vanish).</summary>
    public Task StopAsync() => _server.StopAsync();

    /// <summary>Starts again on the same port after <see cref="StopAsync"/>.</summary>
    public Task RestartAsync() => _server.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }

        _server.Dispose();
    }

    /// <summary>A loopback TCP port that is free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
