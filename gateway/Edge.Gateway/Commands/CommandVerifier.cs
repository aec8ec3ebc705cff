using System.Security.Cryptography;
using System.Text.Json;
using Edge.Contracts.Commands;
using Edge.Contracts.Serialization;

namespace Edge.Gateway.Commands;

/// <summary>What the verifier made of a message on a commands topic: the command to apply, or why not.</summary>
/// <param name="Command">The command, once it could be read (also when it is refused later, so its id can be answered).</param>
/// <param name="Refusal">Null when the command may be applied; else its outcome: refused, expired or replayed.</param>
public sealed record CommandCheck(StationCommand? Command, string? Refusal, string Reason)
{
    public bool Accepted => Refusal is null;
}

/// <summary>
/// Decides whether a command may be applied, in this order: at most <see cref="MaxBytes"/>; a compact JWS signed ES256
/// by a station key the gateway holds (by key id, so keys rotate without downtime); a payload that reads as a
/// command of the topic's type, known to this gateway, for this community and gateway, from a named issuer; a life
/// of at most <see cref="CommandTypes.MaxLifetime"/> (60 s, 10 s for <c>door.open</c>); issued no more than <see cref="FutureSkew"/> ahead of the gateway's clock
/// (refused) and no more than <see cref="PastSkew"/> behind it, and not past its expiry (expired); and never taken
/// before (replayed, from the <see cref="ICommandLedger"/>, which outlives a restart). Pure but for the ledger.
/// </summary>
public sealed class CommandVerifier(string community, string gateway, IReadOnlyDictionary<string, ECDsa> keys, ICommandLedger ledger, TimeProvider time)
{
    /// <summary>The largest command read: ours are a few hundred bytes.</summary>
    public const int MaxBytes = 4096;

    /// <summary>How far ahead of the gateway's clock a command may be issued (SIA DC-09 receivers allow 20 s).</summary>
    public static readonly TimeSpan FutureSkew = TimeSpan.FromSeconds(20);

    /// <summary>How long after it was issued a command may still be applied, whatever its expiry (SIA DC-09: 40 s).</summary>
    public static readonly TimeSpan PastSkew = TimeSpan.FromSeconds(40);


    /// <param name="topicType">The last segment of the topic the message came on.</param>
    public CommandCheck Check(string topicType, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxBytes)
        {
            return Refused(null, $"{payload.Length} bytes, over the limit of {MaxBytes}");
        }

        if (!CommandJws.TryRead(payload, out var jws, out var problem))
        {
            return Refused(null, problem);
        }

        if (jws.Header.Alg != CommandJws.Algorithm)
        {
            return Refused(null, $"algorithm '{jws.Header.Alg}' is not {CommandJws.Algorithm}");
        }

        if (jws.Header.Kid is not { } kid || !keys.TryGetValue(kid, out var key))
        {
            return Refused(null, $"unknown station key '{jws.Header.Kid}'");
        }

        if (jws.Signature.Length != 64 || !key.VerifyData(jws.SigningInput, jws.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            return Refused(null, $"the signature does not verify with station key '{kid}'");
        }

        StationCommand command;
        try
        {
            command = Payloads.DecodeCommand(jws.Payload);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return Refused(null, $"the payload is not a command: {ex.Message}");
        }

        if (command.Id == Guid.Empty || string.IsNullOrEmpty(command.Type) || string.IsNullOrEmpty(command.Community) || string.IsNullOrEmpty(command.Gateway)
            || string.IsNullOrEmpty(command.Issuer) || command.IssuedAt == default || command.ExpiresAt == default)
        {
            return Refused(command, "id, type, community, gateway, issuer, issuedAt and expiresAt are all required");
        }

        if (command.Type != topicType)
        {
            return Refused(command, $"type '{command.Type}' came on the topic of '{topicType}'");
        }

        if (command.Community != community || command.Gateway != gateway)
        {
            return Refused(command, $"meant for {command.Community}/{command.Gateway}, not {community}/{gateway}");
        }

        if (!CommandTypes.All.Contains(command.Type))
        {
            return Refused(command, $"unknown command type '{command.Type}'");
        }

        var life = command.ExpiresAt - command.IssuedAt;
        var longest = CommandTypes.MaxLifetime(command.Type);
        if (life <= TimeSpan.Zero || life > longest)
        {
            return Refused(command, $"a life of {life.TotalSeconds:0.#} s: a {command.Type} must live over 0 and at most {longest.TotalSeconds:0} s");
        }

        var now = time.GetUtcNow();
        if (command.IssuedAt > now + FutureSkew)
        {
            return Refused(command, $"issued {(command.IssuedAt - now).TotalSeconds:0} s ahead of the gateway's clock (at most {FutureSkew.TotalSeconds:0} s)");
        }

        if (now > command.ExpiresAt || now - command.IssuedAt > PastSkew)
        {
            return new CommandCheck(command, CommandOutcomes.Expired, $"issued {(now - command.IssuedAt).TotalSeconds:0} s ago, expiring at {command.ExpiresAt:O}");
        }

        // Remembered past the latest moment it could still be taken, so a replay is always recognised.
        var keepUntil = Max(command.ExpiresAt, command.IssuedAt + PastSkew) + FutureSkew;
        return ledger.TryTake(command.Id, keepUntil)
            ? new CommandCheck(command, null, "")
            : new CommandCheck(command, CommandOutcomes.Replayed, "this command was taken before");
    }

    private static CommandCheck Refused(StationCommand? command, string reason) => new(command, CommandOutcomes.Refused, reason);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
