using Edge.Contracts.Events;

namespace Edge.Gateway.Cameras;

/// <summary>A condition of a camera that began or ended, as the gateway reports it.</summary>
public readonly record struct CameraChange(string Type, EventState State, DateTimeOffset At);

/// <summary>
/// The conditions of one camera (motion, line crossing, intrusion, tamper, video loss), from what the camera says to
/// what the station hears: each active once and restored once, motion held and capped, unrefreshed ones ended by
/// silence (Cameras/README.md). Pure: the caller feeds signals with their time, calls <see cref="Tick"/> at
/// <see cref="NextDeadline"/>, and turns changes into events.
/// </summary>
public sealed class CameraConditions(CameraOptions options)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, Condition> _conditions = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _motionStarts = new();

    /// <summary>Motion events not sent because of the rate cap.</summary>
    public long Suppressed { get; private set; }

    /// <summary>When <see cref="Tick"/> must be called next, or null when nothing is waiting.</summary>
    public DateTimeOffset? NextDeadline => _conditions.Values.Select(c => c.Deadline).Where(d => d is not null).Min();

    /// <summary>True while <paramref name="type"/> is active and was reported.</summary>
    public bool IsActive(string type) => _conditions.TryGetValue(type, out var c) && c.Active && !c.Hidden;

    /// <summary>The camera says <paramref name="type"/> is (still) active, or has ended.</summary>
    public IReadOnlyList<CameraChange> Signal(string type, bool active, DateTimeOffset at)
    {
        if (!_conditions.TryGetValue(type, out var c))
        {
            _conditions[type] = c = new Condition(PolicyOf(type));
        }

        if (active)
        {
            if (c.Active)
            {
                c.LastRefresh = at;
                c.RestoreAt = null;
                return [];
            }

            (c.Active, c.Since, c.LastRefresh, c.RestoreAt, c.Hidden) = (true, at, at, null, !MayStart(c.Policy, at));
            return c.Hidden ? [] : [new CameraChange(type, EventState.Active, at)];
        }

        if (!c.Active)
        {
            return [];
        }

        var due = c.Since + c.Policy.MinHold;
        if (c.Hidden || at >= due)
        {
            return End(type, c, at);
        }

        c.RestoreAt = due;
        return [];
    }

    /// <summary>Ends what has waited long enough: a restore held back by the minimum hold, a condition no longer refreshed.</summary>
    public IReadOnlyList<CameraChange> Tick(DateTimeOffset now)
    {
        List<CameraChange>? changes = null;
        foreach (var (type, c) in _conditions)
        {
            if (c.Deadline is { } deadline && now >= deadline)
            {
                (changes ??= []).AddRange(End(type, c, deadline));
            }
        }

        return changes ?? (IReadOnlyList<CameraChange>)[];
    }

    private static IReadOnlyList<CameraChange> End(string type, Condition c, DateTimeOffset at)
    {
        var hidden = c.Hidden;
        (c.Active, c.RestoreAt, c.Hidden) = (false, null, false);
        return hidden ? [] : [new CameraChange(type, EventState.Restored, at)];
    }

    private bool MayStart(Policy policy, DateTimeOffset at)
    {
        if (!policy.Capped)
        {
            return true;
        }

        while (_motionStarts.TryPeek(out var start) && start <= at - Minute)
        {
            _motionStarts.Dequeue();
        }

        if (_motionStarts.Count >= options.MotionMaxPerMinute)
        {
            Suppressed++;
            return false;
        }

        _motionStarts.Enqueue(at);
        return true;
    }

    private Policy PolicyOf(string type) => type switch
    {
        EventTypes.CameraMotion => new Policy(options.MotionIdleRestore, options.MotionMinHold, Capped: true),
        EventTypes.CameraLineCrossing or EventTypes.CameraIntrusion => new Policy(options.MotionIdleRestore, TimeSpan.Zero, Capped: false),
        _ => new Policy(null, TimeSpan.Zero, Capped: false),
    };

    private sealed record Policy(TimeSpan? IdleRestore, TimeSpan MinHold, bool Capped);

    private sealed class Condition(Policy policy)
    {
        public Policy Policy { get; } = policy;

        public bool Active { get; set; }

        /// <summary>Active but not reported (over the rate cap): its end is not reported either.</summary>
        public bool Hidden { get; set; }

        public DateTimeOffset Since { get; set; }

        public DateTimeOffset LastRefresh { get; set; }

        /// <summary>The camera said it ended, before the minimum hold was over: the restore waits until then.</summary>
        public DateTimeOffset? RestoreAt { get; set; }

        public DateTimeOffset? Deadline =>
            !Active ? null
            : RestoreAt is { } restore ? restore
            : Policy.IdleRestore is { } idle ? Max(LastRefresh + idle, Since + Policy.MinHold)
            : null;

        private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    }
}
