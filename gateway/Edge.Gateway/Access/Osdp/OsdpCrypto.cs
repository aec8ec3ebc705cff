using System.Security.Cryptography;

namespace Edge.Gateway.Access.Osdp;

/// <summary>The session keys of one secure channel session, derived from the SCBK and the CP's random number.</summary>
public sealed record OsdpSessionKeys(byte[] Enc, byte[] Mac1, byte[] Mac2);

/// <summary>
/// The cryptography of OSDP's secure channel (OSDP 2.2, annex D), on .NET's AES: key derivation, the handshake's
/// cryptograms and initial R-MAC, the chained message MAC and the data encryption. Checked against the
/// specification's annex E vectors.
/// </summary>
public static class OsdpCrypto
{
    public const int BlockSize = 16;

    /// <summary>SCBK-D, the install-mode default key (bytes 0x30..0x3F). Used only when configuration allows it.</summary>
    public static ReadOnlySpan<byte> InstallKey => "0123456789:;<=>?"u8;

    /// <summary>SCBK of a PD from the master key and the PD's cUID: AES-ECB(MK, cUID || ~cUID).</summary>
    public static byte[] DeriveScbk(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> clientUid)
    {
        if (clientUid.Length != 8)
        {
            throw new ArgumentException("a cUID is 8 bytes", nameof(clientUid));
        }

        Span<byte> block = stackalloc byte[BlockSize];
        clientUid.CopyTo(block);
        for (var i = 0; i < 8; i++)
        {
            block[8 + i] = (byte)~clientUid[i];
        }

        return Ecb(masterKey, block);
    }

    /// <summary>S-ENC, S-MAC1 and S-MAC2: AES-ECB(SCBK, {0x01, 0x82 / 0x01 / 0x02, CP random 1-6, zeros}).</summary>
    public static OsdpSessionKeys SessionKeys(ReadOnlySpan<byte> scbk, ReadOnlySpan<byte> cpRandom) =>
        new(SessionKey(scbk, cpRandom, 0x82), SessionKey(scbk, cpRandom, 0x01), SessionKey(scbk, cpRandom, 0x02));

    private static byte[] SessionKey(ReadOnlySpan<byte> scbk, ReadOnlySpan<byte> cpRandom, byte kind)
    {
        Span<byte> block = stackalloc byte[BlockSize];
        block.Clear();
        block[0] = 0x01;
        block[1] = kind;
        cpRandom[..6].CopyTo(block[2..]);
        return Ecb(scbk, block);
    }

    /// <summary>The PD's (client) cryptogram: AES-ECB(S-ENC, CP random || PD random).</summary>
    public static byte[] ClientCryptogram(OsdpSessionKeys keys, ReadOnlySpan<byte> cpRandom, ReadOnlySpan<byte> pdRandom)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Ecb(keys.Enc, [.. cpRandom, .. pdRandom]);
    }

    /// <summary>The CP's (server) cryptogram: AES-ECB(S-ENC, PD random || CP random).</summary>
    public static byte[] ServerCryptogram(OsdpSessionKeys keys, ReadOnlySpan<byte> cpRandom, ReadOnlySpan<byte> pdRandom)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Ecb(keys.Enc, [.. pdRandom, .. cpRandom]);
    }

    /// <summary>The initial R-MAC that seeds the MAC chain: AES-ECB(S-MAC2, AES-ECB(S-MAC1, server cryptogram)).</summary>
    public static byte[] InitialRmac(OsdpSessionKeys keys, ReadOnlySpan<byte> serverCryptogram)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Ecb(keys.Mac2, Ecb(keys.Mac1, serverCryptogram));
    }

    /// <summary>
    /// The MAC of a message (from SOM to the end of its data): AES-CBC from <paramref name="iv"/>, every block but the
    /// last under S-MAC1 and the last under S-MAC2, the message padded with 0x80 and zeros when it does not fill its
    /// last block. The whole 16 bytes chain on; the packet carries the first 4.
    /// </summary>
    public static byte[] Mac(OsdpSessionKeys keys, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var padded = message.Length % BlockSize == 0 && message.Length > 0 ? message.ToArray() : Pad(message);
        Span<byte> chain = stackalloc byte[BlockSize];
        iv.CopyTo(chain);
        using var mac1 = Aes(keys.Mac1);
        using var mac2 = Aes(keys.Mac2);
        var blocks = padded.Length / BlockSize;
        for (var b = 0; b < blocks; b++)
        {
            for (var i = 0; i < BlockSize; i++)
            {
                chain[i] ^= padded[(b * BlockSize) + i];
            }

            var next = (b == blocks - 1 ? mac2 : mac1).EncryptEcb(chain, PaddingMode.None);
            next.CopyTo(chain);
        }

        return chain.ToArray();
    }

    /// <summary>Encrypts data: AES-CBC under S-ENC from <paramref name="iv"/>, padded with 0x80 and zeros (always).</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> encKey, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data)
    {
        using var aes = Aes(encKey);
        return aes.EncryptCbc(Pad(data), iv, PaddingMode.None);
    }

    /// <summary>Decrypts data; null when it is not whole blocks or its padding is wrong.</summary>
    public static byte[]? Decrypt(ReadOnlySpan<byte> encKey, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data.Length % BlockSize != 0)
        {
            return null;
        }

        using var aes = Aes(encKey);
        var plain = aes.DecryptCbc(data, iv, PaddingMode.None);
        var end = plain.Length - 1;
        while (end >= 0 && plain[end] == 0)
        {
            end--;
        }

        return end >= 0 && plain[end] == 0x80 && plain.Length - end <= BlockSize ? plain[..end] : null;
    }

    /// <summary>The IV of encrypted data: the bitwise complement of the last MAC received from the other side.</summary>
    public static byte[] DataIv(ReadOnlySpan<byte> lastMac)
    {
        var iv = new byte[BlockSize];
        for (var i = 0; i < BlockSize; i++)
        {
            iv[i] = (byte)~lastMac[i];
        }

        return iv;
    }

    private static byte[] Pad(ReadOnlySpan<byte> data)
    {
        var padded = new byte[((data.Length / BlockSize) + 1) * BlockSize];
        data.CopyTo(padded);
        padded[data.Length] = 0x80;
        return padded;
    }

    private static byte[] Ecb(ReadOnlySpan<byte> key, ReadOnlySpan<byte> block)
    {
        using var aes = Aes(key);
        return aes.EncryptEcb(block, PaddingMode.None);
    }

    private static System.Security.Cryptography.Aes Aes(ReadOnlySpan<byte> key)
    {
        var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = key.ToArray();
        return aes;
    }
}
