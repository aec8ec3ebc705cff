using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Alarms;
using Edge.Simulator.Hardware;
using Edge.Simulator.Station;
using Edge.Tests.Faults;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Station;

/// <summary>
/// Two police desks on a 3-node RabbitMQ cluster (deploy/rabbitmq/loopback-cluster.sh) and one PostgreSQL: the desks
/// consume natively over AMQP from one quorum queue as competing consumers, the gateway speaks MQTT 3.1.1 to the
/// cluster's MQTT plugin. A press reaches both desks' pages, an acknowledgement from either reaches the column as a
/// signed command through the cluster, and when the node desk A is connected to is killed, the next press still
/// arrives once and is acknowledged from desk A.
/// </summary>
[Collection(RabbitMqClusters.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RabbitMqDesksTests(PostgresServer server) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly TempDirectory _dir = new();
    private readonly int _base = RabbitMqClusters.Base(2);
    private readonly List<StationDesk> _desks = [];
    private BridgeServer _hardware = null!;
    private bool _started;

    public ValueTask InitializeAsync()
    {
        _hardware = BridgeServer.Start();
        _hardware.SetLevel("c001", 17, true);
        return default;
    }

    private async Task<StationDesk> DeskAsync(string name, string database)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Desk:Broker"] = null,
            ["Desk:ClientId"] = name,
            ["Desk:CommandKeyId"] = name,
            ["Desk:SharedGroup"] = "station",
            ["Desk:PostgreSql"] = database,
        };
        for (var n = 1; n <= 3; n++)
        {
            settings[$"Desk:Brokers:{n - 1}"] = $"amqp://guest:guest@127.0.0.1:{_base + 10 + n}";
        }

        var desk = await StationDesk.StartAsync(new Uri("mqtt://unused:1"), 0, _dir.Combine(name), NullLoggerFactory.Instance, TimeProvider.System,
            TestContext.Current.CancellationToken, settings);
        _desks.Add(desk);
        return desk;
    }

    [Fact]
    public async Task Desks_on_a_quorum_queue_take_every_alarm_once_and_their_commands_reach_the_column_when_a_node_dies()
    {
        Assert.SkipWhen(!File.Exists(Server), "rabbitmq-server is not installed (apt-get install rabbitmq-server; .ci/run installs it)");
        var database = await server.CreateDatabaseAsync();
        _started = true;
        await ClusterAsync("start");
        var a = await DeskAsync("station-app-1", database);
        var b = await DeskAsync("station-app-2", database);

        var settings = DeskRig.GatewaySettings(Edge.Gateway.Uplink.UplinkOptions.DefaultBroker, _dir.Combine("gw"), _hardware, "Guard room", a, b);
        settings.Uplink.ProtocolVersion = "3.1.1";
        settings.Uplink.Brokers = [.. Enumerable.Range(1, 3).Select(n => $"mqtt://127.0.0.1:{_base + 30 + n}")];
        Assert.Empty(settings.Validate());
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected && gw.UplinkService.State.Connected, "bridge and uplink up", TimeSpan.FromSeconds(60));
        var columns = gw.AlarmsFeature.Columns!;

        _hardware.SetLevel("c001", 17, false);
        await Eventually.True(() => DeskRig.Open(a).Count == 1 && DeskRig.Open(b).Count == 1, "the alarm open at both desks", TimeSpan.FromSeconds(60));
        var first = (string)DeskRig.Open(a)[0]!["id"]!;
        (await b.Api.PostAsync(new Uri($"/api/alarms/{first}/acknowledge", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Acknowledged, "the column shows it, through the cluster");
        await Eventually.True(() => DeskRig.Outcome(a, first, "acknowledge") == "applied", "the gateway's answer at desk A");
        _hardware.SetLevel("c001", 17, true);
        await Eventually.True(() => DeskRig.Open(b)[0]!["restoredAt"] is not null, "the button released");

        // The node desk A is on dies (RabbitMQ.Client picked it among the three): A must find another.
        var node = (await a.Api.GetFromJsonAsync<JsonObject>("/healthz"))!["broker"]!["node"]!.GetValue<string>();
        var n = Enumerable.Range(1, 3).Single(i => node.EndsWith($":{_base + 10 + i}", StringComparison.Ordinal));
        await ClusterAsync("kill", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _hardware.SetLevel("c001", 17, false);
        await Eventually.True(() => DeskRig.Open(a).Count == 2, "the second alarm at the desks after the node died", TimeSpan.FromSeconds(90));
        var second = DeskRig.Open(a).Select(x => (string)x!["id"]!).Single(id => id != first);
        // Desk A may still be finding another node: the step waits for its link rather than leaving the column untold.
        (await a.Api.PostAsync(new Uri($"/api/alarms/{second}/acknowledge", UriKind.Relative), null)).EnsureSuccessStatusCode();
        Assert.NotEqual("failed", DeskRig.Outcome(a, second, "acknowledge"));
        await Eventually.True(() => DeskRig.Outcome(b, second, "acknowledge") == "applied", "the column took it and desk B shows it", TimeSpan.FromSeconds(60));
        Assert.Equal(2, b.Counts().Alarms);
        await gw.StopAsync(default);
    }

    private Task ClusterAsync(params string[] args) =>
        RabbitMqClusters.RunAsync(_dir.Combine("cluster"), RabbitMqClusters.Environment(_dir.Combine("cluster"), _base), args);

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _desks)
        {
            await d.DisposeAsync();
        }

        await _hardware.DisposeAsync();
        if (_started)
        {
            await ClusterAsync("stop");
        }

        _dir.Dispose();
    }
}
