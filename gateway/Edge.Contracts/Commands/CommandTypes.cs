namespace Edge.Contracts.Commands;

/// <summary>The commands the station sends a gateway, on <c>edge/v1/{community}/{gateway}/commands/{type}</c>.</summary>
public static class CommandTypes
{
    /// <summary>The police took the alarm (<c>data.alarm</c>: its event id): the alarm column says so.</summary>
    public const string AlarmAcknowledge = "alarm.acknowledge";

    /// <summary>Officers are on their way to the alarm (<c>data.alarm</c>).</summary>
    public const string AlarmDispatch = "alarm.dispatch";

    /// <summary>The alarm is dealt with (<c>data.alarm</c>): the column goes back to rest.</summary>
    public const string AlarmResolve = "alarm.resolve";

    /// <summary>Open a unit door for arriving officers (<c>data.door</c>: its device id); a life of at most 10 s.</summary>
    public const string DoorOpen = "door.open";

    /// <summary>A picture from a camera (<c>data.camera</c>: its device id), on the media topic of the command's id.</summary>
    public const string CameraSnapshot = "camera.snapshot";

    /// <summary>Every dead-lettered event back in its lane with its seq, sent again highest lane first (no data).</summary>
    public const string DeadLettersReplay = "deadletters.replay";

    /// <summary>Every type a gateway of this version takes; any other is refused as unknown.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { AlarmAcknowledge, AlarmDispatch, AlarmResolve, DoorOpen, CameraSnapshot, DeadLettersReplay };

    /// <summary>The longest life a command of <paramref name="type"/> may ask for: a door must never open late.</summary>
    public static TimeSpan MaxLifetime(string type) => type == DoorOpen ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(60);
}

/// <summary>What became of a command, in its result on <c>edge/v1/{community}/{gateway}/results</c>.</summary>
public static class CommandOutcomes
{
    public const string Applied = "applied";
    public const string Refused = "refused";
    public const string Expired = "expired";
    public const string Replayed = "replayed";
    public const string Failed = "failed";
}
