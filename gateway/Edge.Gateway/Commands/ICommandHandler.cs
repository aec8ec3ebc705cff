using Edge.Contracts.Commands;

namespace Edge.Gateway.Commands;

/// <summary>What a command did: applied or failed, with what a person reading the result should know.</summary>
public readonly record struct CommandEffect(bool Applied, string? Reason = null);

/// <summary>Applies the verified commands of some types (a feature's: the alarm columns take the alarm steps).</summary>
public interface ICommandHandler
{
    IReadOnlyCollection<string> Types { get; }

    /// <summary>Applies a command already verified (signature, target, time, never before).</summary>
    Task<CommandEffect> ApplyAsync(StationCommand command, CancellationToken ct);
}

/// <summary>Where the uplink hands each message that comes on the gateway's commands topic; never blocks.</summary>
public interface ICommandInbox
{
    /// <param name="topicType">The last segment of the topic: the command's type as the sender put it.</param>
    /// <param name="correlation">MQTT 5 correlation data to return with the result, when the sender gave some.</param>
    void Offer(string topicType, byte[] payload, byte[]? correlation);
}

/// <summary>Publishes a command's result on the gateway's results topic; false when it could not be published.</summary>
public interface IResultPublisher
{
    Task<bool> PublishResultAsync(CommandResult result, byte[]? correlation, CancellationToken ct);
}
