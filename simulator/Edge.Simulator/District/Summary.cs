using System.Globalization;
using Edge.Simulator.Report;
using Edge.Simulator.Scenarios;

namespace Edge.Simulator.District;

/// <summary>The end of a run, as a newcomer should read it.</summary>
public static class Summary
{
    public static void Print(RunReport r, SimClock clock, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(o);
        void Line(FormattableString s) => o.WriteLine(s.ToString(CultureInfo.InvariantCulture));
        var simulated = TimeSpan.FromSeconds(r.DurationS * r.Speed);
        o.WriteLine();
        var shard = r.Shard is { } part ? $" (shard {part} of the first {r.DistrictSites} sites)" : "";
        Line($"Summary of the {r.Scenario} scenario: {r.Communities} communities{shard}, {r.DurationS:0.0} s at speed {r.Speed:0.##} ({Simulated(simulated)} simulated from {clock.StartOfDay:hh\\:mm}), seed {r.Seed}");
        Line($"  devices      {r.Devices.Cameras} cameras, {r.Devices.UnitDoors} unit doors, {r.Devices.AccessControls} access controls, {r.Devices.AlarmButtons} alarm buttons, {r.Devices.Zones} zones");
        var detected = r.Gateways.OfflineDetectedMaxS is { } d ? $"; the station saw a killed gateway offline within {d:0.###} s" : "";
        Line($"  gateways     {r.Gateways.Total} ({r.GatewayMode}), {r.Gateways.Online} online at the end; {r.Gateways.Kills} killed, {r.Gateways.Crashes} crashed, {r.Gateways.Restarts} restarted{detected}");
        Line($"  events       the simulator caused {r.Events.Generated}, the station received {r.Events.Delivered}, lost {r.Events.Lost}, duplicates {r.Events.Duplicates}, unexpected {r.Events.Unexpected}");
        if (r.Events.FirstUnexpected.Count > 0)
        {
            Line($"    unexpected {string.Join("; ", r.Events.FirstUnexpected)}");
        }
        foreach (var (category, c) in r.Events.ByCategory)
        {
            var latency = r.LatencyMs.TryGetValue(category, out var l) && l.Count > 0
                ? $"; from the physical act to the station p50 {l.P50:0.0} ms, p99 {l.P99:0.0} ms, max {l.Max:0.0} ms"
                : "";
            Line($"    {category,-10} {c.Generated} caused, {c.Delivered} received, lost {c.Lost}{latency}");
            if (r.LatencyFromGatewayMs.TryGetValue(category, out var g) && g.Count > 0)
            {
                Line($"      of which from the gateway's observation (outbox, uplink, broker) p50 {g.P50:0.0} ms, p99 {g.P99:0.0} ms, max {g.Max:0.0} ms");
            }

            foreach (var (type, t) in r.LatencyByTypeMs.Where(t => t.Key.StartsWith(category + ".", StringComparison.Ordinal)))
            {
                Line($"      {type,-16} {t.Count} received, p50 {t.P50:0.0} ms, p99 {t.P99:0.0} ms, max {t.Max:0.0} ms");
            }
        }

        Line($"  sequence     the gateways committed {(r.Sequence.Committed is { } n ? n.ToString(CultureInfo.InvariantCulture) : "an unknown number of")} events (including background load); the station is missing {r.Sequence.Missing}");
        if (r.Outage is { } outage)
        {
            Line($"  outage       {outage.DownS:0} s: {outage.Events} events queued ({outage.Alarms} alarms); after the station returned the last alarm arrived in {outage.AlarmsDrainedS:0.###} s, the whole backlog in {outage.BacklogDrainedS:0.###} s; {outage.Overtaken} events overtook an alarm");
        }

        if (r.Snapshots.Expected > 0)
        {
            var s = r.Snapshots;
            Line($"  snapshots    {s.Expected} announced, {s.Received} received, missing {s.Missing}, bad {s.Bad}; from the event to its first snapshot p50 {s.FirstSnapshotMs.P50:0.0} ms, p99 {s.FirstSnapshotMs.P99:0.0} ms, max {s.FirstSnapshotMs.Max:0.0} ms");
        }

        if (r.Commands is { } k)
        {
            Line($"  commands     sent {k.Sent}: applied {k.Applied}, refused {k.Refused}, expired {k.Expired}, replayed {k.Replayed}, failed {k.Failed}; unanswered {k.Unanswered}, answered otherwise than due {k.WrongOutcome}, bad ones applied {k.BadApplied}");
            Line($"               alarms acknowledged {k.AlarmsAcknowledged} of {k.AlarmsRaised}; from a command sent to its effect at the hardware (LED, lock) p50 {k.EffectMs.P50:0.0} ms, p99 {k.EffectMs.P99:0.0} ms, max {k.EffectMs.Max:0.0} ms ({k.EffectMs.Count})");
        }

        var perCommunity = r.Resources.MemoryPerCommunityMb is { } m ? string.Create(CultureInfo.InvariantCulture, $", {m:0.00} MB per community with its gateway") : "";
        Line($"  cost         {r.Resources.CpuS:0.0} CPU s ({r.Resources.CpuPercent:0.#}% of {r.Resources.Cores} cores), peak working set {r.Resources.PeakWorkingSetMb:0} MB{perCommunity}");
        if (r.Resources.GatewayCpuPercentOfCore is { } gatewayCpu)
        {
            var memory = r.Resources.GatewayPeakMemoryMb is { } peak ? string.Create(CultureInfo.InvariantCulture, $"; the largest peaked at {peak:0.#} MB resident") : "";
            Line($"  gateways     each gateway process used {gatewayCpu:0.##}% of one core on average while the scenario ran{memory}");
        }
        o.WriteLine(r.Ok
            ? "  result       OK: every event the simulator caused and every event the gateways committed reached the station"
            : "  result       FAILED: " + string.Join("; ", r.Problems));
    }

    private static string Simulated(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0} s";
}
