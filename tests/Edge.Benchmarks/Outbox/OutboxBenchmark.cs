using System.Diagnostics;
using System.Globalization;
using Edge.Contracts.Events;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Benchmarks.Outbox;

/// <summary>
/// <c>edge-bench outbox</c>: the outbox alone, no broker. Commits N events through the writer (group commit), reads
/// them back lane by lane as the uplink does, and removes them as PUBACKs would. Prints each phase's rate.
/// </summary>
internal static class OutboxBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 1 && args[0] == "--events" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        // The first passes only warm up: tiered JIT settles and the file system has seen such files, so the figures are a
        // long-running gateway's (the first pass of 100,000 ran at half the rate of the same pass after it).
        var passes = new[]
        {
            (OutboxDurability.Full, events, false), (OutboxDurability.Normal, Math.Min(events, 20_000), false),
            (OutboxDurability.Full, events, true), (OutboxDurability.Normal, events, true),
        };
        foreach (var (durability, count, print) in passes)
        {
            var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-outbox-{Environment.ProcessId}-{durability}-{count}");
            Directory.CreateDirectory(dir);
            try
            {
                await RunOnceAsync(dir, count, durability, print).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return 0;
    }

    private static async Task RunOnceAsync(string dir, int events, OutboxDurability durability, bool print)
    {
        var options = new OutboxOptions { Durability = durability };
        using var store = OutboxStore.Open(Path.Combine(dir, "outbox.db"), "bench/gw1", options);
        using var writer = new OutboxWriter(store, new GatewayOptions { Community = "bench", Id = "gw1" }, options, TimeProvider.System, NullLogger<OutboxWriter>.Instance);
        await writer.StartAsync(CancellationToken.None).ConfigureAwait(false);
        var device = new DeviceRef("bench-1", "test", "Benchmark source", new Location("1", "1", "1", "bench"));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var used = Uplink.Usage.Now();
        var sw = Stopwatch.StartNew();
        var pending = new List<Task<SubmitResult>>(events);
        for (var i = 0; i < events; i++)
        {
            pending.Add(writer.SubmitAsync(new EventDraft(EventTypes.DeviceTest, Priority.Normal, device, null, DateTimeOffset.UtcNow,
                new System.Text.Json.Nodes.JsonObject { ["n"] = i })));
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        var commit = sw.Elapsed;
        var afterCommit = GC.GetTotalAllocatedBytes(precise: true);
        var commitUsed = Uplink.Usage.Now().Since(used);

        sw.Restart();
        long cursor = 0;
        var read = 0;
        var seqs = new List<long>(events);
        while (store.ReadPending(Priority.Normal, cursor, 512) is { Count: > 0 } batch)
        {
            read += batch.Count;
            cursor = batch[^1].Seq;
            seqs.AddRange(batch.Select(r => r.Seq));
        }

        var readTime = sw.Elapsed;
        var afterRead = GC.GetTotalAllocatedBytes(precise: true);
        used = Uplink.Usage.Now();
        sw.Restart();
        await Task.WhenAll(seqs.Select(s => writer.ReportAsync(new Outcome(OutcomeKind.Delivered, s, DateTimeOffset.UtcNow)))).ConfigureAwait(false);
        var delete = sw.Elapsed;
        var afterRemove = GC.GetTotalAllocatedBytes(precise: true);
        var removeUsed = Uplink.Usage.Now().Since(used);
        await writer.StopAsync(CancellationToken.None).ConfigureAwait(false);

        if (!print)
        {
            return;
        }

        // Allocations and CPU time per event and phase; the commit's include the benchmark's own draft (its JsonObject)
        // and task.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outbox ({durability}): commit {events / commit.TotalSeconds:0} ev/s ({commit.TotalMicroseconds / events:0.0} us/ev), " +
            $"read {read / readTime.TotalSeconds:0} ev/s, remove {events / delete.TotalSeconds:0} ev/s; " +
            $"cpu per event: commit {commitUsed.Cpu.TotalMicroseconds / events:0.0} us ({WriterMicroseconds(commitUsed) / events:0.0} on the writer's thread), " +
            $"remove {removeUsed.Cpu.TotalMicroseconds / events:0.0} us ({WriterMicroseconds(removeUsed) / events:0.0}); " +
            $"allocated per event: commit {(afterCommit - allocated) / events} B, read {(afterRead - afterCommit) / events} B, remove {(afterRemove - afterRead) / events} B"));
    }

    /// <summary>The CPU time of the writer's own thread (named edge-outbox-writer, which Linux cuts to 15 characters).</summary>
    private static double WriterMicroseconds(Uplink.Usage used) =>
        used.Threads.Where(t => "edge-outbox-writer".StartsWith(t.Key, StringComparison.Ordinal)).Sum(t => t.Value.TotalMicroseconds);
}
