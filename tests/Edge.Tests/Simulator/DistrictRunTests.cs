using System.Text.Json.Nodes;
using Edge.Simulator.District;
using Edge.Tests.Support;
using Json.Schema;

namespace Edge.Tests.Simulator;

/// <summary>Short runs of the whole district, end to end: hardware, real gateway code, broker, probe, report.</summary>
public sealed class DistrictRunTests : IDisposable
{
    private static readonly JsonSchema ReportSchema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemas", "run-report.schema.json")));
    private readonly TempDirectory _dir = new();

    private async Task<(int Code, JsonNode Report, string Output)> RunAsync(RunSettings settings)
    {
        using var output = new StringWriter();
        var path = Path.Combine(_dir.Path, $"{settings.Scenario}-{Guid.NewGuid():N}.json");
        var code = await DistrictRun.RunAsync(settings with { ReportPath = path, Verbosity = Verbosity.Quiet, DataDirectory = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N")) },
            output, TestContext.Current.CancellationToken);
        var text = output.ToString();
        Assert.True(File.Exists(path), $"no report written:\n{text}");
        var json = File.ReadAllText(path);
        var result = ReportSchema.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, $"the report does not match docs/schemas/run-report.schema.json: {string.Join("; ", result.Details.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")))}");
        var html = File.ReadAllText(Path.ChangeExtension(path, ".html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        return (code, JsonNode.Parse(json)!, text);
    }

    [Fact]
    public async Task A_storm_delivers_every_guard_room_alarm_and_writes_both_reports()
    {
        var (code, report, output) = await RunAsync(new RunSettings { Communities = 5, Scenario = "storm", Duration = TimeSpan.FromSeconds(9) });

        Assert.True(code == 0, output);
        Assert.Equal("storm", (string)report["scenario"]!);
        Assert.Equal(5, (int)report["communities"]!);
        // Every guard-room button pressed once: an active and a restored alarm each.
        Assert.Equal(10, (long)report["events"]!["generated"]!);
        Assert.Equal(10, (long)report["events"]!["delivered"]!);
        Assert.Equal(0, (long)report["events"]!["lost"]!);
        Assert.Equal(10, (long)report["latencyByTypeMs"]!["alarm.panic"]!["count"]!);
        Assert.Equal(10, (long)report["sequence"]!["committed"]!);
        Assert.Equal(5, (int)report["gateways"]!["online"]!);
        Assert.True((bool)report["ok"]!);
        Assert.Contains("result       OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_police_desk_answers_every_column_alarm_the_columns_follow_and_no_bad_command_applies()
    {
        var (code, report, output) = await RunAsync(new RunSettings { Communities = 4, Scenario = "response", Duration = TimeSpan.FromSeconds(15) });

        Assert.True(code == 0, output);
        var commands = report["commands"]!;
        var raised = (long)commands["alarmsRaised"]!;
        Assert.True(raised > 0, output);
        Assert.Equal(raised, (long)commands["alarmsAcknowledged"]!);
        Assert.Equal((0L, 0L, 0L), ((long)commands["badApplied"]!, (long)commands["unanswered"]!, (long)commands["wrongOutcome"]!));
        Assert.Empty(commands["firstProblems"]!.AsArray());
        // The attacker's commands: captured ones replayed, stale ones expired, the rest refused.
        Assert.True((long)commands["replayed"]! > 0, output);
        Assert.True((long)commands["expired"]! > 0, output);
        Assert.True((long)commands["refused"]! > 0, output);
        Assert.True((long)commands["effectMs"]!["count"]! > 0, output);
        // Acknowledged, dispatched, resolved: each a change of the column the station heard of.
        Assert.Equal(3 * raised, (long)report["latencyByTypeMs"]!["device.indicator"]!["count"]!);
        Assert.Equal(0, (long)report["events"]!["lost"]!);
    }

    [Fact]
    public async Task An_outage_loses_nothing_and_the_backlog_drains_alarms_first()
    {
        var (code, report, output) = await RunAsync(new RunSettings { Communities = 3, Scenario = "outage", Duration = TimeSpan.FromSeconds(10) });

        Assert.True(code == 0, output);
        var outage = report["outage"]!;
        Assert.Equal(5, (double)outage["downS"]!, precision: 0);
        Assert.True((int)outage["alarms"]! >= 3, output);
        Assert.True((int)outage["events"]! > (int)outage["alarms"]!, "the background load queued too");
        Assert.Equal(0, (int)outage["overtaken"]!);
        Assert.Equal(0, (long)report["sequence"]!["missing"]!);
        Assert.Equal(0, (long)report["events"]!["lost"]!);
    }

    [Fact]
    public async Task Faults_are_survived_and_a_killed_gateway_is_seen_offline_at_once()
    {
        var (code, report, output) = await RunAsync(new RunSettings { Communities = 4, Scenario = "faults", Duration = TimeSpan.FromSeconds(14) });

        Assert.True(code == 0, output);
        var gateways = report["gateways"]!;
        Assert.Equal(1, (int)gateways["kills"]!);
        Assert.Equal(0, (int)gateways["undetectedKills"]!);
        Assert.Equal(1, (int)gateways["restarts"]!);
        Assert.InRange((double)gateways["offlineDetectedMaxS"]!, 0, 2);
        var device = report["events"]!["byCategory"]!["device"]!;
        Assert.True((long)device["generated"]! > 0, "the unplugged I/O board's devices went offline and online");
        Assert.Equal(0, (long)device["lost"]!);
        Assert.Contains(report["incidents"]!.AsArray(), i => ((string)i!["text"]!).Contains("gateway killed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daily_life_through_a_real_mosquitto_broker_loses_nothing()
    {
        using var mosquitto = await Mosquitto.StartAsync(_dir.Path);

        var (code, report, output) = await RunAsync(new RunSettings
        {
            Communities = 3, Scenario = "normal", Duration = TimeSpan.FromSeconds(6), Speed = 3600, Broker = new Uri(mosquitto.Uri),
        });

        Assert.True(code == 0, output);
        Assert.Equal(mosquitto.Uri + "/", (string)report["broker"]!);
        Assert.True((long)report["events"]!["generated"]! > 0, output);
        Assert.Equal(0, (long)report["events"]!["lost"]!);
    }

    [Fact]
    public async Task Real_gateway_processes_deliver_a_storm()
    {
        var (code, report, output) = await RunAsync(new RunSettings { Communities = 2, Scenario = "storm", Duration = TimeSpan.FromSeconds(8), Gateways = GatewayMode.Processes });

        Assert.True(code == 0, output);
        Assert.Equal("processes", (string)report["gatewayMode"]!);
        Assert.Equal(4, (long)report["events"]!["delivered"]!);
        Assert.Equal(4, (long)report["sequence"]!["committed"]!);
    }

    [Fact]
    public async Task The_response_scenario_with_gateways_run_elsewhere_stops_at_start_and_says_why()
    {
        using var output = new StringWriter();

        var code = await DistrictRun.RunAsync(new RunSettings { Communities = 1, Scenario = "response", Gateways = GatewayMode.External },
            output, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("signs commands with a key made for the run", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_cannot_be_reached_stops_the_run_with_a_clear_error()
    {
        using var output = new StringWriter();
        var port = Edge.Simulator.Broker.StationBroker.FreePort();

        var code = await DistrictRun.RunAsync(new RunSettings { Communities = 1, Broker = new Uri($"mqtt://127.0.0.1:{port}") }, output, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains($"cannot reach the broker at mqtt://127.0.0.1:{port}", output.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary><c>edge-sim hardware</c> with real gateway processes configured by <c>topology --write</c>.</summary>
public sealed class HardwareModeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Gateways_run_elsewhere_read_the_served_hardware_and_the_probe_checks_them()
    {
        // The gateways' configurations name the ports before the run opens them: a port another test took meanwhile
        // fails the start ("Address already in use"), and the attempt is made again on other ports.
        for (var attempt = 1; ; attempt++)
        {
            var (code, output, report, c001, c002) = await RunOnFreePortsAsync();
            if (code == 2 && output.Contains("Address already in use", StringComparison.Ordinal) && attempt < 3)
            {
                continue;
            }

            Assert.True(code == 0, $"{output}\n--- c001:\n{c001}\n--- c002:\n{c002}");
            AssertReport(JsonNode.Parse(File.ReadAllText(report))!);
            return;
        }
    }

    private async Task<(int Code, string Output, string Report, string C001, string C002)> RunOnFreePortsAsync()
    {
        var brokerPort = Edge.Simulator.Broker.StationBroker.FreePort();
        var bridgePort = Edge.Simulator.Broker.StationBroker.FreePort();
        var httpPort = Edge.Simulator.Broker.StationBroker.FreePort();
        var osdpBase = Edge.Simulator.Broker.StationBroker.FreePort() - 1;
        var dir = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        var files = Edge.Simulator.Topology.GatewayConfigWriter.Write(Edge.Simulator.Topology.DistrictTopology.Generate(1, communities: 2), dir,
            new Uri($"mqtt://127.0.0.1:{brokerPort}"),
            new Edge.Simulator.Topology.DeviceEndpoints(new Uri($"tcp://127.0.0.1:{bridgePort}"), new Uri($"http://127.0.0.1:{httpPort}/"), new Uri($"tcp://127.0.0.1:{osdpBase}")));
        using var output = new StringWriter();
        var report = Path.Combine(dir, "hardware.json");
        var run = DistrictRun.RunAsync(new RunSettings
        {
            Communities = 2, Scenario = "storm", Duration = TimeSpan.FromSeconds(9), Gateways = GatewayMode.External,
            BrokerPort = brokerPort, BridgePort = bridgePort, HttpPort = httpPort, OsdpPortBase = osdpBase, ReportPath = report, Verbosity = Verbosity.Quiet,
        }, TextWriter.Synchronized(output), TestContext.Current.CancellationToken);

        using var g1 = GatewayProcess.Start(new Dictionary<string, string> { ["EDGE_GATEWAY_CONFIG"] = files[0] });
        using var g2 = GatewayProcess.Start(new Dictionary<string, string> { ["EDGE_GATEWAY_CONFIG"] = files[1] });
        var code = await run;
        return (code, output.ToString(), report, g1.Output, g2.Output);
    }

    private static void AssertReport(JsonNode json)
    {
        Assert.Equal("external", (string)json["gatewayMode"]!);
        Assert.Equal(4, (long)json["events"]!["delivered"]!);

        // Each guard-room alarm announced the gate camera's snapshot, and the gateway processes sent it.
        Assert.Equal((2L, 2L, 0L), ((long)json["snapshots"]!["expected"]!, (long)json["snapshots"]!["received"]!, (long)json["snapshots"]!["bad"]!));
        Assert.Equal(0, (long)json["events"]!["lost"]!);
        Assert.Equal(2, (int)json["gateways"]!["online"]!);

        // What the gateways committed comes from a heartbeat sent after the scenario, and all of it is at the station.
        var sequence = json["sequence"]!;
        Assert.NotNull(sequence["committed"]);
        Assert.Equal(0, (long)sequence["missing"]!);
        Assert.Equal((long)sequence["received"]!, (long)sequence["committed"]!);
    }

    public void Dispose() => _dir.Dispose();
}
