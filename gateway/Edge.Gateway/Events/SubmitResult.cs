using Edge.Contracts.Events;

namespace Edge.Gateway.Events;

/// <summary>What became of a submitted event.</summary>
/// <param name="Event">The committed event (with its id and seq) when accepted; null when the outbox was full and the
/// event was of lower priority than everything stored (counted as an eviction).</param>
public readonly record struct SubmitResult(EdgeEvent? Event)
{
    /// <summary>True when the event is committed to the outbox and will be delivered.</summary>
    public bool Accepted => Event is not null;
}
