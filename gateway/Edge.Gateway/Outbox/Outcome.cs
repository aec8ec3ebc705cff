namespace Edge.Gateway.Outbox;

/// <summary>What became of a sent event.</summary>
internal enum OutcomeKind
{
    /// <summary>The broker acknowledged it (PUBACK success): it leaves the outbox.</summary>
    Delivered,

    /// <summary>The broker refused it (PUBACK error reason): it moves to the dead-letter table.</summary>
    DeadLetter,

    /// <summary>It went stale before it could be sent: it is discarded and counted.</summary>
    Expired,

    /// <summary>No event: once committed, every outcome handed over before it is committed too.</summary>
    Barrier,

    /// <summary>No event: every dead-lettered event goes back to its lane, with its seq (the station's <c>deadletters.replay</c>).</summary>
    ReplayDeadLetters,
}

/// <summary>An outcome for the writer to commit.</summary>
internal sealed record Outcome(OutcomeKind Kind, long Seq, DateTimeOffset At, int ReasonCode = 0, string? Reason = null)
{
    /// <summary>Completed once the outcome is committed, for whoever waits for it; none for the many that nobody waits for.</summary>
    public TaskCompletionSource? Committed { get; init; }
}
