using Edge.Contracts.Commands;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Commands;

/// <summary>
/// <c>deadletters.replay</c>: the events the broker refused (dead-lettered) go back to their lanes with their seq and
/// are sent again, highest lane first, so alarms among them come first. For after a broker's ACL or limit is fixed.
/// </summary>
public sealed class DeadLetterCommands(OutboxWriter writer) : ICommandHandler
{
    public IReadOnlyCollection<string> Types { get; } = [CommandTypes.DeadLettersReplay];

    public async Task<CommandEffect> ApplyAsync(StationCommand command, CancellationToken ct)
    {
        var count = await writer.ReplayDeadLettersAsync(ct).ConfigureAwait(false);
        return new CommandEffect(true, $"{count} dead-lettered events back in the outbox");
    }
}
