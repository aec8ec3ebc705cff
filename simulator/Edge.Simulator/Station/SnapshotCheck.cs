using Edge.Contracts.Events;
using HdrHistogram;

namespace Edge.Simulator.Station;

/// <summary>The station's check of the snapshots: every camera an event lists, a decodable JPEG for that event.</summary>
public sealed record SnapshotCounts(long Expected, long Received, long Missing, long Bad, long Duplicates, LatencySummary FirstSnapshotMs);

/// <summary>
/// Checks the snapshots against the events: an event that lists <c>data.snapshots</c> expects one snapshot per camera on
/// <c>media/{its id}</c>; a snapshot must decode as a JPEG, name the same event in its topic and user property, and come
/// from a camera the event listed. Snapshots may arrive before their event (the broker does not order topics), and are
/// matched when it comes. The time from the event's <c>occurredAt</c> to its first snapshot goes into a histogram.
/// </summary>
public sealed class SnapshotCheck
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Expected> _expected = [];
    private readonly Dictionary<Guid, List<ProbeMessage>> _early = [];
    private readonly LongHistogram _first = new(TimeStamp.Hours(1), 3);
    private long _expectedCount;
    private long _received;
    private long _bad;
    private long _duplicates;

    public void Observe(ProbeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            if (message.Event is { } e && !message.Duplicate && e.Data?["snapshots"] is System.Text.Json.Nodes.JsonArray cameras)
            {
                var expected = new Expected(e.OccurredAt, cameras.Select(c => (string?)c).OfType<string>().ToHashSet(StringComparer.Ordinal));
                _expected[e.Id] = expected;
                _expectedCount += expected.Cameras.Count;
                if (_early.Remove(e.Id, out var early))
                {
                    early.ForEach(Match);
                }
            }
            else if (message.Snapshot is { } snapshot)
            {
                if (_expected.ContainsKey(snapshot.EventId))
                {
                    Match(message);
                }
                else
                {
                    (_early.TryGetValue(snapshot.EventId, out var list) ? list : _early[snapshot.EventId] = []).Add(message);
                }
            }
        }
    }

    /// <summary>
    /// A <c>camera.snapshot</c> command asked <paramref name="camera"/> for a picture: it comes on
    /// <c>media/{commandId}</c> and is checked like an event's.
    /// </summary>
    public void ExpectCommanded(Guid commandId, string camera, DateTimeOffset sent)
    {
        lock (_lock)
        {
            _expected[commandId] = new Expected(sent, new HashSet<string>(StringComparer.Ordinal) { camera });
            _expectedCount++;
            if (_early.Remove(commandId, out var early))
            {
                early.ForEach(Match);
            }
        }
    }

    private void Match(ProbeMessage message)
    {
        var snapshot = message.Snapshot!;
        var expected = _expected[snapshot.EventId];
        if (!snapshot.Decodable || !snapshot.LinkConsistent || snapshot.Camera is not { } camera || !expected.Cameras.Contains(camera))
        {
            _bad++;
            return;
        }

        if (!expected.Arrived.Add(camera))
        {
            _duplicates++;
            return;
        }

        _received++;
        if (expected.Arrived.Count == 1)
        {
            _first.RecordValue(Math.Clamp((long)(message.ReceivedAt - expected.OccurredAt).TotalMicroseconds, 0, _first.HighestTrackableValue));
        }
    }

    /// <summary>Snapshots still missing (an event's camera whose snapshot has not come).</summary>
    public long Missing
    {
        get
        {
            lock (_lock)
            {
                return _expectedCount - _received;
            }
        }
    }

    public SnapshotCounts Counts()
    {
        lock (_lock)
        {
            // Snapshots whose event never came are bad too: they name no event the station knows.
            var orphans = _early.Values.Sum(l => l.Count);
            return new SnapshotCounts(_expectedCount, _received, _expectedCount - _received, _bad + orphans, _duplicates, LatencySummary.Of(_first));
        }
    }

    private sealed record Expected(DateTimeOffset OccurredAt, HashSet<string> Cameras)
    {
        public HashSet<string> Arrived { get; } = new(StringComparer.Ordinal);
    }
}
