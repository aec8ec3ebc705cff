using System.Collections.Concurrent;
using Edge.Contracts.Events;
using Edge.Gateway.Events;

namespace Edge.Tests.Support;

/// <summary>An event sink that records what device adapters submit, for adapter tests without an outbox.</summary>
public sealed class RecordingSink : IEventSink
{
    private long _seq;

    public ConcurrentQueue<EventDraft> Drafts { get; } = new();

    public Task<SubmitResult> SubmitAsync(EventDraft draft, CancellationToken cancellationToken = default)
    {
        Drafts.Enqueue(draft);
        var e = new EdgeEvent(Guid.CreateVersion7(), Interlocked.Increment(ref _seq), draft.Type, draft.Priority, "c001", "gw1", draft.Device,
            draft.State, draft.OccurredAt, DateTimeOffset.UtcNow, draft.Data);
        return Task.FromResult(new SubmitResult(e));
    }
}
