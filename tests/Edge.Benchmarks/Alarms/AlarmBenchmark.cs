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

    public static long UnixMicroseconds() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>True for an active <c>alarm.panic</c>: a press.</summary>
    public static bool IsPress(byte[] payload)
    {
        try
        {
            return Payloads.DecodeEvent(payload) is { Type: EventTypes.AlarmPanic, State: EventState.Active };
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>CPU-bound work items kept queued on the thread pool in the busy phase: four per core.</summary>
    private static readonly int BusyItems = 4 * Environment.ProcessorCount;

    public static async Task<int> RunAsync(string[] args)
    {
        var presses = 200;
        Uri? external = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--presses" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    presses = n;
                    break;
                case "--broker" when Uri.TryCreate(args[i + 1], UriKind.Absolute, out var uri) && uri.Scheme == "mqtt":
                    external = uri;
                    break;
                default:
                    Console.Error.WriteLine($"edge-bench alarm: bad option '{args[i]}' {args[i + 1]} (--presses N, --broker mqtt://host:port)");
                    return 2;
            }
        }

        const double background = 1000;
        var debounce = TimeSpan.FromMilliseconds(30);
        await using var local = external is null ? await StationBroker.StartAsync().ConfigureAwait(false) : null;
        var broker = external ?? new Uri(local!.Uri);
        await using var hardware = BridgeServer.Start();
        hardware.SetLevel("c001", 17, true);
        var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-alarm-{Environment.ProcessId}");
        var settings = new GatewaySettings(
            new GatewayOptions { Community = "c001", Id = "gw1", DataDirectory = dir },
            new OutboxOptions(),
            new UplinkOptions { Broker = broker.ToString() },
            new TestEventOptions { Rate = background },
            new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = hardware.Endpoint.ToString() },
            new AlarmOptions { Buttons = [new AlarmButtonOptions { Id = "btn-1", Pin = 17, Debounce = debounce }] });

        // With a real broker the station is mosquitto_sub, a process of its own that dates each arrival itself: the
        // gateway's thread pool, kept busy below, then holds nothing of the station's side.
        await using IAlarmStation station = external is null ? await InProcessStation.StartAsync(broker).ConfigureAwait(false) : await SubscriberProcess.StartAsync(broker).ConfigureAwait(false);
        var arrivals = station.Arrivals;
        Console.WriteLine($"broker {broker} ({(external is null ? "in-process, station in this process" : "external, station mosquitto_sub")})");
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
                var pressedAt = UnixMicroseconds();
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
                    histogram.RecordValue(Math.Max(0, arrivals.Last() - pressedAt));
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

        // A busy box: camera, door and snapshot work keeps the thread pool's queue long (CPU-bound items of 2 ms, more of
        // them than cores), as parsing a storm of camera alerts and encoding pictures does. Alarms must not wait behind it.
        using var busy = new PoolLoad(BusyItems, TimeSpan.FromMilliseconds(2));
        var (loaded, loadedLost) = await PressAsync(Math.Max(1, presses / 4), null).ConfigureAwait(false);
        busy.Dispose();

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
        Print($"while {BusyItems} work items of 2 ms keep the thread pool busy ({busy.Done} done)", Math.Max(1, presses / 4), loaded, loadedLost);
        return lost + burstLost + loadedLost == 0 ? 0 : 1;
    }
}

/// <summary>The station's end: when each active <c>alarm.panic</c> arrived, in microseconds of Unix time.</summary>
internal interface IAlarmStation : IAsyncDisposable
{
    ConcurrentQueue<long> Arrivals { get; }
}

/// <summary>An MQTTnet subscriber in this process (with the in-process broker).</summary>
internal sealed class InProcessStation : IAlarmStation
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public ConcurrentQueue<long> Arrivals { get; } = new();

    public static async Task<InProcessStation> StartAsync(Uri broker)
    {
        var station = new InProcessStation();
        station._client.ApplicationMessageReceivedAsync += e =>
        {
            var at = AlarmBenchmark.UnixMicroseconds();
            if (AlarmBenchmark.IsPress(e.ApplicationMessage.Payload.ToArray()))
            {
                station.Arrivals.Enqueue(at);
            }

            return Task.CompletedTask;
        };
        await station._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId("bench-station").Build()).ConfigureAwait(false);
        await station._client.SubscribeAsync(Topic.AllAlarms, MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
        return station;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}

/// <summary><c>mosquitto_sub</c> printing each alarm with the time it received it (<c>%U</c>), read on a thread of its own.</summary>
internal sealed class SubscriberProcess : IAlarmStation
{
    private readonly Process _process;
    private readonly Thread _reader;

    private SubscriberProcess(Process process)
    {
        _process = process;
        _reader = new Thread(Read) { IsBackground = true, Name = "bench-station" };
        _reader.Start();
    }

    public ConcurrentQueue<long> Arrivals { get; } = new();

    public static async Task<SubscriberProcess> StartAsync(Uri broker)
    {
        var start = new ProcessStartInfo("mosquitto_sub")
        {
            ArgumentList = { "-h", broker.Host, "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", Topic.AllAlarms, "-F", "%U %p", "-i", $"bench-station-{Environment.ProcessId}" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_sub did not start");
        // Its subscription is made once it has connected: give it that moment, then check that it is still there.
        await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        return process.HasExited ? throw new InvalidOperationException($"mosquitto_sub exited with {process.ExitCode}") : new SubscriberProcess(process);
    }

    private void Read()
    {
        while (_process.StandardOutput.ReadLine() is { } line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && decimal.TryParse(line.AsSpan(0, space), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                && AlarmBenchmark.IsPress(System.Text.Encoding.UTF8.GetBytes(line[(space + 1)..])))
            {
                Arrivals.Enqueue((long)(seconds * 1_000_000));
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Keeps <c>items</c> CPU-bound work items of <c>each</c> on the thread pool until disposed: each spins for its time and
/// queues itself again, so the pool's queue always holds about as many as it has threads to run them.
/// </summary>
internal sealed class PoolLoad : IDisposable
{
    private readonly TimeSpan _each;
    private volatile bool _stopped;
    private long _done;

    public PoolLoad(int items, TimeSpan each)
    {
        _each = each;
        for (var i = 0; i < items; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static load => load.Work(), this, preferLocal: false);
        }
    }

    public long Done => Interlocked.Read(ref _done);

    private void Work()
    {
        var until = Stopwatch.GetTimestamp() + (long)(_each.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(50);
        }

        Interlocked.Increment(ref _done);
        if (!_stopped)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static load => load.Work(), this, preferLocal: false);
        }
    }

    public void Dispose() => _stopped = true;
}
