using System.Security.Cryptography;

namespace Edge.Gateway.Commands;

/// <summary>
/// Commands from the station (section <c>Edge:Commands</c>): the station's public keys that sign them. Without a key
/// the gateway does not subscribe to commands at all.
/// </summary>
public sealed class CommandOptions
{
    public const string Section = "Edge:Commands";

    /// <summary>The station's signing keys, by key id: more than one while a key is rotated.</summary>
    public List<StationKeyOptions> StationKeys { get; set; } = [];

    /// <summary>The keys as the verifier uses them, by id; throws when one does not read (validated before).</summary>
    internal Dictionary<string, ECDsa> LoadKeys() => StationKeys.ToDictionary(k => k.Id, k => k.Load(), StringComparer.Ordinal);
}

/// <summary>One station key: its id (the JWS <c>kid</c>) and its public key, as PEM text or a PEM file.</summary>
public sealed class StationKeyOptions
{
    public string Id { get; set; } = "";

    /// <summary>The public key, PEM (<c>-----BEGIN PUBLIC KEY-----</c>, ECDSA P-256).</summary>
    public string? PublicKey { get; set; }

    /// <summary>A file holding the public key, PEM.</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>The key, or an exception saying why not.</summary>
    internal ECDsa Load()
    {
        var pem = PublicKey ?? File.ReadAllText(PublicKeyFile ?? throw new InvalidOperationException("no public key"));
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new CryptographicException($"a {key.KeySize}-bit key, not P-256");
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
