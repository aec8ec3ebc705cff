using System.Text.Json.Nodes;

namespace Edge.Contracts.Commands;

/// <summary>
/// A command from the station to one gateway: the payload of a signed command (see <see cref="CommandJws"/>). It names
/// its target, who issued it, when, and until when it may be applied; <see cref="Data"/> holds what its type needs.
/// </summary>
public sealed record StationCommand(
    Guid Id,
    string Type,
    string Community,
    string Gateway,
    string Issuer,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    JsonObject? Data = null);

/// <summary>
/// The gateway's answer to a command, on <c>edge/v1/{community}/{gateway}/results</c> (QoS 1, not retained):
/// <see cref="Outcome"/> is one of <see cref="CommandOutcomes"/>. <see cref="CommandId"/> and <see cref="Type"/> are
/// absent when the command could not even be read.
/// </summary>
public sealed record CommandResult(
    Guid? CommandId,
    string? Type,
    string Outcome,
    string? Reason,
    string Community,
    string Gateway,
    DateTimeOffset At);
