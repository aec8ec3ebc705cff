using Edge.Contracts.Events;

namespace Edge.Simulator.Station;

/// <summary>
/// What happened second by second since the run started, for the report's charts: fresh events arriving at the
/// station, and the latency of the alarms met in that second.
/// </summary>
public sealed class Timeline(Scenarios.SimClock clock)
{
    private readonly Lock _lock = new();
    private readonly List<Bucket> _buckets = [];

    /// <summary>Seconds since the scenario started (0 before).</summary>
    public double ElapsedS => Math.Max(0, clock.WallElapsed.TotalSeconds);

    /// <summary>Counts a fresh event arriving at the station.</summary>
    public void OnArrived(ProbeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is { Event: not null, Duplicate: false })
        {
            lock (_lock)
            {
                Current().Arrived++;
            }
        }
    }

    /// <summary>Records the latency of a met expectation.</summary>
    public void OnMet(string category, TimeSpan latency)
    {
        if (category != EventCategory.Alarm)
        {
            return;
        }

        lock (_lock)
        {
            Current().AlarmLatenciesMs.Add(latency.TotalMilliseconds);
        }
    }

    /// <summary>Events per second arriving during the last <paramref name="seconds"/> full seconds.</summary>
    public double RecentRate(int seconds = 1)
    {
        lock (_lock)
        {
            var now = (int)ElapsedS;
            var from = Math.Max(0, now - seconds);
            var sum = 0L;
            for (var s = from; s < now && s < _buckets.Count; s++)
            {
                sum += _buckets[s].Arrived;
            }

            return now == from ? 0 : (double)sum / (now - from);
        }
    }

    /// <summary>One point per second.</summary>
    public IReadOnlyList<TimelinePoint> Points()
    {
        lock (_lock)
        {
            return _buckets.Select((b, i) =>
            {
                var sorted = b.AlarmLatenciesMs.Order().ToArray();
                return new TimelinePoint(i, b.Arrived, sorted.Length,
                    sorted.Length == 0 ? null : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.99 * sorted.Length) - 1)], 1),
                    sorted.Length == 0 ? null : Math.Round(sorted[^1], 1));
            }).ToList();
        }
    }

    private Bucket Current()
    {
        var second = (int)ElapsedS;
        while (_buckets.Count <= second)
        {
            _buckets.Add(new Bucket());
        }

        return _buckets[second];
    }

    private sealed class Bucket
    {
        public long Arrived;

        public List<double> AlarmLatenciesMs { get; } = [];
    }
}

/// <summary>One second of a run: events arrived, and the alarms met with their p99 and max latency.</summary>
public sealed record TimelinePoint(int T, long Arrived, int Alarms, double? AlarmP99Ms, double? AlarmMaxMs);
