using Edge.Gateway.Events;

namespace Edge.Gateway.Outbox;

/// <summary>A submitted event waiting for the writer.</summary>
internal sealed record Intake(EventDraft Draft, DateTimeOffset ObservedAt)
{
    public TaskCompletionSource<SubmitResult> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
