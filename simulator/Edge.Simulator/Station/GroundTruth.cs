using Edge.Contracts.Events;
using HdrHistogram;

namespace Edge.Simulator.Station;

/// <summary>
/// The simulator's ledger of every event it caused (a press, a cut wire, unplugged hardware), matched against what the
/// station probe receives. An expectation is met by the first fresh event of the same community, device, type and
/// state; the time from the physical act to the arrival is recorded per category. Whatever is still expected at the
/// end was lost; a fresh event nobody caused is unexpected (a phantom alarm is a defect too).
/// </summary>
public sealed class GroundTruth
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Key, Queue<DateTimeOffset>> _open = [];
    private readonly SortedDictionary<string, CategoryTally> _tallies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LongHistogram> _latency = [];
    private readonly Dictionary<string, LongHistogram> _latencyByType = [];
    private readonly Dictionary<string, LongHistogram> _fromGateway = [];
    private readonly List<string> _unexpected = [];
    private long _openCount;

    /// <summary>Raised for every met expectation: category and latency, on the probe's receiving thread.</summary>
    public event Action<string, TimeSpan>? Met;

    /// <summary>Records that the simulator has just caused an event the station must receive.</summary>
    public void Expect(string community, string device, string type, EventState? state, DateTimeOffset causedAt)
    {
        var category = EventCategory.Of(type) ?? throw new ArgumentException($"'{type}' has no known category", nameof(type));
        lock (_lock)
        {
            var key = new Key(community, device, type, state);
            if (!_open.TryGetValue(key, out var queue))
            {
                _open[key] = queue = new Queue<DateTimeOffset>();
            }

            queue.Enqueue(causedAt);
            Tally(category).Generated++;
            _openCount++;
        }
    }

    /// <summary>Matches one message of the station probe against the ledger. Ignores everything but events.</summary>
    public void Observe(ProbeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Event is not { } e || e.Type == EventTypes.DeviceTest)
        {
            return;
        }

        var category = e.Category;
        TimeSpan latency;
        lock (_lock)
        {
            var tally = Tally(category);
            if (message.Duplicate)
            {
                tally.Duplicates++;
                return;
            }

            if (!_open.TryGetValue(new Key(e.Community, e.Device.Id, e.Type, e.State), out var queue) || !queue.TryDequeue(out var causedAt))
            {
                tally.Unexpected++;
                if (_unexpected.Count < MaxUnexpectedNamed)
                {
                    _unexpected.Add($"{e.Community} {e.Device.Id} {e.Type}{(e.State is { } st ? " " + st.ToString().ToLowerInvariant() : "")} (occurred {e.OccurredAt:HH:mm:ss.fff})");
                }

                return;
            }

            tally.Delivered++;
            _openCount--;
            latency = message.ReceivedAt - causedAt;
            Record(_latency, category, latency);
            Record(_latencyByType, e.Type, latency);
            Record(_fromGateway, category, message.ReceivedAt - e.ObservedAt);
        }

        Met?.Invoke(category, latency);
    }

    private const int MaxUnexpectedNamed = 10;

    /// <summary>The first events that arrived although nothing caused them, named: what to look at first.</summary>
    public IReadOnlyList<string> FirstUnexpected()
    {
        lock (_lock)
        {
            return [.. _unexpected];
        }
    }

    /// <summary>Expected events that have not arrived (yet).</summary>
    public long Open { get { lock (_lock) { return _openCount; } } }

    /// <summary>Expected events still missing <paramref name="after"/> after they were caused: lost so far.</summary>
    public long Overdue(DateTimeOffset now, TimeSpan after)
    {
        lock (_lock)
        {
            return _open.Values.Sum(q => q.Count(causedAt => now - causedAt > after));
        }
    }

    /// <summary>Up to <paramref name="max"/> expected events that have not arrived, oldest first, as "community device type state (caused at)".</summary>
    public IReadOnlyList<string> Missing(int max)
    {
        lock (_lock)
        {
            return _open.SelectMany(o => o.Value.Select(at => (o.Key, At: at))).OrderBy(m => m.At).Take(max)
                .Select(m => $"{m.Key.Community} {m.Key.Device} {m.Key.Type}{(m.Key.State is { } st ? " " + st.ToString().ToLowerInvariant() : "")} (caused {m.At:HH:mm:ss.fff})")
                .ToList();
        }
    }

    /// <summary>Generated, delivered, lost, duplicates and unexpected, per category.</summary>
    public IReadOnlyDictionary<string, CategoryCounts> Categories()
    {
        lock (_lock)
        {
            return _tallies.ToDictionary(t => t.Key, t => t.Value.Counts());
        }
    }

    /// <summary>All categories added up.</summary>
    public CategoryCounts Total()
    {
        var all = Categories().Values.ToList();
        return new CategoryCounts(all.Sum(c => c.Generated), all.Sum(c => c.Delivered), all.Sum(c => c.Lost), all.Sum(c => c.Duplicates), all.Sum(c => c.Unexpected));
    }

    /// <summary>Latency from the physical act to the station, per category that had any.</summary>
    public IReadOnlyDictionary<string, LatencySummary> Latency() => Summaries(_latency);

    /// <summary>Latency from the physical act to the station, per event type (a zone's dwell time is not a button's debounce).</summary>
    public IReadOnlyDictionary<string, LatencySummary> LatencyByType() => Summaries(_latencyByType);

    /// <summary>
    /// The part of the latency after the gateway observed the event (its <c>observedAt</c>: outbox, uplink, broker),
    /// per category: the rest is the device's own time (debounce, dwell) and the gateway's reading of it.
    /// </summary>
    public IReadOnlyDictionary<string, LatencySummary> LatencyFromGateway() => Summaries(_fromGateway);

    private Dictionary<string, LatencySummary> Summaries(Dictionary<string, LongHistogram> histograms)
    {
        lock (_lock)
        {
            return histograms.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => LatencySummary.Of(l.Value));
        }
    }

    private static void Record(Dictionary<string, LongHistogram> histograms, string key, TimeSpan latency)
    {
        if (!histograms.TryGetValue(key, out var histogram))
        {
            histograms[key] = histogram = new LongHistogram(TimeStamp.Hours(1), 3);
        }

        histogram.RecordValue(Math.Clamp((long)latency.TotalMicroseconds, 0, histogram.HighestTrackableValue));
    }

    private CategoryTally Tally(string category)
    {
        if (!_tallies.TryGetValue(category, out var tally))
        {
            _tallies[category] = tally = new CategoryTally();
        }

        return tally;
    }

    private readonly record struct Key(string Community, string Device, string Type, EventState? State);

    private sealed class CategoryTally
    {
        public long Generated;
        public long Delivered;
        public long Duplicates;
        public long Unexpected;

        public CategoryCounts Counts() => new(Generated, Delivered, Generated - Delivered, Duplicates, Unexpected);
    }
}

/// <summary>One category's arithmetic: <see cref="Lost"/> is generated minus delivered.</summary>
public sealed record CategoryCounts(long Generated, long Delivered, long Lost, long Duplicates, long Unexpected);

/// <summary>Percentiles of a latency histogram, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50, double P99, double Max)
{
    public static LatencySummary Of(LongHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return histogram.TotalCount == 0
            ? new LatencySummary(0, 0, 0, 0)
            : new LatencySummary(histogram.TotalCount, Ms(histogram.GetValueAtPercentile(50)), Ms(histogram.GetValueAtPercentile(99)), Ms(histogram.GetMaxValue()));
    }

    private static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 1);
}
