using Edge.Gateway.Hosting;
using Edge.Simulator.Station;

namespace Edge.Simulator.District;

/// <summary>What a run achieved, as a newcomer should read it.</summary>
public sealed record RunSummary(
    TimeSpan Elapsed,
    int Gateways,
    int Online,
    int OfflineAtStop,
    long Committed,
    long Delivered,
    long Lost,
    long Duplicates,
    long Malformed,
    IReadOnlyDictionary<string, long> ByCategory,
    bool InProcessBroker,
    int AlarmsPressed = 0,
    int AlarmsArrived = 0,
    double AlarmP50Ms = 0,
    double AlarmP99Ms = 0,
    int ZonesDisturbed = 0,
    int ZoneAlarms = 0)
{
    public static RunSummary Collect(RunSettings settings, IReadOnlyList<GatewayInstance> gateways, StationProbe probe, TimeSpan elapsed, bool inProcess, AlarmDrill drill)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(drill);
        var latencies = drill.LatenciesMs.Order().ToArray();
        long committed = 0, delivered = 0, lost = 0;
        foreach (var g in gateways)
        {
            var ledger = probe.Ledger(g.Settings.Gateway.Community, g.Settings.Gateway.Id);
            var last = g.Store.LastSeq;
            var missing = ledger.Missing(last);
            committed += last;
            delivered += last - missing;
            lost += missing;
        }

        return new RunSummary(elapsed, gateways.Count, probe.Online, 0, committed, delivered, lost, probe.Duplicates, probe.Malformed,
            probe.ByCategory(), inProcess, drill.Pressed, drill.Arrived, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            drill.ZonesDisturbed, drill.ZoneAlarms);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>True when every committed event and every pressed alarm reached the station.</summary>
    public bool Ok => Lost == 0 && AlarmsArrived == AlarmsPressed && ZoneAlarms == ZonesDisturbed;

    public void Print(TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.WriteLine();
        o.WriteLine($"Summary after {Elapsed.TotalSeconds:0.0} s ({(InProcessBroker ? "in-process" : "external")} station broker)");
        o.WriteLine($"  gateways     {Gateways} started, {Online} online at the end of the run, {OfflineAtStop} reported offline when stopped");
        o.WriteLine($"  events       committed at the gateways {Committed}, delivered to the station {Delivered}, lost {Lost}, duplicates {Duplicates}");
        o.WriteLine($"  by category  {(ByCategory.Count == 0 ? "none" : string.Join(", ", ByCategory.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")))}");
        o.WriteLine($"  alarms       {AlarmsPressed} buttons pressed in the simulator, {AlarmsArrived} alarms at the station" +
                    (AlarmsArrived > 0 ? $", latency from the press p50 {AlarmP50Ms:0.0} ms, p99 {AlarmP99Ms:0.0} ms" : ""));
        o.WriteLine($"  zones        {ZonesDisturbed} zones opened, cut or shorted in the simulator, {ZoneAlarms} matching zone alarms at the station");
        if (Malformed > 0)
        {
            o.WriteLine($"  malformed    {Malformed} messages did not match the contract");
        }

        o.WriteLine(Ok
            ? "  result       OK: every event the gateways committed, every alarm pressed and every zone alarm reached the station"
            : $"  result       FAILED: {Lost} committed events, {AlarmsPressed - AlarmsArrived} pressed alarms and {ZonesDisturbed - ZoneAlarms} zone alarms never reached the station");
    }
}
