using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edge.Gateway.Alarms;
using Edge.Simulator.Hardware;
using Edge.Simulator.Station;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Station;

/// <summary>
/// Two police desks of one station on a real Mosquitto and one real PostgreSQL, with a real gateway and its column: each
/// desk keeps its own session and takes in every message, and the shared database keeps each alarm once. An alarm
/// acknowledged at one desk is acknowledged at the other, and with one desk down the other takes every alarm.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TwoDesksTests(PostgresServer server) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly List<IAsyncDisposable> _desks = [];
    private Mosquitto _broker = null!;
    private BridgeServer _hardware = null!;
    private string _database = "";

    public async ValueTask InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(_dir.Path);
        _hardware = BridgeServer.Start();
        _hardware.SetLevel("c001", 17, true);
        _database = await server.CreateDatabaseAsync();
    }

    /// <summary>A desk of its own name (client id, key id, data directory) on the shared database.</summary>
    private async Task<StationDesk> DeskAsync(string name)
    {
        var desk = await StationDesk.StartAsync(new Uri(_broker.Uri), 0, _dir.Combine(name), NullLoggerFactory.Instance, TimeProvider.System,
            TestContext.Current.CancellationToken, new Dictionary<string, string?>
            {
                ["Desk:ClientId"] = "station-" + name,
                ["Desk:CommandKeyId"] = name,
                ["Desk:PostgreSql"] = _database,
            });
        _desks.Add(desk);
        return desk;
    }

    private async Task<Edge.Gateway.Hosting.GatewayInstance> GatewayAsync(params StationDesk[] desks)
    {
        var gw = DeskRig.Gateway(_broker.Uri, _dir.Combine("gw"), _hardware, "Guard room", desks);
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected && gw.UplinkService.State.Connected, "bridge and uplink up");
        return gw;
    }

    [Fact]
    public async Task An_alarm_acknowledged_at_one_desk_is_acknowledged_at_the_other_and_the_column_shows_it()
    {
        var a = await DeskAsync("desk-a");
        var b = await DeskAsync("desk-b");
        using var gw = await GatewayAsync(a, b);
        var columns = gw.AlarmsFeature.Columns!;

        _hardware.SetLevel("c001", 17, false);
        await Eventually.True(() => DeskRig.Open(a).Count == 1 && DeskRig.Open(b).Count == 1, "the alarm open at both desks");
        var id = (string)DeskRig.Open(a)[0]!["id"]!;
        Assert.Equal(id, (string)DeskRig.Open(b)[0]!["id"]!);

        // Officers at both desks acknowledge at once: one step, one command; the other officer is told who took it.
        var both = await Task.WhenAll(
            b.Api.PostAsync(new Uri($"/api/alarms/{id}/acknowledge", UriKind.Relative), null),
            a.Api.PostAsync(new Uri($"/api/alarms/{id}/acknowledge", UriKind.Relative), null));
        Assert.Single(both, r => r.StatusCode == HttpStatusCode.OK);
        var refused = Assert.Single(both, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Contains("acknowledge was taken by", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Acknowledged, "the column shows the police took it");
        await Eventually.True(() => DeskRig.Outcome(a, id, "acknowledge") == "applied", "both desks show the step and the gateway's answer");
        Assert.Equal("applied", DeskRig.Outcome(b, id, "acknowledge"));

        // The next step from the other desk, signed with its own key, reaches the column too.
        (await a.Api.PostAsync(new Uri($"/api/alarms/{id}/dispatch", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Dispatched, "officers on their way");
        await Eventually.True(() => DeskRig.Outcome(b, id, "dispatch") == "applied", "desk B shows A's step");
        Assert.Equal(1, a.Counts().Alarms);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task With_one_desk_down_the_other_takes_every_alarm_and_the_returning_desk_adds_none()
    {
        var a = await DeskAsync("desk-a");
        var b = await DeskAsync("desk-b");
        using var gw = await GatewayAsync(a, b);
        _hardware.SetLevel("c001", 17, false);
        await Eventually.True(() => DeskRig.Open(b).Count == 1, "the first alarm at desk B");
        _hardware.SetLevel("c001", 17, true);
        await Eventually.True(() => DeskRig.Open(b)[0]!["restoredAt"] is not null, "the button released");

        await a.DisposeAsync();
        _desks.Remove(a);
        _hardware.SetLevel("c001", 17, false);
        await Eventually.True(() => DeskRig.Open(b).Count == 2, "the second alarm at desk B while desk A is down");

        // Desk A returns under its own session: the broker gives it what it missed, and the database keeps it once.
        var back = await DeskAsync("desk-a");
        await Eventually.True(() => back.Counts() is { Events: >= 3 } c && c.Duplicates == c.Events, "every event taken in by both desks");
        Assert.Equal(2, back.Counts().Alarms);
        Assert.Equal(2, DeskRig.Open(back).Count);
        await gw.StopAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _desks)
        {
            await d.DisposeAsync();
        }

        await _hardware.DisposeAsync();
        _broker.Dispose();
        _dir.Dispose();
    }
}
