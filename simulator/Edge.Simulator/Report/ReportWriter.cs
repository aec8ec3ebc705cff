using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Edge.Simulator.Report;

/// <summary>Writes a run's report: the JSON, and a self-contained HTML page with the same name and <c>.html</c>.</summary>
public static class ReportWriter
{
    /// <summary>Writes both files; returns the HTML's path.</summary>
    public static string Write(RunReport report, string jsonPath)
    {
        ArgumentNullException.ThrowIfNull(report);
        var directory = Path.GetDirectoryName(Path.GetFullPath(jsonPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(jsonPath, ToJson(report));
        var htmlPath = Path.ChangeExtension(jsonPath, ".html");
        File.WriteAllText(htmlPath, Html(report));
        return htmlPath;
    }

    public static string ToJson(RunReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.RunReport);

    public static string Html(RunReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var h = new StringBuilder();
        void Line(FormattableString s) => h.AppendLine(s.ToString(CultureInfo.InvariantCulture));
        string E(object? o) => WebUtility.HtmlEncode(Convert.ToString(o, CultureInfo.InvariantCulture) ?? "");

        Line($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Edge district run: {E(r.Scenario)}</title>");
        h.AppendLine("<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em;color:#222}table{border-collapse:collapse;margin:1em 0}" +
                     "td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}" +
                     ".ok{color:#161}.bad{color:#b11}svg{background:#fafafa;border:1px solid #ddd}</style></head><body>");
        Line($"<h1>District run: {E(r.Scenario)} <span class=\"{(r.Ok ? "ok" : "bad")}\">{(r.Ok ? "OK" : "FAILED")}</span></h1>");
        Line($"<p>{E(r.Communities)} communities, {E(r.GatewayMode)} gateways, {E(r.Broker)} broker; {E(r.DurationS)} s at speed {E(r.Speed)}, seed {E(r.Seed)}, started {E(r.StartedAt.ToString("u", CultureInfo.InvariantCulture))}.</p>");
        foreach (var p in r.Problems)
        {
            Line($"<p class=\"bad\">{E(p)}</p>");
        }

        h.AppendLine("<h2>Events the simulator caused</h2><table><tr><th>category</th><th>generated</th><th>delivered</th><th>lost</th><th>duplicates</th><th>unexpected</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr>");
        foreach (var (category, c) in r.Events.ByCategory)
        {
            var l = r.LatencyMs.GetValueOrDefault(category);
            Line($"<tr><td>{E(category)}</td><td>{c.Generated}</td><td>{c.Delivered}</td><td class=\"{(c.Lost == 0 ? "" : "bad")}\">{c.Lost}</td><td>{c.Duplicates}</td><td>{c.Unexpected}</td><td>{l?.P50}</td><td>{l?.P99}</td><td>{l?.Max}</td></tr>");
        }

        foreach (var (type, l) in r.LatencyByTypeMs)
        {
            Line($"<tr><td>&nbsp;&nbsp;{E(type)}</td><td></td><td>{l.Count}</td><td></td><td></td><td></td><td>{l.P50}</td><td>{l.P99}</td><td>{l.Max}</td></tr>");
        }

        Line($"<tr><th>all</th><th>{r.Events.Generated}</th><th>{r.Events.Delivered}</th><th>{r.Events.Lost}</th><th>{r.Events.Duplicates}</th><th>{r.Events.Unexpected}</th><th></th><th></th><th></th></tr></table>");
        Line($"<p>Gateway sequence check: committed {E(r.Sequence.Committed?.ToString(CultureInfo.InvariantCulture) ?? "unknown")}, received {r.Sequence.Received}, missing {r.Sequence.Missing}, duplicates {r.Sequence.Duplicates}, malformed {r.Sequence.Malformed}.</p>");
        Line($"<p>Gateways: {r.Gateways.Total} total, {r.Gateways.Online} online at the end; {r.Gateways.Kills} killed (longest until the station saw it offline: {E(r.Gateways.OfflineDetectedMaxS?.ToString(CultureInfo.InvariantCulture) ?? "-")} s), {r.Gateways.Crashes} crashed, {r.Gateways.Restarts} restarted.</p>");
        if (r.Outage is { } o)
        {
            Line($"<p>Outage of {o.DownS} s: {o.Events} events queued ({o.Alarms} alarms); last alarm {E(o.AlarmsDrainedS)} s and last event {E(o.BacklogDrainedS)} s after the station returned; {o.Overtaken} lower-priority events overtook an alarm.</p>");
        }

        Line($"<p>Resources: {r.Resources.CpuS} CPU seconds ({r.Resources.CpuPercent}% of {r.Resources.Cores} cores), peak working set {r.Resources.PeakWorkingSetMb} MB, {E(r.Resources.MemoryPerCommunityMb?.ToString(CultureInfo.InvariantCulture) ?? "-")} MB per community.</p>");

        h.AppendLine("<h2>Events arriving at the station per second</h2>");
        h.AppendLine(Chart(r.Timeline.Select(p => (p.T, (double?)p.Arrived)).ToList(), null, "events/s"));
        h.AppendLine("<h2>Alarm latency from the physical act, per second (p99 line, max dots)</h2>");
        h.AppendLine(Chart(r.Timeline.Select(p => (p.T, p.AlarmP99Ms)).ToList(), r.Timeline.Select(p => (p.T, p.AlarmMaxMs)).ToList(), "ms"));
        if (r.Incidents.Count > 0)
        {
            h.AppendLine("<h2>Incidents</h2><table><tr><th>at s</th><th>what</th></tr>");
            foreach (var i in r.Incidents)
            {
                Line($"<tr><td>{i.AtS}</td><td style=\"text-align:left\">{E(i.Text)}</td></tr>");
            }

            h.AppendLine("</table>");
        }

        h.AppendLine("</body></html>");
        return h.ToString();
    }

    /// <summary>An SVG line chart of a series over seconds, with optional dots of a second series.</summary>
    private static string Chart(List<(int T, double? V)> line, List<(int T, double? V)>? dots, string unit)
    {
        const int w = 900, hgt = 220, left = 50, bottom = 25;
        var all = line.Concat(dots ?? []).Where(p => p.V is not null).ToList();
        var maxT = Math.Max(1, line.Count == 0 ? 1 : line.Max(p => p.T));
        var maxV = all.Count == 0 ? 1 : Math.Max(1e-9, all.Max(p => p.V!.Value)) * 1.1;
        string X(int t) => (left + ((w - left - 10) * (double)t / maxT)).ToString("0.#", CultureInfo.InvariantCulture);
        string Y(double v) => (hgt - bottom - ((hgt - bottom - 10) * v / maxV)).ToString("0.#", CultureInfo.InvariantCulture);
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg width=\"{w}\" height=\"{hgt}\" xmlns=\"http://www.w3.org/2000/svg\">");
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{hgt - bottom}\" x2=\"{w - 10}\" y2=\"{hgt - bottom}\" stroke=\"#999\"/><line x1=\"{left}\" y1=\"10\" x2=\"{left}\" y2=\"{hgt - bottom}\" stroke=\"#999\"/>");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"20\" font-size=\"11\">{(maxV / 1.1):0.#} {unit}</text><text x=\"{w - 60}\" y=\"{hgt - 5}\" font-size=\"11\">{maxT} s</text>");
        var points = string.Join(" ", line.Where(p => p.V is not null).Select(p => $"{X(p.T)},{Y(p.V!.Value)}"));
        if (points.Length > 0)
        {
            s.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#2a6fb0\" stroke-width=\"1.5\" points=\"{points}\"/>");
        }

        foreach (var (t, v) in (dots ?? []).Where(p => p.V is not null))
        {
            s.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(t)}\" cy=\"{Y(v!.Value)}\" r=\"2\" fill=\"#c0392b\"/>");
        }

        s.Append("</svg>");
        return s.ToString();
    }
}
