using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Alarms;
using Edge.Gateway.Commands;
using Edge.Gateway.Configuration;
using Edge.Gateway.Hardware;
using Edge.Gateway.Hosting;
using Edge.Gateway.Outbox;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Uplink;
using Edge.Simulator.Broker;
using Edge.Simulator.Hardware;
using HdrHistogram;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Access;

/// <summary>
/// <c>edge-bench commands</c>: what the station's signed commands cost a gateway. The verifier alone (ES256 signature,
/// checks, an in-memory ledger) on one core; then a gateway with an alarm column on the simulator's hardware bridge and
/// the in-process broker: a press, the alarm at the station, then <c>alarm.acknowledge</c>, timed from the desk's
/// publish to the column's LED at the simulated hardware, many times; then a flood of commands while the uplink carries
/// 2,000 events a second, answered per second.
/// </summary>
internal static class CommandBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = 200;
        if (args is ["--rounds", var r] && int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 10_000)
        {
            rounds = n;
        }
        else if (args.Length > 0)
        {
            Console.Error.WriteLine("usage: edge-bench commands [--rounds 1..10000]");
            return 2;
        }

        using var station = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Verify(station);
        await AcknowledgeToLedAsync(station, rounds).ConfigureAwait(false);
        await UnderLoadAsync(station).ConfigureAwait(false);
        return 0;
    }

    private static StationCommand Command(string type, Guid alarm, string issuer = "bench-desk") =>
        new(Guid.CreateVersion7(), type, "c001", "gw1", issuer, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(30), new JsonObject { ["alarm"] = alarm.ToString() });

    private sealed class MemoryLedger : ICommandLedger
    {
        private readonly HashSet<Guid> _taken = [];

        public bool TryTake(Guid id, DateTimeOffset keepUntil) => _taken.Add(id);
    }

    private static void Verify(ECDsa station)
    {
        const int count = 5_000;
        var signed = Enumerable.Range(0, count).Select(_ => Encoding.ASCII.GetBytes(CommandJws.Sign(Command(CommandTypes.AlarmAcknowledge, Guid.CreateVersion7()), "k", station))).ToList();
        using var key = ECDsa.Create(station.ExportParameters(false));
        var verifier = new CommandVerifier("c001", "gw1", new Dictionary<string, ECDsa> { ["k"] = key }, new MemoryLedger(), TimeProvider.System);
        foreach (var s in signed.Take(500))
        {
            verifier.Check(CommandTypes.AlarmAcknowledge, s);
        }

        var started = Stopwatch.GetTimestamp();
        var accepted = signed.Skip(500).Count(s => verifier.Check(CommandTypes.AlarmAcknowledge, s).Accepted);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verify: {accepted} of {count - 500} signed commands accepted, {seconds / (count - 500) * 1e6:0} µs each ({(count - 500) / seconds:0} a second on one core)"));
    }

    private static async Task AcknowledgeToLedAsync(ECDsa station, int rounds)
    {
        await using var rig = await Rig.CreateAsync(station, "commands", testEventRate: 0).ConfigureAwait(false);
        var led = new LedWatch(rig.Hardware);
        var alarms = System.Threading.Channels.Channel.CreateUnbounded<Guid>();
        var restores = System.Threading.Channels.Channel.CreateUnbounded<Guid>();
        using var desk = await rig.DeskAsync("bench-desk", "edge/v1/c001/gw1/events/#", e =>
        {
            if (e.ApplicationMessage.Topic.Contains("/events/alarm/", StringComparison.Ordinal))
            {
                var alarm = Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
                (alarm.State == Edge.Contracts.Events.EventState.Active ? alarms : restores).Writer.TryWrite(alarm.Id);
            }
        }).ConfigureAwait(false);
        await rig.StartAsync().ConfigureAwait(false);
        var gateway = rig.Gateway;
        var hardware = rig.Hardware;
        var latency = new LongHistogram(TimeStamp.Seconds(10), 3);
        for (var i = 0; i < rounds; i++)
        {
            // A press and its release; the column blinks, then shows steady once the broker has the alarm.
            hardware.SetLevel("c001", 17, false);
            var alarm = await alarms.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            hardware.SetLevel("c001", 17, true);
            await LedWatch.WaitAsync(() => gateway.AlarmsFeature.Columns!.StateOf("btn-1") == ColumnState.Delivered && hardware.Output("c001", 27) == true).ConfigureAwait(false);

            // The police take it: the LED goes off at once (the slow blink starts dark).
            var message = Rig.CommandMessage(CommandTypes.AlarmAcknowledge, CommandJws.Sign(Command(CommandTypes.AlarmAcknowledge, alarm), "k", station));
            var off = led.NextOff();
            var sent = Stopwatch.GetTimestamp();
            await desk.PublishAsync(message).ConfigureAwait(false);
            var at = await off.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            latency.RecordValue((at - sent) * 1_000_000 / Stopwatch.Frequency);

            await desk.PublishAsync(Rig.CommandMessage(CommandTypes.AlarmResolve, CommandJws.Sign(Command(CommandTypes.AlarmResolve, alarm), "k", station))).ConfigureAwait(false);
            await LedWatch.WaitAsync(() => gateway.AlarmsFeature.Columns!.StateOf("btn-1") == ColumnState.Idle).ConfigureAwait(false);
            await restores.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"acknowledge -> column LED: {rounds} alarms, p50 {latency.GetValueAtPercentile(50) / 1000.0:0.0} ms, p99 {latency.GetValueAtPercentile(99) / 1000.0:0.0} ms, max {latency.GetMaxValue() / 1000.0:0.0} ms (desk publish to the LED's write at the simulated hardware; in-process broker)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"commands: {gateway.CommandService!.Received} received, {gateway.CommandService.Applied} applied, {gateway.CommandService.NotApplied} not applied"));
    }

    /// <summary>
    /// 5,000 commands, at most 200 unanswered at a time, while the gateway's uplink carries 2,000 background events a
    /// second: results per second. Each is verified, its id committed to the ledger, and applied (an acknowledgement
    /// no column shows).
    /// </summary>
    private static async Task UnderLoadAsync(ECDsa station)
    {
        const int commands = 5_000;
        await using var rig = await Rig.CreateAsync(station, "commands-load", testEventRate: 2_000).ConfigureAwait(false);
        var results = 0;
        var lastResult = 0L;
        using var desk = await rig.DeskAsync("bench-desk-load", Topic.Results("c001", "gw1"), _ =>
        {
            Interlocked.Increment(ref results);
            Interlocked.Exchange(ref lastResult, Stopwatch.GetTimestamp());
        }).ConfigureAwait(false);
        await rig.StartAsync().ConfigureAwait(false);
        var gateway = rig.Gateway;
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var signed = Enumerable.Range(0, commands).Select(_ => CommandJws.Sign(Command(CommandTypes.AlarmAcknowledge, Guid.CreateVersion7()), "k", station)).ToList();
        var eventsBefore = gateway.Store.LastSeq;
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        foreach (var payload in signed)
        {
            // The desk keeps at most 200 commands unanswered: the gateway's queue (256) refuses more at once.
            while (sent - Volatile.Read(ref results) >= 200)
            {
                await Task.Yield();
            }

            sent++;
            await desk.PublishAsync(Rig.CommandMessage(CommandTypes.AlarmAcknowledge, payload)).ConfigureAwait(false);
        }

        await LedWatch.WaitAsync(() => Volatile.Read(ref results) >= commands).ConfigureAwait(false);
        var seconds = (Interlocked.Read(ref lastResult) - started) / (double)Stopwatch.Frequency;
        var events = (gateway.Store.LastSeq - eventsBefore) / seconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"under load: {commands} commands, at most 200 unanswered, {results} answered in {seconds:0.00} s = {commands / seconds:0} a second, while the gateway committed {events:0} background events a second ({gateway.CommandService!.Applied} applied, {gateway.CommandService.NotApplied} not)"));
    }

    /// <summary>
    /// A gateway with one alarm column (button 17, LED 27) on the simulator's hardware bridge, the in-process broker,
    /// and the station's key; started once the desk is listening, and ready when it has subscribed to its commands.
    /// </summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly StationBroker _broker;
        private readonly string _dir;
        private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Rig(StationBroker broker, BridgeServer hardware, string dir, GatewayInstance gateway)
        {
            _broker = broker;
            Hardware = hardware;
            _dir = dir;
            Gateway = gateway;
            broker.Server.ClientSubscribedTopicAsync += e =>
            {
                if (e.TopicFilter.Topic == Topic.Commands("c001", "gw1"))
                {
                    _subscribed.TrySetResult();
                }

                return Task.CompletedTask;
            };
        }

        public BridgeServer Hardware { get; }

        public GatewayInstance Gateway { get; }

        public static async Task<Rig> CreateAsync(ECDsa station, string run, double testEventRate)
        {
            var broker = await StationBroker.StartAsync().ConfigureAwait(false);
            var hardware = BridgeServer.Start();
            hardware.SetLevel("c001", 17, true);
            var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-{Environment.ProcessId}-{run}");
            Directory.CreateDirectory(dir);
            var settings = new GatewaySettings(
                new GatewayOptions { Community = "c001", Id = "gw1", DataDirectory = dir },
                new OutboxOptions(),
                new UplinkOptions { Broker = broker.Uri },
                new TestEventOptions { Rate = testEventRate },
                new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = hardware.Endpoint.ToString() },
                new AlarmOptions { Buttons = [new AlarmButtonOptions { Id = "btn-1", Pin = 17, LedPin = 27 }] },
                Commands: new CommandOptions { StationKeys = [new StationKeyOptions { Id = "k", PublicKey = station.ExportSubjectPublicKeyInfoPem() }] });
            return new Rig(broker, hardware, dir, GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System));
        }

        /// <summary>A desk client subscribed to <paramref name="filter"/>, each message handed to <paramref name="received"/>.</summary>
        public async Task<IMqttClient> DeskAsync(string clientId, string filter, Action<MqttApplicationMessageReceivedEventArgs> received)
        {
            var desk = new MqttClientFactory().CreateMqttClient();
            desk.ApplicationMessageReceivedAsync += e =>
            {
                received(e);
                return Task.CompletedTask;
            };
            await desk.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId(clientId).Build()).ConfigureAwait(false);
            await desk.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
            return desk;
        }

        public async Task StartAsync()
        {
            await Gateway.StartAsync(CancellationToken.None).ConfigureAwait(false);
            await _subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await LedWatch.WaitAsync(() => Gateway.GatewayHardware.Bridge!.Connected && Gateway.UplinkService.State.Connected).ConfigureAwait(false);
        }

        public static MqttApplicationMessage CommandMessage(string type, string signed) =>
            new MqttApplicationMessageBuilder().WithTopic(Topic.Command("c001", "gw1", type)).WithPayload(signed)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

        public async ValueTask DisposeAsync()
        {
            await Gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
            Gateway.Dispose();
            await Hardware.DisposeAsync().ConfigureAwait(false);
            await _broker.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>The column's LED as the simulated hardware sees it written.</summary>
    private sealed class LedWatch
    {
        private TaskCompletionSource<long>? _off;

        public LedWatch(BridgeServer hardware) => hardware.OutputWritten += (community, pin, level) =>
        {
            if (community == "c001" && pin == 27 && !level)
            {
                Interlocked.Exchange(ref _off, null)?.TrySetResult(Stopwatch.GetTimestamp());
            }
        };

        /// <summary>When the LED is next written off.</summary>
        public Task<long> NextOff()
        {
            var off = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _off, off);
            return off.Task;
        }

        public static async Task WaitAsync(Func<bool> condition)
        {
            var deadline = Stopwatch.StartNew();
            while (!condition())
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("the column did not get there in 30 s");
                }

                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }
}
