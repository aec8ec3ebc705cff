using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edge.Contracts.Serialization;

namespace Edge.Contracts.Commands;

/// <summary>
/// A command on the wire: a JWS in compact serialization (RFC 7515), <c>header.payload.signature</c>, each part
/// base64url. The header is <c>{"alg":"ES256","kid":"...","typ":"edge-command+jwt"}</c>; the payload is the
/// <see cref="StationCommand"/> as JSON; the signature is ECDSA P-256 with SHA-256 over <c>header.payload</c> (the
/// ASCII of the first two parts), as the 64-byte r||s of RFC 7518. Any JOSE library can make one; .NET's own ECDsa
/// makes and checks it here.
/// </summary>
public static class CommandJws
{
    public const string Algorithm = "ES256";
    public const string MediaType = "edge-command+jwt";

    /// <summary>Signs <paramref name="command"/> with the station's private key <paramref name="key"/>, known to gateways as <paramref name="keyId"/>.</summary>
    public static string Sign(StationCommand command, string keyId, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(key);
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(Algorithm, keyId, MediaType), EdgeJsonContext.Default.Header);
        var payload = JsonSerializer.SerializeToUtf8Bytes(command, EdgeJsonContext.Default.StationCommand);
        var signingInput = Base64Url(header) + "." + Base64Url(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>
    /// Splits a compact JWS into its header, the payload's bytes, the bytes that were signed and the signature. False,
    /// with what is wrong, when it is not three base64url parts with a JSON header.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, out Parts parts, out string problem)
    {
        parts = default;
        var text = Encoding.ASCII.GetString(utf8);
        var dots = text.Split('.');
        if (dots.Length != 3 || dots.Any(d => d.Length == 0 || d.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))))
        {
            problem = "not a compact JWS (three base64url parts)";
            return false;
        }

        try
        {
            var header = JsonSerializer.Deserialize(FromBase64Url(dots[0]), EdgeJsonContext.Default.Header);
            if (header is null)
            {
                problem = "the header is not a JSON object";
                return false;
            }

            var payload = FromBase64Url(dots[1]);
            var signature = FromBase64Url(dots[2]);
            // One encoding only: base64 leaves spare bits in its last character, which would make one command many.
            if (Base64Url(payload) != dots[1] || Base64Url(signature) != dots[2])
            {
                problem = "not canonical base64url";
                return false;
            }

            parts = new Parts(header, payload, Encoding.ASCII.GetBytes(dots[0] + "." + dots[1]), signature);
            problem = "";
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            problem = $"the header does not read: {ex.Message}";
            return false;
        }
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    /// <summary>The JOSE header: the algorithm, the station key's id, the type.</summary>
    public sealed record Header(string? Alg, string? Kid, string? Typ);

    /// <summary>A compact JWS taken apart.</summary>
    public readonly record struct Parts(Header Header, byte[] Payload, byte[] SigningInput, byte[] Signature);
}
