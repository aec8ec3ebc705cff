using System.Diagnostics;
using System.Globalization;
using Edge.Gateway.Configuration;
using Edge.Gateway.Hosting;
using Edge.Simulator.Broker;
using Edge.Simulator.Hardware;
using Edge.Simulator.Station;
using Serilog;
using Serilog.Extensions.Logging;

namespace Edge.Simulator.District;

/// <summary>
/// <c>edge-sim run</c>: a station broker, one gateway instance per community in this process (each with its own
/// outbox and MQTT connection), and a station probe that checks every committed event arrived.
/// </summary>
public static class DistrictRun
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(RunSettings settings, TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var o = TextWriter.Synchronized(output);
        var time = TimeProvider.System;
        await using var broker = settings.Broker is null ? await StationBroker.StartAsync().ConfigureAwait(false) : null;
        var brokerUri = settings.Broker ?? new Uri(broker!.Uri);
        o.WriteLine($"Station broker  {brokerUri} ({(broker is null ? "external" : "in-process")})");

        await using var probe = new StationProbe(brokerUri, $"edge-station-probe-{Environment.ProcessId}", time);
        var view = new ConsoleView(o, settings.Quiet);
        probe.Received += view.Print;
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connect.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await probe.StartAsync(connect.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                o.WriteLine($"error: the station probe cannot reach the broker at {brokerUri}");
                return 2;
            }
        }

        var dataRoot = settings.DataDirectory ?? Path.Combine(Path.GetTempPath(), $"edge-sim-{Environment.ProcessId}");
        await using var hardware = BridgeServer.Start();
        var communities = Enumerable.Range(1, settings.Communities).Select(Community).ToList();
        var drill = new AlarmDrill(hardware, communities, seed: 1);
        drill.Rest();
        probe.Received += drill.OnArrived;
        o.WriteLine($"Hardware bridge {hardware.Endpoint} (buttons, columns and zones of {communities.Count} communities)");
        using var serilog = new LoggerConfiguration().MinimumLevel.Warning()
            .WriteTo.Console(formatProvider: CultureInfo.InvariantCulture).CreateLogger();
        using var loggers = new SerilogLoggerFactory(serilog);
        var gateways = Enumerable.Range(1, settings.Communities)
            .Select(i => GatewayInstance.Create(Settings(i, settings, brokerUri, dataRoot, hardware.Endpoint), loggers, time))
            .ToList();
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var g in gateways)
            {
                await g.StartAsync(ct).ConfigureAwait(false);
            }

            o.WriteLine($"Started {gateways.Count} gateways; running for {settings.Duration.TotalSeconds:0.#} s (Ctrl+C stops early)");
            using (var drilling = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                var drillTask = settings.AlarmEvery > TimeSpan.Zero ? drill.RunAsync(settings.AlarmEvery, drilling.Token) : Task.CompletedTask;
                await RunForAsync(settings, gateways, probe, o, clock, ct).ConfigureAwait(false);
                await drilling.CancelAsync().ConfigureAwait(false);
                await drillTask.ConfigureAwait(false);
            }

            foreach (var g in gateways.Where(g => g.TestEvents is not null))
            {
                await g.TestEvents!.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await WaitAsync(() => drill.Arrived == drill.Pressed && drill.ZoneAlarms == drill.ZonesDisturbed
                                   && gateways.All(g => probe.HasAll(g.Settings.Gateway.Community, g.Settings.Gateway.Id, g.Store.LastSeq)), DrainTimeout).ConfigureAwait(false);
            var summary = RunSummary.Collect(settings, gateways, probe, clock.Elapsed, broker is not null, drill);
            foreach (var g in gateways)
            {
                await g.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await WaitAsync(() => probe.Online == 0, TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            summary = summary with { OfflineAtStop = gateways.Count - probe.Online };
            summary.Print(o);
            return summary.Ok ? 0 : 1;
        }
        finally
        {
            foreach (var g in gateways)
            {
                g.Dispose();
            }

            if (settings.DataDirectory is null)
            {
                TryDelete(dataRoot);
            }
        }
    }

    private static string Community(int index) => $"c{index:000}";

    private static GatewaySettings Settings(int index, RunSettings run, Uri broker, string dataRoot, Uri bridge)
    {
        var community = Community(index);
        var (hardware, alarms) = AlarmDrill.Configuration(bridge);
        return new GatewaySettings(
            new GatewayOptions { Community = community, Id = "gw1", DataDirectory = Path.Combine(dataRoot, $"{community}-gw1") },
            new OutboxOptions { MaxBytes = 64L * 1024 * 1024 },
            new UplinkOptions
            {
                Broker = broker.ToString(),
                HeartbeatInterval = run.HeartbeatInterval,
                ReconnectMaxDelay = TimeSpan.FromSeconds(5),
            },
            new TestEventOptions { Rate = run.TestEventRate },
            hardware,
            alarms);
    }

    private static async Task RunForAsync(RunSettings settings, List<GatewayInstance> gateways, StationProbe probe, TextWriter o, Stopwatch clock, CancellationToken ct)
    {
        var progressEvery = TimeSpan.FromSeconds(5);
        var next = progressEvery;
        while (clock.Elapsed < settings.Duration && !ct.IsCancellationRequested)
        {
            var wait = TimeSpan.FromMilliseconds(Math.Min(250, (settings.Duration - clock.Elapsed).TotalMilliseconds));
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (clock.Elapsed >= next)
            {
                next += progressEvery;
                var committed = gateways.Sum(g => g.Store.LastSeq);
                o.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0}s] online {probe.Online}/{gateways.Count}  committed {committed}  delivered {probe.Unique}  duplicates {probe.Duplicates}");
            }
        }
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition() && deadline.Elapsed < timeout)
        {
            await Task.Delay(50).ConfigureAwait(false);
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
