using System.Diagnostics.Metrics;
using Edge.Contracts.Events;
using Edge.Contracts.Status;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;

namespace Edge.Gateway.Metrics;

/// <summary>
/// The gateway's figures as <see cref="System.Diagnostics.Metrics"/> instruments of the meter <c>Edge.Gateway</c>: the
/// outbox (depth per lane, oldest age, last seq, evictions, dead letters, expired), events committed and acknowledged
/// per category, PUBACK latency, the uplink (connected, reconnects, failed connects, the client certificate's days left), devices offline per kind,
/// snapshots per outcome. Observed when read, from the same counters the heartbeat carries, so a scrape costs nothing
/// between scrapes, and one read of the outbox file (its oldest event) when it comes. The gateway process exports them on a Prometheus endpoint (<see cref="MetricsOptions"/>);
/// <c>dotnet-counters monitor --counters Edge.Gateway -n edge-gateway</c> reads them too.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    /// <summary>The meter's name, for a listener or an exporter.</summary>
    public const string MeterName = "Edge.Gateway";

    private static readonly Meter Shared = new(MeterName, GatewayVersion.Text);

    /// <summary>Milliseconds from publishing an event to its PUBACK (every gateway of the process records here).</summary>
    internal static readonly Histogram<double> PubAckLatency = Shared.CreateHistogram<double>(
        "edge.uplink.puback.latency", "ms", "Time from publishing an event to the broker's PUBACK");

    private readonly Meter _meter = new(MeterName, GatewayVersion.Text);

    /// <summary>This gateway's meter (several gateways of one process, the simulator's, each have their own).</summary>
    public Meter Meter => _meter;

    /// <param name="devices">The configured devices per kind; devices offline are counted against them.</param>
    /// <param name="snapshots">The snapshot counters, when the gateway has cameras.</param>
    /// <param name="certificate">The client certificate's state, when the uplink has one.</param>
    public GatewayMetrics(OutboxStore store, OutboxWriter writer, UplinkState uplink, IReadOnlyDictionary<string, int> devices,
        Func<SnapshotCounters?> snapshots, Func<ClientCertificateStatus?> certificate, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(uplink);
        _meter.CreateObservableGauge("edge.outbox.depth", () => Lanes(store.Queue), "{event}", "Events waiting in the outbox, per lane");
        _meter.CreateObservableGauge("edge.outbox.oldest.age", () => store.Stats().OldestEnqueuedAt is { } o ? Math.Max(0, (time.GetUtcNow() - o).TotalSeconds) : 0,
            "s", "Age of the oldest event waiting in the outbox; 0 when none waits");
        _meter.CreateObservableGauge("edge.outbox.last_seq", () => store.LastSeq, "{event}", "The seq of the newest event the gateway has taken in");
        _meter.CreateObservableCounter("edge.outbox.evictions", () => store.Losses.Evictions, "{event}", "Events dropped because the outbox was full (never critical)");
        _meter.CreateObservableCounter("edge.outbox.dead_letters", () => store.Losses.DeadLetters, "{event}", "Events the broker refused");
        _meter.CreateObservableCounter("edge.outbox.expired", () => store.Losses.Expired, "{event}", "Events that went stale before they could be sent");
        _meter.CreateObservableCounter("edge.events.committed", () => PerCategory(writer.Tally), "{event}", "Events committed to the outbox, per category");
        _meter.CreateObservableCounter("edge.events.acknowledged", () => PerCategory(uplink.Acknowledged), "{event}", "Events the broker acknowledged, per category");
        _meter.CreateObservableGauge("edge.uplink.connected", () => uplink.Connected ? 1 : 0, null, "1 while connected to the station broker");
        _meter.CreateObservableCounter("edge.uplink.reconnects", () => uplink.Reconnects, "{connect}", "Successful connects after the first");
        _meter.CreateObservableCounter("edge.uplink.connect_failures", () => uplink.FailedAttempts, "{connect}", "Connect attempts that failed or were refused");
        _meter.CreateObservableGauge("edge.devices.configured", () => devices.Select(d => new Measurement<int>(d.Value, new KeyValuePair<string, object?>("kind", d.Key))),
            "{device}", "Devices configured, per kind");
        _meter.CreateObservableGauge("edge.devices.offline", () => Offline(devices, writer.Tally), "{device}", "Devices whose last word was that they are offline, per kind");
        _meter.CreateObservableGauge("edge.uplink.certificate.left", () => certificate() is { } c ? [new Measurement<double>(c.DaysLeft)] : Array.Empty<Measurement<double>>(),
            "d", "Days until the client certificate ends; absent without one");
        _meter.CreateObservableCounter("edge.snapshots", () => Snapshots(snapshots()), "{snapshot}", "Snapshots for events, per outcome");
    }

    private static IEnumerable<Measurement<long>> Lanes(QueueDepth queue) =>
    [
        new(queue.Critical, new KeyValuePair<string, object?>("lane", "critical")),
        new(queue.High, new KeyValuePair<string, object?>("lane", "high")),
        new(queue.Normal, new KeyValuePair<string, object?>("lane", "normal")),
        new(queue.Low, new KeyValuePair<string, object?>("lane", "low")),
    ];

    private static IEnumerable<Measurement<long>> PerCategory(EventTally tally) =>
        tally.ByCategory.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("category", c.Key)));

    private static IEnumerable<Measurement<int>> Offline(IReadOnlyDictionary<string, int> devices, EventTally tally)
    {
        var offline = tally.OfflineByKind;
        return devices.Keys.Union(offline.Keys).Select(k => new Measurement<int>(offline.GetValueOrDefault(k), new KeyValuePair<string, object?>("kind", k)));
    }

    private static IEnumerable<Measurement<long>> Snapshots(SnapshotCounters? counters) => counters is null ? [] :
    [
        new(counters.Published, new KeyValuePair<string, object?>("outcome", "published")),
        new(counters.Dropped, new KeyValuePair<string, object?>("outcome", "dropped")),
        new(counters.Failed, new KeyValuePair<string, object?>("outcome", "failed")),
    ];

    public void Dispose() => _meter.Dispose();
}
