using System.Collections.Concurrent;
using Edge.Contracts.Events;

namespace Edge.Gateway.Metrics;

/// <summary>
/// Events counted per category as they pass a point of the pipeline (committed to the outbox, acknowledged by the
/// broker), and, for committed ones, which devices last said they were offline. Read by <see cref="GatewayMetrics"/>.
/// Cheap on the hot path: one dictionary increment per event.
/// </summary>
public sealed class EventTally
{
    private readonly ConcurrentDictionary<string, long> _byCategory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Kind, string Id), bool> _offline = new();

    /// <summary>Events counted so far, per category.</summary>
    public IEnumerable<KeyValuePair<string, long>> ByCategory => _byCategory;

    /// <summary>Devices whose last presence event said offline, per kind.</summary>
    public IReadOnlyDictionary<string, int> OfflineByKind =>
        _offline.Where(d => d.Value).GroupBy(d => d.Key.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Counts one event of <paramref name="type"/>; a presence event of <paramref name="device"/> updates its state.</summary>
    public void Count(string type, DeviceRef? device = null)
    {
        _byCategory.AddOrUpdate(EventCategory.Of(type) ?? "other", 1, (_, n) => n + 1);
        if (device is not null && type is EventTypes.DeviceOffline or EventTypes.DeviceOnline)
        {
            _offline[(device.Kind, device.Id)] = type == EventTypes.DeviceOffline;
        }
    }
}
