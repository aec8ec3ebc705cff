using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Edge.Gateway.Hosting;
using Edge.Gateway.Outbox;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// <c>edge-bench failover</c>: gateways (MQTT 3.1.1, the three nodes in <c>Brokers</c>, spread over them) carry a
/// background load and an alarm every half second each to a 3-node RabbitMQ cluster on loopback
/// (deploy/rabbitmq/loopback-cluster.sh); each node in turn is killed with SIGKILL and restarted. The station, a
/// persistent session that moves to another node when its own dies, counts every seq. Prints
/// <c>failover: E events, lost L, duplicates D, node kills K, longest alarm stall S s</c>.
/// </summary>
internal static class FailoverBenchmark
{
    private const int Base = 22_000;

    public static async Task<int> RunAsync(string[] args)
    {
        if (CountOptions.Parse(args, "usage: edge-bench failover [--gateways 1..100] [--rate 1..2000 events/s each] [--seconds 1..300 per phase]",
                ("--gateways", 6, 100), ("--rate", 100, 2_000), ("--seconds", 10, 300)) is not { } o)
        {
            return 2;
        }

        var (gateways, rate, seconds) = (o["--gateways"], o["--rate"], o["--seconds"]);

        if (!File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"))
        {
            Console.Error.WriteLine("edge-bench failover: rabbitmq-server is not installed (apt-get install rabbitmq-server)");
            return 2;
        }

        var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-{Environment.ProcessId}-failover");
        Directory.CreateDirectory(dir);
        Uri Node(int n) => new($"mqtt://127.0.0.1:{Base + 30 + n}");
        await ClusterAsync(dir, "start").ConfigureAwait(false);
        var station = new Station([Node(3), Node(2), Node(1)]);
        var fleet = new List<GatewayInstance>();
        using var stop = new CancellationTokenSource();
        try
        {
            await station.ConnectAsync().ConfigureAwait(false);
            for (var g = 0; g < gateways; g++)
            {
                var nodes = Enumerable.Range(0, 3).Select(k => Node(((g + k) % 3) + 1).ToString()).ToList();
                var settings = new GatewaySettings(
                    new GatewayOptions { Community = $"f{g + 1:000}", Id = "gw1", DataDirectory = Path.Combine(dir, $"gw{g}") },
                    new OutboxOptions { Durability = OutboxDurability.Normal },
                    new UplinkOptions { ProtocolVersion = "3.1.1", Brokers = nodes, ReconnectMaxDelay = TimeSpan.FromSeconds(2) },
                    new TestEventOptions());
                var gateway = GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System);
                await gateway.StartAsync(CancellationToken.None).ConfigureAwait(false);
                fleet.Add(gateway);
            }

            var load = fleet.Select(gw => LoadAsync(gw, rate, station, stop.Token)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            for (var n = 1; n <= 3; n++)
            {
                var on = fleet.Count(gw => gw.UplinkService.State.Connected && gw.UplinkService.Broker == Node(n));
                await ClusterAsync(dir, "kill", n.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  killed rabbit{n} (SIGKILL) with {on} of {fleet.Count} gateways on it"));
                await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
                await ClusterAsync(dir, "restart", n.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(load).ConfigureAwait(false);
            var drain = Stopwatch.StartNew();
            while (drain.Elapsed < TimeSpan.FromSeconds(120)
                   && (fleet.Any(gw => gw.Store.Stats().Queue.Total > 0) || fleet.Any(gw => station.Missing(gw.Settings.Gateway.Community, gw.Store.LastSeq) > 0)))
            {
                await Task.Delay(100).ConfigureAwait(false);
            }

            var events = fleet.Sum(gw => gw.Store.LastSeq);
            var lost = fleet.Sum(gw => station.Missing(gw.Settings.Gateway.Community, gw.Store.LastSeq));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"failover: {events} events, lost {lost}, duplicates {station.Duplicates}, node kills 3, longest alarm stall {station.LongestAlarmStall.TotalSeconds:0.00} s " +
                $"({fleet.Count} gateways on MQTT 3.1.1, {rate} events/s each and an alarm every 0.5 s, {seconds} s per phase, 3-node RabbitMQ on loopback)"));
            return lost == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var gw in fleet)
            {
                await gw.StopAsync(CancellationToken.None).ConfigureAwait(false);
                gw.Dispose();
            }

            // The cluster goes whatever happened to the station's client: its nodes would outlive the benchmark.
            try
            {
                await station.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                await ClusterAsync(dir, "stop").ConfigureAwait(false);
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>The gateway's background load, and an alarm every half second whose submission time the station keeps.</summary>
    private static async Task LoadAsync(GatewayInstance gateway, int rate, Station station, CancellationToken stop)
    {
        var device = new DeviceRef("btn-bench", "alarm-button", "Benchmark button", new Location("1", "1", "1", "bench"));
        var test = new DeviceRef("dev-bench", "test", "Benchmark device", new Location("1", "1", "1", "bench"));
        var clock = Stopwatch.StartNew();
        long sent = 0;
        var nextAlarm = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            if (clock.Elapsed >= nextAlarm)
            {
                var submitted = Stopwatch.GetTimestamp();
                var alarm = await gateway.Events.SubmitAsync(new EventDraft(EventTypes.AlarmPanic, Priority.Critical, device, EventState.Active, DateTimeOffset.UtcNow, null),
                    CancellationToken.None).ConfigureAwait(false);
                station.Alarm(gateway.Settings.Gateway.Community, alarm.Event!.Seq, submitted);
                nextAlarm += TimeSpan.FromMilliseconds(500);
            }

            await gateway.Events.SubmitAsync(new EventDraft(EventTypes.DeviceTest, Priority.Low, test, null, DateTimeOffset.UtcNow, new JsonObject { ["n"] = sent++ }),
                CancellationToken.None).ConfigureAwait(false);
            var due = TimeSpan.FromSeconds((double)sent / rate);
            if (due > clock.Elapsed)
            {
                try
                {
                    await Task.Delay(due - clock.Elapsed, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static async Task ClusterAsync(string dir, params string[] args)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "deploy", "rabbitmq", "loopback-cluster.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.GetFullPath(script));
        info.ArgumentList.Add(Path.Combine(dir, "cluster"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["EDGE_RMQ_BASE"] = Base.ToString(CultureInfo.InvariantCulture);
        using var p = Process.Start(info)!;
        var error = p.StandardError.ReadToEndAsync();
        _ = await p.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0 && args[0] != "stop")
        {
            throw new InvalidOperationException($"loopback-cluster.sh {string.Join(' ', args)} exited {p.ExitCode}: {await error.ConfigureAwait(false)}");
        }
    }

    /// <summary>The station: a persistent MQTT 3.1.1 session that moves to the next node when its own dies.</summary>
    private sealed class Station(IReadOnlyList<Uri> nodes) : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<(string Community, long Seq), int> _seen = new();
        private readonly ConcurrentDictionary<(string Community, long Seq), long> _alarms = new();
        private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
        private long _longestStallTicks;
        private long _duplicates;
        private int _node;
        private volatile bool _disposed;

        public long Duplicates => Interlocked.Read(ref _duplicates);

        public TimeSpan LongestAlarmStall => TimeSpan.FromTicks(Interlocked.Read(ref _longestStallTicks));

        public async Task ConnectAsync()
        {
            _client.ApplicationMessageReceivedAsync += e =>
            {
                var evt = Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
                var key = (evt.Community, evt.Seq);
                if (_seen.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref _duplicates);
                }
                else if (_alarms.TryGetValue(key, out var submitted))
                {
                    var stall = Stopwatch.GetElapsedTime(submitted).Ticks;
                    long seen;
                    while (stall > (seen = Interlocked.Read(ref _longestStallTicks)) && Interlocked.CompareExchange(ref _longestStallTicks, stall, seen) != seen)
                    {
                    }
                }

                return Task.CompletedTask;
            };
            _client.DisconnectedAsync += async _ =>
            {
                while (!_disposed && !_client.IsConnected)
                {
                    _node = (_node + 1) % nodes.Count;
                    try
                    {
                        await OpenAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
                    {
                        await Task.Delay(200).ConfigureAwait(false);
                    }
                }
            };
            await OpenAsync().ConfigureAwait(false);
            await _client.SubscribeAsync("edge/v1/+/+/events/#", MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
        }

        private Task OpenAsync() => _client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(nodes[_node].Host, nodes[_node].Port)
            .WithClientId("edge-bench-station")
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(false)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build());

        public void Alarm(string community, long seq, long submitted) => _alarms[(community, seq)] = submitted;

        public long Missing(string community, long lastSeq)
        {
            long missing = 0;
            for (var s = 1L; s <= lastSeq; s++)
            {
                missing += _seen.ContainsKey((community, s)) ? 0 : 1;
            }

            return missing;
        }

        public async ValueTask DisposeAsync()
        {
            _disposed = true;
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }

            _client.Dispose();
        }
    }
}
