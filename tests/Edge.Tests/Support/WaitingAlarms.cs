using Edge.Contracts.Events;
using Edge.Gateway.Outbox;

namespace Edge.Tests.Support;

/// <summary>An outbox as the uplink sees it, with as many alarms (critical events) waiting as the test says, and nothing else.</summary>
public sealed class WaitingAlarms : IOutboxPressure
{
    public long Alarms { get; set; }

    public long Pending(Priority priority) => priority == Priority.Critical ? Alarms : 0;
}
