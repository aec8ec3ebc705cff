using System.Diagnostics;
using System.Globalization;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Simulator.Broker;
using Edge.Simulator.Station;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks.Station;

/// <summary>
/// <c>edge-bench desk</c>: the police desk's ingest with durable storage. A flood of events from ten gateways (one
/// in fifty an alarm) is published QoS 1 into the broker as fast as a window of 256 allows while the desk stores them;
/// the rate is from the first publish to the last event stored, and the desk's database is then checked: every event
/// once, none lost, none twice. <c>--desk amqp://...</c> has the desk take in over AMQP (a RabbitMQ cluster, its MQTT
/// plugin at <c>--broker</c>), and <c>--postgresql</c> keeps its store in PostgreSQL.
/// </summary>
internal static class DeskBenchmark
{
    private const int Gateways = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        Uri? external = null;
        Uri? deskLink = null;
        string? postgres = null;
        var events = 100_000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--broker" when Uri.TryCreate(args[i + 1], UriKind.Absolute, out var uri) && uri.Scheme == "mqtt":
                    external = uri;
                    break;
                case "--desk" when Uri.TryCreate(args[i + 1], UriKind.Absolute, out var uri) && uri.Scheme is "mqtt" or "amqp":
                    deskLink = uri;
                    break;
                case "--postgresql":
                    postgres = args[i + 1];
                    break;
                case "--events" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    events = n;
                    break;
                default:
                    Console.Error.WriteLine($"edge-bench desk: bad option '{args[i]}' {args[i + 1]}");
                    return 2;
            }
        }

        await using var local = external is null ? await StationBroker.StartAsync().ConfigureAwait(false) : null;
        var broker = external ?? new Uri(local!.Uri);
        var data = Path.Combine(Path.GetTempPath(), $"edge-bench-desk-{Environment.ProcessId}");
        try
        {
            var settings = new Dictionary<string, string?> { ["Desk:Broker"] = (deskLink ?? broker).ToString(), ["Desk:PostgreSql"] = postgres };
            await using var desk = await StationDesk.StartAsync(broker, 0, data, NullLoggerFactory.Instance, TimeProvider.System, default, settings).ConfigureAwait(false);
            Console.WriteLine($"broker {broker} ({(local is null ? "external" : "in-process")}), desk takes in from {deskLink ?? broker}, " +
                              $"desk database {(postgres is null ? data + "/desk.db (SQLite, synchronous FULL)" : "PostgreSQL")}, {Environment.ProcessorCount} cores");
            var before = desk.Counts();
            using var publisher = new MqttClientFactory().CreateMqttClient();
            var flood = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId("bench-flood");
            if (deskLink?.Scheme == "amqp")
            {
                // RabbitMQ's MQTT plugin takes MQTT 3.1.1 only.
                flood.WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311);
            }

            await publisher.ConnectAsync(flood.Build()).ConfigureAwait(false);
            var run = Guid.NewGuid().ToString("N")[..6];
            var clock = Stopwatch.StartNew();
            using var window = new SemaphoreSlim(256);
            var sent = new List<Task>(events);
            var now = DateTimeOffset.UtcNow;
            for (var n = 0; n < events; n++)
            {
                var gateway = $"gw{n % Gateways}";
                var seq = (n / Gateways) + 1;
                var e = n % 50 == 0
                    ? new EdgeEvent(Guid.CreateVersion7(), seq, EventTypes.AlarmPanic, Priority.Critical, "c" + run, gateway, new DeviceRef($"btn-{n}", "alarm-button"), EventState.Active, now, now, null)
                    : new EdgeEvent(Guid.CreateVersion7(), seq, EventTypes.DeviceTest, Priority.Low, "c" + run, gateway, new DeviceRef("gateway", "gateway"), null, now, now, null);
                await window.WaitAsync().ConfigureAwait(false);
                sent.Add(Publish(publisher, e, window));
            }

            await Task.WhenAll(sent).ConfigureAwait(false);
            var published = clock.Elapsed;
            var deadline = Stopwatch.StartNew();
            var progress = Stopwatch.StartNew();
            while (desk.Counts().Events - before.Events < events && deadline.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(20).ConfigureAwait(false);
                if (progress.Elapsed > TimeSpan.FromSeconds(5))
                {
                    progress.Restart();
                    Console.WriteLine($"  {clock.Elapsed.TotalSeconds:0} s: " + await desk.Api.GetStringAsync(new Uri("/healthz", UriKind.Relative)).ConfigureAwait(false));
                }
            }

            var stored = clock.Elapsed;
            Console.WriteLine("  desk health: " + await desk.Api.GetStringAsync(new Uri("/healthz", UriKind.Relative)).ConfigureAwait(false));
            var after = desk.Counts();
            var got = after.Events - before.Events;
            var duplicates = after.Duplicates - before.Duplicates;
            Console.WriteLine($"  published {events} in {published.TotalSeconds:0.00} s; stored {got} in {stored.TotalSeconds:0.00} s = {got / stored.TotalSeconds:0} ev/s; alarms {after.Alarms - before.Alarms}");
            Console.WriteLine($"desk ingest: {events} events, lost {events - got}, duplicates {duplicates}, {got / stored.TotalSeconds:0} ev/s");
            return got == events ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task Publish(IMqttClient client, EdgeEvent e, SemaphoreSlim window)
    {
        try
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topic.Event(e)).WithPayload(Payloads.Encode(e))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"the broker refused an event: {result.ReasonCode}");
            }
        }
        finally
        {
            window.Release();
        }
    }
}
