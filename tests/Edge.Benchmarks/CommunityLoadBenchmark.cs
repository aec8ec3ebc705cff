using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Simulator.District;

namespace Edge.Benchmarks;

/// <summary>
/// <c>edge-bench community</c>: what a community's devices cost its gateway. Runs a scenario of the simulator (<c>rush</c>
/// by default: 07:00, the morning peak at the doors; or <c>normal</c>) with each community's gateway as an
/// <c>edge-gateway</c> process of its own, so its CPU is its own: once at the real rate (speed 1) and once at 60 times
/// it. A community has about 11 access controls (a controller per ISAPI door, OSDP readers polled five times a second
/// over the secure channel, Wiegand readers and door contacts on GPIO), about 20 cameras (ISAPI alert streams, ONVIF
/// pull points), alarm buttons and zones, and its uplink. Prints the gateway CPU as a share of one core, events per
/// second at the station, card swipe and motion to station p50/p99, and from an event to its first snapshot.
/// </summary>
internal static class CommunityLoadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var communities = int.Parse(Arg("--communities", "20"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(Arg("--seconds", "60"), CultureInfo.InvariantCulture);
        var scenario = Arg("--scenario", "rush");
        var failed = false;
        foreach (var speed in new[] { 1.0, 60.0 })
        {
            var report = Path.Combine(Path.GetTempPath(), $"edge-bench-community-{Environment.ProcessId}-{speed}.json");
            using var output = new StringWriter();
            var code = await DistrictRun.RunAsync(new RunSettings
            {
                Communities = communities, Scenario = scenario, Speed = speed, Duration = TimeSpan.FromSeconds(seconds),
                Gateways = GatewayMode.Processes, ReportPath = report, Verbosity = Verbosity.Quiet,
            }, output, CancellationToken.None).ConfigureAwait(false);
            if (code != 0 || !File.Exists(report))
            {
                Console.WriteLine(output);
                failed = true;
                continue;
            }

            var json = JsonNode.Parse(await File.ReadAllTextAsync(report).ConfigureAwait(false))!;
            var devices = json["devices"]!;
            double? Ms(string type, string key) => (double?)json["latencyByTypeMs"]?[type]?[key];
            var delivered = (long)json["events"]!["delivered"]!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{scenario} x{speed,-3} {communities} communities ({(int)devices["accessControls"]! / (double)communities:0.0} access controls, {(int)devices["cameras"]! / (double)communities:0.0} cameras each), {seconds:0} s: " +
                $"gateway CPU {(double?)json["resources"]!["gatewayCpuPercentOfCore"]:0.00}% of one core per community; {delivered / (double)json["durationS"]!:0.0} events/s at the station, lost {json["events"]!["lost"]}; " +
                $"access.card p50 {Ms("access.card", "p50"):0.0} p99 {Ms("access.card", "p99"):0.0} ms; camera.motion p50 {Ms("camera.motion", "p50"):0.0} p99 {Ms("camera.motion", "p99"):0.0} ms; " +
                $"first snapshot p50 {(double?)json["snapshots"]?["firstSnapshotMs"]?["p50"]:0.0} p99 {(double?)json["snapshots"]?["firstSnapshotMs"]?["p99"]:0.0} ms ({json["snapshots"]?["received"]}/{json["snapshots"]?["expected"]})"));
            File.Delete(report);
            File.Delete(Path.ChangeExtension(report, ".html"));
        }

        return failed ? 1 : 0;
    }
}
