using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edge.Contracts.Topics;
using Edge.Gateway.Alarms;
using Edge.Gateway.Commands;
using Edge.Gateway.Configuration;
using Edge.Gateway.Hardware;
using Edge.Gateway.Hosting;
using Edge.Simulator.Broker;
using Edge.Simulator.Hardware;
using Edge.Simulator.Station;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Support;

/// <summary>
/// The police desk's test rig: the in-process station broker, the simulator's hardware bridge with community c001's
/// guard-room button (pin 17, released) and its column LED (pin 27), and the real desk hosted as a run hosts it. A
/// gateway made here knows the desk's key.
/// </summary>
public sealed class DeskRig : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private volatile bool _gatewaySubscribed;

    private DeskRig(TempDirectory dir, StationBroker broker, BridgeServer hardware)
    {
        _dir = dir;
        Broker = broker;
        Hardware = hardware;
    }

    public StationBroker Broker { get; }

    public BridgeServer Hardware { get; }

    public StationDesk Desk { get; private set; } = null!;

    public static async Task<DeskRig> StartAsync(TempDirectory dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var rig = new DeskRig(dir, await StationBroker.StartAsync(), BridgeServer.Start());
        rig.Broker.Server.ClientSubscribedTopicAsync += e =>
        {
            rig._gatewaySubscribed |= e.TopicFilter.Topic == Topic.Commands("c001", "gw1");
            return Task.CompletedTask;
        };
        rig.Hardware.SetLevel("c001", 17, true);
        rig.Desk = await StationDesk.StartAsync(new Uri(rig.Broker.Uri), 0, dir.Combine("desk"), NullLoggerFactory.Instance, TimeProvider.System, default);
        return rig;
    }

    /// <summary>Gateway gw1 of c001 with the guard-room button named <paramref name="buttonName"/>, trusting the desk's key.</summary>
    public GatewayInstance Gateway(string buttonName) => Gateway(Broker.Uri, _dir.Combine("gw"), Hardware, buttonName, Desk);

    /// <summary>
    /// Gateway gw1 of c001 on <paramref name="broker"/>, with the guard-room button named <paramref name="buttonName"/>
    /// (pin 17, column LED on 27) at <paramref name="hardware"/>, trusting the keys of <paramref name="desks"/>.
    /// </summary>
    public static GatewayInstance Gateway(string broker, string directory, BridgeServer hardware, string buttonName, params StationDesk[] desks) =>
        TestGateway.Create(GatewaySettings(broker, directory, hardware, buttonName, desks));

    /// <summary>The settings <see cref="Gateway(string, string, BridgeServer, string, StationDesk[])"/> makes its gateway with.</summary>
    public static GatewaySettings GatewaySettings(string broker, string directory, BridgeServer hardware, string buttonName, params StationDesk[] desks) =>
        TestGateway.Settings(broker, directory) with
        {
            Hardware = new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = hardware.Endpoint.ToString() },
            Alarms = new AlarmOptions { Buttons = [new AlarmButtonOptions { Id = "btn-guardroom", Name = buttonName, Pin = 17, LedPin = 27 }] },
            Commands = new CommandOptions
            {
                StationKeys = [.. desks.Select(d => new StationKeyOptions { Id = d.StationKey.Id, PublicKey = d.StationKey.PublicKeyPem })],
            },
        };

    /// <summary>Starts the gateway and waits until its bridge, uplink and commands subscription are up.</summary>
    public async Task StartAsync(GatewayInstance gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        await gateway.StartAsync(default);
        await Eventually.True(() => gateway.GatewayHardware.Bridge!.Connected && gateway.UplinkService.State.Connected && _gatewaySubscribed,
            "bridge, uplink and commands up");
    }

    /// <summary>The open alarms at <paramref name="desk"/>'s API.</summary>
    public static JsonArray Open(StationDesk desk) => desk.Api.GetFromJsonAsync<JsonArray>("/api/alarms?state=open").Result!;

    /// <summary>What the gateway answered to <paramref name="step"/> of <paramref name="alarm"/>, as <paramref name="desk"/> shows it, or null.</summary>
    public static string? Outcome(StationDesk desk, string alarm, string step) =>
        desk.Api.GetFromJsonAsync<JsonObject>($"/api/alarms/{alarm}").Result!["steps"]!.AsArray()
            .FirstOrDefault(s => (string)s!["step"]! == step)?["outcome"]?.GetValue<string>();

    /// <summary>The guard presses the button (the line goes low).</summary>
    public void Press() => Hardware.SetLevel("c001", 17, false);

    public async ValueTask DisposeAsync()
    {
        if (Desk is not null)
        {
            await Desk.DisposeAsync();
        }

        await Hardware.DisposeAsync();
        await Broker.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
