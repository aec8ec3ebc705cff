using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Simulator.District;

namespace Edge.Benchmarks.Access;

/// <summary>
/// <c>edge-bench access</c>: what a community's access devices cost its gateway. Runs the simulator's <c>rush</c>
/// scenario (07:00, the morning peak) with each community's gateway as an <c>edge-gateway</c> process of its own, so
/// its CPU is its own: once at the real rush-hour rate (speed 1) and once at 60 times it. Every community has about
/// 11 access controls (the district's 3,344 over 312): a controller per ISAPI door, OSDP readers polled five times a
/// second over the secure channel, Wiegand readers and door contacts on GPIO. The gateway's alarm devices and uplink
/// are in the figure too. Prints the gateway CPU as a share of one core, and card swipe to station p50/p99.
/// </summary>
internal static class AccessLoadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var communities = args.Length > 1 && args[0] == "--communities" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var seconds = args.Length > 3 && args[2] == "--seconds" ? double.Parse(args[3], CultureInfo.InvariantCulture) : 60;
        var failed = false;
        foreach (var speed in new[] { 1.0, 60.0 })
        {
            var report = Path.Combine(Path.GetTempPath(), $"edge-bench-access-{Environment.ProcessId}-{speed}.json");
            using var output = new StringWriter();
            var code = await DistrictRun.RunAsync(new RunSettings
            {
                Communities = communities, Scenario = "rush", Speed = speed, Duration = TimeSpan.FromSeconds(seconds),
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
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rush x{speed,-3} {communities} communities ({(int)devices["accessControls"]! / (double)communities:0.0} access controls each), {seconds:0} s: " +
                $"gateway CPU {(double?)json["resources"]!["gatewayCpuPercentOfCore"]:0.00}% of one core per community; " +
                $"{json["events"]!["delivered"]} events, lost {json["events"]!["lost"]}; access.card p50 {Ms("access.card", "p50"):0.0} ms p99 {Ms("access.card", "p99"):0.0} ms, " +
                $"access.granted p99 {Ms("access.granted", "p99"):0.0} ms"));
            File.Delete(report);
            File.Delete(Path.ChangeExtension(report, ".html"));
        }

        return failed ? 1 : 0;
    }
}
