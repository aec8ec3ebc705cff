using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;

namespace Edge.Simulator.Report;

/// <summary>
/// What a run proved, as written to <c>--report</c> (JSON; schema docs/schemas/run-report.schema.json) and the HTML
/// page beside it.
/// </summary>
public sealed record RunReport(
    string Scenario,
    int Seed,
    double Speed,
    [property: JsonConverter(typeof(Edge.Contracts.Serialization.UtcTimestampConverter))] DateTimeOffset StartedAt,
    double DurationS,
    int Communities,
    string Broker,
    string GatewayMode,
    DeviceCounts Devices,
    EventTotals Events,
    SequenceCheck Sequence,
    IReadOnlyDictionary<string, LatencySummary> LatencyMs,
    IReadOnlyDictionary<string, LatencySummary> LatencyByTypeMs,
    IReadOnlyDictionary<string, LatencySummary> LatencyFromGatewayMs,
    GatewayHealth Gateways,
    BacklogReport? Outage,
    Station.SnapshotCounts Snapshots,
    Resources Resources,
    IReadOnlyList<JournalEntry> Incidents,
    IReadOnlyList<TimelinePoint> Timeline,
    Station.CommandCounts? Commands,
    IReadOnlyList<string> Problems,
    string? Shard = null,
    int DistrictSites = 0)
{
    /// <summary>True when nothing was lost, nothing phantom arrived, and every killed gateway was seen offline.</summary>
    public bool Ok => Problems.Count == 0;
}

/// <summary>The simulated district's devices (the whole topology of the simulated communities).</summary>
public sealed record DeviceCounts(int Cameras, int UnitDoors, int AccessControls, int AlarmButtons, int Zones);

/// <summary>The ground truth: events the simulator caused, and what the station made of them.</summary>
public sealed record EventTotals(long Generated, long Delivered, long Lost, long Duplicates, long Unexpected, IReadOnlyDictionary<string, CategoryCounts> ByCategory,
    IReadOnlyList<string> FirstUnexpected);

/// <summary>
/// The gateways' own numbering: every seq a gateway committed (including the background load) against what the
/// station received. <see cref="Committed"/> is null when the gateways are not the simulator's.
/// </summary>
public sealed record SequenceCheck(long? Committed, long Received, long Missing, long Duplicates, long Malformed);

/// <summary>Gateway supervision: how many, how many online at the end, and how fast the station saw a dead one.</summary>
public sealed record GatewayHealth(int Total, int Online, double? OfflineDetectedMaxS, int Kills, int UndetectedKills, int Crashes, int Restarts);

/// <summary>
/// What the run cost this machine: CPU seconds of the whole run (start and stop included), the share of the machine's
/// cores used while the scenario ran, the peak working set, and the memory each community with its gateway added.
/// </summary>
public sealed record Resources(int Cores, double CpuS, double CpuPercent, double PeakWorkingSetMb, double? MemoryPerCommunityMb, double? GatewayCpuPercentOfCore,
    double? GatewayPeakMemoryMb = null);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(RunReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
