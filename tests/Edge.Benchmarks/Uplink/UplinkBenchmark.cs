using System.Diagnostics;
using System.Globalization;
using System.Text;
using Edge.Contracts.Events;
using Edge.Gateway.Configuration;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Events;
using Edge.Gateway.Hosting;
using Edge.Simulator.Broker;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// <c>edge-bench uplink</c>: N events through the durable path (intake, SQLite outbox with group commit, uplink with
/// an in-flight window) into a broker, counted by an independent subscriber; then the same number of raw MQTTnet QoS 1
/// publishes with the same window and no storage. Prints events/s, latency from hand-over to arrival, and the ratio.
/// </summary>
internal static class UplinkBenchmark
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);
    private const int PacedRate = 2_000;
    private const int PacedEvents = 10_000;

    /// <summary>
    /// Events handed over and not yet committed, at most: four of the writer's batches, so one is always waiting while
    /// another commits. A gateway's adapters each wait for their own events' commits, so a few hundred devices hold
    /// about as many; the whole intake's worth (10,000) gives the same rate here, with more for the collector to copy.
    /// </summary>
    private static readonly int IntakeWindow = 4 * new OutboxOptions().BatchSize;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchArgs.Parse(args);
        if (options is null)
        {
            return 2;
        }

        await using var local = options.Broker is null ? await StationBroker.StartAsync().ConfigureAwait(false) : null;
        var broker = options.Broker ?? new Uri(local!.Uri);
        Console.WriteLine($"broker {broker} ({(local is null ? "external" : "in-process")}), window {options.Window}, outbox durability {options.Durability}, {Environment.ProcessorCount} cores");

        // Warm up both paths until tiered JIT has settled (it compiles hot methods again in the background, which on two
        // busy cores takes a while), so the figures are the steady state of a long-running gateway.
        var warmup = options with { Events = Math.Max(20_000, options.Events / 5) };
        await DurableAsync(broker, warmup, "warmup").ConfigureAwait(false);
        await RawAsync(broker, warmup, "warmup").ConfigureAwait(false);

        var drain = await DrainAsync(broker, options).ConfigureAwait(false);
        var floods = new List<(BenchResult Durable, BenchResult Raw)>();
        for (var run = 1; run <= options.Runs; run++)
        {
            floods.Add((await DurableAsync(broker, options, $"bench{run}").ConfigureAwait(false), await RawAsync(broker, options, $"bench{run}").ConfigureAwait(false)));
        }

        // Latency at a steady offered load, as in daily life, rather than behind a flood of N events at once.
        var paced = options with { Events = PacedEvents };
        var durablePaced = await DurableAsync(broker, paced, "paced", PacedRate).ConfigureAwait(false);
        var rawPaced = await RawAsync(broker, paced, "paced", PacedRate).ConfigureAwait(false);

        Console.WriteLine($"flood: {options.Events} events handed over as fast as the intake takes them, {options.Runs} runs of each path in turns");
        var ratios = new List<(double Rate, double Cpu)>();
        for (var run = 0; run < floods.Count; run++)
        {
            var (durable, raw) = floods[run];
            durable.Print($"  {run + 1}: durable (outbox + uplink)");
            raw.Print($"  {run + 1}: raw MQTTnet QoS 1");
            ratios.Add((durable.EventsPerSecond / raw.EventsPerSecond, raw.CpuMicrosecondsPerEvent / durable.CpuMicrosecondsPerEvent));
        }

        drain.Print("  backlog drain (uplink)");
        Console.WriteLine($"steady: {PacedRate} events/s for {PacedEvents / PacedRate} s");
        durablePaced.Print("  durable (outbox + uplink)");
        rawPaced.Print("  raw MQTTnet QoS 1");
        var lost = floods.Sum(f => f.Durable.Lost);
        var rates = ratios.Select(r => r.Rate).Order().ToList();
        var cpus = ratios.Select(r => r.Cpu).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"uplink: {options.Events} events x {options.Runs}, lost {lost}, {Median(floods.Select(f => f.Durable.EventsPerSecond)):0} ev/s, " +
            $"ratio {Median(rates):0.00} (runs {string.Join(' ', rates.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}); " +
            $"cpu ratio {Median(cpus):0.00} (runs {string.Join(' ', cpus.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})"));
        return lost == 0 ? 0 : 1;
    }

    private static async Task<BenchResult> DurableAsync(Uri broker, BenchArgs options, string run, double rate = 0)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-{Environment.ProcessId}-{run}");
        Directory.CreateDirectory(dir);
        var gatewayId = $"gw-{run}";
        var settings = new GatewaySettings(
            new GatewayOptions { Community = "bench", Id = gatewayId, DataDirectory = dir },
            new OutboxOptions { Durability = options.Durability },
            new UplinkOptions { Broker = broker.ToString(), MaxInFlight = options.Window },
            new TestEventOptions());
        await using var counter = new ArrivalCounter(options.Events);
        await counter.ConnectAsync(broker, $"edge/v1/bench/{gatewayId}/events/#").ConfigureAwait(false);
        using var gateway = GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System);
        await gateway.StartAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var device = new DeviceRef("bench-1", "test", "Benchmark source", new Location("1", "1", "1", "bench"));
            var memoryBefore = GC.GetTotalMemory(false);
            var used = Usage.Now();
            var start = Stopwatch.GetTimestamp();
            // Events are handed over as fast as the intake takes them: at most an intake's worth waits for its commit,
            // as raw publishes wait for a slot of their window. Each submission is awaited by a task of its own that keeps
            // nothing of the result, as an adapter does: holding 100,000 drafts and results would only keep the
            // collector busy with what no gateway holds.
            var submitted = new List<Task>(options.Events);
            var pace = new Pace(rate);
            using var intake = new SemaphoreSlim(IntakeWindow);
            for (var i = 1; i <= options.Events; i++)
            {
                await pace.WaitAsync(i).ConfigureAwait(false);
                await intake.WaitAsync().ConfigureAwait(false);

                // One submitter, a fresh outbox: the i-th event submitted gets seq i.
                counter.Sent(i);
                submitted.Add(SubmitAsync(gateway.Events, new EventDraft(EventTypes.DeviceTest, Priority.Normal, device, null, DateTimeOffset.UtcNow,
                    new System.Text.Json.Nodes.JsonObject { ["n"] = i }), intake));
            }

            await Task.WhenAll(submitted).ConfigureAwait(false);
            var committedAt = Stopwatch.GetTimestamp();
            await WaitForAsync(counter, options.Events).ConfigureAwait(false);
            Explain(counter, options.Events, gateway);
            return new BenchResult(options.Events, counter.Unique, counter.Duplicates, Seconds(start, counter.LastArrival), counter.Latency,
                Seconds(start, committedAt), GC.GetTotalMemory(false) - memoryBefore, Usage.Now().Since(used));
        }
        finally
        {
            await gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The rate at which a gateway empties a backlog once its broker is back: the outbox is filled first.</summary>
    private static async Task<BenchResult> DrainAsync(Uri broker, BenchArgs options)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-{Environment.ProcessId}-drain");
        Directory.CreateDirectory(dir);
        var gatewayOptions = new GatewayOptions { Community = "bench", Id = "gw-drain", DataDirectory = dir };
        var outboxOptions = new OutboxOptions { Durability = options.Durability };
        using (var store = Edge.Gateway.Outbox.OutboxStore.Open(GatewayInstance.OutboxPath(gatewayOptions), "bench/gw-drain", outboxOptions))
        using (var writer = new Edge.Gateway.Outbox.OutboxWriter(store, gatewayOptions, outboxOptions, TimeProvider.System, NullLogger<Edge.Gateway.Outbox.OutboxWriter>.Instance))
        {
            await writer.StartAsync(CancellationToken.None).ConfigureAwait(false);
            var device = new DeviceRef("bench-1", "test", "Benchmark source", new Location("1", "1", "1", "bench"));
            await Task.WhenAll(Enumerable.Range(1, options.Events).Select(i => writer.SubmitAsync(new EventDraft(EventTypes.DeviceTest, Priority.Normal, device, null,
                DateTimeOffset.UtcNow, new System.Text.Json.Nodes.JsonObject { ["n"] = i })))).ConfigureAwait(false);
            await writer.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await using var counter = new ArrivalCounter(options.Events);
        await counter.ConnectAsync(broker, "edge/v1/bench/gw-drain/events/#").ConfigureAwait(false);
        var settings = new GatewaySettings(gatewayOptions, outboxOptions, new UplinkOptions { Broker = broker.ToString(), MaxInFlight = options.Window }, new TestEventOptions());
        using var gateway = GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System);
        for (var i = 1; i <= options.Events; i++)
        {
            counter.Sent(i);
        }

        var used = Usage.Now();
        var start = Stopwatch.GetTimestamp();
        await gateway.StartAsync(CancellationToken.None).ConfigureAwait(false);
        await WaitForAsync(counter, options.Events).ConfigureAwait(false);
        Explain(counter, options.Events, gateway);
        used = Usage.Now().Since(used);
        await gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
        Directory.Delete(dir, recursive: true);
        return new BenchResult(options.Events, counter.Unique, counter.Duplicates, Seconds(start, counter.LastArrival), counter.Latency, 0, 0, used);
    }

    private static async Task<BenchResult> RawAsync(Uri broker, BenchArgs options, string run, double rate = 0)
    {
        var topic = $"edge/v1/bench/raw-{run}/events/device/bench-1";
        await using var counter = new ArrivalCounter(options.Events);
        await counter.ConnectAsync(broker, topic).ConfigureAwait(false);
        using var client = new MqttClientFactory().CreateMqttClient();
        // The same socket buffers as the gateway's uplink (ClientOptionsFactory.SocketBufferSize): the comparison is of the rest.
        var rawOptions = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId($"bench-raw-{run}").Build();
        ((MqttClientTcpOptions)rawOptions.ChannelOptions).BufferSize = Edge.Gateway.Uplink.ClientOptionsFactory.SocketBufferSize;
        await client.ConnectAsync(rawOptions).ConfigureAwait(false);

        using var window = new SemaphoreSlim(options.Window);
        var used = Usage.Now();
        var start = Stopwatch.GetTimestamp();
        var pending = new List<Task>(options.Events);
        var pace = new Pace(rate);
        for (var i = 1; i <= options.Events; i++)
        {
            await pace.WaitAsync(i).ConfigureAwait(false);
            await window.WaitAsync().ConfigureAwait(false);
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(RawPayload(i))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithUserProperty("id", Encoding.UTF8.GetBytes(Guid.CreateVersion7().ToString()))
                .WithUserProperty("type", "device.test"u8.ToArray())
                .WithUserProperty("priority", "normal"u8.ToArray())
                .WithUserProperty("seq", Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)))
                .Build();
            counter.Sent(i);
            pending.Add(PublishAsync(client, message, window));
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        await WaitForAsync(counter, options.Events).ConfigureAwait(false);
        used = Usage.Now().Since(used);
        await client.DisconnectAsync().ConfigureAwait(false);
        return new BenchResult(options.Events, counter.Unique, counter.Duplicates, Seconds(start, counter.LastArrival), counter.Latency, 0, 0, used);
    }

    /// <summary>A raw message's payload: JSON with its seq, padded to the size of an event's (420 bytes).</summary>
    private static byte[] RawPayload(long seq)
    {
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"pad\":\""));
        var payload = new byte[420];
        Array.Fill(payload, (byte)'x');
        head.CopyTo(payload, 0);
        payload[^2] = (byte)'"';
        payload[^1] = (byte)'}';
        return payload;
    }

    /// <summary>When events are missing, says whether they are still in the gateway or were lost beyond it.</summary>
    private static void Explain(ArrivalCounter counter, int events, GatewayInstance gateway)
    {
        if (counter.Unique < events)
        {
            var stats = gateway.Store.Stats();
            Console.WriteLine($"  missing {events - counter.Unique}: outbox still holds {stats.Queue.Total}, connected {gateway.UplinkService.State.Connected}, " +
                              $"reconnects {gateway.UplinkService.State.Reconnects}, failed connects {gateway.UplinkService.State.FailedAttempts} ({gateway.UplinkService.State.LastFailure})");
        }
    }

    private static async Task SubmitAsync(IEventSink sink, EventDraft draft, SemaphoreSlim intake)
    {
        try
        {
            if (!(await sink.SubmitAsync(draft).ConfigureAwait(false)).Accepted)
            {
                throw new InvalidOperationException($"the outbox refused {draft.Type}");
            }
        }
        finally
        {
            intake.Release();
        }
    }

    private static async Task PublishAsync(IMqttClient client, MqttApplicationMessage message, SemaphoreSlim window)
    {
        try
        {
            await client.PublishAsync(message).ConfigureAwait(false);
        }
        finally
        {
            window.Release();
        }
    }

    private static async Task WaitForAsync(ArrivalCounter counter, int events)
    {
        var deadline = Stopwatch.StartNew();
        while (counter.Unique < events && deadline.Elapsed < DrainTimeout)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double Seconds(long from, long to) => Math.Max(1e-9, (to - from) / (double)Stopwatch.Frequency);
}
