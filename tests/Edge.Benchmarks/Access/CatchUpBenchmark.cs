using System.Diagnostics;
using System.Globalization;
using Edge.Contracts.Topics;
using Edge.Gateway.Isapi;
using Edge.Gateway.Access;
using Edge.Gateway.Configuration;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Hosting;
using Edge.Simulator.Broker;
using Edge.Simulator.Devices;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Access;

/// <summary>
/// <c>edge-bench catchup</c>: a gateway is stopped, one ISAPI access controller logs N card swipes while nobody listens,
/// and the gateway starts again. Prints how long the restarted gateway takes to read them from the controller's event
/// log into its outbox (30 a page, each committed with its cursor), and until the last is at an independent station
/// subscriber.
/// </summary>
internal static class CatchUpBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = IsapiCatchUp.MaxCatchUp;
        var durability = OutboxDurability.Full;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--events" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= IsapiCatchUp.MaxCatchUp:
                    events = n;
                    break;
                case "--durability" when Enum.TryParse<OutboxDurability>(args[i + 1], ignoreCase: true, out var d):
                    durability = d;
                    break;
                default:
                    Console.Error.WriteLine($"usage: edge-bench catchup [--events 1..{IsapiCatchUp.MaxCatchUp}] [--durability Full|Normal]");
                    return 2;
            }
        }

        await using var broker = await StationBroker.StartAsync().ConfigureAwait(false);
        await using var http = await HttpDeviceServer.StartAsync().ConfigureAwait(false);
        var controller = http.Add("c001", "ctl-01", "admin", "bench-secret");
        controller.LiveOnly = true;
        var dir = Path.Combine(Path.GetTempPath(), $"edge-bench-catchup-{Environment.ProcessId}");
        var settings = new GatewaySettings(
            new GatewayOptions { Community = "c001", Id = "gw1", DataDirectory = dir },
            new OutboxOptions { Durability = durability },
            new UplinkOptions { Broker = broker.Uri },
            new TestEventOptions(),
            Access: new AccessOptions
            {
                CardSecret = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
                Controllers =
                [
                    new AccessControllerOptions
                    {
                        Id = "ctl-01", Url = http.Url("c001", "ctl-01").ToString(), User = "admin", Password = "bench-secret",
                        Doors = [new AccessDoorOptions { Number = 1, Id = "door-01" }],
                    },
                ],
            });

        var arrivals = 0;
        using var station = new MqttClientFactory().CreateMqttClient();
        station.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref arrivals);
            return Task.CompletedTask;
        };
        await station.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("bench-station").Build()).ConfigureAwait(false);
        await station.SubscribeAsync(Topic.AllEvents, MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
        try
        {
            // The gateway takes one swipe, so it has a cursor, and stops.
            using (var first = GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System))
            {
                await first.StartAsync(CancellationToken.None).ConfigureAwait(false);
                await Until(() => controller.Streaming, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                controller.Send(5, 0x01, door: 1, cardNo: "1000");
                await Until(() => Volatile.Read(ref arrivals) == 1, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await first.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            for (var i = 0; i < events; i++)
            {
                controller.LogOnly(5, 0x01, door: 1, cardNo: (2000 + i).ToString(CultureInfo.InvariantCulture));
            }

            var searchesBefore = controller.LogSearches;
            using var again = GatewayInstance.Create(settings, NullLoggerFactory.Instance, TimeProvider.System);
            var clock = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await again.StartAsync(CancellationToken.None).ConfigureAwait(false);
            var limit = TimeSpan.FromSeconds(60 + (events / 10));
            await Until(() => again.AccessFeature.Controllers!.Recovered == events, limit).ConfigureAwait(false);
            var committed = clock.Elapsed;
            await Until(() => Volatile.Read(ref arrivals) >= events + 1, limit).ConfigureAwait(false);
            var delivered = clock.Elapsed;
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            await again.StopAsync(CancellationToken.None).ConfigureAwait(false);

            var lost = events + 1 - Volatile.Read(ref arrivals);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"catchup: {events} events logged while the gateway was down (durability {durability}); read from the controller's log and committed in {committed.TotalSeconds:0.00} s " +
                $"({events / committed.TotalSeconds:0} ev/s, {controller.LogSearches - searchesBefore} searches); all at the station {delivered.TotalSeconds:0.00} s after the restart; " +
                $"CPU {used.TotalSeconds:0.00} s; lost {Math.Max(0, lost)}, recovered {again.AccessFeature.Controllers!.Recovered}"));
            return lost > 0 ? 1 : 0;
        }
        finally
        {
            await station.DisconnectAsync().ConfigureAwait(false);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"not done within {limit.TotalSeconds:0} s");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
