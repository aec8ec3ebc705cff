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
    bool InProcessBroker)
{
    public static RunSummary Collect(RunSettings settings, IReadOnlyList<GatewayInstance> gateways, StationProbe probe, TimeSpan elapsed, bool inProcess)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        ArgumentNullException.ThrowIfNull(probe);
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
            probe.ByCategory(), inProcess);
    }

    public void Print(TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.WriteLine();
        o.WriteLine($"Summary after {Elapsed.TotalSeconds:0.0} s ({(InProcessBroker ? "in-process" : "external")} station broker)");
        o.WriteLine($"  gateways     {Gateways} started, {Online} online at the end of the run, {OfflineAtStop} reported offline when stopped");
        o.WriteLine($"  events       committed at the gateways {Committed}, delivered to the station {Delivered}, lost {Lost}, duplicates {Duplicates}");
        o.WriteLine($"  by category  {(ByCategory.Count == 0 ? "none" : string.Join(", ", ByCategory.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")))}");
        if (Malformed > 0)
        {
            o.WriteLine($"  malformed    {Malformed} messages did not match the contract");
        }

        o.WriteLine(Lost == 0
            ? "  result       OK: every event the gateways committed reached the station"
            : $"  result       FAILED: {Lost} committed events never reached the station");
    }
}
