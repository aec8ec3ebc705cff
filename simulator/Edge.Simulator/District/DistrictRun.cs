using System.Diagnostics;
using System.Globalization;
using Edge.Simulator.Broker;
using Edge.Simulator.Gateways;
using Edge.Simulator.Report;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;
using Serilog;
using Serilog.Extensions.Logging;

namespace Edge.Simulator.District;

// Over 300 lines: a run's steps in their order (broker, devices, gateways, scenario, drain, stop, verdict), each a named method, with the waits between them.
/// <summary>
/// <c>edge-sim run</c> and <c>edge-sim hardware</c>: the station broker (in-process or external), the communities'
/// simulated hardware, a gateway per community (in-process, processes, or elsewhere), a station probe with the ground
/// truth of every event the scenario caused, and at the end a summary and a report. <see cref="RunAsync"/> reads as
/// its steps. Exit codes: 0 all arrived, 1 something was lost or wrong, 2 the run could not start.
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
        var run = new RunContext(settings, scenario, o);
        try
        {
            var broker = await StartBrokerAsync(settings, o).ConfigureAwait(false);
            await using var brokerScope = Scope(broker);
            var brokerUri = settings.Broker ?? new Uri(broker!.Uri);
            var district = Sites(settings);
            OpenFiles.ThrowIfTooFew(district, settings);
            if (settings.Shard is not null && (settings.DeskPort is not null || scenario.Desk))
            {
                // A desk answers every site's alarms under one client id: one per district, not one per shard.
                throw new RunStartException($"--shard runs a part of the district with its probe; the police desk (--desk, the {ScenarioCatalog.All.First(s => s.Desk).Name} scenario) serves the whole district and runs without --shard");
            }
            var probe = await StartProbeAsync(brokerUri, settings.Shard, settings.Shard is null ? null : district.Select(c => c.Id).ToList(), run.Time, ct).ConfigureAwait(false);
            await using var probeScope = Scope(probe);
            GrowThreadPool(district.Count);
            var clock = new SimClock(run.Time, settings.Speed ?? scenario.DefaultSpeed, scenario.StartOfDay);
            var checks = new StationChecks(clock);
            checks.Attach(probe);
            var view = new ConsoleView(o, settings.Verbosity);
            probe.Received += view.Print;

            var devices = await DistrictDevices.StartAsync(settings, district, checks.Truth, clock).ConfigureAwait(false);
            await using var devicesScope = Scope(devices);
            devices.Describe(o);
            var journal = new Journal(clock, settings.Verbosity == Verbosity.Quiet ? null : o);
            var dataRoot = settings.DataDirectory ?? Path.Combine(Path.GetTempPath(), $"edge-sim-{Environment.ProcessId}");
            Directory.CreateDirectory(dataRoot);
            using var gatewayLog = new LoggerConfiguration().MinimumLevel.Warning()
                .WriteTo.File(Path.Combine(dataRoot, "gateways.log"), formatProvider: CultureInfo.InvariantCulture).CreateLogger();
            using var loggers = new SerilogLoggerFactory(gatewayLog);
            var stationDesk = await StartStationDeskAsync(settings, brokerUri, dataRoot, loggers, run.Time, o, ct).ConfigureAwait(false);
            await using var stationDeskScope = Scope(stationDesk);
            if (stationDesk is not null && settings.DeskWatcher is { } watcher)
            {
                await watcher.StartAsync(stationDesk, ct).ConfigureAwait(false);
            }
            var desk = await StartDeskAsync(settings, scenario, devices, checks, brokerUri, run.Time, ct).ConfigureAwait(false);
            await using var deskScope = Scope(desk);
            desk?.ActThrough(stationDesk);
            StationKey[] keys = [.. new[] { desk?.StationKey, stationDesk?.StationKey }.OfType<StationKey>()];
            var fleet = MakeFleet(settings, scenario, district, devices, brokerUri, dataRoot, checks.Supervision, journal, loggers, run.Time, keys);
            await using var fleetScope = Scope(fleet);
            var station = StationControlFor(broker, probe, fleet, scenario);

            var ok = false;
            try
            {
                var memoryPerCommunity = await BringUpGatewaysAsync(fleet, probe, district.Count, o, ct).ConfigureAwait(false);
                RunContext.Played played;
                using (var live = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    // The status line runs while the scenario plays and while the station receives what is on its way.
                    var status = settings.Verbosity == Verbosity.Quiet ? Task.CompletedTask : view.StatusLoopAsync(clock, probe, checks, district.Count, live.Token);
                    try
                    {
                        played = await PlayAsync(run, clock, devices, fleet, station, checks, journal, probe, district.Count, desk, ct).ConfigureAwait(false);
                        await DrainAsync(fleet, probe, district, checks, desk).ConfigureAwait(false);
                        desk?.Doors.Finish();
                        desk?.Finish();
                        if (stationDesk is not null && settings.DeskWatcher is { } watching)
                        {
                            await watching.FinishAsync(stationDesk).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        await live.CancelAsync().ConfigureAwait(false);
                        await status.ConfigureAwait(false);
                    }
                }

                var online = probe.Online;
                view.Mute();
                var committed = await StopGatewaysAsync(fleet, probe, district).ConfigureAwait(false);
                var report = run.Report(clock, district, broker is null ? brokerUri.ToString() : "in-process", fleet, probe, checks, journal,
                    committed, online, played, memoryPerCommunity, desk?.Check.Counts());
                if (stationDesk is not null)
                {
                    var c = stationDesk.Counts();
                    o.WriteLine($"  desk         {stationDesk.Url}: stored {c.Events} events ({c.Alarms} alarms), {c.Pictures} pictures, {c.Duplicates} duplicates dropped, {c.Quarantined} quarantined, {c.Results} command results");
                }

                ok = report.Ok;
                return ok ? 0 : 1;
            }
            finally
            {
                KeepOrDelete(settings, dataRoot, ok, o);
            }
        }
        catch (RunStartException ex)
        {
            o.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }

    private static async Task<StationBroker?> StartBrokerAsync(RunSettings settings, TextWriter o)
    {
        StationBroker? broker;
        try
        {
            broker = settings.Broker is null ? await StationBroker.StartAsync(settings.BrokerPort).ConfigureAwait(false) : null;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            throw new RunStartException($"cannot start the station broker on port {settings.BrokerPort}: {ex.Message}", ex);
        }

        o.WriteLine($"Station broker   {settings.Broker ?? new Uri(broker!.Uri)} ({(broker is null ? "external" : "in-process")})");
        return broker;
    }

    /// <summary>
    /// The sites this run simulates: the first N of the district, or this shard's part of them. A shard that would hold
    /// none (n above N) is refused.
    /// </summary>
    public static IReadOnlyList<CommunityPlan> Sites(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Shard is { } s && s.Count > settings.Communities)
        {
            throw new RunStartException($"--shard {s} of {settings.Communities} sites: n may be at most the number of sites, or shard {s} holds none");
        }

        var district = DistrictTopology.Generate(settings.Seed, settings.Communities);
        return settings.Shard is { } shard ? [.. district.Where((_, position) => shard.Holds(position))] : district;
    }

    /// <summary>The station probe; a shard's watches its own sites only (<paramref name="sites"/>), the others' are other probes' business.</summary>
    private static async Task<StationProbe> StartProbeAsync(Uri broker, Shard? shard, IReadOnlyList<string>? sites, TimeProvider time, CancellationToken ct)
    {
        // One client id per shard on a shared broker: shards on other machines may have the same process id, and a
        // second client with an id takes the first one's session over.
        var clientId = shard is null ? $"edge-station-probe-{Environment.ProcessId}" : $"edge-station-probe-shard-{shard.Index}-of-{shard.Count}-{Environment.ProcessId}";
        var probe = new StationProbe(broker, clientId, time, sites: sites);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await probe.StartAsync(connect.Token).ConfigureAwait(false);
            return probe;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await probe.DisposeAsync().ConfigureAwait(false);
            throw new RunStartException($"the station probe cannot reach the broker at {broker} (tried for 10 s)");
        }
    }

    /// <summary>
    /// Hundreds of gateways share this process's thread pool, which starts with one thread per core and grows slowly;
    /// their outboxes commit with synchronous SQLite calls, as each does alone on its device. Measured on 2 cores with
    /// all 312: alarm.panic p99 4.9 s with the default minimum, 116 ms with this one. The latencies reported are then
    /// the gateways', not the host's.
    /// </summary>
    private static void GrowThreadPool(int communities)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32 + (communities / 4)), io);
    }

    /// <summary>The real police alarm desk, when the run was asked for it (<c>--desk</c>): its address and the duty operator's password are printed.</summary>
    private static async Task<StationDesk?> StartStationDeskAsync(RunSettings settings, Uri broker, string dataRoot, Microsoft.Extensions.Logging.ILoggerFactory loggers,
        TimeProvider time, TextWriter o, CancellationToken ct)
    {
        if (settings.DeskPort is not { } port)
        {
            return null;
        }

        if (settings.Gateways == GatewayMode.External)
        {
            throw new RunStartException("the desk signs commands with a key made for the run, which only the simulator's own gateways are configured with: use edge-sim run --desk");
        }

        try
        {
            var desk = await StationDesk.StartAsync(broker, port, Path.Combine(dataRoot, "desk"), loggers, time, ct).ConfigureAwait(false);
            o.WriteLine($"police desk  {desk.Url} (log in as {StationDesk.DutyOperator}, password {desk.DutyPassword})");
            return desk;
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or HttpRequestException or Edge.Station.Configuration.DeskConfigException && !ct.IsCancellationRequested)
        {
            throw new RunStartException($"the police desk did not start: {ex.Message}");
        }
    }

    /// <summary>
    /// The police desk of a scenario that answers alarms, connected to the station broker: its key is made for the run,
    /// so only the simulator's own gateways can know it. It watches the columns' LEDs and the controllers' locks.
    /// </summary>
    private static async Task<PoliceDesk?> StartDeskAsync(RunSettings settings, Scenario scenario, DistrictDevices devices, StationChecks checks, Uri broker,
        TimeProvider time, CancellationToken ct)
    {
        if (!scenario.Desk)
        {
            return null;
        }

        if (settings.Gateways == GatewayMode.External)
        {
            throw new RunStartException($"the {scenario.Name} scenario signs commands with a key made for the run, which only the simulator's own gateways are configured with: use edge-sim run");
        }

        var desk = new PoliceDesk(time, checks.Truth, checks.Snapshots, new ColumnLeds(devices.Bridge));
        foreach (var community in devices.Communities)
        {
            community.Doors.RemoteOpened += (door, at) => desk.Doors.Opened(community.Id, door, at);
        }

        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await desk.StartAsync(broker, connect.Token).ConfigureAwait(false);
            return desk;
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException && !ct.IsCancellationRequested)
        {
            await desk.DisposeAsync().ConfigureAwait(false);
            throw new RunStartException($"the police desk cannot reach the broker at {broker}: {ex.Message}");
        }
    }

    private static GatewayFleet? MakeFleet(RunSettings settings, Scenario scenario, IReadOnlyList<CommunityPlan> district, DistrictDevices devices, Uri broker,
        string dataRoot, Supervision supervision, Journal journal, Microsoft.Extensions.Logging.ILoggerFactory loggers, TimeProvider time, IReadOnlyList<StationKey> stationKeys)
    {
        var fleetSettings = new FleetSettings(broker, devices.Endpoints, dataRoot, settings.HeartbeatInterval, settings.TestEventRate ?? scenario.LoadPerGateway, stationKeys,
            settings.GatewayProgram);
        return settings.Gateways switch
        {
            GatewayMode.InProcess => new InProcessFleet(district, fleetSettings, supervision, journal.Writer, loggers, time),
            GatewayMode.Processes => new ProcessFleet(district, fleetSettings, supervision, journal.Writer),
            _ => null,
        };
    }

    /// <summary>How the scenario takes the station away: restarting the in-process broker, or cutting the gateways' uplinks.</summary>
    private static StationControl StationControlFor(StationBroker? broker, StationProbe probe, GatewayFleet? fleet, Scenario scenario)
    {
        StationControl station = broker is not null ? new StationControl.BrokerRestart(broker, probe, fleet)
            : fleet is not null ? new StationControl.UplinksCut(fleet)
            : new StationControl.None();
        if (scenario.Activities.Any(a => a() is Scenarios.Activities.Outage) && station is StationControl.None)
        {
            throw new RunStartException("the outage scenario needs the in-process broker or the simulator's own gateways");
        }

        return station;
    }

    /// <summary>Starts the fleet (or waits for gateways run elsewhere) until every gateway is online; the memory each in-process community added.</summary>
    private static async Task<double?> BringUpGatewaysAsync(GatewayFleet? fleet, StationProbe probe, int communities, TextWriter o, CancellationToken ct)
    {
        var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var wsBefore = process.WorkingSet64;
        if (fleet is null)
        {
            o.WriteLine($"Serving the hardware of {communities} communities for gateways run elsewhere (configure them with edge-sim topology --write); waiting up to 60 s for them to come online...");
            await WaitAsync(() => probe.Online >= communities, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            return null;
        }

        o.WriteLine($"Starting {communities} gateways ({fleet.Mode})...");
        await fleet.StartAsync(ct).ConfigureAwait(false);
        await WaitAsync(() => probe.Online >= communities, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        GC.Collect();
        process.Refresh();
        return fleet is InProcessFleet ? Math.Round((process.WorkingSet64 - wsBefore) / 1048576.0 / communities, 2) : null;
    }

    /// <summary>Plays the scenario with the status line running; how long it took and what it cost.</summary>
    private static async Task<RunContext.Played> PlayAsync(RunContext run, SimClock clock, DistrictDevices devices, GatewayFleet? fleet, StationControl station, StationChecks checks,
        Journal journal, StationProbe probe, int communities, PoliceDesk? desk, CancellationToken ct)
    {
        var (settings, scenario, o) = (run.Settings, run.Scenario, run.Output);
        o.WriteLine($"Scenario {scenario.Name}: {scenario.Summary}");
        o.WriteLine(settings.Duration > TimeSpan.Zero
            ? $"Running {settings.Duration.TotalSeconds:0.#} s at speed {clock.Speed:0.##} from {clock.StartOfDay:hh\\:mm} (Ctrl+C stops early); {probe.Online}/{communities} gateways online"
            : $"Running at speed {clock.Speed:0.##} from {clock.StartOfDay:hh\\:mm} until Ctrl+C; {probe.Online}/{communities} gateways online");
        var context = new ScenarioContext(clock, (settings.Duration > TimeSpan.Zero ? settings.Duration : TimeSpan.FromDays(1)) * clock.Speed,
            devices.Communities, fleet, station, checks.Backlog, journal, settings.Seed, desk);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuAtScenario = process.TotalProcessorTime;
        var gatewayCpuAtScenario = fleet?.GatewayCpu();
        clock.Restart();
        await scenario.RunAsync(context, settings.Duration > TimeSpan.Zero ? settings.Duration : Timeout.InfiniteTimeSpan, ct,
            underWay => o.WriteLine(underWay == 0
                ? $"Scenario time up after {clock.WallElapsed.TotalSeconds:0.0} s"
                : $"Scenario time up after {clock.WallElapsed.TotalSeconds:0.0} s; letting the {underWay} acts under way finish (none is cut off halfway: a camera's motion takes up to 16 s)")).ConfigureAwait(false);

        var scenarioTime = clock.WallElapsed;
        process.Refresh();
        var scenarioCpu = (process.TotalProcessorTime - cpuAtScenario).TotalSeconds;
        var gatewayCpuPercent = fleet?.GatewayCpu() - gatewayCpuAtScenario is { } gatewayCpu
            ? Math.Round(gatewayCpu.TotalSeconds / scenarioTime.TotalSeconds / communities * 100, 2)
            : (double?)null;
        o.WriteLine($"Scenario over after {scenarioTime.TotalSeconds:0.0} s; waiting for the station to receive what is on its way...");
        return new RunContext.Played(scenarioTime, scenarioCpu, gatewayCpuPercent, fleet?.GatewayPeakMemoryMb());
    }

    /// <summary>Waits, at most <see cref="DrainTimeout"/>, until the station has every event caused and every seq committed (and the snapshots, unless a gateway was killed holding some).</summary>
    private static Task DrainAsync(GatewayFleet? fleet, StationProbe probe, IReadOnlyList<CommunityPlan> district, StationChecks checks, PoliceDesk? desk) =>
        WaitAsync(() => checks.Truth.Open == 0 && RunVerdict.SequenceComplete(fleet, probe, district) && (checks.Snapshots.Missing == 0 || checks.Supervision.Kills > 0)
                        && (desk is null || desk.Check.Counts().Unanswered == 0),
            DrainTimeout, CancellationToken.None);

    /// <summary>
    /// Stops the fleet; what each gateway committed, read after it stopped. Gateways that run elsewhere are not stopped:
    /// what each committed is what a heartbeat sent after the scenario says (an older one would leave out the last
    /// events), and the station is given the time to receive every seq up to it.
    /// </summary>
    private static async Task<Dictionary<string, long?>> StopGatewaysAsync(GatewayFleet? fleet, StationProbe probe, IReadOnlyList<CommunityPlan> district)
    {
        if (fleet is not null)
        {
            await fleet.StopAsync().ConfigureAwait(false);
            return RunVerdict.Committed(fleet, probe, district, DateTimeOffset.MinValue);
        }

        var after = DateTimeOffset.UtcNow;
        await WaitAsync(() => RunVerdict.Committed(null, probe, district, after).Values.All(v => v is not null), ExternalHeartbeatWait, CancellationToken.None).ConfigureAwait(false);
        var committed = RunVerdict.Committed(null, probe, district, after);
        await WaitAsync(() => district.All(c => committed[c.Id] is not { } last || probe.HasAll(c.Id, GatewayFleet.GatewayId, last)), DrainTimeout, CancellationToken.None)
            .ConfigureAwait(false);
        return committed;
    }

    /// <summary>How long gateways that run elsewhere have to send a heartbeat after the scenario (theirs default to 15 s).</summary>
    private static readonly TimeSpan ExternalHeartbeatWait = TimeSpan.FromSeconds(35);

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

    /// <summary>Disposes <paramref name="part"/> at the end of the scope, when there is one (an external broker, gateways run elsewhere).</summary>
    private static System.Runtime.CompilerServices.ConfiguredAsyncDisposable Scope(IAsyncDisposable? part) => (part ?? NoPart.Instance).ConfigureAwait(false);

    /// <summary>A run's own data directory is deleted after a good run and kept, with a word, after a bad one.</summary>
    private static void KeepOrDelete(RunSettings settings, string dataRoot, bool ok, TextWriter o)
    {
        if (settings.DataDirectory is not null)
        {
            return;
        }

        if (!ok)
        {
            o.WriteLine($"  data         the gateways' outboxes and log are kept in {dataRoot}");
            return;
        }

        try
        {
            Directory.Delete(dataRoot, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class NoPart : IAsyncDisposable
    {
        public static readonly NoPart Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
