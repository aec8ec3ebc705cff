using System.Globalization;
using System.Text.Json;
using Edge.Simulator.Station;

namespace Edge.Simulator.Report;

/// <summary>A category's latency over shards: how many, the largest shard's p99 (the district's is no larger), the largest maximum.</summary>
public sealed record MergedLatency(long Count, double P99AtMost, double Max);

/// <summary>
/// The reports of a district run split into shards (<c>--shard i/n</c>), read back and added up: the sites, devices,
/// events, losses and gateways of every shard, and whether the shards were all there, of one run, each once. Latency
/// percentiles do not add: the merge gives the count, the largest of the shards' p99 (an upper bound of the district's)
/// and the largest maximum.
/// </summary>
public sealed record ShardMerge(
    int Shards,
    int Sites,
    DeviceCounts Devices,
    EventTotals Events,
    long SequenceMissing,
    IReadOnlyDictionary<string, MergedLatency> LatencyMs,
    int Gateways,
    int GatewaysOnline,
    double CpuS,
    double PeakWorkingSetMb,
    IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;

    /// <summary>Reads the reports; a file that is missing or is not a run report stops with its name.</summary>
    public static ShardMerge Read(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var reports = new List<(string Path, RunReport Report)>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"no report at '{path}'", path);
            }

            try
            {
                var report = JsonSerializer.Deserialize(File.ReadAllText(path), ReportJsonContext.Default.RunReport);
                // JSON fills what a file lacks with null: a file of other JSON reads as a report of nothing.
                if (report is null || report.Events is null || report.Problems is null || report.Devices is null || report.Sequence is null
                    || report.Gateways is null || report.Resources is null || report.LatencyMs is null || report.Events.ByCategory is null)
                {
                    throw new InvalidDataException($"'{path}' is not a run report (edge-sim run --report)");
                }

                reports.Add((path, report));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{path}' is not a run report: {ex.Message}", ex);
            }
        }

        return Of(reports);
    }

    /// <summary>Adds up the shards' reports (<paramref name="reports"/> with the file each came from).</summary>
    public static ShardMerge Of(IReadOnlyList<(string Path, RunReport Report)> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            throw new ArgumentException("no reports to merge", nameof(reports));
        }

        var problems = new List<string>();
        var rs = reports.Select(r => r.Report).ToList();
        var count = ShardCount(reports, problems);
        if (rs.Select(r => (r.Scenario, r.Seed, r.DistrictSites)).Distinct().Count() > 1)
        {
            problems.Add("the reports are not of one run: " + string.Join(", ", reports.Select(r => $"{r.Path} ({r.Report.Scenario}, seed {r.Report.Seed}, {r.Report.DistrictSites} sites)")));
        }

        foreach (var (path, report) in reports)
        {
            problems.AddRange(report.Problems.Select(p => $"shard {report.Shard ?? "-"} ({path}): {p}"));
        }

        var categories = rs.SelectMany(r => r.Events.ByCategory).GroupBy(c => c.Key, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => new CategoryCounts(g.Sum(c => c.Value.Generated), g.Sum(c => c.Value.Delivered), g.Sum(c => c.Value.Lost), g.Sum(c => c.Value.Duplicates), g.Sum(c => c.Value.Unexpected)),
            StringComparer.Ordinal);
        var latency = rs.SelectMany(r => r.LatencyMs).GroupBy(l => l.Key, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => new MergedLatency(g.Sum(l => l.Value.Count), g.Max(l => l.Value.P99), g.Max(l => l.Value.Max)), StringComparer.Ordinal);
        return new ShardMerge(
            count,
            rs.Sum(r => r.Communities),
            new DeviceCounts(rs.Sum(r => r.Devices.Cameras), rs.Sum(r => r.Devices.UnitDoors), rs.Sum(r => r.Devices.AccessControls), rs.Sum(r => r.Devices.AlarmButtons), rs.Sum(r => r.Devices.Zones)),
            new EventTotals(rs.Sum(r => r.Events.Generated), rs.Sum(r => r.Events.Delivered), rs.Sum(r => r.Events.Lost), rs.Sum(r => r.Events.Duplicates),
                rs.Sum(r => r.Events.Unexpected), categories, [.. rs.SelectMany(r => r.Events.FirstUnexpected).Take(10)]),
            rs.Sum(r => r.Sequence.Missing),
            latency,
            rs.Sum(r => r.Gateways.Total),
            rs.Sum(r => r.Gateways.Online),
            Math.Round(rs.Sum(r => r.Resources.CpuS), 1),
            Math.Round(rs.Sum(r => r.Resources.PeakWorkingSetMb), 1),
            problems);
    }

    /// <summary>The n the shards share; every shard 1..n there exactly once, or the problem named.</summary>
    private static int ShardCount(IReadOnlyList<(string Path, RunReport Report)> reports, List<string> problems)
    {
        var shards = new List<(int Index, int Count, string Path)>();
        foreach (var (path, report) in reports)
        {
            if (report.Shard is null || District.Shard.Parse(report.Shard, out _) is not { } shard)
            {
                problems.Add($"{path} is not a shard's report (run with --shard i/n)");
                continue;
            }

            shards.Add((shard.Index, shard.Count, path));
        }

        var counts = shards.Select(s => s.Count).Distinct().ToList();
        if (counts.Count > 1)
        {
            problems.Add($"the reports split the district differently: {string.Join(", ", shards.Select(s => $"{s.Index}/{s.Count}"))}");
            return shards.Count;
        }

        var n = counts.FirstOrDefault(shards.Count);
        foreach (var twice in shards.GroupBy(s => s.Index).Where(g => g.Count() > 1))
        {
            problems.Add($"shard {twice.Key}/{n} is there {twice.Count()} times: {string.Join(", ", twice.Select(s => s.Path))}");
        }

        var missing = Enumerable.Range(1, n).Except(shards.Select(s => s.Index)).ToList();
        if (missing.Count > 0)
        {
            var named = string.Join(", ", missing.Take(10).Select(i => $"{i}/{n}")) + (missing.Count > 10 ? $" and {missing.Count - 10} more" : "");
            problems.Add($"missing the report of shard {named}: its sites were not checked");
        }

        return n;
    }

    public void Print(TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(inv, $"District of {Shards} shards: {Sites} sites, {Gateways} gateways ({GatewaysOnline} online at the end)"));
        o.WriteLine(string.Create(inv, $"  devices      {Devices.Cameras} cameras, {Devices.UnitDoors} unit doors, {Devices.AccessControls} access controls, {Devices.AlarmButtons} alarm buttons, {Devices.Zones} zones"));
        o.WriteLine(string.Create(inv, $"  events       the simulator caused {Events.Generated}, the station received {Events.Delivered}, lost {Events.Lost}, duplicates {Events.Duplicates}, unexpected {Events.Unexpected}; the gateways' seq missing {SequenceMissing}"));
        foreach (var (category, l) in LatencyMs.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            o.WriteLine(string.Create(inv, $"    {category,-10} {l.Count} received; from the act to the station p99 at most {l.P99AtMost:0.0} ms (the largest shard's), max {l.Max:0.0} ms"));
        }

        o.WriteLine(string.Create(inv, $"  cost         {CpuS:0.0} CPU s, peak working sets {PeakWorkingSetMb:0} MB in all ({PeakWorkingSetMb / Math.Max(1, Sites):0.00} MB per site)"));
        o.WriteLine(Ok
            ? "  result       OK: every shard is there, once, and every event each shard caused reached the station"
            : "  result       FAILED: " + string.Join("; ", Problems));
    }
}
