using System.Globalization;
using HdrHistogram;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// The figures of one benchmark run. <paramref name="Used"/> is what this process used over the run (gateway, counting
/// subscriber, and the broker when it is in-process): its CPU time is steadier than the rate on a shared machine.
/// </summary>
internal sealed record BenchResult(int Events, int Unique, int Duplicates, double Seconds, LongHistogram Latency, double CommitSeconds, long ManagedBytes,
    Usage Used)
{
    public int Lost => Events - Unique;

    public double EventsPerSecond => Unique / Seconds;

    /// <summary>The CPU time of this process for each event that arrived, in microseconds.</summary>
    public double CpuMicrosecondsPerEvent => Used.Cpu.TotalMicroseconds / Math.Max(1, Unique);

    public void Print(string name)
    {
        var ms = (double p) => Latency.GetValueAtPercentile(p) / 1000.0;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{name,-32} {Unique}/{Events} arrived in {Seconds:0.00} s = {EventsPerSecond,8:0} ev/s; latency p50 {ms(50):0.0} ms, p99 {ms(99):0.0} ms, max {Latency.GetMaxValue() / 1000.0:0.0} ms; duplicates {Duplicates}; cpu {CpuMicrosecondsPerEvent:0.0} us/ev, gc {Used.Gen0}/{Used.Gen1}/{Used.Gen2} paused {Used.GcPause.TotalMilliseconds:0} ms");
        var commit = CommitSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $"; all committed after {CommitSeconds:0.00} s") : "";
        Console.WriteLine(line + commit);
    }
}

/// <summary>What the process used: CPU time, garbage collections of each generation, and the time they paused it.</summary>
internal readonly record struct Usage(TimeSpan Cpu, int Gen0, int Gen1, int Gen2, TimeSpan GcPause)
{
    public static Usage Now()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new Usage(self.TotalProcessorTime, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
    }

    /// <summary>What was used since <paramref name="start"/>.</summary>
    public Usage Since(Usage start) => new(Cpu - start.Cpu, Gen0 - start.Gen0, Gen1 - start.Gen1, Gen2 - start.Gen2, GcPause - start.GcPause);
}
