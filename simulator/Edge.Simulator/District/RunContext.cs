using System.Diagnostics;
using Edge.Simulator.Gateways;
using Edge.Simulator.Report;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.District;

/// <summary>One run: its settings, its output, and what it has used since it began.</summary>
internal sealed class RunContext(RunSettings settings, Scenario scenario, TextWriter output)
{
    /// <summary>How long the scenario played, the CPU this process used meanwhile, and each gateway process's share of a core.</summary>
    public sealed record Played(TimeSpan Time, double CpuS, double? GatewayCpuPercent, double? GatewayPeakMemoryMb);

    private readonly Process _process = Process.GetCurrentProcess();
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;

    public RunSettings Settings { get; } = settings;

    public Scenario Scenario { get; } = scenario;

    public TextWriter Output { get; } = output;

    public TimeProvider Time { get; } = TimeProvider.System;

    public DateTimeOffset StartedAt { get; } = TimeProvider.System.GetUtcNow();

    /// <summary>Builds the report, prints the summary and writes the report files asked for.</summary>
    public RunReport Report(SimClock clock, IReadOnlyList<CommunityPlan> district, string broker, GatewayFleet? fleet, StationProbe probe, StationChecks checks,
        Journal journal, Dictionary<string, long?> committed, int online, Played played, double? memoryPerCommunity, CommandCounts? commands)
    {
        _process.Refresh();
        var cpu = (_process.TotalProcessorTime - _cpuAtStart).TotalSeconds;
        var cpuPercent = Math.Round(played.CpuS / played.Time.TotalSeconds / Environment.ProcessorCount * 100, 1);
        var report = RunVerdict.Build(Settings, Scenario, clock, StartedAt, district, broker, fleet, probe, checks.Truth, checks.Timeline, checks.Supervision,
            checks.Backlog, checks.Snapshots.Counts(), journal, committed, online, played.Time,
            new Resources(Environment.ProcessorCount, Math.Round(cpu, 1), cpuPercent, Math.Round(_process.PeakWorkingSet64 / 1048576.0, 1), memoryPerCommunity,
                played.GatewayCpuPercent, played.GatewayPeakMemoryMb), commands);
        Summary.Print(report, clock, Output);
        if (Settings.ReportPath is { } path)
        {
            var html = ReportWriter.Write(report, path);
            Output.WriteLine($"  report       {path} and {html}");
        }

        return report;
    }
}
