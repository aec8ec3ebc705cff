using Edge.Simulator.Gateways;
using Edge.Simulator.Report;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;
using Edge.Simulator.Topology;

namespace Edge.Simulator.District;

/// <summary>What a run proved, put together from the ground truth, the station probe and the gateways' own numbering.</summary>
internal static class RunVerdict
{
    /// <summary>True when the station has every seq each gateway committed (when the fleet knows them).</summary>
    public static bool SequenceComplete(GatewayFleet? fleet, StationProbe probe, IReadOnlyList<CommunityPlan> district) =>
        fleet is null || district.All(c => fleet.Committed(c.Id) is not { } last || probe.HasAll(c.Id, GatewayFleet.GatewayId, last));

    /// <summary>
    /// Committed seqs per gateway: from the fleet, or, when the gateways run elsewhere, from a heartbeat sent at or after
    /// <paramref name="after"/> (null, unknown, until one came).
    /// </summary>
    public static Dictionary<string, long?> Committed(GatewayFleet? fleet, StationProbe probe, IReadOnlyList<CommunityPlan> district, DateTimeOffset after) =>
        district.ToDictionary(c => c.Id, c => fleet is not null
            ? fleet.Committed(c.Id)
            : probe.LastHeartbeat(c.Id, GatewayFleet.GatewayId) is { } heartbeat && heartbeat.At >= after ? heartbeat.LastSeq : null);

    public static RunReport Build(
        RunSettings settings, Scenario scenario, SimClock clock, DateTimeOffset startedAt, IReadOnlyList<CommunityPlan> district, string broker,
        GatewayFleet? fleet, StationProbe probe, GroundTruth truth, Timeline timeline, Supervision supervision, BacklogTracker backlog,
        SnapshotCounts snapshots, Journal journal, Dictionary<string, long?> committed, int online, TimeSpan scenarioTime, Resources resources,
        CommandCounts? commands = null)
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
            problems.Add($"{snapshots.Bad} snapshots were not a JPEG of a camera their event listed");
        }

        // Snapshots are not kept over a restart: a gateway killed with snapshots in hand loses them, and says so in its event only.
        if (snapshots.Missing > 0 && supervision.Kills == 0)
        {
            problems.Add($"{snapshots.Missing} snapshots the events announced never arrived");
        }

        if (supervision.Undetected > 0)
        {
            problems.Add($"{supervision.Undetected} killed gateways were never seen offline by the station");
        }

        if (commands is not null)
        {
            CommandProblems(commands, problems);
        }

        return new RunReport(
            scenario.Name, settings.Seed, clock.Speed, startedAt, Math.Round(scenarioTime.TotalSeconds, 1), district.Count, broker,
            fleet?.Mode ?? "external",
            new DeviceCounts(district.Sum(c => c.Cameras.Count), district.Sum(c => c.UnitDoors.Count), district.Sum(c => c.AccessControls.Count),
                district.Sum(c => c.AlarmButtons.Count), district.Sum(c => c.Zones.Count)),
            new EventTotals(total.Generated, total.Delivered, total.Lost, total.Duplicates, total.Unexpected, categories, truth.FirstUnexpected()),
            new SequenceCheck(committedTotal, received, missing, seqDuplicates, probe.Malformed),
            truth.Latency(),
            truth.LatencyByType(),
            truth.LatencyFromGateway(),
            new GatewayHealth(district.Count, online, supervision.OfflineDetectedMaxS, supervision.Kills, supervision.Undetected, fleet?.Crashes ?? 0, fleet?.Restarts ?? 0),
            backlog.Report(),
            snapshots,
            resources,
            journal.Entries,
            timeline.Points(),
            commands,
            problems,
            settings.Shard?.ToString(),
            settings.Communities);
    }

    /// <summary>What the police desk's commands and the attacker's say about the run.</summary>
    private static void CommandProblems(CommandCounts c, List<string> problems)
    {
        if (c.BadApplied > 0)
        {
            problems.Add($"{c.BadApplied} bad commands were applied");
        }

        if (c.Unanswered > 0)
        {
            problems.Add($"{c.Unanswered} commands were never answered");
        }

        if (c.AlarmsAcknowledged < c.AlarmsRaised)
        {
            problems.Add($"{c.AlarmsRaised - c.AlarmsAcknowledged} of {c.AlarmsRaised} alarms the desk answered were not acknowledged at their gateway");
        }

        if (c.FirstProblems.Count > 0)
        {
            problems.Add($"commands: {string.Join("; ", c.FirstProblems)}");
        }
    }
}
