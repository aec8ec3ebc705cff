using System.Globalization;
using HdrHistogram;

namespace Edge.Benchmarks.Uplink;

/// <summary>The figures of one benchmark run.</summary>
internal sealed record BenchResult(int Events, int Unique, int Duplicates, double Seconds, LongHistogram Latency, double CommitSeconds, long ManagedBytes)
{
    public int Lost => Events - Unique;

    public double EventsPerSecond => Unique / Seconds;

    public void Print(string name)
    {
        var ms = (double p) => Latency.GetValueAtPercentile(p) / 1000.0;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{name,-29} {Unique}/{Events} arrived in {Seconds:0.00} s = {EventsPerSecond,8:0} ev/s; latency p50 {ms(50):0.0} ms, p99 {ms(99):0.0} ms, max {Latency.GetMaxValue() / 1000.0:0.0} ms; duplicates {Duplicates}");
        var commit = CommitSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $"; all committed after {CommitSeconds:0.00} s") : "";
        Console.WriteLine(line + commit);
    }
}
