using Edge.Contracts.Events;

namespace Edge.Simulator.Station;

/// <summary>
/// Watches how the gateways' backlog drains after a station outage: which events happened while the station was
/// unreachable, how long after its return the last alarm and the last event of the backlog arrived, and whether any
/// lower-priority event of a gateway arrived before that gateway's last backlog alarm (it should not: alarms first).
/// </summary>
public sealed class BacklogTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<(bool Alarm, DateTimeOffset At)>> _arrivals = [];
    private DateTimeOffset? _down;
    private DateTimeOffset? _up;

    public void Down(DateTimeOffset at)
    {
        lock (_lock)
        {
            _down = at;
        }
    }

    public void Up(DateTimeOffset at)
    {
        lock (_lock)
        {
            _up = at;
        }
    }

    public void Observe(ProbeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is not { Event: { } e, Duplicate: false })
        {
            return;
        }

        lock (_lock)
        {
            if (_down is not { } down || e.OccurredAt < down || (_up is { } up && e.OccurredAt >= up))
            {
                return;
            }

            var key = $"{message.Topic.Community}/{message.Topic.Gateway}";
            if (!_arrivals.TryGetValue(key, out var list))
            {
                _arrivals[key] = list = [];
            }

            list.Add((e.Priority == Priority.Critical, message.ReceivedAt));
        }
    }

    /// <summary>The outage and its drain; null when there was none.</summary>
    public BacklogReport? Report()
    {
        lock (_lock)
        {
            if (_down is not { } down || _up is not { } up)
            {
                return null;
            }

            var all = _arrivals.Values.SelectMany(l => l).ToList();
            var alarms = all.Where(a => a.Alarm).ToList();
            var overtaken = 0;
            foreach (var list in _arrivals.Values)
            {
                var lastAlarm = list.FindLastIndex(a => a.Alarm);
                overtaken += list.Take(lastAlarm + 1).Count(a => !a.Alarm);
            }

            double? After(IEnumerable<(bool Alarm, DateTimeOffset At)> items) =>
                items.Any() ? Math.Round(Math.Max(0, (items.Max(a => a.At) - up).TotalSeconds), 3) : null;
            return new BacklogReport(Math.Round((up - down).TotalSeconds, 1), all.Count, alarms.Count, After(alarms), After(all), overtaken);
        }
    }
}

/// <summary>
/// A station outage: how long it lasted, the events that happened meanwhile (and how many were alarms), how long after
/// the station came back the last backlog alarm and the last backlog event arrived, and the lower-priority events
/// that overtook an alarm of the same gateway.
/// </summary>
public sealed record BacklogReport(double DownS, int Events, int Alarms, double? AlarmsDrainedS, double? BacklogDrainedS, int Overtaken);
