using System.Globalization;
using HdrHistogram;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// The figures of one benchmark run. <paramref name="Cpu"/> is this process's CPU time over the run (gateway, counting
/// subscriber, and the broker when it is in-process): steadier than the rate on a shared machine.
/// </summary>
internal sealed record BenchResult(int Events, int Unique, int Duplicates, double Seconds, LongHistogram Latency, double CommitSeconds, long ManagedBytes,
    TimeSpan Cpu)
{
    public int Lost => Events - Unique;

    public double EventsPerSecond => Unique / Seconds;

    /// <summary>The CPU time of this process for each event that arrived, in microseconds.</summary>
    public double CpuMicrosecondsPerEvent => Cpu.TotalMicroseconds / Math.Max(1, Unique);

    /// <summary>The process's CPU time so far, for <see cref="Cpu"/>.</summary>
    public static TimeSpan CpuNow()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    public void Print(string name)
    {
        var ms = (double p) => Latency.GetValueAtPercentile(p) / 1000.0;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{name,-29} {Unique}/{Events} arrived in {Seconds:0.00} s = {EventsPerSecond,8:0} ev/s; latency p50 {ms(50):0.0} ms, p99 {ms(99):0.0} ms, max {Latency.GetMaxValue() / 1000.0:0.0} ms; duplicates {Duplicates}; cpu {CpuMicrosecondsPerEvent:0.0} us/ev");
        var commit = CommitSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $"; all committed after {CommitSeconds:0.00} s") : "";
        Console.WriteLine(line + commit);
    }
}
