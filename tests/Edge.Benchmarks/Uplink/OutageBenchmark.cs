using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Edge.Gateway.Hosting;
using Edge.Gateway.Outbox;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Uplink;
using Edge.Simulator.Broker;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// <c>edge-bench outage</c>: a gateway carries a background load (test events, low priority) to the in-process station
/// broker; the broker goes away for the outage while the load goes on and alarms are raised now and then; then it comes
/// back. Prints, from the moment the station is back: when the first and the last alarm arrived, how many backlog
/// events overtook an alarm (none: alarms first), and how fast the backlog drained (events committed before the
/// station came back, over the time until the last of them arrived).
/// </summary>
internal static class OutageBenchmark
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(180);

    public static async Task<int> RunAsync(string[] args)
    {
        if (CountOptions.Parse(args, "usage: edge-bench outage [--seconds 1..600] [--rate 1..20000] [--alarms 1..1000]",
                ("--seconds", 60, 600), ("--rate", 1000, 20_000), ("--alarms", 10, 1_000)) is not { } o)
        {
            return 2;
        }

        var (seconds, rate, alarms) = (o["--seconds"], o["--rate"], o["--alarms"]);

        await using var broker = await StationBroker.StartAsync().ConfigureAwait(false);
        var uri = new Uri(broker.Uri);
        // While the station is not listening again, the gateway is turned away, so nothing it sends goes unseen.
        var stationListening = true;
        broker.Server.ValidatingConnectionAsync += e =>
        {
            if (!Volatile.Read(ref stationListening) && e.ClientId.StartsWith("edge-", StringComparison.Ordinal))
            {
                e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.ServerUnavailable;
            }

            return Task.CompletedTask;
        };

        var capacity = (int)((Warmup.TotalSeconds + seconds + DrainTimeout.TotalSeconds) * rate * 1.2) + alarms + 1_000;
        var station = new Arrivals(capacity);
        var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-{Environment.ProcessId}-outage");
        Directory.CreateDirectory(dir);
        var settings = new GatewaySettings(
            new GatewayOptions { Community = "bench", Id = "gw-outage", DataDirectory = dir },
            new OutboxOptions(),
            new UplinkOptions { Broker = uri.ToString() },
            new TestEventOptions { Rate = rate, Priority = Priority.Low });
        var first = await station.ConnectAsync(uri).ConfigureAwait(false);
        using var gateway = GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System);
        await gateway.StartAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await Task.Delay(Warmup).ConfigureAwait(false);

            // The station goes away; the load goes on, and alarms are raised across the outage.
            Volatile.Write(ref stationListening, false);
            await broker.StopAsync().ConfigureAwait(false);
            await first.DisposeAsync().ConfigureAwait(false);
            var atOutage = gateway.Store.LastSeq;
            var outage = Stopwatch.StartNew();
            var device = new DeviceRef("btn-bench", "alarm-button", "Benchmark button", new Location("1", "1", "1", "bench"));
            for (var a = 0; a < alarms; a++)
            {
                var due = TimeSpan.FromSeconds(seconds * (a + 0.5) / alarms);
                if (due > outage.Elapsed)
                {
                    await Task.Delay(due - outage.Elapsed).ConfigureAwait(false);
                }

                var result = await gateway.Events.SubmitAsync(new EventDraft(EventTypes.AlarmPanic, Priority.Critical, device, EventState.Active, DateTimeOffset.UtcNow,
                    new JsonObject { ["n"] = a })).ConfigureAwait(false);
                station.Alarm(result.Event!.Seq);
            }

            if (outage.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds) - outage.Elapsed).ConfigureAwait(false);
            }

            // Back: the station subscribes first, then the gateway is let in.
            var backlog = gateway.Store.LastSeq;
            var queued = gateway.Store.Stats().Queue.Total;
            await broker.RestartAsync().ConfigureAwait(false);
            await using var second = await station.ConnectAsync(uri).ConfigureAwait(false);
            var back = Stopwatch.GetTimestamp();
            station.Back(back);
            Volatile.Write(ref stationListening, true);

            var wait = Stopwatch.StartNew();
            station.Await(atOutage + 1, backlog);
            while (!station.HasAll && wait.Elapsed < DrainTimeout)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }

            var report = station.Report(atOutage + 1, backlog, back);
            var lostAtStop = station.MissingSeqs(1, atOutage).Count();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"outage: {seconds} s without the station under {rate} events/s of background (low priority), {alarms} alarms raised meanwhile, in-process broker, {Environment.ProcessorCount} cores"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  backlog      {queued} events waiting when the station came back; seq {atOutage + 1}..{backlog}, committed during the outage: {(report.Missing == 0 ? "all at the station" : $"{report.Missing} missing after {DrainTimeout.TotalSeconds:0} s ({string.Join(", ", station.MissingSeqs(atOutage + 1, backlog).Take(10))} ...)")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  at the stop  {lostAtStop} events the broker had acknowledged and not yet passed on when it stopped (the in-process broker keeps nothing across a stop)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  alarms       first at the station {report.FirstAlarmMs:0} ms after it came back, last {report.LastAlarmMs:0} ms; backlog events ahead of the last alarm: {report.OvertookAlarms}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  drain        {report.Drained} backlog events in {report.DrainSeconds:0.00} s: {report.Drained / report.DrainSeconds:0} ev/s (while the background load went on)"));
            return report.Missing == 0 && report.OvertookAlarms == 0 ? 0 : 1;
        }
        finally
        {
            await gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>What the station received, by seq: when each first arrived, and which are alarms.</summary>
    private sealed class Arrivals(int capacity)
    {
        private readonly long[] _at = new long[capacity + 1];
        private readonly bool[] _alarm = new bool[capacity + 1];
        private readonly Lock _lock = new();
        private long _back = long.MaxValue;
        private long _awaitedFrom;
        private long _awaitedLast = -1;
        private long _stillMissing;

        public void Alarm(long seq) => _alarm[seq] = true;

        public void Back(long at) => Interlocked.Exchange(ref _back, at);

        /// <summary>A subscriber on the station broker (MQTT 3.1.1, QoS 0, counting by the seq user property or payload).</summary>
        public async Task<IAsyncDisposable> ConnectAsync(Uri broker)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e =>
            {
                var seq = e.ApplicationMessage.UserProperties?.FirstOrDefault(p => p.Name == "seq") is { } p
                    && long.TryParse(System.Text.Encoding.ASCII.GetString(p.ValueBuffer.Span), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
                Arrived(seq);
                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
                .WithClientId($"bench-station-{Guid.NewGuid():N}").Build()).ConfigureAwait(false);
            await client.SubscribeAsync("edge/v1/bench/gw-outage/events/#", MqttQualityOfServiceLevel.AtMostOnce).ConfigureAwait(false);
            return new Subscriber(client);
        }

        private void Arrived(long seq)
        {
            var now = Stopwatch.GetTimestamp();
            if (seq <= 0 || seq >= _at.Length)
            {
                return;
            }

            lock (_lock)
            {
                if (_at[seq] != 0)
                {
                    return;
                }

                _at[seq] = now;
                if (seq >= _awaitedFrom && seq <= _awaitedLast)
                {
                    _stillMissing--;
                }
            }
        }

        /// <summary>From now on, counts down the seqs <paramref name="from"/>..<paramref name="last"/> not yet arrived (counted once here).</summary>
        public void Await(long from, long last)
        {
            lock (_lock)
            {
                (_awaitedFrom, _awaitedLast) = (from, last);
                _stillMissing = Range(from, last).Count(s => _at[s] == 0);
            }
        }

        /// <summary>True once every awaited seq has arrived: a count, not a scan, so the arrivals are not held up.</summary>
        public bool HasAll
        {
            get
            {
                lock (_lock)
                {
                    return _stillMissing == 0;
                }
            }
        }

        public IEnumerable<long> MissingSeqs(long from, long last)
        {
            lock (_lock)
            {
                return Range(from, last).Where(s => _at[s] == 0).ToList();
            }
        }

        private static IEnumerable<long> Range(long from, long last)
        {
            for (var s = from; s <= last; s++)
            {
                yield return s;
            }
        }

        public Result Report(long from, long backlog, long back)
        {
            lock (_lock)
            {
                var alarms = Range(from, backlog).Where(s => _alarm[s] && _at[s] != 0).Select(s => _at[s]).ToList();
                var lastAlarm = alarms.Count == 0 ? back : alarms.Max();
                var drained = Range(from, backlog).Where(s => _at[s] >= back).Select(s => _at[s]).ToList();
                var overtook = Enumerable.Range(1, _at.Length - 1).Count(s => !_alarm[s] && _at[s] >= back && _at[s] < lastAlarm);
                double Ms(long t) => (t - back) * 1000.0 / Stopwatch.Frequency;
                return new Result(
                    Range(from, backlog).Count(s => _at[s] == 0),
                    alarms.Count == 0 ? double.NaN : Ms(alarms.Min()),
                    alarms.Count == 0 ? double.NaN : Ms(lastAlarm),
                    overtook,
                    drained.Count,
                    drained.Count == 0 ? double.NaN : Ms(drained.Max()) / 1000);
            }
        }
    }

    private sealed record Result(int Missing, double FirstAlarmMs, double LastAlarmMs, int OvertookAlarms, int Drained, double DrainSeconds);

    private sealed class Subscriber(IMqttClient client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync().ConfigureAwait(false);
            }

            client.Dispose();
        }
    }
}
