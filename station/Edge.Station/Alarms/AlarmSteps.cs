using Edge.Contracts.Commands;

namespace Edge.Station.Alarms;

/// <summary>
/// The life of an alarm at the desk, by the 1-3-5 minute rule: acknowledged within 1 minute of the alarm, officers on
/// scene within 3, and, when reinforcement is asked for, reinforcement on scene within 5. Each clock runs from the
/// alarm itself. Acknowledge, dispatch and resolve are also signed commands to the community's gateway (the alarm
/// column shows them).
/// </summary>
public static class AlarmSteps
{
    public const string Acknowledge = "acknowledge";
    public const string Dispatch = "dispatch";
    public const string Arrive = "arrive";
    public const string Reinforce = "reinforce";
    public const string Reinforced = "reinforced";
    public const string Resolve = "resolve";

    /// <summary>Every step, in the order an alarm goes through them.</summary>
    public static readonly IReadOnlyList<string> All = [Acknowledge, Dispatch, Arrive, Reinforce, Reinforced, Resolve];

    public static readonly TimeSpan AcknowledgeWithin = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan ArriveWithin = TimeSpan.FromMinutes(3);
    public static readonly TimeSpan ReinforcedWithin = TimeSpan.FromMinutes(5);

    /// <summary>The command a step sends the gateway, or null for a step only the desk records.</summary>
    public static string? Command(string step) => step switch
    {
        Acknowledge => CommandTypes.AlarmAcknowledge,
        Dispatch => CommandTypes.AlarmDispatch,
        Resolve => CommandTypes.AlarmResolve,
        _ => null,
    };

    /// <summary>The steps an operator may take now, given those taken.</summary>
    public static IReadOnlyList<string> Next(IReadOnlyCollection<string> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        if (done.Contains(Resolve))
        {
            return [];
        }

        if (!done.Contains(Acknowledge))
        {
            return [Acknowledge];
        }

        if (!done.Contains(Dispatch))
        {
            return [Dispatch, Resolve];
        }

        if (!done.Contains(Arrive))
        {
            return [Arrive, Resolve];
        }

        if (!done.Contains(Reinforce))
        {
            return [Reinforce, Resolve];
        }

        return done.Contains(Reinforced) ? [Resolve] : [Reinforced, Resolve];
    }

    /// <summary>When each clocked step is due: acknowledge, arrive, and reinforced once asked for.</summary>
    public static IReadOnlyDictionary<string, DateTimeOffset> Due(DateTimeOffset raisedAt, IReadOnlyCollection<string> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        var due = new Dictionary<string, DateTimeOffset>
        {
            [Acknowledge] = raisedAt + AcknowledgeWithin,
            [Arrive] = raisedAt + ArriveWithin,
        };
        if (done.Contains(Reinforce))
        {
            due[Reinforced] = raisedAt + ReinforcedWithin;
        }

        return due;
    }

    /// <summary>The clocked steps not taken in time, as of <paramref name="now"/>; none once the alarm is resolved.</summary>
    public static IReadOnlyList<string> Overdue(DateTimeOffset raisedAt, IReadOnlyCollection<string> done, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(done);
        if (done.Contains(Resolve))
        {
            return [];
        }

        return Due(raisedAt, done).Where(d => !done.Contains(d.Key) && now > d.Value).Select(d => d.Key).ToList();
    }
}
