using System.Security.Cryptography;

namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// One secure channel session between a control panel (CP) and a peripheral device (PD), from either side: the
/// handshake (osdp_CHLNG, osdp_CCRYPT, osdp_SCRYPT, osdp_RMAC_I) and then every message MACed, each MAC chaining on
/// the last one from the other side, with data encrypted when there is any (SCS_17/18, else SCS_15/16). A message
/// whose MAC does not verify is refused; the session must then start over.
/// </summary>
public sealed class OsdpSecureChannel
{
    private const byte ScsChallenge = 0x11;
    private const byte ScsClientCryptogram = 0x12;
    private const byte ScsServerCryptogram = 0x13;
    private const byte ScsInitialRmac = 0x14;
    private const byte ScsCommandMac = 0x15;
    private const byte ScsReplyMac = 0x16;
    private const byte ScsCommandEncrypted = 0x17;
    private const byte ScsReplyEncrypted = 0x18;
    private readonly byte[] _scbk;
    private readonly bool _installKey;
    private byte[] _cpRandom = [];
    private byte[] _pdRandom = [];
    private OsdpSessionKeys? _keys;
    private byte[] _lastCommandMac = [];
    private byte[] _lastReplyMac = [];

    /// <param name="scbk">The PD's secure channel base key (16 bytes).</param>
    /// <param name="installKey">True when <paramref name="scbk"/> is SCBK-D, the install key (key type 0 on the wire).</param>
    public OsdpSecureChannel(ReadOnlySpan<byte> scbk, bool installKey = false)
    {
        if (scbk.Length != OsdpCrypto.BlockSize)
        {
            throw new ArgumentException("an SCBK is 16 bytes", nameof(scbk));
        }

        _scbk = scbk.ToArray();
        _installKey = installKey;
    }

    /// <summary>True once the handshake has completed and messages are protected.</summary>
    public bool Established { get; private set; }

    /// <summary>Whether a packet with this security block type carries a MAC (for <see cref="OsdpFrameReader"/>).</summary>
    public static bool HasMac(byte securityBlockType) => securityBlockType is >= ScsCommandMac and <= ScsReplyEncrypted;

    // ---- CP side ----

    /// <summary>CP: starts the handshake with a fresh random challenge.</summary>
    public OsdpPacket Challenge(byte address, int sequence, ReadOnlySpan<byte> cpRandom = default)
    {
        Established = false;
        _cpRandom = cpRandom.IsEmpty ? RandomNumberGenerator.GetBytes(8) : cpRandom.ToArray();
        return new OsdpPacket(address, false, sequence, OsdpCommand.Challenge, _cpRandom, SecurityBlock: Block(ScsChallenge));
    }

    /// <summary>CP: checks the PD's osdp_CCRYPT; on success returns the osdp_SCRYPT to send, else null.</summary>
    public OsdpPacket? OnClientCryptogram(OsdpPacket reply, int sequence)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply is not { IsReply: true, Code: OsdpReply.ClientCryptogram } || reply.Data.Length != 32 || _cpRandom.Length != 8)
        {
            return null;
        }

        var data = reply.Data.Span;
        _pdRandom = data[8..16].ToArray();
        _keys = OsdpCrypto.SessionKeys(_scbk, _cpRandom);
        if (!CryptographicOperations.FixedTimeEquals(data[16..32], OsdpCrypto.ClientCryptogram(_keys, _cpRandom, _pdRandom)))
        {
            return null;
        }

        return new OsdpPacket(reply.Address, false, sequence, OsdpCommand.ServerCryptogram,
            OsdpCrypto.ServerCryptogram(_keys, _cpRandom, _pdRandom), SecurityBlock: Block(ScsServerCryptogram));
    }

    /// <summary>CP: checks the PD's osdp_RMAC_I; on success the channel is established.</summary>
    public bool OnInitialRmac(OsdpPacket reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (_keys is null || reply is not { IsReply: true, Code: OsdpReply.InitialRmac } || reply.Data.Length != 16)
        {
            return false;
        }

        var expected = OsdpCrypto.InitialRmac(_keys, OsdpCrypto.ServerCryptogram(_keys, _cpRandom, _pdRandom));
        if (!CryptographicOperations.FixedTimeEquals(reply.Data.Span, expected))
        {
            return false;
        }

        _lastReplyMac = expected;
        Established = true;
        return true;
    }

    /// <summary>CP: protects a command (MAC, and encrypted data when it has any).</summary>
    public OsdpPacket ProtectCommand(OsdpPacket command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (packet, mac) = Seal(command, _lastReplyMac, command.Data.IsEmpty ? ScsCommandMac : ScsCommandEncrypted);
        _lastCommandMac = mac;
        return packet;
    }

    /// <summary>CP: verifies and opens a reply; null when its MAC or its data does not check out.</summary>
    public OsdpPacket? OpenReply(OsdpPacket reply)
    {
        var (packet, mac) = Open(reply, _lastCommandMac, ScsReplyMac, ScsReplyEncrypted);
        if (packet is not null)
        {
            _lastReplyMac = mac!;
        }

        return packet;
    }

    // ---- PD side (the simulator's readers) ----

    /// <summary>PD: answers osdp_CHLNG with osdp_CCRYPT (its cUID, its random and its cryptogram).</summary>
    public OsdpPacket? OnChallenge(OsdpPacket command, ReadOnlySpan<byte> clientUid, ReadOnlySpan<byte> pdRandom = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command is not { IsReply: false, Code: OsdpCommand.Challenge } || command.Data.Length != 8 || clientUid.Length != 8)
        {
            return null;
        }

        Established = false;
        _cpRandom = command.Data.ToArray();
        _pdRandom = pdRandom.IsEmpty ? RandomNumberGenerator.GetBytes(8) : pdRandom.ToArray();
        _keys = OsdpCrypto.SessionKeys(_scbk, _cpRandom);
        byte[] data = [.. clientUid, .. _pdRandom, .. OsdpCrypto.ClientCryptogram(_keys, _cpRandom, _pdRandom)];
        return new OsdpPacket(command.Address, true, command.Sequence, OsdpReply.ClientCryptogram, data, SecurityBlock: Block(ScsClientCryptogram));
    }

    /// <summary>PD: checks osdp_SCRYPT and answers osdp_RMAC_I; null when the CP's cryptogram is wrong.</summary>
    public OsdpPacket? OnServerCryptogram(OsdpPacket command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_keys is null || command is not { IsReply: false, Code: OsdpCommand.ServerCryptogram } || command.Data.Length != 16
            || !CryptographicOperations.FixedTimeEquals(command.Data.Span, OsdpCrypto.ServerCryptogram(_keys, _cpRandom, _pdRandom)))
        {
            return null;
        }

        _lastReplyMac = OsdpCrypto.InitialRmac(_keys, command.Data.Span);
        Established = true;
        return new OsdpPacket(command.Address, true, command.Sequence, OsdpReply.InitialRmac, _lastReplyMac, SecurityBlock: new byte[] { 3, ScsInitialRmac, 1 });
    }

    /// <summary>PD: verifies and opens a command; null when its MAC or its data does not check out.</summary>
    public OsdpPacket? OpenCommand(OsdpPacket command)
    {
        var (packet, mac) = Open(command, _lastReplyMac, ScsCommandMac, ScsCommandEncrypted);
        if (packet is not null)
        {
            _lastCommandMac = mac!;
        }

        return packet;
    }

    /// <summary>PD: protects a reply.</summary>
    public OsdpPacket ProtectReply(OsdpPacket reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var (packet, mac) = Seal(reply, _lastCommandMac, reply.Data.IsEmpty ? ScsReplyMac : ScsReplyEncrypted);
        _lastReplyMac = mac;
        return packet;
    }

    private byte[] Block(byte type) => [3, type, (byte)(_installKey ? 0 : 1)];

    private (OsdpPacket Packet, byte[] Mac) Seal(OsdpPacket message, byte[] chainFrom, byte type)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Established || _keys is null)
        {
            throw new InvalidOperationException("the secure channel is not established");
        }

        var data = type is ScsCommandEncrypted or ScsReplyEncrypted
            ? OsdpCrypto.Encrypt(_keys.Enc, OsdpCrypto.DataIv(chainFrom), message.Data.Span)
            : message.Data.ToArray();
        var draft = message with { Data = data, SecurityBlock = new byte[] { 2, type }, Mac = new byte[4], UseCrc = true };
        var mac = OsdpCrypto.Mac(_keys, chainFrom, MacInput(draft));
        return (draft with { Mac = mac.AsMemory(0, 4).ToArray() }, mac);
    }

    private (OsdpPacket? Packet, byte[]? Mac) Open(OsdpPacket message, byte[] chainFrom, byte macOnly, byte encrypted)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Established || _keys is null || message.SecurityBlock is not { Length: 2 } block || message.Mac is not { Length: 4 } received)
        {
            return (null, null);
        }

        var type = block.Span[1];
        if (type != macOnly && type != encrypted)
        {
            return (null, null);
        }

        var mac = OsdpCrypto.Mac(_keys, chainFrom, MacInput(message));
        if (!CryptographicOperations.FixedTimeEquals(mac.AsSpan(0, 4), received.Span))
        {
            return (null, null);
        }

        var data = message.Data.ToArray();
        if (type == encrypted)
        {
            data = OsdpCrypto.Decrypt(_keys.Enc, OsdpCrypto.DataIv(chainFrom), data)!;
            if (data is null)
            {
                return (null, null);
            }
        }

        return (message with { Data = data, SecurityBlock = null, Mac = null }, mac);
    }

    /// <summary>The bytes a MAC covers: the encoded packet from SOM to the end of its data.</summary>
    private static byte[] MacInput(OsdpPacket packet)
    {
        var bytes = OsdpCodec.Encode(packet);
        return bytes[..(bytes.Length - 4 - (packet.UseCrc ? 2 : 1))];
    }
}
