using Edge.Gateway.Commands;

namespace Edge.Tests.Support;

/// <summary>A command ledger in memory: each id taken once, for tests that do not need it to outlive a restart.</summary>
public sealed class MemoryCommandLedger : ICommandLedger
{
    private readonly HashSet<Guid> _taken = [];

    public bool TryTake(Guid id, DateTimeOffset keepUntil)
    {
        lock (_taken)
        {
            return _taken.Add(id);
        }
    }
}
