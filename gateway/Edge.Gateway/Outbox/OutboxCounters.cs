using Edge.Contracts.Events;
using Edge.Contracts.Status;

namespace Edge.Gateway.Outbox;

/// <summary>
/// What the outbox holds, kept in memory so that nobody queries for it: events and bytes waiting per lane, the newest
/// seq of each lane and of the whole outbox, and the totals of evictions, dead letters and expired events. Changed only
/// by the writer's transaction (which takes a copy first and puts it back if the transaction fails); read by anyone.
/// </summary>
internal sealed class OutboxCounters
{
    private readonly Lock _lock = new();
    private readonly long[] _waiting = new long[4];
    private readonly long[] _laneLastSeq = new long[4];
    private long _bytes;
    private long _lastSeq;
    private long _evictions;
    private long _deadLetters;
    private long _expired;

    public long LastSeq => Interlocked.Read(ref _lastSeq);

    public long Evictions => Interlocked.Read(ref _evictions);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Takes the totals kept in the outbox's <c>meta</c> table when it is opened.</summary>
    public void LoadTotals(long lastSeq, long evictions, long deadLetters, long expired)
    {
        lock (_lock)
        {
            (_lastSeq, _evictions, _deadLetters, _expired) = (lastSeq, evictions, deadLetters, expired);
        }
    }

    /// <summary>Takes one lane as found when the outbox is opened.</summary>
    public void LoadLane(Priority priority, long waiting, long bytes, long lastSeq)
    {
        lock (_lock)
        {
            _waiting[(int)priority] = waiting;
            _bytes += bytes;
            _laneLastSeq[(int)priority] = lastSeq;
        }
    }

    public long Pending(Priority priority)
    {
        lock (_lock)
        {
            return _waiting[(int)priority];
        }
    }

    public long LaneLastSeq(Priority priority)
    {
        lock (_lock)
        {
            return _laneLastSeq[(int)priority];
        }
    }

    /// <summary>Events and payload bytes waiting, read together.</summary>
    public (QueueDepth Queue, long Bytes) Depth()
    {
        lock (_lock)
        {
            return (new QueueDepth(_waiting[0], _waiting[1], _waiting[2], _waiting[3]), _bytes);
        }
    }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The lowest lane below critical with anything waiting: where room is made first.</summary>
    public Priority? LowestNonCriticalWaiting()
    {
        lock (_lock)
        {
            for (var priority = Priority.Low; priority > Priority.Critical; priority--)
            {
                if (_waiting[(int)priority] > 0)
                {
                    return priority;
                }
            }
        }

        return null;
    }

    public void Added(Priority priority, long seq, long bytes)
    {
        lock (_lock)
        {
            _lastSeq = seq;
            _waiting[(int)priority]++;
            _laneLastSeq[(int)priority] = seq;
            _bytes += bytes;
        }
    }

    public void Removed(int priority, long bytes)
    {
        lock (_lock)
        {
            _waiting[priority]--;
            _bytes -= bytes;
        }
    }

    /// <summary>Dead-lettered events back in <paramref name="priority"/>'s lane, the highest seq among them <paramref name="maxSeq"/>.</summary>
    public void Replayed(int priority, long count, long bytes, long maxSeq)
    {
        lock (_lock)
        {
            _waiting[priority] += count;
            _bytes += bytes;
            _laneLastSeq[priority] = Math.Max(_laneLastSeq[priority], maxSeq);
        }
    }

    /// <summary>Bumped after a commit that put events back below the lanes' read positions: readers start their lanes again.</summary>
    public long Rewinds => Interlocked.Read(ref _rewinds);

    private long _rewinds;

    public void Rewound() => Interlocked.Increment(ref _rewinds);

    public void Evicted() => Interlocked.Increment(ref _evictions);

    public void DeadLettered() => Interlocked.Increment(ref _deadLetters);

    public void ExpiredOne() => Interlocked.Increment(ref _expired);

    /// <summary>A copy, taken before a transaction changes the counters.</summary>
    public Copy Capture()
    {
        lock (_lock)
        {
            return new Copy(_lastSeq, _evictions, _deadLetters, _expired, _bytes, (long[])_waiting.Clone(), (long[])_laneLastSeq.Clone());
        }
    }

    /// <summary>Puts back the copy taken before a transaction that failed: nothing of it was committed.</summary>
    public void Restore(Copy c)
    {
        lock (_lock)
        {
            (_lastSeq, _evictions, _deadLetters, _expired, _bytes) = (c.LastSeq, c.Evictions, c.DeadLetters, c.Expired, c.Bytes);
            c.Waiting.CopyTo(_waiting, 0);
            c.LaneLastSeq.CopyTo(_laneLastSeq, 0);
        }
    }

    public sealed record Copy(long LastSeq, long Evictions, long DeadLetters, long Expired, long Bytes, long[] Waiting, long[] LaneLastSeq);
}
