using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edge.Simulator.District;
using Edge.Simulator.Station;
using Edge.Tests.Support;
using HdrHistogram;
using OpenQA.Selenium;

namespace Edge.Benchmarks.Station;

/// <summary>
/// <c>edge-bench desk-page</c>: the district's storm (an alarm in every community within 5 s) with the police desk and
/// Debian's chromium logged in at it. The page stamps when each alarm first appears; the time from the alarm (the
/// press, by the device's clock) to that stamp is what an officer waits. A screenshot of the page is saved.
/// </summary>
internal static class DeskPageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var communities = 312;
        var scenario = "storm";
        var screenshot = "desk-storm.png";
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--communities" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 312:
                    communities = n;
                    break;
                case "--scenario":
                    scenario = args[i + 1];
                    break;
                case "--screenshot":
                    screenshot = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine($"edge-bench desk-page: bad option '{args[i]}' {args[i + 1]}");
                    return 2;
            }
        }

        if (DeskBrowser.Missing is { } missing)
        {
            Console.Error.WriteLine($"edge-bench desk-page: {missing}");
            return 2;
        }

        var watcher = new PageWatcher(Path.GetFullPath(screenshot));
        var code = await DistrictRun.RunAsync(new RunSettings { Communities = communities, Scenario = scenario, DeskPort = 0, Verbosity = Verbosity.Quiet, DeskWatcher = watcher },
            Console.Out, default).ConfigureAwait(false);
        Console.WriteLine(watcher.Result ?? "desk page: no result (the run did not reach its end)");
        return code == 0 && watcher.Result is not null ? 0 : 1;
    }

    private sealed class PageWatcher(string screenshot) : IDeskWatcher
    {
        private DeskBrowser? _browser;

        public string? Result { get; private set; }

        public async Task StartAsync(StationDesk desk, CancellationToken ct)
        {
            _browser = DeskBrowser.LogIn(desk.Url, StationDesk.DutyOperator, desk.DutyPassword, 1920, 1080);
            for (var i = 0; i < 300 && !_browser.Live; i++)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }

            if (!_browser.Live)
            {
                // Without a live page every figure after this would be a page that never listened.
                throw new InvalidOperationException($"the desk page at {desk.Url} did not go live within 30 s");
            }
        }

        public async Task FinishAsync(StationDesk desk)
        {
            var browser = _browser ?? throw new InvalidOperationException("the page was never opened");
            var alarms = (await desk.Api.GetFromJsonAsync<JsonArray>("/api/alarms?state=all&limit=1000").ConfigureAwait(false))!;
            var raised = alarms.ToDictionary(a => (string)a!["id"]!, a => DateTimeOffset.Parse((string)a!["raisedAt"]!, CultureInfo.InvariantCulture));
            Dictionary<string, long> shown = [];
            for (var i = 0; i < 300; i++)
            {
                shown = Shown(browser);
                if (raised.Keys.All(shown.ContainsKey))
                {
                    break;
                }

                await Task.Delay(100).ConfigureAwait(false);
            }

            browser.Screenshot(screenshot);
            var latency = new LongHistogram(3_600_000, 3);
            foreach (var (id, at) in raised)
            {
                if (shown.TryGetValue(id, out var ms))
                {
                    latency.RecordValue(Math.Max(0, ms - at.ToUnixTimeMilliseconds()));
                }
            }

            Result = string.Create(CultureInfo.InvariantCulture,
                $"desk page: {shown.Count} of {raised.Count} alarms shown; from the alarm to the page p50 {latency.GetValueAtPercentile(50)} ms, p99 {latency.GetValueAtPercentile(99)} ms, max {latency.GetMaxValue()} ms; screenshot {screenshot}");
            browser.Dispose();
        }

        private static Dictionary<string, long> Shown(DeskBrowser browser)
        {
            var entries = (IReadOnlyCollection<object>)((IJavaScriptExecutor)browser.Driver).ExecuteScript("return Array.from(window.edgeDeskShownAt.entries());")!;
            return entries.Cast<IReadOnlyCollection<object>>().ToDictionary(e => (string)e.First(), e => Convert.ToInt64(e.Last(), CultureInfo.InvariantCulture));
        }
    }
}
