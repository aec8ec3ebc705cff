using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Edge.Gateway.Configuration;
using Edge.Gateway.Hosting;
using Edge.Gateway.Outbox;
using Edge.Simulator.Network;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Gateways;

/// <summary>
/// Every community's gateway as a real <c>edge-gateway</c> process, configured by the file the simulator writes for
/// it (<c>DATA/cNNN/appsettings.json</c>). A kill is SIGKILL; the stop at the end is SIGTERM, as systemd does.
/// </summary>
public sealed partial class ProcessFleet(
    IReadOnlyList<CommunityPlan> communities, FleetSettings settings, Supervision supervision, TextWriter journal)
    : GatewayFleet(communities, settings, supervision, journal)
{
    private const int Sigterm = 15;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<string, Process> _processes = new();
    private readonly ConcurrentDictionary<string, long> _lastSeq = new();
    private readonly Dictionary<string, CommunityPlan> _plans = communities.ToDictionary(c => c.Id);

    /// <summary>The gateway program, copied beside the simulator by the build.</summary>
    public static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "edge-gateway.dll");

    /// <summary>The largest peak resident memory of a gateway process seen, in bytes.</summary>
    private long _peakMemory;

    public override string Mode => "processes";

    /// <summary>CPU time of the gateway processes that have exited (killed, crashed).</summary>
    private long _exitedCpuTicks;

    public override TimeSpan? GatewayCpu()
    {
        var total = TimeSpan.FromTicks(Interlocked.Read(ref _exitedCpuTicks));
        foreach (var process in _processes.Values)
        {
            try
            {
                process.Refresh();
                total += process.TotalProcessorTime;
                NotePeak(process);
            }
            catch (InvalidOperationException)
            {
                // Exited between the listing and the reading: counted when it is removed.
            }
        }

        return total;
    }

    public override double? GatewayPeakMemoryMb() => Math.Round(Interlocked.Read(ref _peakMemory) / 1048576.0, 1);

    private void NotePeak(Process process)
    {
        // On Linux, the kernel's high-water mark of the process's resident memory (VmHWM).
        var peak = process.PeakWorkingSet64;
        long seen;
        while (peak > (seen = Interlocked.Read(ref _peakMemory)) && Interlocked.CompareExchange(ref _peakMemory, peak, seen) != seen)
        {
        }
    }

    /// <summary>Known only once a process has stopped (read from its outbox); while running, the station's heartbeats tell.</summary>
    public override long? Committed(string community) => _lastSeq.TryGetValue(community, out var seq) ? seq : null;

    protected override async Task StartAllAsync(CancellationToken ct)
    {
        if (Settings.GatewayProgram is { } program)
        {
            if (!File.Exists(program))
            {
                throw new FileNotFoundException($"--gateway-program names '{program}', which does not exist");
            }
        }
        else if (!File.Exists(GatewayDll))
        {
            throw new FileNotFoundException($"the gateway program is not beside the simulator: {GatewayDll}");
        }

        foreach (var c in Communities)
        {
            await StartOneAsync(c.Id, ct).ConfigureAwait(false);
        }
    }

    protected override Task StartOneAsync(string community, CancellationToken ct)
    {
        var directory = DataDirectory(community);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "appsettings.json");
        File.WriteAllText(file, Json(Config(_plans[community])));
        var info = new ProcessStartInfo(Settings.GatewayProgram is { } program ? Path.GetFullPath(program) : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Settings.GatewayProgram is null)
        {
            info.ArgumentList.Add(GatewayDll);
        }

        info.ArgumentList.Add("run");
        info.Environment["EDGE_GATEWAY_CONFIG"] = file;
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";

        // A district's gateways on one machine: no Prometheus endpoint each (they would all want the same port).
        info.Environment["Edge__Metrics__Listen"] = "";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"edge-gateway for {community} did not start");
        // The gateway logs to its data directory too; the pipes are drained so it never blocks on them.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[community] = process;
        return Task.CompletedTask;
    }

    protected override async Task KillCoreAsync(string community, UplinkWire wire)
    {
        if (_processes.TryRemove(community, out var process))
        {
            try
            {
                process.Refresh();
                Interlocked.Add(ref _exitedCpuTicks, process.TotalProcessorTime.Ticks);
                NotePeak(process);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // It had exited already.
            }

            process.Dispose();
            _lastSeq[community] = ReadLastSeq(community);
        }
    }

    protected override bool IsAlive(string community) => _processes.TryGetValue(community, out var p) && !p.HasExited;

    protected override async Task StopAllAsync()
    {
        var stopping = _processes.ToList();
        _processes.Clear();
        foreach (var (_, process) in stopping)
        {
            if (!process.HasExited)
            {
                _ = Kill(process.Id, Sigterm);
            }
        }

        foreach (var (community, process) in stopping)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Journal.WriteLine($"gateway {community}/{GatewayId} did not stop within {StopTimeout.TotalSeconds:0} s: killed");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }

            process.Dispose();
            _lastSeq[community] = ReadLastSeq(community);
        }
    }

    /// <summary>The last committed seq of a stopped gateway, from its outbox.</summary>
    private long ReadLastSeq(string community)
    {
        var gateway = new GatewayOptions { Community = community, Id = GatewayId, DataDirectory = GatewayDataDirectory(community) };
        var path = GatewayInstance.OutboxPath(gateway);
        if (!File.Exists(path))
        {
            return 0;
        }

        using var store = OutboxStore.Open(path, $"{community}/{GatewayId}", new OutboxOptions());
        return store.LastSeq;
    }

    protected override async ValueTask DisposeCoreAsync() => await StopAllAsync().ConfigureAwait(false);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
