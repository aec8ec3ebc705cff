namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// One OSDP packet (IEC 60839-11-5 / OSDP 2.2): <c>SOM 0x53 | ADDR | LEN (2, LSB first) | CTRL | [security block] |
/// CODE | DATA | [MAC, 4] | CRC-16 (LSB first) or checksum</c>. <see cref="Address"/> is 0-0x7E (0x7F broadcast) and
/// <see cref="IsReply"/> is bit 7 of the address byte, set by a peripheral device (PD) answering the control panel.
/// </summary>
public sealed record OsdpPacket(
    byte Address,
    bool IsReply,
    int Sequence,
    byte Code,
    ReadOnlyMemory<byte> Data,
    bool UseCrc = true,
    ReadOnlyMemory<byte>? SecurityBlock = null,
    ReadOnlyMemory<byte>? Mac = null)
{
    public const byte StartOfMessage = 0x53;
    public const byte Broadcast = 0x7F;

    /// <summary>The longest packet the gateway accepts; a longer LEN is taken for line noise.</summary>
    public const int MaxLength = 1440;

    /// <summary>SOM, ADDR, LEN (2) and CTRL.</summary>
    public const int HeaderLength = 5;
}

/// <summary>Command codes the control panel sends (OSDP 2.2).</summary>
public static class OsdpCommand
{
    public const byte Poll = 0x60;
    public const byte Id = 0x61;
    public const byte Cap = 0x62;
    public const byte LocalStatus = 0x64;
    public const byte InputStatus = 0x65;
    public const byte OutputStatus = 0x66;
    public const byte Output = 0x68;
    public const byte Led = 0x69;
    public const byte Buzzer = 0x6A;
    public const byte Text = 0x6B;
    public const byte ComSet = 0x6E;
    public const byte KeySet = 0x75;
    public const byte Challenge = 0x76;
    public const byte ServerCryptogram = 0x77;

    /// <summary>The specification's name of a command (<c>osdp_LED</c>), or its code in hex.</summary>
    public static string Name(byte code) => code switch
    {
        Poll => "osdp_POLL",
        Id => "osdp_ID",
        Cap => "osdp_CAP",
        LocalStatus => "osdp_LSTAT",
        InputStatus => "osdp_ISTAT",
        OutputStatus => "osdp_OSTAT",
        Output => "osdp_OUT",
        Led => "osdp_LED",
        Buzzer => "osdp_BUZ",
        Text => "osdp_TEXT",
        ComSet => "osdp_COMSET",
        KeySet => "osdp_KEYSET",
        Challenge => "osdp_CHLNG",
        ServerCryptogram => "osdp_SCRYPT",
        _ => $"0x{code:X2}",
    };
}

/// <summary>The error codes of an osdp_NAK (OSDP 2.2, its first data byte): why the reader did not act on a command.</summary>
public static class OsdpNak
{
    /// <summary>The command's CRC or checksum was wrong: it was damaged on the line and may be sent again.</summary>
    public const byte CheckCharacter = 0x01;

    /// <summary>The command's length was wrong for its code.</summary>
    public const byte CommandLength = 0x02;

    /// <summary>The reader does not know or implement the command.</summary>
    public const byte UnknownCommand = 0x03;

    /// <summary>The sequence number was not the one the reader expected: the session is out of step.</summary>
    public const byte Sequence = 0x04;

    /// <summary>The reader does not support the security block it received (no secure channel, or not that key).</summary>
    public const byte SecurityUnsupported = 0x05;

    /// <summary>The reader takes this command only over the secure channel.</summary>
    public const byte SecureChannelRequired = 0x06;

    /// <summary>The reader cannot process the command's record (a value out of its range, a biometric type or format).</summary>
    public const byte CannotProcess = 0x09;

    /// <summary>The error code of a NAK reply; 0 when it carries none.</summary>
    public static byte Of(OsdpPacket nak) => nak is { Code: OsdpReply.Nak, Data.Length: > 0 } ? nak.Data.Span[0] : (byte)0;

    /// <summary>A short name for an error code, as the contract reports it.</summary>
    public static string Name(byte code) => code switch
    {
        CheckCharacter => "check-character",
        CommandLength => "command-length",
        UnknownCommand => "unknown-command",
        Sequence => "sequence",
        SecurityUnsupported => "security-unsupported",
        SecureChannelRequired => "secure-channel-required",
        0x07 => "biometric-type",
        0x08 => "biometric-format",
        CannotProcess => "cannot-process",
        _ => $"0x{code:X2}",
    };
}

/// <summary>Reply codes a peripheral device sends (OSDP 2.2).</summary>
public static class OsdpReply
{
    public const byte Ack = 0x40;
    public const byte Nak = 0x41;
    public const byte PdId = 0x45;
    public const byte PdCap = 0x46;
    public const byte LocalStatus = 0x48;
    public const byte InputStatus = 0x49;
    public const byte OutputStatus = 0x4A;
    public const byte Raw = 0x50;
    public const byte Formatted = 0x51;
    public const byte Keypad = 0x53;
    public const byte Com = 0x54;
    public const byte ClientCryptogram = 0x76;
    public const byte InitialRmac = 0x78;
    public const byte Busy = 0x79;
}
