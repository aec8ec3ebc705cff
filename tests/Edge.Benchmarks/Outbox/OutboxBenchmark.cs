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
        foreach (var durability in new[] { OutboxDurability.Full, OutboxDurability.Normal })
        {
            var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-outbox-{Environment.ProcessId}-{durability}");
            Directory.CreateDirectory(dir);
            try
            {
                await RunOnceAsync(dir, events, durability).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return 0;
    }

    private static async Task RunOnceAsync(string dir, int events, OutboxDurability durability)
    {
        var options = new OutboxOptions { Durability = durability };
        using var store = OutboxStore.Open(Path.Combine(dir, "outbox.db"), "bench/gw1", options);
        using var writer = new OutboxWriter(store, new GatewayOptions { Community = "bench", Id = "gw1" }, options, TimeProvider.System, NullLogger<OutboxWriter>.Instance);
        await writer.StartAsync(CancellationToken.None).ConfigureAwait(false);
        var device = new DeviceRef("bench-1", "test", "Benchmark source", new Location("1", "1", "1", "bench"));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
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
        sw.Restart();
        await Task.WhenAll(seqs.Select(s => writer.ReportAsync(new Outcome(OutcomeKind.Delivered, s, DateTimeOffset.UtcNow)))).ConfigureAwait(false);
        var delete = sw.Elapsed;
        var afterRemove = GC.GetTotalAllocatedBytes(precise: true);
        await writer.StopAsync(CancellationToken.None).ConfigureAwait(false);

        // Allocations per event and phase; the commit's include the benchmark's own draft (its JsonObject) and task.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outbox ({durability}): commit {events / commit.TotalSeconds:0} ev/s ({commit.TotalMicroseconds / events:0.0} us/ev), " +
            $"read {read / readTime.TotalSeconds:0} ev/s, remove {events / delete.TotalSeconds:0} ev/s; " +
            $"allocated per event: commit {(afterCommit - allocated) / events} B, read {(afterRead - afterCommit) / events} B, remove {(afterRemove - afterRead) / events} B"));
    }
}
