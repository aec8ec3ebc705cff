using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Gateway.Access;

/// <summary>
/// Keeps residents' card numbers at the edge: an event carries a keyed hash (HMAC-SHA256 under the community's secret)
/// of the card's format, facility code and number, so the station can tell that the same card came back without
/// learning which card it is. A different community's secret gives unrelated hashes, so cards cannot be followed
/// across communities either. Each hash travels with its <see cref="KeyId"/>, so a secret can be rotated. Raw numbers
/// leave the gateway only when configuration says so.
/// </summary>
public sealed class CardPrivacy : IDisposable
{
    /// <summary>The shortest secret accepted: 16 bytes, as much as the hash's security needs from a key.</summary>
    public const int MinSecretBytes = 16;
    private readonly HMACSHA256 _hmac;
    private readonly Lock _lock = new();

    public CardPrivacy(ReadOnlySpan<byte> secret, bool revealRawNumbers = false)
    {
        if (secret.Length < MinSecretBytes)
        {
            throw new ArgumentException($"the card secret must be at least {MinSecretBytes} bytes", nameof(secret));
        }

        _hmac = new HMACSHA256(secret.ToArray());
        RevealRawNumbers = revealRawNumbers;
        KeyId = Convert.ToHexStringLower(_hmac.ComputeHash(Encoding.ASCII.GetBytes(KeyIdLabel)).AsSpan(0, 4));
    }

    /// <summary>What the key id is the MAC of: no card hash can equal it (a card's text has two colons).</summary>
    private const string KeyIdLabel = "edge card key id";

    /// <summary>
    /// Which secret made the hashes (<c>card.key</c>): 8 hex digits, the start of the secret's own MAC of a fixed label.
    /// It changes when the community's secret is rotated, so the station knows that hashes under another key id are
    /// not comparable, and it tells nothing about the secret.
    /// </summary>
    public string KeyId { get; }

    /// <summary>True only when configuration explicitly asks for raw card numbers in events.</summary>
    public bool RevealRawNumbers { get; }

    /// <summary>
    /// The card's hash: lowercase hex of HMAC-SHA256 over <c>format:facility:card</c> (facility empty when the format
    /// has none), all in invariant decimal.
    /// </summary>
    public string Hash(string format, long? facility, long card) => Hash(format, facility, card.ToString(CultureInfo.InvariantCulture));

    /// <summary>The hash of a card whose number a device reports as text (an ISAPI controller's <c>cardNo</c>).</summary>
    public string Hash(string format, long? facility, string card)
    {
        ArgumentException.ThrowIfNullOrEmpty(format);
        ArgumentException.ThrowIfNullOrEmpty(card);
        var text = string.Create(CultureInfo.InvariantCulture, $"{format}:{facility}:{card}");
        byte[] mac;
        lock (_lock)
        {
            mac = _hmac.ComputeHash(Encoding.ASCII.GetBytes(text));
        }

        return Convert.ToHexStringLower(mac);
    }

    public void Dispose() => _hmac.Dispose();
}
