using System.Buffers.Binary;

namespace Edge.Gateway.Access.Osdp;

/// <summary>Why bytes were not a packet.</summary>
public enum OsdpDecodeError
{
    None,

    /// <summary>Not enough bytes yet: wait for more.</summary>
    Incomplete,

    /// <summary>The first byte is not SOM.</summary>
    NoStartOfMessage,

    /// <summary>LEN is shorter than any packet or longer than <see cref="OsdpPacket.MaxLength"/>.</summary>
    BadLength,

    /// <summary>The CRC-16 or the checksum does not match.</summary>
    BadCheck,

    /// <summary>The security block's length runs past the packet.</summary>
    BadSecurityBlock,
}

/// <summary>Encodes and decodes OSDP packets on bytes (no I/O): the framing of ../shared/reference/field-facts.md.</summary>
public static class OsdpCodec
{
    private const byte SequenceMask = 0x03;
    private const byte CrcFlag = 0x04;
    private const byte SecurityFlag = 0x08;

    /// <summary>The bytes of a packet, with its CRC or checksum.</summary>
    public static byte[] Encode(OsdpPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packet.Address, OsdpPacket.Broadcast, nameof(packet));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)packet.Sequence, 3u, nameof(packet));
        var security = packet.SecurityBlock is { } block ? block.Span : default;
        var mac = packet.Mac is { } m ? m.Span : default;
        if (mac.Length is not (0 or 4))
        {
            throw new ArgumentException("a MAC is 4 bytes", nameof(packet));
        }

        var length = OsdpPacket.HeaderLength + security.Length + 1 + packet.Data.Length + mac.Length + (packet.UseCrc ? 2 : 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, OsdpPacket.MaxLength, nameof(packet));
        var bytes = new byte[length];
        bytes[0] = OsdpPacket.StartOfMessage;
        bytes[1] = (byte)(packet.Address | (packet.IsReply ? 0x80 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)length);
        bytes[4] = (byte)(packet.Sequence | (packet.UseCrc ? CrcFlag : 0) | (security.Length > 0 ? SecurityFlag : 0));
        var at = OsdpPacket.HeaderLength;
        security.CopyTo(bytes.AsSpan(at));
        at += security.Length;
        bytes[at++] = packet.Code;
        packet.Data.Span.CopyTo(bytes.AsSpan(at));
        at += packet.Data.Length;
        mac.CopyTo(bytes.AsSpan(at));
        at += mac.Length;
        if (packet.UseCrc)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), OsdpChecks.Crc16(bytes.AsSpan(0, at)));
        }
        else
        {
            bytes[at] = OsdpChecks.Checksum(bytes.AsSpan(0, at));
        }

        return bytes;
    }

    /// <summary>
    /// Decodes the packet at the start of <paramref name="bytes"/>. On success <paramref name="consumed"/> is its
    /// length. <paramref name="hasMac"/> tells whether a packet with a security block carries a MAC (the secure
    /// channel's SCS_15 to SCS_18 do; the handshake's SCS_11 to SCS_14 do not).
    /// </summary>
    public static OsdpDecodeError TryDecode(ReadOnlySpan<byte> bytes, out OsdpPacket? packet, out int consumed, Func<byte, bool>? hasMac = null)
    {
        packet = null;
        consumed = 0;
        if (bytes.Length == 0)
        {
            return OsdpDecodeError.Incomplete;
        }

        if (bytes[0] != OsdpPacket.StartOfMessage)
        {
            return OsdpDecodeError.NoStartOfMessage;
        }

        if (bytes.Length < OsdpPacket.HeaderLength)
        {
            return OsdpDecodeError.Incomplete;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
        var control = bytes[4];
        var useCrc = (control & CrcFlag) != 0;
        var minimum = OsdpPacket.HeaderLength + 1 + (useCrc ? 2 : 1);
        if (length < minimum || length > OsdpPacket.MaxLength)
        {
            return OsdpDecodeError.BadLength;
        }

        if (bytes.Length < length)
        {
            return OsdpDecodeError.Incomplete;
        }

        var whole = bytes[..length];
        var body = whole[..(length - (useCrc ? 2 : 1))];
        var valid = useCrc
            ? BinaryPrimitives.ReadUInt16LittleEndian(whole[^2..]) == OsdpChecks.Crc16(body)
            : whole[^1] == OsdpChecks.Checksum(body);
        if (!valid)
        {
            return OsdpDecodeError.BadCheck;
        }

        var at = OsdpPacket.HeaderLength;
        ReadOnlyMemory<byte>? security = null;
        ReadOnlyMemory<byte>? mac = null;
        var end = body.Length;
        if ((control & SecurityFlag) != 0)
        {
            var blockLength = body.Length > at ? body[at] : 0;
            if (blockLength < 2 || at + blockLength >= body.Length)
            {
                return OsdpDecodeError.BadSecurityBlock;
            }

            security = body.Slice(at, blockLength).ToArray();
            at += blockLength;
            if (hasMac?.Invoke(body[OsdpPacket.HeaderLength + 1]) ?? body[OsdpPacket.HeaderLength + 1] >= 0x15)
            {
                if (end - 4 <= at)
                {
                    return OsdpDecodeError.BadSecurityBlock;
                }

                mac = body[(end - 4)..end].ToArray();
                end -= 4;
            }
        }

        packet = new OsdpPacket(
            (byte)(bytes[1] & 0x7F), (bytes[1] & 0x80) != 0, control & SequenceMask, body[at], body[(at + 1)..end].ToArray(), useCrc, security, mac);
        consumed = length;
        return OsdpDecodeError.None;
    }
}
