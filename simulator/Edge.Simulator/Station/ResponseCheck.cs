using Edge.Contracts.Commands;
using HdrHistogram;

namespace Edge.Simulator.Station;

/// <summary>
/// The commands of a run as the station saw them: sent (by the desk, and the attacker's), answered with each outcome,
/// unanswered, answered otherwise than they must be, bad ones applied; the alarms raised and acknowledged; and the time
/// from a command sent to its effect at the hardware (an alarm column's LED, a door's lock).
/// </summary>
public sealed record CommandCounts(
    long Sent,
    long Applied,
    long Refused,
    long Expired,
    long Replayed,
    long Failed,
    long Unanswered,
    long WrongOutcome,
    long BadApplied,
    long AlarmsRaised,
    long AlarmsAcknowledged,
    LatencySummary EffectMs,
    IReadOnlyList<string> FirstProblems);

/// <summary>
/// Matches every command sent against its answer on <c>results</c>: a command is expected to get one outcome (applied
/// for the desk's, the right refusal for the attacker's). A command whose id the gateway cannot trust (a bad signature,
/// an unknown key, oversized, not a JWS) is answered without one: those are counted per community. Everything that
/// goes wrong is a problem of the run, the first few named.
/// </summary>
public sealed class ResponseCheck
{
    private const int MaxNamed = 10;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Queue<Expectation>> _expected = [];
    private readonly HashSet<Guid> _answered = [];
    private readonly Dictionary<string, long> _unreadable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly LongHistogram _effect = new(TimeStamp.Hours(1), 3);
    private readonly List<string> _problems = [];
    private long _problemCount;
    private long _sent;
    private long _wrong;
    private long _badApplied;
    private long _raised;
    private long _acknowledged;

    /// <summary>A command was sent; <paramref name="community"/> is the gateway that must answer it.</summary>
    public void Sent(Guid id, string community, string type, string outcome, bool bad, DateTimeOffset at)
    {
        lock (_lock)
        {
            _sent++;
            (_expected.TryGetValue(id, out var queue) ? queue : _expected[id] = new Queue<Expectation>()).Enqueue(new Expectation(community, type, outcome, bad, at));
        }
    }

    /// <summary>A command the gateway cannot read or trust was sent to <paramref name="community"/>: it answers refused, without an id.</summary>
    public void SentUnreadable(string community)
    {
        lock (_lock)
        {
            _sent++;
            _unreadable[community] = _unreadable.GetValueOrDefault(community) + 1;
        }
    }

    /// <summary>An alarm the desk must acknowledge was raised.</summary>
    public void AlarmRaised()
    {
        lock (_lock)
        {
            _raised++;
        }
    }

    /// <summary>True once a command has had an answer.</summary>
    public bool Answered(Guid id)
    {
        lock (_lock)
        {
            return _answered.Contains(id);
        }
    }

    /// <summary>A gateway's answer.</summary>
    public void Answer(CommandResult result, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            _outcomes[result.Outcome] = _outcomes.GetValueOrDefault(result.Outcome) + 1;
            if (result.CommandId is not { } id)
            {
                if (result.Outcome != CommandOutcomes.Refused || _unreadable.GetValueOrDefault(result.Community) == 0)
                {
                    Problem($"{result.Community} answered {result.Outcome} to a command nobody sent it unreadable ({result.Reason})");
                    return;
                }

                _unreadable[result.Community]--;
                return;
            }

            if (!_expected.TryGetValue(id, out var queue) || !queue.TryDequeue(out var expected))
            {
                Problem($"{result.Community} answered {result.Outcome} to command {id}, which nobody sent (or not that often)");
                return;
            }

            _answered.Add(id);
            if (queue.Count == 0)
            {
                _expected.Remove(id);
            }

            if (expected.Bad && result.Outcome == CommandOutcomes.Applied)
            {
                _badApplied++;
            }

            if (result.Outcome != expected.Outcome || result.Community != expected.Community)
            {
                _wrong++;
                Problem($"{expected.Type} {id} to {expected.Community}: {result.Community} answered {result.Outcome}, not {expected.Outcome} ({result.Reason})");
            }
            else if (!expected.Bad && expected.Type == CommandTypes.AlarmAcknowledge)
            {
                _acknowledged++;
            }
        }
    }

    /// <summary>A command's effect reached the hardware (the LED changed, the lock opened) at <paramref name="at"/>, sent at <paramref name="sent"/>.</summary>
    public void Effect(DateTimeOffset sent, DateTimeOffset at)
    {
        lock (_lock)
        {
            _effect.RecordValue(Math.Clamp((long)(at - sent).TotalMicroseconds, 0, _effect.HighestTrackableValue));
        }
    }

    /// <summary>Something the station saw go wrong (an LED that did not follow, a door that opened by itself).</summary>
    public void Problem(string text)
    {
        lock (_lock)
        {
            _problemCount++;
            if (_problems.Count < MaxNamed)
            {
                _problems.Add(text);
            }
        }
    }

    public long Problems
    {
        get
        {
            lock (_lock)
            {
                return _problemCount;
            }
        }
    }

    public CommandCounts Counts()
    {
        lock (_lock)
        {
            var unanswered = _expected.Values.Sum(q => q.Count) + _unreadable.Values.Sum();
            return new CommandCounts(_sent, Outcome(CommandOutcomes.Applied), Outcome(CommandOutcomes.Refused), Outcome(CommandOutcomes.Expired),
                Outcome(CommandOutcomes.Replayed), Outcome(CommandOutcomes.Failed), unanswered, _wrong, _badApplied, _raised, _acknowledged,
                LatencySummary.Of(_effect), [.. _problems]);
        }
    }

    private long Outcome(string outcome) => _outcomes.GetValueOrDefault(outcome);

    private sealed record Expectation(string Community, string Type, string Outcome, bool Bad, DateTimeOffset At);
}
