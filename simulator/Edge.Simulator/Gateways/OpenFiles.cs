using System.Globalization;
using Edge.Simulator.District;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Gateways;

/// <summary>How many files (sockets included) this process holds, against its limit: what runs out first in a large in-process district.</summary>
public static class OpenFiles
{
    /// <summary>
    /// Files a run holds for its sites, measured: each camera's event stream and snapshots take about 2.5 sockets (the
    /// gateway's end and the simulated camera's), each site 7 more (the outbox's files, the uplink, the bridge), and
    /// the run about 100 of its own. With the gateways elsewhere (processes of their own, or external), the
    /// simulator holds the devices' ends only.
    /// </summary>
    public static long Needed(IReadOnlyList<CommunityPlan> sites, bool gatewaysInProcess = true)
    {
        ArgumentNullException.ThrowIfNull(sites);
        var (perCamera, perSite) = gatewaysInProcess ? (2.5, 7.0) : (1.3, 2.0);
        return (long)Math.Ceiling((perCamera * sites.Sum(c => c.Cameras.Count)) + (perSite * sites.Count) + 100);
    }

    /// <summary>
    /// Refuses, before anything starts, a run whose sites would need more files than the process may hold: it would
    /// fail halfway through starting the gateways. Gateways in processes of their own hold their files themselves.
    /// </summary>
    public static void ThrowIfTooFew(IReadOnlyList<CommunityPlan> sites, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var needed = Needed(sites, settings.Gateways == GatewayMode.InProcess);
        if (Limit() is not { } limit || needed <= limit * 0.95)
        {
            return;
        }

        var shards = (int)Math.Ceiling(needed / (limit * 0.9)) * (settings.Shard?.Count ?? 1);
        throw new RunStartException(string.Create(CultureInfo.InvariantCulture,
            $"{sites.Count} sites with {sites.Sum(c => c.Cameras.Count)} cameras need about {needed} open files (sockets) in one process, and this process may hold {limit} " +
            $"(ulimit -n): split the run across processes with --shard i/n, n at least {shards}, or raise the limit"));
    }

    /// <summary>The process's limit of open files (RLIMIT_NOFILE, which .NET raises to the hard limit at start); null where unknown.</summary>
    public static long? Limit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static string Describe()
    {
        try
        {
            var open = Directory.GetFiles("/proc/self/fd").Length;
            return string.Create(CultureInfo.InvariantCulture, $"{open} files open in this process, its limit {Limit()?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reading /proc takes a file too: failing, the process has most likely run out of them.
            return $"this process could not even read how many files it holds ({ex.Message}): most likely it is out of open files";
        }
    }
}
