using System.Diagnostics;
using System.Globalization;
using Edge.Simulator.Broker;
using Edge.Simulator.Devices;
using Edge.Simulator.Gateways;
using Edge.Simulator.Hardware;
using Edge.Simulator.Report;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;
using Serilog;
using Serilog.Extensions.Logging;

namespace Edge.Simulator.District;

/// <summary>
/// <c>edge-sim run</c> and <c>edge-sim hardware</c>: the station broker (in-process or external), the communities'
/// simulated hardware on the bridge, a gateway per community (in-process, processes, or elsewhere), a station probe
/// with the ground truth of every event the scenario caused, and at the end a summary and a report.
/// Exit codes: 0 all arrived, 1 something was lost or wrong, 2 the run could not start.
/// </summary>
public static class DistrictRun
{
    /// <summary>How long, after the scenario, the station may take to receive what is still on its way.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(RunSettings settings, TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var o = TextWriter.Synchronized(output);
        var scenario = ScenarioCatalog.Find(settings.Scenario)
                       ?? throw new ArgumentException($"unknown scenario '{settings.Scenario}'", nameof(settings));
        var time = TimeProvider.System;
        var process = Process.GetCurrentProcess();
        var cpuAtStart = process.TotalProcessorTime;
        var startedAt = time.GetUtcNow();

        StationBroker? broker;
        try
        {
            broker = settings.Broker is null ? await StationBroker.StartAsync(settings.BrokerPort).ConfigureAwait(false) : null;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            o.WriteLine($"error: cannot start the station broker on port {settings.BrokerPort}: {ex.Message}");
            return 2;
        }

        await using var _ = broker;
        var brokerUri = settings.Broker ?? new Uri(broker!.Uri);
        o.WriteLine($"Station broker   {brokerUri} ({(broker is null ? "external" : "in-process")})");

        await using var probe = new StationProbe(brokerUri, $"edge-station-probe-{Environment.ProcessId}", time);
        if (!await ConnectAsync(probe, brokerUri, o, ct).ConfigureAwait(false))
        {
            return 2;
        }

        var district = DistrictTopology.Generate(settings.Seed, settings.Communities);
        // Hundreds of gateways share this process's thread pool, which starts with one thread per core and grows slowly;
        // their outboxes commit with synchronous SQLite calls, as each does alone on its device. Measured on 2 cores
        // with all 312: alarm.panic p99 4.9 s with the default minimum, 116 ms with this one. The latencies reported are
        // then the gateways', not the host's.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32 + (district.Count / 4)), io);
        var clock = new SimClock(time, settings.Speed ?? scenario.DefaultSpeed, scenario.StartOfDay);
        var journal = new Journal(clock, settings.Verbosity == Verbosity.Quiet ? null : o);
        var truth = new GroundTruth();
        var timeline = new Timeline(clock);
        var supervision = new Supervision();
        var backlog = new BacklogTracker();
        var snapshots = new SnapshotCheck();
        truth.Met += timeline.OnMet;
        probe.Received += truth.Observe;
        probe.Received += timeline.OnArrived;
        probe.Received += supervision.Observe;
        probe.Received += backlog.Observe;
        probe.Received += snapshots.Observe;
        var view = new ConsoleView(o, settings.Verbosity);
        probe.Received += view.Print;

        BridgeServer hardware;
        try
        {
            hardware = BridgeServer.Start(settings.BridgePort);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            o.WriteLine($"error: cannot serve the hardware bridge on port {settings.BridgePort}: {ex.Message}");
            return 2;
        }

        await using var __ = hardware;
        HttpDeviceServer http;
        try
        {
            http = await HttpDeviceServer.StartAsync(settings.HttpPort).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            o.WriteLine($"error: cannot serve the network devices (ISAPI, ONVIF) on port {settings.HttpPort}: {ex.Message}");
            return 2;
        }

        await using var ____ = http;
        OsdpLines osdp;
        try
        {
            osdp = OsdpLines.Start(district, settings.OsdpPortBase);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            o.WriteLine($"error: cannot serve the OSDP lines from port {settings.OsdpPortBase}: {ex.Message}");
            return 2;
        }

        await using var _____ = osdp;
        var communities = district.Select(plan => new SimCommunity(plan, hardware, truth, clock, http, osdp.Line(plan.Id))).ToList();
        using var ___ = new Disposables(communities);
        foreach (var c in communities)
        {
            c.Rest();
        }

        o.WriteLine($"Hardware bridge  {hardware.Endpoint} ({communities.Count} communities: {communities.Sum(c => c.Wiring.Buttons.Count)} alarm buttons, {communities.Sum(c => c.Wiring.Zones.Count)} zones wired)");
        o.WriteLine($"Network devices  http://127.0.0.1:{http.Port}/ ({communities.Sum(c => c.Wiring.Controllers.Count())} unit door access controllers (ISAPI); " +
                    $"{communities.Sum(c => c.Wiring.Cameras.Count)} cameras: {communities.Sum(c => c.Wiring.Cameras.Count(w => w.Protocol == Edge.Gateway.Cameras.CameraProtocol.Isapi))} ISAPI, " +
                    $"{communities.Sum(c => c.Wiring.Cameras.Count(w => w.Protocol == Edge.Gateway.Cameras.CameraProtocol.Onvif))} ONVIF)");
        o.WriteLine($"Door readers     {communities.Sum(c => c.Wiring.Doors.Sum(d => d.Readers.Count))} access controls at {communities.Sum(c => c.Wiring.Doors.Count)} unit doors: " +
                    $"{osdp.Readers} OSDP readers on {osdp.Endpoints.Count} lines, {communities.Sum(c => c.Wiring.WiegandDoors.Sum(d => d.WiegandReaders.Count))} Wiegand readers on the bridge, the rest behind the controllers");

        var dataRoot = settings.DataDirectory ?? Path.Combine(Path.GetTempPath(), $"edge-sim-{Environment.ProcessId}");
        Directory.CreateDirectory(dataRoot);
        using var gatewayLog = new LoggerConfiguration().MinimumLevel.Warning()
            .WriteTo.File(Path.Combine(dataRoot, "gateways.log"), formatProvider: CultureInfo.InvariantCulture).CreateLogger();
        using var loggers = new SerilogLoggerFactory(gatewayLog);
        var fleetSettings = new FleetSettings(brokerUri,
            new DeviceEndpoints(hardware.Endpoint, new Uri($"http://127.0.0.1:{http.Port}/"), new Uri("tcp://127.0.0.1:0")) { OsdpLines = osdp.Endpoints }, dataRoot, settings.HeartbeatInterval, settings.TestEventRate ?? scenario.LoadPerGateway);
        await using var fleet = settings.Gateways switch
        {
            GatewayMode.InProcess => new InProcessFleet(district, fleetSettings, supervision, journal.Writer, loggers, time),
            GatewayMode.Processes => new ProcessFleet(district, fleetSettings, supervision, journal.Writer),
            _ => (GatewayFleet?)null,
        };
        StationControl station = broker is not null ? new StationControl.BrokerRestart(broker, probe, fleet)
            : fleet is not null ? new StationControl.UplinksCut(fleet)
            : new StationControl.None();
        if (scenario.Activities.Any(a => a() is Scenarios.Activities.Outage) && station is StationControl.None)
        {
            o.WriteLine("error: the outage scenario needs the in-process broker or the simulator's own gateways");
            return 2;
        }

        GC.Collect();
        process.Refresh();
        var wsBefore = process.WorkingSet64;
        double? memoryPerCommunity = null;
        var ok = false;
        try
        {
            if (fleet is not null)
            {
                o.WriteLine($"Starting {district.Count} gateways ({fleet.Mode})...");
                await fleet.StartAsync(ct).ConfigureAwait(false);
                await WaitAsync(() => probe.Online >= district.Count, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                GC.Collect();
                process.Refresh();
                memoryPerCommunity = fleet is InProcessFleet ? Math.Round((process.WorkingSet64 - wsBefore) / 1048576.0 / district.Count, 2) : null;
            }
            else
            {
                o.WriteLine($"Serving the hardware of {district.Count} communities for gateways run elsewhere (configure them with edge-sim topology --write); waiting up to 60 s for them to come online...");
                await WaitAsync(() => probe.Online >= district.Count, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            }

            o.WriteLine($"Scenario {scenario.Name}: {scenario.Summary}");
            o.WriteLine(settings.Duration > TimeSpan.Zero
                ? $"Running {settings.Duration.TotalSeconds:0.#} s at speed {clock.Speed:0.##} from {clock.StartOfDay:hh\\:mm} (Ctrl+C stops early); {probe.Online}/{district.Count} gateways online"
                : $"Running at speed {clock.Speed:0.##} from {clock.StartOfDay:hh\\:mm} until Ctrl+C; {probe.Online}/{district.Count} gateways online");
            var context = new ScenarioContext(clock, (settings.Duration > TimeSpan.Zero ? settings.Duration : TimeSpan.FromDays(1)) * clock.Speed,
                communities, fleet, station, backlog, journal, settings.Seed);
            using var live = CancellationTokenSource.CreateLinkedTokenSource(ct);
            process.Refresh();
            var cpuAtScenario = process.TotalProcessorTime;
            var gatewayCpuAtScenario = fleet?.GatewayCpu();
            clock.Restart();
            var status = settings.Verbosity == Verbosity.Quiet ? Task.CompletedTask : StatusLoopAsync(view, clock, probe, truth, timeline, district.Count, live.Token);
            await scenario.RunAsync(context, settings.Duration > TimeSpan.Zero ? settings.Duration : Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false);
            var scenarioTime = clock.WallElapsed;
            process.Refresh();
            var scenarioCpu = (process.TotalProcessorTime - cpuAtScenario).TotalSeconds;
            var gatewayCpuPercent = fleet?.GatewayCpu() - gatewayCpuAtScenario is { } gatewayCpu
                ? Math.Round(gatewayCpu.TotalSeconds / scenarioTime.TotalSeconds / district.Count * 100, 2)
                : (double?)null;

            o.WriteLine($"Scenario over after {scenarioTime.TotalSeconds:0.0} s; waiting for the station to receive what is on its way...");
            await WaitAsync(() => truth.Open == 0 && SequenceComplete(fleet, probe, district) && (snapshots.Missing == 0 || supervision.Kills > 0), DrainTimeout, CancellationToken.None).ConfigureAwait(false);
            await live.CancelAsync().ConfigureAwait(false);
            await status.ConfigureAwait(false);
            var online = probe.Online;
            view.Mute();
            var committed = Committed(fleet, probe, district);
            if (fleet is not null)
            {
                await fleet.StopAsync().ConfigureAwait(false);
                committed = Committed(fleet, probe, district);
            }

            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuAtStart).TotalSeconds;
            var cpuPercent = Math.Round(scenarioCpu / scenarioTime.TotalSeconds / Environment.ProcessorCount * 100, 1);
            var report = Build(settings, scenario, clock, startedAt, district, broker is null ? brokerUri.ToString() : "in-process",
                fleet, probe, truth, timeline, supervision, backlog, snapshots.Counts(), journal, committed, online, scenarioTime,
                new Resources(Environment.ProcessorCount, Math.Round(cpu, 1), cpuPercent,
                    Math.Round(process.PeakWorkingSet64 / 1048576.0, 1), memoryPerCommunity, gatewayCpuPercent));
            Summary.Print(report, clock, o);
            if (settings.ReportPath is { } path)
            {
                var html = ReportWriter.Write(report, path);
                o.WriteLine($"  report       {path} and {html}");
            }

            ok = report.Ok;
            return ok ? 0 : 1;
        }
        finally
        {
            if (settings.DataDirectory is null)
            {
                if (ok)
                {
                    TryDelete(dataRoot);
                }
                else
                {
                    o.WriteLine($"  data         the gateways' outboxes and log are kept in {dataRoot}");
                }
            }
        }
    }

    private static async Task<bool> ConnectAsync(StationProbe probe, Uri broker, TextWriter o, CancellationToken ct)
    {
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await probe.StartAsync(connect.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            o.WriteLine($"error: the station probe cannot reach the broker at {broker} (tried for 10 s)");
            return false;
        }
    }

    private static async Task StatusLoopAsync(ConsoleView view, SimClock clock, StationProbe probe, GroundTruth truth, Timeline timeline, int gateways, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                view.Status(clock, probe.Online, gateways, timeline.RecentRate(), truth.Categories().GetValueOrDefault(Contracts.Events.EventCategory.Alarm),
                    truth.Latency().GetValueOrDefault(Contracts.Events.EventCategory.Alarm), truth.Overdue(clock.Time.GetUtcNow(), TimeSpan.FromSeconds(10)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>True when the station has every seq each gateway committed (when the fleet knows them).</summary>
    private static bool SequenceComplete(GatewayFleet? fleet, StationProbe probe, IReadOnlyList<CommunityPlan> district) =>
        fleet is null || district.All(c => fleet.Committed(c.Id) is not { } last || probe.HasAll(c.Id, GatewayFleet.GatewayId, last));

    /// <summary>Committed seqs per gateway: from the fleet, or from the last heartbeat when the gateways run elsewhere.</summary>
    private static Dictionary<string, long?> Committed(GatewayFleet? fleet, StationProbe probe, IReadOnlyList<CommunityPlan> district) =>
        district.ToDictionary(c => c.Id, c => fleet?.Committed(c.Id) ?? probe.LastHeartbeat(c.Id, GatewayFleet.GatewayId)?.LastSeq);

    private static RunReport Build(
        RunSettings settings, Scenario scenario, SimClock clock, DateTimeOffset startedAt, IReadOnlyList<CommunityPlan> district, string broker,
        GatewayFleet? fleet, StationProbe probe, GroundTruth truth, Timeline timeline, Supervision supervision, BacklogTracker backlog,
        SnapshotCounts snapshots, Journal journal, Dictionary<string, long?> committed, int online, TimeSpan scenarioTime, Resources resources)
    {
        var categories = truth.Categories();
        var total = truth.Total();
        long received = 0, missing = 0, seqDuplicates = 0;
        foreach (var c in district)
        {
            var ledger = probe.Ledger(c.Id, GatewayFleet.GatewayId);
            received += ledger.Unique;
            seqDuplicates += ledger.Duplicates;
            if (committed[c.Id] is { } last)
            {
                missing += ledger.Missing(last);
            }
        }

        long? committedTotal = committed.Values.Any(v => v is null) ? null : committed.Values.Sum(v => v!.Value);
        var problems = new List<string>();
        if (total.Lost > 0)
        {
            problems.Add($"{total.Lost} events the simulator caused never reached the station ({string.Join(", ", categories.Where(c => c.Value.Lost > 0).Select(c => $"{c.Key} {c.Value.Lost}"))}; " +
                         $"{(total.Lost > 5 ? "the first 5: " : "")}{string.Join(", ", truth.Missing(5))})");
        }

        if (missing > 0)
        {
            problems.Add($"{missing} events the gateways committed are missing at the station (gaps in their seq)");
        }

        if (categories.GetValueOrDefault(Contracts.Events.EventCategory.Alarm) is { Unexpected: > 0 } alarms)
        {
            problems.Add($"{alarms.Unexpected} alarms arrived that nothing in the simulator caused");
        }

        if (probe.Malformed > 0)
        {
            problems.Add($"{probe.Malformed} messages did not match the contract");
        }

        if (snapshots.Bad > 0)
        {
            problems.Add($"{snapshots.Bad} pictures were not a JPEG of a camera their event listed");
        }

        // Pictures are not kept over a restart: a gateway killed with pictures in hand loses them, and says so in its event only.
        if (snapshots.Missing > 0 && supervision.Kills == 0)
        {
            problems.Add($"{snapshots.Missing} pictures the events announced never arrived");
        }

        if (supervision.Undetected > 0)
        {
            problems.Add($"{supervision.Undetected} killed gateways were never seen offline by the station");
        }

        return new RunReport(
            scenario.Name, settings.Seed, clock.Speed, startedAt, Math.Round(scenarioTime.TotalSeconds, 1), district.Count, broker,
            fleet?.Mode ?? "external",
            new DeviceCounts(district.Sum(c => c.Cameras.Count), district.Sum(c => c.UnitDoors.Count), district.Sum(c => c.AccessControls.Count),
                district.Sum(c => c.AlarmButtons.Count), district.Sum(c => c.Zones.Count)),
            new EventTotals(total.Generated, total.Delivered, total.Lost, total.Duplicates, total.Unexpected, categories),
            new SequenceCheck(committedTotal, received, missing, seqDuplicates, probe.Malformed),
            truth.Latency(),
            truth.LatencyByType(),
            new GatewayHealth(district.Count, online, supervision.OfflineDetectedMaxS, supervision.Kills, supervision.Undetected, fleet?.Crashes ?? 0, fleet?.Restarts ?? 0),
            backlog.Report(),
            snapshots,
            resources,
            journal.Entries,
            timeline.Points(),
            problems);
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition() && deadline.Elapsed < timeout && !ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
