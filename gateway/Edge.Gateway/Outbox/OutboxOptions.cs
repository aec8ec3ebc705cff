namespace Edge.Gateway.Outbox;

/// <summary>How durable events wait for the uplink. Section <c>Edge:Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Edge:Outbox";

    /// <summary>Bound on the payload bytes waiting in the outbox. Critical events are accepted beyond it.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Most events and acknowledgements written in one transaction (group commit). An alarm that arrives during a commit
    /// waits for it: 256 keep that wait to a few milliseconds, and a flood commits as fast as with more.
    /// </summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Events that may wait for the writer; a full intake makes submitters wait, it never drops.</summary>
    public int IntakeCapacity { get; set; } = 10_000;

    /// <summary>
    /// <c>Full</c> (default): a commit survives power loss (fsync per group commit).
    /// <c>Normal</c>: a commit survives a process crash but the last group may be lost on power loss.
    /// </summary>
    public OutboxDurability Durability { get; set; } = OutboxDurability.Full;

    /// <summary>
    /// What to do with an outbox file that cannot be used (empty, not an outbox, damaged, another gateway's): false
    /// (default), refuse to start (exit code 3) so an operator can restore it; true, set it aside beside itself and
    /// start a new one, whose seq restarts at 1 under a new seqEpoch. Meant for one start
    /// (<c>edge-gateway run --Edge:Outbox:StartAfresh=true</c>), not to be left in the configuration.
    /// </summary>
    public bool StartAfresh { get; set; }
}

/// <summary>What a committed event survives.</summary>
public enum OutboxDurability
{
    Full,
    Normal,
}
