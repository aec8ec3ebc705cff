namespace Edge.Gateway.Events;

/// <summary>Where device adapters hand their events: the outbox's intake.</summary>
public interface IEventSink
{
    /// <summary>
    /// Submits an event and completes once it is committed to disk (only then has the gateway received it).
    /// Waits while the intake is full; never drops a critical event.
    /// </summary>
    Task<SubmitResult> SubmitAsync(EventDraft draft, CancellationToken cancellationToken = default);
}
