using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Alarms;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Hardware;
using Edge.Gateway.Hosting;
using Edge.Simulator.Broker;
using Edge.Simulator.Hardware;
using HdrHistogram;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Alarms;

/// <summary>
/// <c>edge-bench alarm</c>: a button pressed in the simulator (a GPIO edge on the hardware bridge) to the alarm's arrival
/// at an independent station subscriber, through the gateway's GPIO controller, debouncer, outbox and uplink, while
/// the gateway also carries background traffic, then each press right after a burst of events handed to the outbox at
/// once. Prints p50/p99 from the edge, and without the debounce time.
/// </summary>
internal static class AlarmBenchmark
{
    private const int BurstEvents = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var presses = args.Length > 1 && args[0] == "--presses" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        const double background = 1000;
        var debounce = TimeSpan.FromMilliseconds(30);
        await using var broker = await StationBroker.StartAsync().ConfigureAwait(false);
        await using var hardware = BridgeServer.Start();
        hardware.SetLevel("c001", 17, true);
        var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-alarm-{Environment.ProcessId}");
        var settings = new GatewaySettings(
            new GatewayOptions { Community = "c001", Id = "gw1", DataDirectory = dir },
            new OutboxOptions(),
            new UplinkOptions { Broker = broker.Uri },
            new TestEventOptions { Rate = background },
            new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = hardware.Endpoint.ToString() },
            new AlarmOptions { Buttons = [new AlarmButtonOptions { Id = "btn-1", Pin = 17, Debounce = debounce }] });
        var arrivals = new ConcurrentQueue<long>();
        using var station = new MqttClientFactory().CreateMqttClient();
        station.ApplicationMessageReceivedAsync += e =>
        {
            var ev = Payloads.DecodeEvent(e.ApplicationMessage.Payload.ToArray());
            if (ev is { Type: EventTypes.AlarmPanic, State: EventState.Active })
            {
                arrivals.Enqueue(Stopwatch.GetTimestamp());
            }

            return Task.CompletedTask;
        };
        await station.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("bench-station").Build()).ConfigureAwait(false);
        await station.SubscribeAsync(Topic.AllAlarms, MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
        using var gateway = GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System);
        await gateway.StartAsync(CancellationToken.None).ConfigureAwait(false);
        while (!gateway.UplinkService.State.Connected || !gateway.GatewayHardware.Bridge!.Connected)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        async Task<(LongHistogram Histogram, int Lost)> PressAsync(int count, Action? beforePress)
        {
            var histogram = new LongHistogram(TimeStamp.Minutes(1), 3);
            var lost = 0;
            for (var i = 0; i < count; i++)
            {
                beforePress?.Invoke();
                var before = arrivals.Count;
                var pressedAt = Stopwatch.GetTimestamp();
                hardware.SetLevel("c001", 17, false);
                var deadline = Stopwatch.StartNew();
                while (arrivals.Count == before && deadline.Elapsed < TimeSpan.FromSeconds(5))
                {
                    await Task.Delay(1).ConfigureAwait(false);
                }

                if (arrivals.Count == before)
                {
                    lost++;
                }
                else
                {
                    histogram.RecordValue((arrivals.Last() - pressedAt) * 1_000_000 / Stopwatch.Frequency);
                }

                await Task.Delay(60).ConfigureAwait(false);
                hardware.SetLevel("c001", 17, true);
                await Task.Delay(60).ConfigureAwait(false);
            }

            return (histogram, lost);
        }

        var (steady, lost) = await PressAsync(presses, null).ConfigureAwait(false);

        // A burst: 10,000 events handed to the outbox at once just before the press (controllers' logs read after a
        // restart, a storm of motion); the alarm must not wait for them to be committed.
        var device = new DeviceRef("bench-burst", "test");
        var (burst, burstLost) = await PressAsync(Math.Max(1, presses / 10), () =>
        {
            for (var n = 0; n < BurstEvents; n++)
            {
                _ = gateway.Writer.SubmitAsync(new EventDraft(EventTypes.DeviceTest, Priority.Normal, device, null, DateTimeOffset.UtcNow, null));
            }
        }).ConfigureAwait(false);

        await gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
        Directory.Delete(dir, recursive: true);
        var d = debounce.TotalMilliseconds;
        void Print(string what, long count, LongHistogram h, int missed)
        {
            var ms = (double p) => h.GetValueAtPercentile(p) / 1000.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"alarm: {count} presses {what}, lost {missed}; edge to station p50 {ms(50):0.0} ms, p99 {ms(99):0.0} ms, max {h.GetMaxValue() / 1000.0:0.0} ms; " +
                $"after the {d:0} ms debounce p50 {ms(50) - d:0.0} ms, p99 {ms(99) - d:0.0} ms"));
        }

        Print($"with {background:0} background events/s", presses, steady, lost);
        Print($"each right after a burst of {BurstEvents:N0} events handed to the outbox", Math.Max(1, presses / 10), burst, burstLost);
        return lost + burstLost == 0 ? 0 : 1;
    }
}
