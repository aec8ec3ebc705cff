using System.Security.Cryptography;
using Edge.Contracts.Topics;
using Edge.Gateway.Configuration;

namespace Edge.Gateway.Commands;

/// <summary>Validates <c>Edge:Commands</c>; every message names its key, for example <c>Edge:Commands:StationKeys:0:PublicKey</c>.</summary>
public static class CommandOptionsValidator
{
    public static void Validate(CommandOptions commands, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(check);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < commands.StationKeys.Count; i++)
        {
            var k = commands.StationKeys[i];
            var key = check.At(nameof(commands.StationKeys), i);
            if (key.That(TopicSegment.IsValid(k.Id), nameof(k.Id), $"'{k.Id}' must be 1-64 letters, digits, '-' or '_'"))
            {
                key.That(ids.Add(k.Id), nameof(k.Id), $"'{k.Id}' is given twice");
            }

            if (!key.That((k.PublicKey is null) != (k.PublicKeyFile is null), nameof(k.PublicKey), "give the key as PublicKey (PEM) or PublicKeyFile, one of them")
                || (k.PublicKeyFile is not null && !key.FileExists(nameof(k.PublicKeyFile), k.PublicKeyFile)))
            {
                continue;
            }

            try
            {
                using var _ = k.Load();
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                key.Fail(k.PublicKey is null ? nameof(k.PublicKeyFile) : nameof(k.PublicKey), $"is not an ECDSA P-256 public key in PEM: {ex.Message}");
            }
        }
    }
}
