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
        var threads = string.Join(", ", Used.Threads.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value.TotalMicroseconds / Math.Max(1, Unique):0.0}")));
        if (threads.Length > 0)
        {
            Console.WriteLine($"{"",-32} cpu us/ev of the alarm path's threads: {threads}");
        }
    }
}

/// <summary>
/// What the process used: CPU time, garbage collections of each generation, and the time they paused it; and the CPU
/// time of each of the gateway's own threads (<c>edge-*</c>, by name), which the rest of the process does not blur.
/// </summary>
internal readonly record struct Usage(TimeSpan Cpu, int Gen0, int Gen1, int Gen2, TimeSpan GcPause, IReadOnlyDictionary<string, TimeSpan> Threads)
{
    public static Usage Now()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new Usage(self.TotalProcessorTime, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), EdgeThreads());
    }

    /// <summary>What was used since <paramref name="start"/>; a thread started since counts from zero.</summary>
    public Usage Since(Usage start)
    {
        var before = start.Threads;
        return new(Cpu - start.Cpu, Gen0 - start.Gen0, Gen1 - start.Gen1, Gen2 - start.Gen2, GcPause - start.GcPause,
            Threads.ToDictionary(t => t.Key, t => t.Value - before.GetValueOrDefault(t.Key)));
    }

    /// <summary>
    /// The time each thread named <c>edge-*</c> has run, summed by name, from <c>/proc/self/task/*/schedstat</c> (in
    /// nanoseconds). Empty where there is no such file.
    /// </summary>
    private static Dictionary<string, TimeSpan> EdgeThreads()
    {
        var threads = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task"))
        {
            return threads;
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (Path.GetFileName(task) == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            {
                // The main thread, named after the process (edge-bench).
                continue;
            }

            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                if (name.StartsWith("edge-", StringComparison.Ordinal))
                {
                    var ran = long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                    threads[name] = threads.GetValueOrDefault(name) + TimeSpan.FromTicks(ran / 100);
                }
            }
            catch (IOException)
            {
                // The thread ended while it was read.
            }
        }

        return threads;
    }
}
